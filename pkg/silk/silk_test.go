package silk_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/silk"
)

// readAll reads every record of a SiLK file through flowfile's Reader, as
// the tools do, and the block errors it reports.
func readAll(t testing.TB, data []byte) ([]flowfile.Record, []*flowfile.BlockError) {
	t.Helper()
	r, err := flowfile.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var recs []flowfile.Record
	var bad []*flowfile.BlockError
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return recs, bad
		}
		var be *flowfile.BlockError
		if errors.As(err, &be) {
			bad = append(bad, be)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, *rec)
	}
}

// kept is what FT_RWIPV6ROUTING keeps of a record.
func kept(r flowfile.Record) flowfile.Record {
	r.TOS, r.SrcAS, r.DstAS, r.SamplingRate = 0, 0, 0, 0
	r.In, r.Out = min(r.In, 65535), min(r.Out, 65535)
	r.Packets, r.Bytes = min(r.Packets, 1<<32-1), min(r.Bytes, 1<<32-1)
	r.SCC, r.DCC = 0, 0
	r.Attributes &= 0x78
	if r.Proto != 6 {
		r.InitFlags, r.SessionFlags = 0, 0
	}
	if r.ETime < r.STime {
		r.ETime = r.STime
	}
	v6 := r.SIP.Is6() && !r.SIP.Is4In6() || r.DIP.Is6() && !r.DIP.Is4In6() || r.NhIP.Is6() && !r.NhIP.Is4In6()
	for _, a := range []*netip.Addr{&r.SIP, &r.DIP, &r.NhIP} {
		switch {
		case !a.IsValid() && v6:
			*a = netip.MustParseAddr("::ffff:0.0.0.0")
		case !a.IsValid():
		case v6:
			*a = netip.AddrFrom16(a.As16())
		case *a == netip.AddrFrom4([4]byte{}):
			*a = netip.Addr{}
		}
	}
	return r
}

