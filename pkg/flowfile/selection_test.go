package flowfile_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"slices"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// selectStream reads every block of data with SelectBlock and writes the
// records test accepts with WriteSelected, as gfilter does into a pipe.
func selectStream(t testing.TB, data []byte, need flowfile.Fields, test func(*flowfile.Record) bool) []byte {
	t.Helper()
	r, err := flowfile.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out bytes.Buffer
	w, err := flowfile.NewWriter(&out, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecS2})
	if err != nil {
		t.Fatal(err)
	}
	for {
		sel, n, err := r.SelectBlock(nil, need, test)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteSelected(r.RawBlock(), sel, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func encodeStream(t testing.TB, recs []flowfile.Record, codec flowfile.Codec, perBlock int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := flowfile.NewWriter(&buf, flowfile.Header{Kind: flowfile.KindStream, Codec: codec})
	if err != nil {
		t.Fatal(err)
	}
	w.SetBlockRecords(perBlock)
	if err := w.WriteBlock(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readAllNext(t testing.TB, data []byte, fields flowfile.Fields) []flowfile.Record {
	t.Helper()
	r, err := flowfile.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.SetFields(fields)
	var got []flowfile.Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, *rec)
	}
}

func keep(recs []flowfile.Record, test func(*flowfile.Record) bool) []flowfile.Record {
	var out []flowfile.Record
	for i := range recs {
		if test(&recs[i]) {
			out = append(out, recs[i])
		}
	}
	return out
}

func sameSel(t testing.TB, what string, got, want []flowfile.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: record %d:\n got %+v\nwant %+v", what, i, got[i], want[i])
		}
	}
}

// A stream of selected blocks gives exactly the selected records, whole,
// to every way of reading it, and can be selected from again.
func TestSelectedBlocksRoundTrip(t *testing.T) {
	recs := randomRecords(rand.New(rand.NewSource(11)), 5000)
	tcp := func(r *flowfile.Record) bool { return r.Proto%3 == 0 }
	high := func(r *flowfile.Record) bool { return r.DPort >= 20000 }
	for _, codec := range []flowfile.Codec{flowfile.CodecZstd, flowfile.CodecS2, flowfile.CodecNone} {
		t.Run(codec.String(), func(t *testing.T) {
			data := encodeStream(t, recs, codec, 700)
			once := selectStream(t, data, flowfile.FieldClass, tcp)
			want := keep(recs, tcp)
			sameSel(t, "selected once", readAllNext(t, once, flowfile.AllFields), want)

			twice := selectStream(t, once, flowfile.FieldPorts, high)
			want2 := keep(want, high)
			sameSel(t, "selected twice", readAllNext(t, twice, flowfile.AllFields), want2)

			// NextBlock, VisitBlock, ParallelReader and Process see the same
			r, _ := flowfile.NewReader(bytes.NewReader(twice))
			var got []flowfile.Record
			for {
				blk, err := r.NextBlock()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(blk) == 0 {
					t.Fatal("NextBlock returned an empty block")
				}
				if n := r.Summary().Records; n != len(blk) {
					t.Fatalf("summary says %d records, block has %d", n, len(blk))
				}
				got = append(got, blk...)
			}
			sameSel(t, "NextBlock", got, want2)

			r, _ = flowfile.NewReader(bytes.NewReader(twice))
			got = got[:0]
			for {
				_, err := r.VisitBlock(nil, func(rec *flowfile.Record) { got = append(got, *rec) })
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			sameSel(t, "VisitBlock", got, want2)

			r, _ = flowfile.NewReader(bytes.NewReader(twice))
			pr := flowfile.NewParallelReader(r, 3)
			got = got[:0]
			for {
				rec, err := pr.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, *rec)
			}
			pr.Close()
			sameSel(t, "ParallelReader", got, want2)

			r, _ = flowfile.NewReader(bytes.NewReader(twice))
			parts := make([][]flowfile.Record, 3)
			err := flowfile.Process(r, 3, func(w int, run []flowfile.Record) error {
				parts[w] = append(parts[w], run...)
				return nil
			}, func(be *flowfile.BlockError) { t.Errorf("Process: %v", be) })
			if err != nil {
				t.Fatal(err)
			}
			all := slices.Concat(parts...)
			byTime := func(a, b flowfile.Record) int {
				if a.STime != b.STime {
					return int(a.STime>>1 - b.STime>>1)
				}
				return int(a.Bytes>>1 - b.Bytes>>1)
			}
			slices.SortFunc(all, byTime)
			sorted := slices.Clone(want2)
			slices.SortFunc(sorted, byTime)
			sameSel(t, "Process", all, sorted)
		})
	}
}

