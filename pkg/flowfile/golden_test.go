package flowfile_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// The golden files (testdata/golden, written once by gen.go, never by the
// tests) hold the format as FORMAT.md describes it. A reader must return
// exactly their expected records and summaries, and their bytes must be
// where FORMAT.md puts them: a change of writer and reader together (the
// protocol bitmap's byte order, a selection's word count) fails here.

type goldenBlock struct {
	Index     int      `json:"index"`
	Offset    int64    `json:"offset"`
	Stored    int      `json:"stored"`
	Records   int      `json:"records"`
	Codec     uint8    `json:"codec"`
	Protocols []int    `json:"protocols"`
	Types     []int    `json:"types"`
	MinSTime  int64    `json:"min_stime"`
	MaxSTime  int64    `json:"max_stime"`
	MaxETime  int64    `json:"max_etime"`
	Damaged   bool     `json:"damaged"`
	Selected  []uint16 `json:"selected"`
}

type goldenFile struct {
	Version  uint8             `json:"version"`
	Kind     uint8             `json:"kind"`
	Codec    uint8             `json:"codec"`
	Type     uint8             `json:"type"`
	SensorID uint16            `json:"sensor_id"`
	Sensor   string            `json:"sensor"`
	Hour     int64             `json:"hour"`
	Writer   string            `json:"writer"`
	Blocks   []goldenBlock     `json:"blocks"`
	Records  []flowfile.Record `json:"records"`
}

func TestGoldenFiles(t *testing.T) {
	names, _ := filepath.Glob("testdata/golden/*.gf")
	if len(names) < 5 {
		t.Fatalf("%d golden files, want the 5 of testdata/golden", len(names))
	}
	for _, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			var want goldenFile
			j, err := os.ReadFile(strings.TrimSuffix(name, ".gf") + ".json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(j, &want); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			goldenBytes(t, data, &want)
			goldenRead(t, name, &want)
		})
	}
}

