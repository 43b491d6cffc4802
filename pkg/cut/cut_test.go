package cut_test

import (
	"bytes"
	"io"
	"math/rand"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/tuc"
)

// runTool runs a tool in-process and returns its stdout, stderr and status.
func runTool(t testing.TB, newCmd func(cli.IO) *cobra.Command, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: bytes.NewReader(stdin), Out: &out, Err: &errb}
	status := cli.Run(newCmd(std), args, std)
	return out.String(), errb.String(), status
}

// gtuc turns rwtuc text into a flow stream with gtuc.
func gtuc(t testing.TB, text string, args ...string) []byte {
	t.Helper()
	out, errs, status := runTool(t, tuc.NewCommand, []byte(text), args...)
	if status != 0 || errs != "" {
		t.Fatalf("gtuc %v: status %d, stderr %q", args, status, errs)
	}
	return []byte(out)
}

func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ipv4Only keeps the title line and the IPv4 rows of rwtuc text.
func ipv4Only(text string) string {
	lines := strings.SplitAfter(text, "\n")
	var b strings.Builder
	b.WriteString(lines[0])
	for _, l := range lines[1:] {
		if sip, _, _ := strings.Cut(l, "|"); !strings.Contains(sip, ":") {
			b.WriteString(l)
		}
	}
	return b.String()
}

func compareText(t *testing.T, name, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	bad := 0
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Errorf("%s line %d:\n got %q\nwant %q", name, i+1, gl, wl)
			if bad++; bad > 4 {
				break
			}
		}
	}
	if bad == 0 {
		t.Errorf("%s: output differs (%d vs %d bytes)", name, len(got), len(want))
	}
}

// gtuc | gcut reproduces real rwcut output of the same flows, character
// for character: all 200 flows as the IPv6 flat file holds them, and the
// 157 IPv4 ones as the IPv4 flat file holds them.
func TestGoldenRwcut(t *testing.T) {
	flows := readFile(t, "flows.txt")
	cases := []struct {
		name  string
		input string
		args  []string
		want  string
	}{
		{"all-epoch", flows, []string{"--all-fields", "--timestamp-format=epoch", "--ip-format=canonical"}, "ipv6routing-none.rw.rwcut.txt"},
		{"default", flows, nil, "ipv6routing-none.rw.rwcut-default.txt"},
		{"ipv4-all-epoch", ipv4Only(flows), []string{"--all-fields", "--timestamp-format=epoch", "--ip-format=canonical"}, "generic-none.rw.rwcut.txt"},
		{"ipv4-default", ipv4Only(flows), nil, "generic-none.rw.rwcut-default.txt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stream := gtuc(t, c.input)
			out, errs, status := runTool(t, cut.NewCommand, stream, c.args...)
			if status != 0 || errs != "" {
				t.Fatalf("status %d, stderr %q", status, errs)
			}
			compareText(t, c.want, out, readFile(t, c.want))
		})
	}
}