// WriteSelected of every record writes the block as it was; of none,
// nothing.
func TestWriteSelectedWholeAndEmpty(t *testing.T) {
	recs := randomRecords(rand.New(rand.NewSource(12)), 100)
	data := encodeStream(t, recs, flowfile.CodecZstd, 100)
	all := selectStream(t, data, flowfile.FieldClass, func(*flowfile.Record) bool { return true })
	if !bytes.Equal(all[len(all)-len(data)+headerLen(t, data):], data[headerLen(t, data):]) {
		t.Error("a block selected whole is not written as it was stored")
	}
	none := selectStream(t, data, flowfile.FieldClass, func(*flowfile.Record) bool { return false })
	if got := readAllNext(t, none, flowfile.AllFields); len(got) != 0 {
		t.Errorf("selecting no record: %d records read back", len(got))
	}
}

func headerLen(t *testing.T, data []byte) int {
	r, err := flowfile.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return int(r.Offset())
}

// A damaged selection makes its block corrupt, never a source of records
// that were not selected; the blocks around it are still read.
func TestCorruptSelection(t *testing.T) {
	recs := randomRecords(rand.New(rand.NewSource(13)), 3000)
	data := encodeStream(t, recs, flowfile.CodecS2, 1000)
	even := func(r *flowfile.Record) bool { return r.Sensor%2 == 0 }
	sel := selectStream(t, data, flowfile.FieldClass, even)
	want := keep(recs, even)
	// Find the second block's selection: it ends 4 bytes (its CRC) before
	// the third block's magic.
	first := bytes.Index(sel, []byte(flowfile.BlockMagic))
	second := first + 1 + bytes.Index(sel[first+1:], []byte(flowfile.BlockMagic))
	third := second + 1 + bytes.Index(sel[second+1:], []byte(flowfile.BlockMagic))
	damaged := bytes.Clone(sel)
	damaged[third-20] ^= 0x10 // a bit of the bitmap
	r, _ := flowfile.NewReader(bytes.NewReader(damaged))
	var got []flowfile.Record
	var bad []*flowfile.BlockError
	for {
		blk, err := r.NextBlock()
		if errors.Is(err, io.EOF) {
			break
		}
		var be *flowfile.BlockError
		if errors.As(err, &be) {
			bad = append(bad, be)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, blk...)
	}
	if len(bad) != 1 || bad[0].Offset != int64(second) || bad[0].Block != 1 {
		t.Fatalf("corrupt blocks %v, want block 1 at offset %d", bad, second)
	}
	n0 := len(keep(recs[:1000], even))
	n1 := len(keep(recs[1000:2000], even))
	sameSel(t, "around the damaged selection", got, slices.Concat(want[:n0], want[n0+n1:]))
}