// goldenRead reads the file with the Reader.
func goldenRead(t *testing.T, name string, want *goldenFile) {
	r, err := flowfile.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := r.Header()
	if h.Version != want.Version || uint8(h.Kind) != want.Kind || uint8(h.Codec) != want.Codec || uint8(h.Type) != want.Type ||
		h.SensorID != want.SensorID || h.Sensor != want.Sensor || h.Writer != want.Writer ||
		(want.Hour != 0) != !h.Hour.IsZero() || (want.Hour != 0 && h.Hour.Unix() != want.Hour) {
		t.Errorf("header %+v, want %+v", h, want)
	}
	var got []flowfile.Record
	bi := 0
	for {
		blk, err := r.NextBlock()
		if errors.Is(err, io.EOF) {
			break
		}
		if bi >= len(want.Blocks) {
			t.Fatalf("more blocks than the %d expected (%v)", len(want.Blocks), err)
		}
		wb := want.Blocks[bi]
		bi++
		var be *flowfile.BlockError
		if errors.As(err, &be) {
			if !wb.Damaged || be.Block != wb.Index || be.Offset != wb.Offset {
				t.Errorf("block error %v, want block %+v", be, wb)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if wb.Damaged {
			t.Errorf("damaged block %d read", wb.Index)
		}
		s := r.Summary()
		if s.Index != wb.Index || s.Offset != wb.Offset || s.Records != wb.Records || s.Stored != wb.Stored ||
			uint8(s.Codec) != wb.Codec || s.MinSTime != wb.MinSTime || s.MaxSTime != wb.MaxSTime || s.MaxETime != wb.MaxETime {
			t.Errorf("block %d: summary %+v, want %+v", bi-1, *s, wb)
		}
		for p := range 256 {
			if s.HasProto(uint8(p)) != slices.Contains(wb.Protocols, p) {
				t.Errorf("block %d: HasProto(%d) = %v", bi-1, p, s.HasProto(uint8(p)))
			}
		}
		for ty := range flowfile.NumTypes {
			if s.HasType(flowfile.FlowType(ty)) != slices.Contains(wb.Types, ty) {
				t.Errorf("block %d: HasType(%d) = %v", bi-1, ty, !slices.Contains(wb.Types, ty))
			}
		}
		got = append(got, blk...)
	}
	if bi != len(want.Blocks) {
		t.Errorf("%d blocks read, want %d", bi, len(want.Blocks))
	}
	if len(got) != len(want.Records) {
		t.Fatalf("%d records, want %d", len(got), len(want.Records))
	}
	for i := range got {
		if got[i] != want.Records[i] {
			t.Fatalf("record %d:\n got %+v\nwant %+v", i, got[i], want.Records[i])
		}
	}
}

// goldenBytes checks the file's bytes against FORMAT.md, without the
// package's parsing code.
func goldenBytes(t *testing.T, data []byte, want *goldenFile) {
	be, le := binary.BigEndian, binary.LittleEndian
	if string(data[:4]) != "GFLW" || data[4] != want.Version || data[5] != want.Kind || data[6] != want.Codec {
		t.Fatalf("file header % x", data[:8])
	}
	hl := int(be.Uint16(data[8:10]))
	if data[10] != want.Type || be.Uint16(data[12:14]) != want.SensorID || int64(be.Uint64(data[14:22])) != want.Hour {
		t.Errorf("file header fields % x", data[8:22])
	}
	if crc32c(data[:hl-4]) != be.Uint32(data[hl-4:hl]) {
		t.Error("file header checksum")
	}
	if want.Blocks[0].Offset != int64(hl) {
		t.Errorf("first block at %d, header is %d bytes", want.Blocks[0].Offset, hl)
	}
	for _, wb := range want.Blocks {
		h := data[wb.Offset : wb.Offset+88]
		if string(h[:4]) != "\xF6GFB" || int(be.Uint32(h[12:16])) != wb.Stored || h[16] != wb.Codec {
			t.Errorf("block %d header % x", wb.Index, h[:20])
		}
		if crc32c(h[4:84]) != be.Uint32(h[84:88]) {
			t.Errorf("block %d header checksum", wb.Index)
		}
		var types []int
		for ty, w := 0, be.Uint16(h[18:20]); w != 0; ty, w = ty+1, w>>1 {
			if w&1 != 0 {
				types = append(types, ty)
			}
		}
		var protos []int
		for word := range 4 {
			for w := le.Uint64(h[48+8*word:]); w != 0; w &= w - 1 {
				protos = append(protos, 64*word+bits.TrailingZeros64(w))
			}
		}
		if !slices.Equal(types, wb.Types) || !slices.Equal(protos, wb.Protocols) {
			t.Errorf("block %d: types %v protocols %v in the header, want %v %v", wb.Index, types, protos, wb.Types, wb.Protocols)
		}
		if int64(be.Uint64(h[24:32])) != wb.MinSTime || int64(be.Uint64(h[32:40])) != wb.MaxSTime || int64(be.Uint64(h[40:48])) != wb.MaxETime {
			t.Errorf("block %d: times in the header", wb.Index)
		}
		plen := int64(be.Uint32(h[4:8]))
		payload := data[wb.Offset+88 : wb.Offset+88+plen]
		if (crc32c(payload) == be.Uint32(h[80:84])) == wb.Damaged {
			t.Errorf("block %d: payload checksum matches: %v, damaged: %v", wb.Index, !wb.Damaged, wb.Damaged)
		}
		if (h[17]&4 != 0) != (len(wb.Selected) > 0) {
			t.Errorf("block %d: selection flag %v", wb.Index, h[17]&4 != 0)
		}
		if len(wb.Selected) == 0 {
			continue
		}
		words := (wb.Stored + 63) / 64
		s := data[wb.Offset+88+plen : wb.Offset+88+plen+int64(4+8*words+4)]
		if int(be.Uint32(s)) != wb.Records || crc32c(s[:4+8*words]) != be.Uint32(s[4+8*words:]) {
			t.Errorf("block %d: selection count or checksum", wb.Index)
		}
		var picked []uint16
		for word := range words {
			for w := le.Uint64(s[4+8*word:]); w != 0; w &= w - 1 {
				picked = append(picked, uint16(64*word+bits.TrailingZeros64(w)))
			}
		}
		if !slices.Equal(picked, wb.Selected) {
			t.Errorf("block %d: selection marks %v, want %v", wb.Index, picked, wb.Selected)
		}
	}
}