// Formatting switches on a few flows, checked against the reference's
// examples and rwcut's rules.
func TestFormattingSwitches(t *testing.T) {
	text := "sIP|dIP|sPort|dPort|protocol|packets|bytes|flags|sTime|duration|sensor|type\n" +
		"10.0.0.1|192.168.1.10|443|51000|6|10|5000|FSPA|2015/10/09T00:01:00.000|12.5|S0|in\n" +
		"10.0.0.4|192.168.1.13|0|2048|1|3|252||2015/10/09T01:10:00.000|2.000|S1|in\n" +
		"2001:db8::1|2001:db8::2|443|50000|6|15|9000|SPA|2015/10/09T00:30:00.250|5.000|S0|in\n"
	stream := gtuc(t, text)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--fields=sip,dport,stime,duration", "--num-recs=1"},
			"                                    sIP|dPort|                  sTime| duration|\n" +
				"                               10.0.0.1|51000|2015/10/09T00:01:00.000|   12.500|\n"},
		// the reference's rwcut example (an IPv4-only build's widths)
		{[]string{"--ipv6-policy=ignore", "--num-recs=1"},
			"            sIP|            dIP|sPort|dPort|pro|   packets|     bytes|   flags|                  sTime| duration|                  eTime|sen|\n" +
				"       10.0.0.1|   192.168.1.10|  443|51000|  6|        10|      5000|FS PA   |2015/10/09T00:01:00.000|   12.500|2015/10/09T00:01:12.500| S0|\n"},
		{[]string{"--fields=1,2", "--ipv6-policy=ignore"},
			"            sIP|            dIP|\n       10.0.0.1|   192.168.1.10|\n       10.0.0.4|   192.168.1.13|\n"},
		{[]string{"--fields=sip", "--ipv6-policy=only", "--no-titles"},
			"                            2001:db8::1|\n"},
		{[]string{"--fields=sip,flags", "--ip-format=decimal", "--ipv6-policy=ignore", "--num-recs=1"},
			"       sIP|   flags|\n 167772161|FS PA   |\n"},
		{[]string{"--fields=sip", "--ip-format=zero-padded", "--ipv6-policy=asv4", "--num-recs=1", "--no-titles"},
			"010.000.000.001|\n"},
		{[]string{"--fields=stime,dur,etime", "--timestamp-format=no-msec", "--num-recs=1"},
			"              sTime|durat|              eTime|\n2015/10/09T00:01:00|   12|2015/10/09T00:01:12|\n"},
		{[]string{"--fields=stime", "--timestamp-format=epoch", "--num-recs=1"},
			"         sTime|\n1444348860.000|\n"},
		{[]string{"--fields=stime", "--timestamp-format=iso,no-msec", "--num-recs=1", "--no-titles"},
			"2015-10-09 00:01:00|\n"},
		{[]string{"--fields=sport,dport,itype,icode", "--start-rec-num=2", "--end-rec-num=2"},
			"sPort|dPort|iTy|iCo|\n    0| 2048|  8|  0|\n"},
		{[]string{"--fields=sport,dport", "--icmp-type-and-code", "--start-rec-num=2", "--num-recs=1"},
			"sPort|dPort|\n    8|    0|\n"},
		{[]string{"--fields=sport,protocol,sensor,flags", "--delimited=,", "--integer-sensors", "--integer-tcp-flags"},
			"sPort,protocol,sensor,flags\n443,6,0,27\n0,1,1,0\n443,6,0,26\n"},
		{[]string{"--fields=sport,protocol", "--no-columns", "--column-separator=:", "--tail-recs=1"},
			"sPort:protocol:\n443:6:\n"},
		{[]string{"--fields=sport,protocol", "--no-final-delimiter", "--tail-recs=2", "--num-recs=1"},
			"sPort|pro\n    0|  1\n"},
		{[]string{"--fields=sport", "--dry-run"}, "sPort|\n"},
		{[]string{"--fields=sIP,sPort", "--json", "--num-recs=1"}, `{"sIP":"10.0.0.1","sPort":443}` + "\n"},
		{[]string{"--fields=dport,flags,duration,itype,stime", "--json", "--timestamp-format=epoch", "--start-rec-num=2", "--num-recs=1"},
			`{"dPort":2048,"flags":"","duration":2.000,"iType":8,"sTime":1444353000.000}` + "\n"},
		{[]string{"--fields=itype,sensor,flags", "--json", "--num-recs=1"}, `{"iType":null,"sensor":"S0","flags":"FSPA"}` + "\n"},
	}
	for _, c := range cases {
		out, errs, status := runTool(t, cut.NewCommand, stream, c.args...)
		if status != 0 || errs != "" || out != c.want {
			t.Errorf("gcut %v: status %d, stderr %q\n got %q\nwant %q", c.args, status, errs, out, c.want)
		}
	}
}

