//go:build ignore

// gen wrote the golden flow files of this directory once, with the
// flowfile package of the commit that added them (format version 2):
//
//	cd pkg/flowfile/testdata/golden && go run gen.go
//
// The tests never run it: the files are the format as FORMAT.md describes
// it, fixed, so that a change of writer and reader together (a byte order,
// a bitmap's word count) cannot pass unnoticed. Each NAME.gf has its
// expected content in NAME.json: the header, every block's summary as the
// writer meant it (protocols and types computed from the records, not read
// back) and the records a reader must return. Do not run it again unless
// a new format version is added; then add files, do not replace these.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"math/rand"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

type blockWant struct {
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
	Damaged   bool     `json:"damaged,omitempty"`
	Selected  []uint16 `json:"selected,omitempty"` // stored indices a selection gives
}

type fileWant struct {
	Version  uint8             `json:"version"`
	Kind     uint8             `json:"kind"`
	Codec    uint8             `json:"codec"`
	Type     uint8             `json:"type"`
	SensorID uint16            `json:"sensor_id"`
	Sensor   string            `json:"sensor"`
	Hour     int64             `json:"hour"`
	Writer   string            `json:"writer"`
	Blocks   []blockWant       `json:"blocks"`
	Records  []flowfile.Record `json:"records"`
}

var rng = rand.New(rand.NewSource(20261203))

var protos = []uint8{6, 6, 6, 17, 17, 1, 58, 47, 50, 132, 255, 0}

func record(i int, typ flowfile.FlowType, sensor uint16) flowfile.Record {
	base := time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC).UnixMilli()
	r := flowfile.Record{
		STime: base + int64(rng.Intn(3_600_000)), Proto: protos[rng.Intn(len(protos))],
		Packets: uint64(1 + rng.Intn(5000)), Type: typ, Sensor: sensor,
		SPort: uint16(rng.Intn(65536)), DPort: []uint16{443, 80, 53, 22, 3389, uint16(rng.Intn(65536))}[rng.Intn(6)],
		TOS: uint8(rng.Intn(4) * 8), In: uint32(rng.Intn(4)), Out: uint32(rng.Intn(4)),
		SCC: flowfile.Country('u'<<8 | 's'), DCC: flowfile.Country('c'<<8 | 'h'),
	}
	r.Bytes = r.Packets * uint64(40+rng.Intn(1460))
	if i%97 == 0 {
		r.Bytes = 1<<64 - 1 // the largest counter the format holds
	}
	r.ETime = r.STime + int64(rng.Intn(120_000))
	if i%5 == 0 {
		r.SIP = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i)})
		r.DIP = netip.AddrFrom16([16]byte{0x2a, 0x00, 0x14, 0x50, 14: byte(i >> 8), 15: byte(rng.Intn(256))})
		r.NhIP = netip.MustParseAddr("fe80::1")
	} else {
		r.SIP = netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
		r.DIP = netip.AddrFrom4([4]byte{byte(1 + rng.Intn(222)), byte(rng.Intn(256)), 7, byte(rng.Intn(256))})
		if i%3 == 0 {
			r.NhIP = netip.AddrFrom4([4]byte{192, 168, 1, 1})
		}
	}
	switch r.Proto {
	case 6:
		r.Flags = uint8(rng.Intn(256))
		r.InitFlags, r.SessionFlags = flowfile.FlagSYN, r.Flags&^flowfile.FlagSYN
		r.Attributes = []uint8{0, flowfile.AttrTimeoutKilled, flowfile.AttrUniformSize}[rng.Intn(3)]
		r.Application = []uint16{0, 443, 80}[rng.Intn(3)]
	case 1, 58:
		r.SPort, r.DPort = 0, uint16(rng.Intn(20))<<8|uint16(rng.Intn(4))
	}
	if i%7 == 0 {
		r.SrcAS, r.DstAS = 64512+uint32(rng.Intn(100)), 13335
	}
	if i%11 == 0 {
		r.SamplingRate = 100
		r.SCC = 0 // no country
	}
	return r
}

func records(n, from int, typ flowfile.FlowType, sensor uint16) []flowfile.Record {
	out := make([]flowfile.Record, n)
	for i := range out {
		out[i] = record(from+i, typ, sensor)
	}
	return out
}

// summary is what the writer means a block's header to say about recs.
func summary(recs []flowfile.Record, idx int, off int64, codec flowfile.Codec) blockWant {
	b := blockWant{Index: idx, Offset: off, Stored: len(recs), Records: len(recs), Codec: uint8(codec),
		MinSTime: recs[0].STime, MaxSTime: recs[0].STime}
	for _, r := range recs {
		if !slices.Contains(b.Protocols, int(r.Proto)) {
			b.Protocols = append(b.Protocols, int(r.Proto))
		}
		if !slices.Contains(b.Types, int(r.Type)) {
			b.Types = append(b.Types, int(r.Type))
		}
		b.MinSTime, b.MaxSTime = min(b.MinSTime, r.STime), max(b.MaxSTime, r.STime)
		b.MaxETime = max(b.MaxETime, r.ETime)
	}
	slices.Sort(b.Protocols)
	slices.Sort(b.Types)
	return b
}

func header(hdr flowfile.Header) fileWant {
	f := fileWant{Version: 2, Kind: uint8(hdr.Kind), Codec: uint8(hdr.Codec), Type: uint8(hdr.Type),
		SensorID: hdr.SensorID, Sensor: hdr.Sensor, Writer: hdr.Writer}
	if !hdr.Hour.IsZero() {
		f.Hour = hdr.Hour.Unix()
	}
	return f
}

