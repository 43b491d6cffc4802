package flowfile_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
)

var testHour = time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC)

func fileHeader() flowfile.Header {
	return flowfile.Header{Kind: flowfile.KindFile, Codec: flowfile.CodecZstd, Type: flowfile.TypeInWeb,
		SensorID: 3, Sensor: "S3", Hour: testHour, Writer: "gflowcap test"}
}

// randomRecords fills every field with random values, IPv4 and IPv6,
// including absent next hops and IPv4-mapped addresses.
func randomRecords(rng *rand.Rand, n int) []flowfile.Record {
	addr := func() netip.Addr {
		switch rng.Intn(5) {
		case 0:
			return netip.Addr{}
		case 1, 2:
			var b [4]byte
			rng.Read(b[:])
			return netip.AddrFrom4(b)
		case 3:
			var b [16]byte
			rng.Read(b[:])
			return netip.AddrFrom16(b)
		}
		var b [4]byte
		rng.Read(b[:])
		return netip.AddrFrom16(netip.AddrFrom4(b).As16()) // IPv4-mapped
	}
	recs := make([]flowfile.Record, n)
	for i := range recs {
		s := rng.Int63() - rng.Int63()
		recs[i] = flowfile.Record{
			SIP: addr(), DIP: addr(), NhIP: addr(),
			STime: s, ETime: s + rng.Int63n(1<<40) - 5,
			Packets: rng.Uint64(), Bytes: rng.Uint64() >> uint(rng.Intn(64)),
			SPort: uint16(rng.Uint32()), DPort: uint16(rng.Uint32()),
			Proto: uint8(rng.Uint32()), Flags: uint8(rng.Uint32()), InitFlags: uint8(rng.Uint32()),
			SessionFlags: uint8(rng.Uint32()), Attributes: uint8(rng.Uint32()), TOS: uint8(rng.Uint32()),
			Type: flowfile.FlowType(rng.Intn(flowfile.NumTypes)), Sensor: uint16(rng.Uint32()),
			Application: uint16(rng.Uint32()), In: rng.Uint32(), Out: rng.Uint32(),
			SrcAS: rng.Uint32(), DstAS: rng.Uint32(), SamplingRate: rng.Uint32(),
			SCC: flowfile.Country(rng.Uint32()), DCC: flowfile.Country(rng.Uint32()),
		}
	}
	return recs
}

func readAll(t testing.TB, r *flowfile.Reader) []flowfile.Record {
	t.Helper()
	var out []flowfile.Record
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		out = append(out, *rec)
	}
}

func sameRecords(t *testing.T, got, want []flowfile.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("read %d records, wrote %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestRoundTripCodecs(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	random := randomRecords(rng, 5000)
	gen := make([]flowfile.Record, 40000)
	flowgen.New(2, flowgen.Options{}).Fill(gen)
	for _, codec := range []flowfile.Codec{flowfile.CodecNone, flowfile.CodecZstd, flowfile.CodecS2} {
		for name, recs := range map[string][]flowfile.Record{"random": random, "flowgen": gen} {
			t.Run(codec.String()+"/"+name, func(t *testing.T) {
				var buf bytes.Buffer
				hdr := flowfile.Header{Kind: flowfile.KindStream, Codec: codec}
				w, err := flowfile.NewWriter(&buf, hdr)
				if err != nil {
					t.Fatal(err)
				}
				w.SetBlockRecords(777) // several blocks, a short last one
				if err := w.WriteBlock(recs); err != nil {
					t.Fatal(err)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				r, err := flowfile.NewReader(&buf)
				if err != nil {
					t.Fatal(err)
				}
				if got := r.Header(); got.Kind != flowfile.KindStream || got.Codec != codec || got.Version != flowfile.Version {
					t.Errorf("header %+v", got)
				}
				sameRecords(t, readAll(t, r), recs)
			})
		}
	}
}

func TestFileHeaderAndCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iw-S3_20151009.00")
	recs := randomRecords(rand.New(rand.NewSource(3)), 100)
	w, err := flowfile.Create(path, fileHeader())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBlock(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := flowfile.Create(path, fileHeader()); !errors.Is(err, os.ErrExist) {
		t.Errorf("Create over an existing file: %v, want ErrExist", err)
	}
	r, err := flowfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	h := r.Header()
	want := fileHeader()
	want.Version = flowfile.Version
	if h != want {
		t.Errorf("header\n got %+v\nwant %+v", h, want)
	}
	sameRecords(t, readAll(t, r), recs)
}