// SetFields builds the fields asked for, exactly as a full decode does,
// and leaves the others zero.
func TestSetFields(t *testing.T) {
	recs := randomRecords(rand.New(rand.NewSource(14)), 2000)
	data := encodeStream(t, recs, flowfile.CodecZstd, 600)
	mask := func(r flowfile.Record, f flowfile.Fields) flowfile.Record {
		var m flowfile.Record
		if f&(flowfile.FieldClass|flowfile.FieldPorts) != 0 {
			// the class fields come with the ports, which need them
			m.Proto, m.Flags, m.InitFlags, m.SessionFlags = r.Proto, r.Flags, r.InitFlags, r.SessionFlags
			m.Attributes, m.TOS, m.Type, m.Sensor = r.Attributes, r.TOS, r.Type, r.Sensor
			m.Application, m.In, m.Out, m.SamplingRate, m.NhIP = r.Application, r.In, r.Out, r.SamplingRate, r.NhIP
		}
		if f&flowfile.FieldPorts != 0 {
			m.SPort, m.DPort = r.SPort, r.DPort
		}
		if f&flowfile.FieldSrc != 0 {
			m.SIP, m.SCC, m.SrcAS = r.SIP, r.SCC, r.SrcAS
		}
		if f&flowfile.FieldDst != 0 {
			m.DIP, m.DCC, m.DstAS = r.DIP, r.DCC, r.DstAS
		}
		if f&flowfile.FieldTimes != 0 {
			m.STime, m.ETime = r.STime, r.ETime
		}
		if f&flowfile.FieldPackets != 0 {
			m.Packets = r.Packets
		}
		if f&flowfile.FieldBytes != 0 {
			m.Bytes = r.Bytes
		}
		return m
	}
	for _, f := range []flowfile.Fields{
		flowfile.FieldClass, flowfile.FieldPorts, flowfile.FieldSrc, flowfile.FieldDst,
		flowfile.FieldTimes, flowfile.FieldPackets, flowfile.FieldBytes,
		flowfile.FieldDst | flowfile.FieldBytes, flowfile.FieldTimes | flowfile.FieldPorts | flowfile.FieldSrc,
		flowfile.AllFields,
	} {
		got := readAllNext(t, data, f)
		want := make([]flowfile.Record, len(recs))
		for i := range recs {
			want[i] = mask(recs[i], f)
		}
		if f == flowfile.AllFields {
			want = recs
		}
		sameSel(t, fmt.Sprintf("fields %#x", f), got, want)
	}
	// FieldFamily: IsIPv6 is right whether SIP is built or not
	got := readAllNext(t, data, flowfile.FieldFamily|flowfile.FieldBytes)
	for i := range recs {
		if got[i].IsIPv6() != recs[i].IsIPv6() {
			t.Fatalf("record %d: IsIPv6 %v, want %v", i, got[i].IsIPv6(), recs[i].IsIPv6())
		}
	}
	v4 := slices.DeleteFunc(slices.Clone(recs), func(r flowfile.Record) bool { return r.IsIPv6() })
	data4 := encodeStream(t, v4, flowfile.CodecZstd, 600)
	for i, r := range readAllNext(t, data4, flowfile.FieldFamily|flowfile.FieldBytes) {
		if r.IsIPv6() || r.Bytes != v4[i].Bytes {
			t.Fatalf("IPv4 stream, record %d: IsIPv6 %v, bytes %d, want false, %d", i, r.IsIPv6(), r.Bytes, v4[i].Bytes)
		}
	}
}

// Selections of blocks of every size around the bitmap's word boundaries
// (1, 63, 64, 65, 127, 128, 129 records), marking the first record, the
// last, every third, all but one, and all: each reads back as exactly the
// records marked, also when selected again downstream.
func TestSelectionSizes(t *testing.T) {
	for _, n := range []int{1, 63, 64, 65, 127, 128, 129} {
		recs := randomRecords(rand.New(rand.NewSource(int64(n))), n)
		for j := range recs {
			recs[j].Application = uint16(j) // the record's index in its block
		}
		data := encodeStream(t, recs, flowfile.CodecS2, n)
		for name, pick := range map[string]func(i int) bool{
			"first":       func(i int) bool { return i == 0 },
			"last":        func(i int) bool { return i == n-1 },
			"every third": func(i int) bool { return i%3 == 2 },
			"all but one": func(i int) bool { return i != n/2 },
			"all":         func(int) bool { return true },
		} {
			test := func(r *flowfile.Record) bool { return pick(int(r.Application)) }
			want := keep(recs, test)
			if len(want) == 0 {
				continue
			}
			sel := selectStream(t, data, flowfile.FieldClass, test)
			sameSel(t, fmt.Sprintf("%d records, %s", n, name), readAllNext(t, sel, flowfile.AllFields), want)
			// and a selection of a selection: the last of those given
			last := want[len(want)-1].Application
			again := selectStream(t, sel, flowfile.FieldClass, func(r *flowfile.Record) bool { return r.Application == last })
			sameSel(t, fmt.Sprintf("%d records, %s, then the last", n, name), readAllNext(t, again, flowfile.AllFields), want[len(want)-1:])
		}
	}
}
