package clickhouse

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"unicode"

	"github.com/gflow/gflow/pkg/flowfile"
)

func TestVersionAndLayout(t *testing.T) {
	for _, c := range []struct {
		in     string
		layout Layout
	}{
		{"18.16.1", Portable}, {"20.3.5.21", Portable}, {"21.8.1", Modern}, {"24.3.2.23\n", Modern}, {"100.1", Modern},
	} {
		v, err := ParseVersion(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if got := LayoutFor(v); got != c.layout {
			t.Errorf("%q: layout %v, want %v", c.in, got, c.layout)
		}
	}
	for _, bad := range []string{"", "18", "x.y", "Code: 60"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestServerMessage(t *testing.T) {
	for in, want := range map[string]string{
		"Code: 60, e.displayText() = DB::Exception: Table default.x doesn't exist., e.what() = DB::Exception\n\nStack trace:\n0. foo": "Code: 60, DB::Exception: Table default.x doesn't exist.",
		"Code: 60. DB::Exception: Table default.x does not exist. (UNKNOWN_TABLE) (version 24.3.1)\n":                                 "Code: 60. DB::Exception: Table default.x does not exist. (UNKNOWN_TABLE) (version 24.3.1)",
		"":                    "server answered 502 Bad Gateway",
		"bad\x00\x1b[2Jbytes": "bad[2Jbytes",
	} {
		if got := serverMessage([]byte(in), "502 Bad Gateway"); got != want {
			t.Errorf("serverMessage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTableNames(t *testing.T) {
	for _, ok := range []string{"flows", "netflow.flows", "_x1"} {
		if err := CheckTableName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a.b.c", "flows; DROP TABLE x", "1flows", "a.", "`x`"} {
		if err := CheckTableName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestTimesClamped(t *testing.T) {
	for _, c := range []struct {
		ms   int64
		sec  uint32
		msec uint16
	}{
		{0, 0, 0}, {1999, 1, 999}, {-1, 0, 0}, {-86400000, 0, 0},
		{(1<<32 - 1) * 1000, 1<<32 - 1, 0}, {(1 << 32) * 1000, 1<<32 - 1, 0},
	} {
		if s, m := Seconds(c.ms), Millis(c.ms); s != c.sec || m != c.msec {
			t.Errorf("%d ms: %d s %d ms, want %d s %d ms", c.ms, s, m, c.sec, c.msec)
		}
	}
}

func TestAddresses(t *testing.T) {
	v4 := netip.MustParseAddr("192.0.2.7")
	a := Addr16(v4, false)
	if got := netip.AddrFrom16(a); got.String() != "::ffff:192.0.2.7" {
		t.Errorf("Addr16(%v) = %v", v4, got)
	}
	if n, ok := IPv4(v4); !ok || n != 0xc0000207 {
		t.Errorf("IPv4(%v) = %x %v", v4, n, ok)
	}
	if _, ok := IPv4(netip.MustParseAddr("2001:db8::1")); ok {
		t.Error("IPv4 of an IPv6 address")
	}
	if got := Addr16(netip.Addr{}, false); netip.AddrFrom16(got).String() != "::ffff:0.0.0.0" {
		t.Errorf("missing IPv4 next hop = %v", netip.AddrFrom16(got))
	}
	if got := Addr16(netip.Addr{}, true); got != [16]byte{} {
		t.Errorf("missing IPv6 next hop = %v", got)
	}
}

func TestSplitDays(t *testing.T) {
	day := int64(86400000)
	recs := []flowfile.Record{{STime: 3 * day}, {STime: 2*day + 5}, {STime: 3*day + 7}, {STime: -4}}
	got := splitDays(recs)
	var desc []string
	for _, d := range got {
		var ts []string
		for _, r := range d.recs {
			ts = append(ts, fmt.Sprint(r.STime-int64(d.day)*day))
		}
		desc = append(desc, dayString(d.day)+":"+strings.Join(ts, ","))
	}
	// a time before 1970 counts in the first day, where Seconds puts it
	if got, want := strings.Join(desc, " "), "1970-01-01:-4 1970-01-03:5 1970-01-04:0,7"; got != want {
		t.Errorf("splitDays = %s, want %s", got, want)
	}
	one := splitDays(recs[:1])
	if len(one) != 1 || &one[0].recs[0] != &recs[0] {
		t.Error("a batch of one day is copied")
	}
}

func TestSpoolNames(t *testing.T) {
	f := spoolFile{seq: 42, batch: 0xdeadbeef}
	g, ok := parseSpoolName(f.name())
	if !ok || g.seq != 42 || g.batch != 0xdeadbeef {
		t.Errorf("parseSpoolName(%q) = %+v %v", f.name(), g, ok)
	}
	for _, bad := range []string{"x.gf", "12.gf", "12-zz.gf", "0001-ff.tmp", ".tmp-0001-ff.gf"} {
		if _, ok := parseSpoolName(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The server's answers are outside bytes: no input makes the parsers
// panic or put control bytes into a message.
func FuzzServerAnswers(f *testing.F) {
	f.Add([]byte("Code: 60, e.displayText() = DB::Exception: x, e.what() = y\n"))
	f.Add([]byte("sip\tFixedString(16)\t\t\nduration\tUInt32\tALIAS\t(toUInt32(etime) - toUInt32(stime))\n"))
	f.Add([]byte(`type	Enum8(\'in\' = 0)`))
	f.Fuzz(func(t *testing.T, b []byte) {
		msg := serverMessage(b, "500")
		if strings.IndexFunc(msg, func(r rune) bool { return unicode.IsControl(r) }) >= 0 {
			t.Errorf("control character in %q", msg)
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			for _, f := range strings.Split(line, "\t") {
				encoderFor(unescapeTSV(f), unescapeTSV(line))
			}
		}
	})
}
