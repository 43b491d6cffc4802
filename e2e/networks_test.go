package e2e

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/asn"
	"github.com/gflow/gflow/pkg/flowfile"
)

// The README's "who is that" commands, as typed, on a day whose flows
// carry the AS numbers gflowcap fills from the built-in database: the
// networks ranked by bytes with the database's names, and the hosts that
// fetch from Cloudflare and Google.
func TestReadmeNetworks(t *testing.T) {
	prefix := installTools(t)
	blocks := readmeSection(t, "Who is that")
	if len(blocks) != 1 {
		t.Fatalf("the README's networks section has %d code blocks, want 1", len(blocks))
	}
	cmds := commands(blocks[0])
	if len(cmds) != 2 {
		t.Fatalf("%d commands, want the networks and the hosts fetching from two of them: %q", len(cmds), cmds)
	}
	db, err := asn.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	recs := questionFlows(day)
	// and two hosts fetching from Cloudflare's and Google's resolvers
	for i, src := range []string{"1.1.1.1", "8.8.8.8", "1.1.1.1"} {
		st := day.Add(5*time.Hour + time.Duration(i)*time.Minute).UnixMilli()
		recs = append(recs, flowfile.Record{
			SIP: netip.MustParseAddr(src), DIP: netip.AddrFrom4([4]byte{192, 168, 1, byte(30 + i%2)}),
			SPort: 443, DPort: 50000, Proto: 6, Packets: 10, Bytes: uint64(1000 * (i + 1)),
			STime: st, ETime: st + 1000, Type: flowfile.TypeInWeb, SCC: flowfile.MakeCountry("us"), DCC: flowfile.NoCountry,
		})
	}
	byAS := map[uint32]uint64{}
	for i := range recs {
		r := &recs[i]
		if r.SCC != flowfile.NoCountry && r.SIP != netip.MustParseAddr("203.0.113.7") { // TEST-NET-3: AS 0, as collected
			r.SrcAS = db.Lookup(r.SIP)
		}
		if r.Type == flowfile.TypeIn || r.Type == flowfile.TypeInWeb { // gfilter's default types
			byAS[r.SrcAS] += r.Bytes
		}
	}
	root, home, work := t.TempDir(), t.TempDir(), t.TempDir()
	writeRecords(t, root, recs)
	env := userEnv(prefix, home, root)
	var outs []string
	for _, c := range cmds {
		r := shell(work, env, c)
		if r.err != nil || r.errs != "" {
			t.Fatalf("%s: %v, stderr %q", c, r.err, r.errs)
		}
		outs = append(outs, r.out)
	}

	// the networks, largest first, each named as the database names it
	type net struct {
		as    uint32
		bytes uint64
	}
	var want []net
	for as, b := range byAS {
		want = append(want, net{as, b})
	}
	sort.Slice(want, func(i, j int) bool {
		if want[i].bytes != want[j].bytes {
			return want[i].bytes > want[j].bytes
		}
		return want[i].as < want[j].as
	})
	lines := strings.Split(strings.TrimSpace(outs[0]), "\n")
	if len(lines) < 4 || lines[2] != "sAS|sASName|Bytes|%Bytes|cumul_%|" {
		t.Fatalf("%s:\n%s", cmds[0], outs[0])
	}
	for i, w := range want[:min(len(want), 10)] {
		prefix := fmt.Sprintf("%d|%s|%d|", w.as, db.Name(w.as), w.bytes)
		if i+3 >= len(lines) || !strings.HasPrefix(lines[i+3], prefix) {
			t.Errorf("%s: row %d should start %q:\n%s", cmds[0], i+1, prefix, outs[0])
			break
		}
	}
	if byAS[559] == 0 {
		t.Errorf("the database does not put 195.176.20.1 in AS559 (SWITCH)")
	}
	// our hosts fetching from Cloudflare (1.1.1.1, twice) and Google
	cf, google := db.Name(13335), db.Name(15169)
	if cf == "" || google == "" {
		t.Fatalf("the database has no names for AS13335 and AS15169")
	}
	for _, row := range []string{"192.168.1.30|" + cf + "|4000|", "192.168.1.31|" + google + "|2000|"} {
		if !strings.Contains(outs[1], "\n"+row) {
			t.Errorf("%s: no row %q:\n%s", cmds[1], row, outs[1])
		}
	}
}
