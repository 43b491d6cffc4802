package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/demo"
	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/collector"
	"github.com/gflow/gflow/pkg/filter/gfilter"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo"
	"github.com/gflow/gflow/pkg/stats"
)

var homeAddrs struct {
	once sync.Once
	a    *demo.Addresses
	db   *geo.DB
	err  error
}

func homeAddresses(t *testing.T) (*demo.Addresses, *geo.DB) {
	t.Helper()
	homeAddrs.once.Do(func() {
		if homeAddrs.db, homeAddrs.err = geo.Builtin(); homeAddrs.err == nil {
			homeAddrs.a, homeAddrs.err = demo.NewAddresses(homeAddrs.db.Lookup, 5)
		}
	})
	if homeAddrs.err != nil {
		t.Fatal(homeAddrs.err)
	}
	return homeAddrs.a, homeAddrs.db
}

// homeShape is one way a home router exports its traffic.
type homeShape struct {
	name    string
	version int  // 5, 9 or 10
	postNAT bool // IPFIX with post-NAT fields, as RouterOS 7 sends them
	zeroIfs bool // every interface index 0
	v6      float64
	outside []netip.Addr // the outside address, changing at half past
	lan     bool         // a second LAN (VLAN on interface 3) with its own /64, and LAN-to-LAN flows
}

// TestHomeRouterWithoutConfiguration sends what home routers export to a
// gflowcap with no gflow.toml, and to one with a correct hand-written
// configuration (and learning off); after a warm-up hour (through a
// restart, so what was learned must survive it), the hour under test must
// give the same flow types, the same scc and dcc tables, and the same
// answer to `gfilter --scc=ch` with the default types.
func TestHomeRouterWithoutConfiguration(t *testing.T) {
	if testing.Short() {
		t.Skip("sends seven hours of home traffic through gflowcap twice; skipped with -short")
	}
	addrs, db := homeAddresses(t)
	swiss := func(skip int) netip.Addr { // public addresses in CH, so that "--" shows in the tables
		for i := 0; ; i++ {
			p, _ := netip.ParsePrefix(fmt.Sprintf("195.176.%d.0/24", 200+i))
			a := p.Addr().Next()
			if db.Lookup(a) == flowfile.MakeCountry("ch") {
				if skip == 0 {
					return a
				}
				skip--
			}
		}
	}
	a, b := swiss(0), swiss(1)
	shapes := []homeShape{
		{name: "NetFlow v5", version: 5, outside: []netip.Addr{a}},
		{name: "NetFlow v9 without NAT fields", version: 9, v6: 0.3, outside: []netip.Addr{a}},
		{name: "NetFlow v9 with interface indexes 0", version: 9, zeroIfs: true, v6: 0.3, outside: []netip.Addr{a}},
		{name: "IPFIX with post-NAT fields", version: 10, postNAT: true, v6: 0.3, outside: []netip.Addr{a}},
		{name: "outside address changes at half past", version: 9, zeroIfs: true, v6: 0.3, outside: []netip.Addr{a, b}},
		{name: "tunnel broker /48 with LAN-to-LAN flows", version: 10, v6: 0.6, outside: []netip.Addr{a}, lan: true},
		{name: "double NAT", version: 9, outside: []netip.Addr{netip.MustParseAddr("192.168.0.50")}},
	}
	hour := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			warm := homePackets(t, addrs, sh, hour.Add(-time.Hour), 300)
			test := homePackets(t, addrs, sh, hour, 3000)
			learned, hand := t.TempDir(), t.TempDir()
			cfgPath := filepath.Join(t.TempDir(), "gflow.toml")
			if err := os.WriteFile(cfgPath, []byte(handConfig(sh)), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, run := range []struct{ root, cfg string }{{learned, ""}, {hand, cfgPath}} {
				sendHome(t, run.root, run.cfg, warm)
				sendHome(t, run.root, run.cfg, test) // a restart: the learned state is read back
			}
			day := hour.Format("2006/01/02:15")
			if l, h := typeTotals(t, learned, hour), typeTotals(t, hand, hour); l != h {
				t.Errorf("flow types (flows/bytes):\nno configuration %s\nhand-written     %s", l, h)
			}
			for _, q := range [][]string{
				{"--type=all --proto=0-255", "--fields=scc"}, {"--type=all --proto=0-255", "--fields=dcc"}, {"--scc=ch", "--fields=sip"},
			} {
				l := query(t, learned, day, q[0], q[1])
				h := query(t, hand, day, q[0], q[1])
				if l != h {
					t.Errorf("gfilter %s | gstats %s:\nno configuration:\n%s\nhand-written:\n%s", q[0], q[1], l, h)
				}
			}
			if sh.v6 > 0 {
				// the learned /48 is the site's: AS 0, although AS databases
				// place it with the tunnel broker (AS6939)
				for _, q := range [][2]string{{"--scidr=", "--fields=sas"}, {"--dcidr=", "--fields=das"}} {
					sel := "--type=all --proto=0-255 " + q[0] + demo.DefaultSite.V6.String()
					out := query(t, learned, day, sel, q[1])
					if !strings.Contains(out, " for 1 Bin and ") || !strings.Contains(out, "\n         0|") {
						t.Errorf("gfilter %s | gstats %s: the learned /48 should have AS 0 only:\n%s", sel, q[1], out)
					}
				}
			}
			if out := printLearned(t, learned); !strings.Contains(out, sh.outside[len(sh.outside)-1].String()) {
				t.Errorf("gflowcap --print-learned does not name the outside address:\n%s", out)
			}
		})
	}
}