// rwcut's record-number switches: skip, count and tail.
func TestRecordSelection(t *testing.T) {
	var b strings.Builder
	b.WriteString("sport|stime\n")
	for i := 1; i <= 10; i++ {
		b.WriteString(strings.Repeat(" ", i%3))
		b.WriteString(string(rune('0'+i/10)) + string(rune('0'+i%10)))
		b.WriteString("|2015/10/09T00:00:00\n")
	}
	stream := gtuc(t, b.String())
	ports := func(args ...string) string {
		out, errs, status := runTool(t, cut.NewCommand, stream, append([]string{"--fields=sport", "--no-titles", "--delimited"}, args...)...)
		if status != 0 || errs != "" {
			t.Fatalf("%v: status %d, %q", args, status, errs)
		}
		return strings.Join(strings.Fields(out), ",")
	}
	cases := []struct {
		args []string
		want string
	}{
		{nil, "1,2,3,4,5,6,7,8,9,10"},
		{[]string{"--num-recs=3"}, "1,2,3"},
		{[]string{"--start-rec-num=8"}, "8,9,10"},
		{[]string{"--start-rec-num=3", "--num-recs=2"}, "3,4"},
		{[]string{"--start-rec-num=3", "--end-rec-num=5", "--num-recs=1"}, "3,4,5"},
		{[]string{"--end-rec-num=4"}, "1,2,3,4"},
		{[]string{"--end-rec-num=6", "--num-recs=2"}, "5,6"},
		{[]string{"--tail-recs=3"}, "8,9,10"},
		{[]string{"--tail-recs=3", "--num-recs=2"}, "8,9"},
		{[]string{"--tail-recs=30"}, "1,2,3,4,5,6,7,8,9,10"},
		{[]string{"--start-rec-num=11"}, ""},
	}
	for _, c := range cases {
		if got := ports(c.args...); got != c.want {
			t.Errorf("%v: got %s, want %s", c.args, got, c.want)
		}
	}
}

// Bad switch combinations: rwcut's words on stderr, status 1, nothing
// printed.
func TestBadSwitches(t *testing.T) {
	stream := gtuc(t, "sport\n1\n")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--fields=sip", "--all-fields"}, "gcut: Invalid all-fields: The --fields switch was already given\nUse 'gcut --help' for usage\n"},
		// rwcut reads --fields after its switches: no usage line
		{[]string{"--fields=nosuch"}, "gcut: Invalid fields: No match was found for the field 'nosuch'\n"},
		{[]string{"--tail-recs=2", "--start-rec-num=1"}, "gcut: May not use --tail-recs when --start-rec-num or --end-rec-num is specified\n"},
		{[]string{"--start-rec-num=5", "--end-rec-num=4"}, "gcut: The end-rec-num is less than the start-rec-num: 4 < 5\n"},
	}
	for _, c := range cases {
		out, errs, status := runTool(t, cut.NewCommand, stream, c.args...)
		if status != 1 || errs != c.want || out != "" {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want %q", c.args, status, out, errs, c.want)
		}
	}
	// Bad values are usage errors: SiLK's second line points at --help.
	for _, args := range [][]string{{"--start-rec-num=0"}, {"--ipv6-policy=sometimes"}, {"--timestamp-format=julian"}} {
		_, errs, status := runTool(t, cut.NewCommand, stream, args...)
		if status != 1 || !strings.HasPrefix(errs, "gcut: ") || !strings.HasSuffix(errs, "Use 'gcut --help' for usage\n") {
			t.Errorf("%v: status %d, stderr %q", args, status, errs)
		}
	}
}

// epipeWriter is a downstream reader that has gone away.
type epipeWriter struct{}

func (epipeWriter) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// A closed pipe downstream ends gcut quietly with status 0.
func TestClosedPipe(t *testing.T) {
	stream := gtuc(t, readFile(t, "flows.txt"))
	var errb bytes.Buffer
	std := cli.IO{In: bytes.NewReader(stream), Out: epipeWriter{}, Err: &errb}
	if status := cli.Run(cut.NewCommand(std), []string{"--all-fields"}, std); status != 0 || errb.Len() != 0 {
		t.Fatalf("status %d, stderr %q", status, errb.String())
	}
}

