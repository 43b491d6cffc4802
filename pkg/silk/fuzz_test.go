package silk_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/silk"
)

// FuzzSource feeds arbitrary bytes to the SiLK header and block readers:
// they must report errors, never panic, hang or allocate without bound,
// and give whole blocks of records.
func FuzzSource(f *testing.F) {
	for _, name := range []string{"ipv6routing-lzo1x.rw", "ipv6routing-snappy.rw", "generic-zlib.rw", "repo/inweb/2015/10/09/iw-S0_20151009.00", "repo-silk-ipv4/outweb/2015/10/09/ow-S0_20151009.01", "repo-silk-ipv6/in/2015/10/09/in-S0_20151009.00"} {
		if b, err := os.ReadFile("testdata/" + name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(silk.Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := silk.NewSource(bytes.NewReader(data))
		if err != nil {
			return
		}
		var sum flowfile.BlockSummary
		var recs []flowfile.Record
		for range 1 << 16 {
			recs, err = src.NextBlock(recs, flowfile.AllFields&^(flowfile.FieldSrc|flowfile.FieldDst), &sum, nil)
			if errors.Is(err, io.EOF) {
				return
			}
			var be *flowfile.BlockError
			if err != nil && !errors.As(err, &be) {
				return
			}
			if err == nil && (len(recs) != sum.Records || len(recs) == 0) {
				t.Fatalf("block of %d records, summary says %d", len(recs), sum.Records)
			}
		}
		t.Fatal("no end after 65536 blocks")
	})
}