// homePackets makes an hour of a home's traffic and exports it as sh says.
func homePackets(t *testing.T, addrs *demo.Addresses, sh homeShape, hour time.Time, n int) [][]byte {
	t.Helper()
	nat := &demo.NAT{Inside: demo.DefaultSite.V4}
	for i, a := range sh.outside {
		nat.Outside = append(nat.Outside, demo.Period{From: hour.Add(time.Duration(i) * 30 * time.Minute), Addr: a})
	}
	recs := demo.Generate(addrs, demo.DefaultSite, demo.Options{Seed: uint64(hour.Unix()), Hour: hour, Conversations: n, IPv6Share: sh.v6, NAT: nat})
	if sh.lan {
		recs = secondLAN(recs)
	}
	now := hour.Add(time.Hour)
	e := &demo.Exporter{Version: sh.version, Domain: 1, Boot: now.Add(-50 * time.Hour), NAT: nat, PostNAT: sh.postNAT, ZeroInterfaces: sh.zeroIfs}
	if sh.version == 5 {
		return e.PacketsV5(recs, now)
	}
	return e.Packets(recs, now)
}

// secondLAN moves a quarter of the IPv6 hosts to a second subnet of the
// /48 on interface 3, and adds flows between the two LANs.
func secondLAN(recs []flowfile.Record) []flowfile.Record {
	move := func(a netip.Addr) (netip.Addr, bool) {
		b := a.As16()
		if !a.Is6() || b[6] != 0 || b[7] != 1 || b[15]%4 != 3 {
			return a, false
		}
		b[7] = 2
		return netip.AddrFrom16(b), true
	}
	n := len(recs)
	for i := range n {
		r := &recs[i]
		if s, ok := move(r.SIP); ok {
			r.SIP, r.In = s, 3
		}
		if d, ok := move(r.DIP); ok {
			r.DIP, r.Out = d, 3
		}
		if i%10 == 0 && r.IsIPv6() && r.In == 2 { // a backup to the NAS on the other LAN
			nas := netip.MustParseAddr("2001:470:7a5e:2::10")
			recs = append(recs,
				flowfile.Record{SIP: r.SIP, DIP: nas, SPort: r.SPort, DPort: 445, Proto: 6, Packets: 900, Bytes: 1_200_000, STime: r.STime, ETime: r.ETime, In: 2, Out: 3},
				flowfile.Record{SIP: nas, DIP: r.SIP, SPort: 445, DPort: r.SPort, Proto: 6, Packets: 400, Bytes: 30_000, STime: r.STime, ETime: r.ETime, In: 3, Out: 2})
		}
	}
	return recs
}