// randomRecord makes a flow holding a value in every field gcut prints
// with --all-fields, as gtuc must rebuild it: flags are the union of
// initial and session flags when those are set (TCP only), ICMP flows
// keep type and code in dPort.
func randomRecord(rng *rand.Rand) flowfile.Record {
	var r flowfile.Record
	v6 := rng.Intn(3) == 0
	addr := func() netip.Addr {
		if v6 {
			var b [16]byte
			rng.Read(b[:])
			b[0] = 0x20 // keep it out of ::ffff:0:0/96
			return netip.AddrFrom16(b)
		}
		var b [4]byte
		rng.Read(b[:])
		return netip.AddrFrom4(b)
	}
	r.SIP, r.DIP, r.NhIP = addr(), addr(), addr()
	r.Proto = []uint8{6, 17, 1, 58, 50, uint8(rng.Intn(256))}[rng.Intn(6)]
	r.SPort, r.DPort = uint16(rng.Intn(65536)), uint16(rng.Intn(65536))
	r.Packets = 1 + uint64(rng.Int63n(1<<40))
	r.Bytes = 1 + uint64(rng.Int63n(1<<50))
	r.STime = 946684800000 + rng.Int63n(30*365*86400000)
	r.ETime = r.STime + rng.Int63n(1<<32)
	r.Flags = uint8(rng.Intn(256))
	if r.Proto == 6 && rng.Intn(2) == 0 {
		r.InitFlags, r.SessionFlags = uint8(rng.Intn(256)), uint8(rng.Intn(256))
		r.Flags = r.InitFlags | r.SessionFlags
	}
	r.Attributes = []uint8{0, flowfile.AttrTimeoutKilled, flowfile.AttrTimeoutStarted | flowfile.AttrFinNoAck, 0x78}[rng.Intn(4)]
	r.Application = uint16(rng.Intn(65536))
	r.Sensor = uint16(rng.Intn(300))
	r.Type = flowfile.FlowType(rng.Intn(flowfile.NumTypes))
	r.In, r.Out = rng.Uint32(), rng.Uint32()
	country := func() flowfile.Country {
		if rng.Intn(4) == 0 {
			return flowfile.NoCountry
		}
		return flowfile.MakeCountry(string([]byte{byte('a' + rng.Intn(26)), byte('a' + rng.Intn(26))}))
	}
	r.SCC, r.DCC = country(), country()
	return r
}

func writeStream(t testing.TB, recs []flowfile.Record) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := flowfile.NewWriter(&b, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecS2})
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readStream(t testing.TB, b []byte) []flowfile.Record {
	t.Helper()
	r, err := flowfile.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out []flowfile.Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, *rec)
	}
}

// gcut | gtuc gives back every field gcut prints, for IPv4 and IPv6 flows,
// in several text layouts (m/d/y is rwcut's old time layout).
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	recs := make([]flowfile.Record, 2000)
	for i := range recs {
		recs[i] = randomRecord(rng)
	}
	stream := writeStream(t, recs)
	layouts := [][]string{
		{"--all-fields"},
		{"--all-fields", "--timestamp-format=epoch"},
		{"--all-fields", "--delimited=,", "--ip-format=decimal", "--integer-tcp-flags", "--integer-sensors"},
		{"--all-fields", "--timestamp-format=iso", "--ip-format=zero-padded"},
		// every field gcut knows, countries too (rwcut's --all-fields has none)
		{"--fields=1-15,18-24,26-29,iType,iCode", "--timestamp-format=m/d/y"},
	}
	for _, args := range layouts {
		text, errs, status := runTool(t, cut.NewCommand, stream, args...)
		if status != 0 || errs != "" {
			t.Fatalf("gcut %v: %d %q", args, status, errs)
		}
		var targs []string
		if strings.Contains(strings.Join(args, " "), "--delimited=,") {
			targs = append(targs, "--column-separator=,")
		}
		got := readStream(t, gtuc(t, text, targs...))
		if len(got) != len(recs) {
			t.Fatalf("%v: %d records back, want %d", args, len(got), len(recs))
		}
		countries := strings.Contains(args[0], "18-")
		for i := range recs {
			want := recs[i]
			if !countries {
				want.SCC, want.DCC = 0, 0
			}
			if got[i] != want {
				t.Fatalf("%v: record %d\n got %+v\nwant %+v\nline %q", args, i, got[i], want, strings.Split(text, "\n")[i+1])
			}
		}
	}
}