// write writes blocks of recs (each flushed on its own) and their expected content.
func write(name string, hdr flowfile.Header, blocks [][]flowfile.Record) (fileWant, []byte) {
	var buf bytes.Buffer
	w, err := flowfile.NewWriter(&buf, hdr)
	check(err)
	want := header(hdr)
	for i, recs := range blocks {
		off := w.Offset()
		check(w.WriteBlock(recs))
		check(w.Flush())
		want.Blocks = append(want.Blocks, summary(recs, i, off, hdr.Codec))
		want.Records = append(want.Records, recs...)
	}
	check(w.Close())
	return want, buf.Bytes()
}

// save writes the file and its expected content, a record a line.
func save(name string, want fileWant, data []byte) {
	check(os.WriteFile(name+".gf", data, 0o644))
	recs := want.Records
	want.Records = nil
	j, err := json.MarshalIndent(want, "", " ")
	check(err)
	j = bytes.TrimSuffix(bytes.TrimSuffix(j, []byte("}")), []byte("\n"))
	j = bytes.TrimSuffix(j, []byte("null"))
	j = append(j, "[\n"...)
	for i := range recs {
		r, err := json.Marshal(&recs[i])
		check(err)
		j = append(append(j, "  "...), r...)
		if i < len(recs)-1 {
			j = append(j, ',')
		}
		j = append(j, '\n')
	}
	check(os.WriteFile(name+".json", append(j, " ]\n}\n"...), 0o644))
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}

func main() {
	hour := time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC)
	hourly := flowfile.Header{Kind: flowfile.KindFile, Codec: flowfile.CodecZstd, Type: flowfile.TypeInWeb,
		SensorID: 3, Sensor: "S3", Hour: hour, Writer: "gflowcap golden"}

	// An hourly file, zstd, blocks of 100, 65 and 1 records.
	want, data := write("v2-hourly-zstd", hourly, [][]flowfile.Record{
		records(100, 0, flowfile.TypeInWeb, 3), records(65, 100, flowfile.TypeInWeb, 3), records(1, 165, flowfile.TypeInWeb, 3)})
	save("v2-hourly-zstd", want, data)

	// A stream without compression.
	stream := flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecNone, Writer: "gfilter golden"}
	want, data = write("v2-stream-none", stream, [][]flowfile.Record{
		records(64, 200, flowfile.TypeOut, 1), records(63, 264, flowfile.TypeIn, 2)})
	save("v2-stream-none", want, data)

	// Version 1: what a version 1 writer wrote, the same layout without
	// selections; the version byte is 1 and the header checksum its own.
	stream.Codec = flowfile.CodecZstd
	want, data = write("v1-stream-zstd", stream, [][]flowfile.Record{
		records(129, 400, flowfile.TypeExt2Ext, 0), records(2, 529, flowfile.TypeInt2Int, 0)})
	data[4] = 1
	n := int(binary.BigEndian.Uint16(data[8:10]))
	binary.BigEndian.PutUint32(data[n-4:], crc32.Checksum(data[:n-4], crc32.MakeTable(crc32.Castagnoli)))
	want.Version = 1
	save("v1-stream-zstd", want, data)

	// An S2 stream whose second block carries a selection of 9 of its
	// 129 records (bitmap words 0, 1 and 2 all in use).
	stream.Codec = flowfile.CodecS2
	var src bytes.Buffer
	sw, err := flowfile.NewWriter(&src, stream)
	check(err)
	all := records(129, 600, flowfile.TypeOutWeb, 5)
	check(sw.WriteBlock(all))
	check(sw.Close())
	r, err := flowfile.NewReader(bytes.NewReader(src.Bytes()))
	check(err)
	_, err = r.NextBlock()
	check(err)
	raw := r.RawBlock()
	pick := []uint16{0, 1, 62, 63, 64, 65, 100, 127, 128}
	sel := make([]uint64, 3)
	for _, i := range pick {
		sel[i/64] |= 1 << (i % 64)
	}
	var buf bytes.Buffer
	w, err := flowfile.NewWriter(&buf, stream)
	check(err)
	first := records(40, 800, flowfile.TypeOutWeb, 5)
	check(w.WriteBlock(first))
	check(w.Flush())
	off := w.Offset()
	check(w.WriteSelected(raw, sel, len(pick)))
	check(w.Close())
	want = header(stream)
	hdrLen := int64(binary.BigEndian.Uint16(buf.Bytes()[8:10]))
	want.Blocks = []blockWant{summary(first, 0, hdrLen, flowfile.CodecS2)}
	want.Records = append([]flowfile.Record(nil), first...)
	b := summary(all, 1, off, flowfile.CodecS2)
	b.Records, b.Selected = len(pick), pick
	want.Blocks = append(want.Blocks, b)
	for _, i := range pick {
		want.Records = append(want.Records, all[i])
	}
	save("v2-stream-s2-selection", want, buf.Bytes())

	// An hourly file whose middle block has a flipped payload byte: a
	// reader reports it at its offset and reads the two others.
	want, data = write("v2-damaged", hourly, [][]flowfile.Record{
		records(20, 1000, flowfile.TypeInWeb, 3), records(20, 1020, flowfile.TypeInWeb, 3), records(20, 1040, flowfile.TypeInWeb, 3)})
	mid := want.Blocks[1]
	data[mid.Offset+88+100] ^= 0x20
	want.Blocks[1].Damaged = true
	want.Records = append(want.Records[:20:20], want.Records[40:]...)
	save("v2-damaged", want, data)
}