// handConfig is what a user who knows the router writes.
func handConfig(sh homeShape) string {
	var nets []string
	for _, a := range sh.outside {
		if !a.IsPrivate() {
			nets = append(nets, a.String())
		}
	}
	nets = append(nets, demo.DefaultSite.V6.String()) // pings go over IPv6 whatever the share
	var b strings.Builder
	b.WriteString("learn = false\n")
	if sh.zeroIfs {
		fmt.Fprintf(&b, "internal = [\"10.0.0.0/8\", \"172.16.0.0/12\", \"192.168.0.0/16\", \"100.64.0.0/10\", \"169.254.0.0/16\", \"fc00::/7\", \"fe80::/10\", \"%s\"]\n",
			strings.Join(nets, `", "`))
		b.WriteString("[[sensors]]\nname = \"S0\"\nid = 0\n")
		return b.String()
	}
	b.WriteString("[[sensors]]\nname = \"S0\"\nid = 0\nexternal-interfaces = [1]\nnull-interfaces = [0]\n[countries]\n")
	for _, n := range nets {
		fmt.Fprintf(&b, "%q = \"--\"\n", n)
	}
	return b.String()
}

// sendHome runs gflowcap on the loopback with the site configuration
// cfgPath ("" for none), sends the packets and stops it.
func sendHome(t *testing.T, root, cfgPath string, pkts [][]byte) {
	t.Helper()
	logs := &syncBuffer{}
	to, st, stop := startCollector(t, collector.Config{DataRoot: root, SiteConfig: cfgPath, FlushInterval: time.Second}, logs)
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(to))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pkts {
		if _, err := conn.Write(p); err != nil {
			t.Fatal(err)
		}
		if i%64 == 63 {
			time.Sleep(2 * time.Millisecond) // stay well inside the socket buffer
		}
	}
	conn.Close()
	for deadline := time.Now().Add(waitLimit); time.Now().Before(deadline) && st.Totals().Packets < uint64(len(pkts)); {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if got := st.Totals().Packets; got != uint64(len(pkts)) {
		t.Fatalf("gflowcap received %d of %d export packets\n%s", got, len(pkts), logs.String())
	}
}

// typeTotals is "type flows/bytes …" over the hour's files.
func typeTotals(t *testing.T, root string, hour time.Time) string {
	t.Helper()
	files, err := flowfile.Repo{Root: root}.List(hour, hour, flowfile.AllTypes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range files {
		r, err := flowfile.Open(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		var n, by uint64
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			by += rec.Bytes
		}
		r.Close()
		fmt.Fprintf(&b, "%s %d/%d  ", f.Type, n, by)
	}
	return b.String()
}

// query is `gfilter --start-date=DAY SELECT --pass=stdout | gstats
// --fields=F --values=bytes,records`, in-process.
func query(t *testing.T, root, day, sel, fields string) string {
	t.Helper()
	var stream, errb bytes.Buffer
	std := cli.IO{In: strings.NewReader(""), Out: &stream, Err: &errb}
	args := append([]string{"--start-date=" + day, "--data-rootdir=" + root}, strings.Fields(sel)...)
	if st := cli.Run(gfilter.NewCommand(std), append(args, "--pass=stdout"), std); st != 0 {
		t.Fatalf("gfilter: %s", errb.String())
	}
	var out bytes.Buffer
	std = cli.IO{In: &stream, Out: &out, Err: &errb}
	if st := cli.Run(stats.NewCommand(std), []string{fields, "--values=bytes,records", "--count=10000"}, std); st != 0 {
		t.Fatalf("gstats: %s", errb.String())
	}
	return out.String()
}

func printLearned(t *testing.T, root string) string {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb}
	if st := cli.Run(collector.NewCommand(std), []string{"--print-learned", "--data-rootdir=" + root}, std); st != 0 {
		t.Fatalf("gflowcap --print-learned: %s", errb.String())
	}
	return out.String()
}