func TestWriterRoundTripEveryCompression(t *testing.T) {
	recs := make([]flowfile.Record, 5000)
	flowgen.New(3, flowgen.Options{IPv6: 0.3}).Fill(recs)
	for _, c := range []silk.Compression{silk.CompressNone, silk.CompressZlib, silk.CompressSnappy} {
		var buf bytes.Buffer
		w, err := silk.NewWriter(&buf, silk.WriterOptions{Compression: c, Invocation: "gfilter --pass=stdout"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteBlock(recs); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		h, err := silk.ReadHeader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if h.Compression != c || h.Strings(silk.EntryInvocation)[0] != "gfilter --pass=stdout" {
			t.Errorf("%v: header %v, invocations %q", c, h.Compression, h.Strings(silk.EntryInvocation))
		}
		got, bad := readAll(t, buf.Bytes())
		if len(bad) > 0 || len(got) != len(recs) {
			t.Fatalf("%v: %d records and %v back, want %d", c, len(got), bad, len(recs))
		}
		for i := range got {
			g := got[i]
			g.SCC, g.DCC = 0, 0
			if want := kept(recs[i]); g != want {
				t.Fatalf("%v: record %d:\n got %+v\nwant %+v", c, i, g, want)
			}
		}
	}
}

// TestBigEndianRecords reads a record SiLK wrote on a big-endian machine,
// built field by field here.
func TestBigEndianRecords(t *testing.T) {
	h := []byte(silk.Magic)
	h = append(h, 1, byte(silk.FormatGeneric), 16, 0)
	h = binary.BigEndian.AppendUint32(h, 3019001)
	h = binary.BigEndian.AppendUint16(h, 52)
	h = binary.BigEndian.AppendUint16(h, 5)
	h = binary.BigEndian.AppendUint32(h, 0)
	h = binary.BigEndian.AppendUint32(h, 52-16) // end marker padding the header to 52 bytes
	h = append(h, make([]byte, 52-24)...)
	be := binary.BigEndian
	rec := be.AppendUint64(nil, 1444348809931)
	rec = be.AppendUint32(rec, 67598)
	rec = be.AppendUint16(rec, 63178)
	rec = be.AppendUint16(rec, 5353)
	rec = append(rec, 17, 1) // proto, flowtype out
	rec = be.AppendUint16(rec, 1)
	rec = append(rec, 0, 0, 0, 0x20) // flags, initial, session, state T
	rec = be.AppendUint16(rec, 53)
	rec = be.AppendUint16(rec, 0)
	rec = be.AppendUint16(rec, 2)
	rec = be.AppendUint16(rec, 1)
	rec = be.AppendUint32(rec, 276)
	rec = be.AppendUint32(rec, 221540)
	rec = be.AppendUint32(rec, 0x0A010016) // 10.1.0.22
	rec = be.AppendUint32(rec, 0xC6336418) // 198.51.100.24
	rec = be.AppendUint32(rec, 0xCB0071FE) // 203.0.113.254
	got, bad := readAll(t, append(h, rec...))
	if len(got) != 1 || len(bad) != 0 {
		t.Fatalf("%d records, %v", len(got), bad)
	}
	g := got[0]
	g.SCC, g.DCC = 0, 0
	want := flowfile.Record{
		SIP: netip.MustParseAddr("10.1.0.22"), DIP: netip.MustParseAddr("198.51.100.24"), NhIP: netip.MustParseAddr("203.0.113.254"),
		STime: 1444348809931, ETime: 1444348809931 + 67598, Packets: 276, Bytes: 221540, SPort: 63178, DPort: 5353,
		Proto: 17, Attributes: flowfile.AttrTimeoutKilled, Type: flowfile.TypeOut, Sensor: 1, Application: 53, In: 2, Out: 1,
	}
	if g != want {
		t.Errorf("big-endian record:\n got %+v\nwant %+v", g, want)
	}
}

// TestUnsupportedFiles checks the one line that names the file, the
// format and what gflow reads.
func TestUnsupportedFiles(t *testing.T) {
	good, err := os.ReadFile("testdata/ipv6routing-none.rw")
	if err != nil {
		t.Fatal(err)
	}
	augRouting := bytes.Clone(good)
	augRouting[5], augRouting[15] = 0x0E, 4
	compress := bytes.Clone(good)
	compress[7] = 9
	legacy := bytes.Clone(good)
	legacy[6] = 3
	for _, c := range []struct {
		name string
		data []byte
		want []string
	}{
		{"format", augRouting, []string{"FT_RWAUGROUTING(0x0e)", "not supported", "FT_RWIPV6ROUTING v1/2/3", "FT_RWSPLIT v5"}},
		{"compression", compress, []string{"FT_RWIPV6ROUTING(0x0c)", "unknown(9)", "lzo1x(2)"}},
		{"legacy", legacy, []string{"version 3", "not supported"}},
	} {
		dir := t.TempDir()
		path := dir + "/x.rw"
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := flowfile.Open(path)
		if err == nil {
			t.Errorf("%s: opened", c.name)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, path+": ") {
			t.Errorf("%s: %q is not one line naming the file", c.name, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q does not say %q", c.name, msg, w)
			}
		}
	}
}

// TestDamagedFiles: a truncated or corrupt SiLK file reports where, and
// every intact block and record before it is still read.
func TestDamagedFiles(t *testing.T) {
	plain, err := os.ReadFile("testdata/ipv6routing-none.rw")
	if err != nil {
		t.Fatal(err)
	}
	// cut inside the 101st record
	got, bad := readAll(t, plain[:176+100*88+40])
	if len(got) != 100 || len(bad) != 1 || bad[0].Offset != 176+100*88 || !strings.Contains(bad[0].Error(), "truncated record") {
		t.Errorf("truncated uncompressed file: %d records, %v", len(got), bad)
	}

	// a zlib stream of several blocks (SiLK's fixture holds one)
	recs := make([]flowfile.Record, 3000)
	flowgen.New(5, flowgen.Options{}).Fill(recs)
	var buf bytes.Buffer
	w, err := silk.NewWriter(&buf, silk.WriterOptions{Compression: silk.CompressZlib})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBlock(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	zl := buf.Bytes()
	all, _ := readAll(t, zl)
	h, err := silk.ReadHeader(bytes.NewReader(zl))
	if err != nil {
		t.Fatal(err)
	}
	first := int(binary.BigEndian.Uint32(zl[h.Length:]))
	firstRecs := int(binary.BigEndian.Uint32(zl[h.Length+4:])) / 88
	// a damaged payload in the first block: the second block is still read
	broken := bytes.Clone(zl)
	for i := h.Length + 8 + 2; i < h.Length+8+first; i++ {
		broken[i] ^= 0x5A
	}
	got, bad = readAll(t, broken)
	if len(bad) != 1 || bad[0].Block != 0 || len(got) != len(all)-firstRecs {
		t.Errorf("corrupt first block: %d of %d records, %v", len(got), len(all), bad)
	}
	// the same through Process, whose workers decompress the blocks
	for _, workers := range []int{1, 2} {
		r, err := flowfile.NewReader(bytes.NewReader(broken))
		if err != nil {
			t.Fatal(err)
		}
		r.SetName("broken.rw")
		var mu sync.Mutex
		var n int
		var bads []*flowfile.BlockError
		err = flowfile.Process(r, workers, func(_ int, run []flowfile.Record) error {
			mu.Lock()
			n += len(run)
			mu.Unlock()
			return nil
		}, func(be *flowfile.BlockError) { bads = append(bads, be) })
		if err != nil || n != len(all)-firstRecs || len(bads) != 1 || bads[0].Block != 0 || bads[0].File != "broken.rw" || bads[0].Offset != int64(h.Length) {
			t.Errorf("Process, %d workers: %d records (want %d), %v, %v", workers, n, len(all)-firstRecs, bads, err)
		}
	}
	// cut inside the second block
	got, bad = readAll(t, zl[:h.Length+8+first+20])
	if len(got) != firstRecs || len(bad) != 1 || !strings.Contains(bad[0].Error(), "truncated block") {
		t.Errorf("truncated compressed file: %d records (want %d), %v", len(got), firstRecs, bad)
	}
}

// TestCount counts records as rwfileinfo's count-records does.
func TestCount(t *testing.T) {
	for file, want := range map[string]uint64{"ipv6routing-none.rw": 200, "ipv6routing-lzo1x.rw": 200, "ipv6routing-snappy.rw": 200, "generic-zlib.rw": 157, "repo/in/2015/10/09/in-S0_20151009.00": 9} {
		f, err := os.Open("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		h, n, err := silk.Count(f)
		f.Close()
		if err != nil || n != want {
			t.Errorf("%s: %d records, %v; want %d", file, n, err, want)
		}
		if file == "repo/in/2015/10/09/in-S0_20151009.00" {
			pf, ok := h.PackedFile()
			if !ok || pf.Hour.Format("2006/01/02T15:04:05Z") != "2015/10/09T00:00:00Z" || pf.FlowType != 0 || pf.Sensor != 0 || h.Format.String() != "FT_RWSPLIT(0x12)" || h.SilkVersionString() != "3.19.1" {
				t.Errorf("%s: header %+v, packed-file %+v", file, h, pf)
			}
		}
	}
}
