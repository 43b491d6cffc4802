package flowfile_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// TestProcessEndpointsCorruptBlock: a damaged block is reported with its
// number and skipped, and every other block's records are summed, as
// Process does.
func TestProcessEndpointsCorruptBlock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	const per = 700
	offs := writeBlocks(t, path, 4, per)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[offs[2]+100] ^= 0x40 // in block 2's payload
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]uint64{} // source → records, bytes
	for _, i := range []int{0, 1, 3} {
		for _, r := range blockRecords(i, per) {
			s := want[r.SIP.String()]
			want[r.SIP.String()] = [2]uint64{s[0] + 1, s[1] + r.Bytes}
		}
	}
	r, err := flowfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var mu sync.Mutex
	got := map[string][2]uint64{}
	var bad []int
	err = flowfile.ProcessEndpoints(r, 2, false, flowfile.FieldBytes, func(_ int, sums []flowfile.EndpointSum) error {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range sums {
			g := got[s.Addr.String()]
			got[s.Addr.String()] = [2]uint64{g[0] + s.Records, g[1] + s.Bytes}
		}
		return nil
	}, func(be *flowfile.BlockError) { bad = append(bad, be.Block) })
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 1 || bad[0] != 2 {
		t.Errorf("bad blocks %v, want [2]", bad)
	}
	if len(got) != len(want) {
		t.Errorf("%d sources, want %d", len(got), len(want))
	}
	for a, w := range want {
		if got[a] != w {
			t.Errorf("%s: records, bytes %v, want %v", a, got[a], w)
		}
	}
}
