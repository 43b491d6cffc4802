package filter

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/cli/silkerr"
)

// Bad values read as rwfilter 3.19.1 words them (rwfiltercheck.c and
// sku-string.c): the parser's line, in the form the switch's type takes,
// then "Error processing --SWITCH option: 'VALUE'"; switches whose parser
// says nothing more give only that second line, and gflow's reason on a
// hint line.
func TestErrorMessages(t *testing.T) {
	cases := []struct{ name, value, want, hint string }{
		// integer lists do not repeat the value
		{"protocol", "256", "Invalid protocol: Value is above maximum of 255", ""},
		{"dport", "-1024", "Invalid dport: Unexpected character at '-'", ""},
		{"sport", "90-80", "Invalid sport: Range is invalid (min > max) (90-80)", ""},
		{"sport", "1-2-3", "Invalid sport: Unexpected character at '-'", ""},
		{"sport", "", "Invalid sport: Input is empty or all whitespace", ""},
		{"sport", "80 443", "Invalid sport: Unexpected character--embedded whitespace found in input", ""},
		{"icmp-type", "256", "Invalid icmp-type: Value is above maximum of 255", ""},
		{"input-index", "4294967296", "Invalid input-index: Value is above maximum of 4294967295", ""},
		{"output-index", "70000-5", "Invalid output-index: Range is invalid (min > max) (70000-5)", ""},
		// names where numbers go: the hint gives the numbers (https and
		// smtp are in Go's own list, so they are known without netbase)
		{"protocol", "tcp", "Invalid protocol: Unexpected character at 't'", "protocols are numbers: tcp is 6 (--protocol=6)"},
		{"protocol", "6,UDP", "Invalid protocol: Unexpected character at 'U'", "protocols are numbers: udp is 17 (--protocol=6,17)"},
		{"protocol", "ipv6-icmp", "Invalid protocol: Unexpected character at 'i'", "protocols are numbers: ipv6-icmp is 58 (--protocol=58)"},
		{"protocol", "tpc", "Invalid protocol: Unexpected character at 't'", "protocols are numbers: 6 is tcp, 17 udp, 1 icmp, 58 ipv6-icmp (--protocol=6)"},
		{"dport", "https", "Invalid dport: Unexpected character at 'h'", "ports are numbers: https is 443 (--dport=443)"},
		{"aport", "25,smtp,dns", "Invalid aport: Unexpected character at 's'", "ports are numbers: smtp is 25, dns is 53 (--aport=25,25,53)"},
		{"sport", "80,x", "Invalid sport: Unexpected character at 'x'", `ports are numbers (--sport=443); "x" is not a service this machine knows (/etc/services)`},
		// ranges and times repeat it
		{"bytes", "10-5", "Invalid bytes '10-5': Range is invalid (min > max)", ""},
		{"bytes", "abc", "Invalid bytes 'abc': Unexpected character 'a'", ""},
		{"bytes", "10x", "Invalid bytes '10x': Unexpected character 'x'", ""},
		{"packets", "-5", "Invalid packets '-5': Unexpected character '-'", ""},
		{"duration", "5.0-1", "Invalid duration '5.0-1': Range is invalid (min > max)", ""},
		{"duration", "abc", "Invalid duration 'abc': Unexpected character", ""},
		{"duration", "-1", "Invalid duration '-1': Value is below minimum of 0.000000", ""},
		{"bytes-per-packet", "5-x", "Invalid bytes-per-packet '5-x': Unexpected character 'x'", ""},
		{"scc", "usa", "Invalid scc 'usa'", ""},
		{"any-cc", "us,1x", "Invalid any-cc '1x'", ""},
		{"stime", "2015/13/01", "Invalid stime '2015/13/01': Month value (13) out of range: use 1 <= month <= 12", ""},
		{"stime", "2015/10/32", "Invalid stime '2015/10/32': Day value (32) out of range: use 1 <= day <= 31", ""},
		{"etime", "2015/10/09:24", "Invalid etime '2015/10/09:24': Hour value (24) out of range: use 0 <= hour <= 23", ""},
		{"stime", "2015/10/09:02-2015/10/09:01", "Invalid stime '2015/10/09:02-2015/10/09:01': Range is invalid (min > max)", ""},
		{"stime", "2015/10", "Invalid stime '2015/10': Date '2015/10' does not have at least day precision", ""},
		{"stime", "2015/10/09x", "Invalid stime '2015/10/09x': Unexpected character 'x'", ""},
		{"active-time", "10/09/2015", "Invalid active-time '10/09/2015': Year value (10) out of range: use 1970 <= year <= 2039", ""},
		{"stime", "4294967296", "Invalid stime '4294967296': Epoch value (4294967296) out of range: use 536870912 <= epoch <= 2147483647", ""},
		// the list of CIDR blocks names the bad block
		{"scidr", "10.0.0.0/8,10.1", "Invalid scidr '10.1': Unexpected end-of-input", ""},
		{"scidr", "10.0.0.256", "Invalid scidr '10.0.0.256': IP octet 4 is too large: 256", ""},
		{"dcidr", "10.0.0.0/33", "Invalid dcidr '10.0.0.0/33': Value is above maximum of 32", ""},
		{"nhcidr", "10.0.0.0/8x", "Invalid nhcidr '10.0.0.0/8x': Unexpected character 'x'", ""},
		{"any-cidr", "2001:db8::/129", "Invalid any-cidr '2001:db8::/129': Value is above maximum of 128", ""},
		{"scidr", "2001:db8:::1", "Invalid scidr '2001:db8:::1': Unexpected character :::", ""},
		{"flags-all", "SA/S", "Invalid flags-all 'SA/S': High flags is not subset of mask flags", ""},
		{"flags-all", "Q/S", "Invalid flags-all 'Q/S': Unexpected character 'Q'", ""},
		{"flags-initial", "S", "Invalid flags-initial 'S': Missing '/' character", ""},
		{"flags-session", "S/", "Invalid flags-session 'S/': Missing masks flags value", ""},
		{"attributes", "S/T", "Invalid attributes 'S/T': High state flags is not subset of mask state flags", ""},
		{"attributes", ",", "Invalid attributes: No value was given", ""},
		// wildcards, --tcp-flags and --ip-version: SiLK's parser says
		// nothing, the reason is gflow's hint
		{"saddress", "10.0.0.x/24", "Error processing --saddress option: '10.0.0.x/24'", "CIDR notation and wildcard syntax cannot be combined"},
		{"saddress", "10.0.0.256", "Error processing --saddress option: '10.0.0.256'", "Value is above maximum of 255"},
		{"not-daddress", "10.0.0.0/33", "Error processing --not-daddress option: '10.0.0.0/33'", "Value is above maximum of 32"},
		{"tcp-flags", "SX", "Error processing --tcp-flags option: 'SX'", "Unexpected character 'X'"},
		{"ip-version", "5", "Error processing --ip-version option: '5'", "Valid versions are 4 and 6"},
		{"ip-version", "7", "Error processing --ip-version option: '7'", "Value is above maximum of 6"},
		{"syn-flag", "2", "Error parsing --syn-flag option: '2'", "the value is 0 (flag absent) or 1 (flag present)"},
	}
	for _, c := range cases {
		_, err := Compile([2]string{c.name, c.value})
		if err == nil || err.Error() != c.want {
			t.Errorf("--%s=%q: got %v\nwant %s", c.name, c.value, err, c.want)
			continue
		}
		ve := err.(*ValueError)
		follow := "[Error processing --" + c.name + " option: '" + c.value + "']"
		if ve.Form == silkerr.Processing {
			follow = "[]"
		}
		if got := fmt.Sprint(ve.Follow()); got != follow {
			t.Errorf("--%s=%q: follow %s, want %s", c.name, c.value, got, follow)
		}
		if c.hint != "" && ve.Hint() != c.hint {
			t.Errorf("--%s=%q: hint %q, want %q", c.name, c.value, ve.Hint(), c.hint)
		}
	}
}

// SiLK refuses a /0 block, which would match every address: in a list of
// blocks ("Value is below minimum of 1") and as a wildcard.
func TestZeroPrefixRefused(t *testing.T) {
	for _, name := range []string{"scidr", "dcidr", "any-cidr", "nhcidr", "not-scidr"} {
		_, err := Compile([2]string{name, "0.0.0.0/0"})
		if want := "Invalid " + name + " '0.0.0.0/0': Value is below minimum of 1"; err == nil || err.Error() != want {
			t.Errorf("--%s=0.0.0.0/0: %v, want %s", name, err, want)
		}
	}
	if _, err := Compile([2]string{"scidr", "::/0"}); err == nil {
		t.Error("--scidr=::/0 runs")
	}
	for _, name := range []string{"saddress", "daddress", "any-address", "next-hop-id", "not-saddress"} {
		_, err := Compile([2]string{name, "0.0.0.0/0"})
		if want := "Error processing --" + name + " option: '0.0.0.0/0'"; err == nil || err.Error() != want {
			t.Errorf("--%s=0.0.0.0/0: %v, want %s", name, err, want)
		}
	}
	// the hint says what to type instead
	for _, c := range []struct{ name, value, hint string }{
		{"dcidr", "10.0.0.0/8,0.0.0.0/0", "leave --dcidr out, or give its halves (0.0.0.0/1,128.0.0.0/1"},
		{"any-address", "0.0.0.0/0", "leave --any-address out, or give the wildcard x.x.x.x"},
	} {
		_, err := Compile([2]string{c.name, c.value})
		var ve *ValueError
		if !errors.As(err, &ve) || !strings.Contains(ve.Hint(), c.hint) {
			t.Errorf("--%s=%s: %v, want a hint with %q", c.name, c.value, err, c.hint)
		}
	}
	// the smallest blocks SiLK takes still work
	if _, err := Compile([2]string{"scidr", "0.0.0.0/1,128.0.0.0/1"}, [2]string{"saddress", "10.0.0.0/1"}); err != nil {
		t.Errorf("/1 blocks: %v", err)
	}
}

// SiLK reads an integer as an IPv4 address, and an IPv6 address with an
// embedded IPv4 part.
func TestSilkAddresses(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"167772161", "10.0.0.1/32"},
		{"10.0.0.0/8", "10.0.0.0/8"},
		{" 10.1.2.3/16 ", "10.1.0.0/16"},
		{"::ffff:10.0.0.1", "::ffff:10.0.0.1/128"},
		{"2001:db8::1/64", "2001:db8::/64"},
		{"::", "::/128"},
		{"1::", "1::/128"},
		{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8/128"},
	} {
		p, e := parseSilkCIDR(c.in)
		if e != "" || p.String() != c.want {
			t.Errorf("%q: %v %q, want %s", c.in, p, e, c.want)
		}
	}
	for _, in := range []string{"1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", "10.0.0", "10..0.1", "4294967296", "10.0.0.1.", "1:2:3:4:5:6:7:1.2.3.4"} {
		if p, e := parseSilkCIDR(in); e == "" {
			t.Errorf("%q parses as %v", in, p)
		}
	}
}

// A mistyped country is an error that says what was meant; SiLK's first
// line is kept where SiLK has one ("Invalid scc 'switzerland'").
func TestCountryErrorsHint(t *testing.T) {
	cases := []struct{ name, value, msg, hint string }{
		{"scc", "uk", "Invalid scc 'uk': Not a country code",
			"did you mean --scc=gb (United Kingdom)? 'gfilter --help-countries' lists the codes"},
		{"scc", "switzerland", "Invalid scc 'switzerland'",
			"did you mean --scc=ch (Switzerland)? 'gfilter --help-countries' lists the codes"},
		{"dcc", "xx", "Invalid dcc 'xx': Not a country code", "'gfilter --help-countries' lists the codes"},
		{"any-cc", "de,uk,fr", "Invalid any-cc 'uk': Not a country code",
			"did you mean --any-cc=de,gb,fr (United Kingdom)? 'gfilter --help-countries' lists the codes"},
		{"scc", "usa", "Invalid scc 'usa'", "did you mean --scc=us (United States)? 'gfilter --help-countries' lists the codes"},
	}
	for _, c := range cases {
		_, err := Compile([2]string{c.name, c.value})
		ve, ok := err.(*ValueError)
		if !ok {
			t.Errorf("--%s=%s: got %v, want a *ValueError", c.name, c.value, err)
			continue
		}
		if ve.Error() != c.msg || ve.Hint() != c.hint {
			t.Errorf("--%s=%s:\n got %q / hint %q\nwant %q / hint %q", c.name, c.value, ve.Error(), ve.Hint(), c.msg, c.hint)
		}
	}
	// codes a database produces stay valid
	for _, v := range []string{"ch", "CH", "gb,us", "--", "a1", "eu", "xk"} {
		if _, err := Compile([2]string{"scc", v}); err != nil {
			t.Errorf("--scc=%s: %v", v, err)
		}
	}
}

func TestSwitchConflicts(t *testing.T) {
	cases := []struct {
		args [][2]string
		want string
	}{
		{[][2]string{{"saddress", "10.x.x.x"}, {"not-saddress", "10.0.0.1"}},
			"A --saddress filter has already been set; only one of --not-saddress and --saddress are allowed"},
		{[][2]string{{"not-any-cidr", "10.0.0.0/8"}, {"any-cidr", "10.0.0.1"}},
			"A --not-any-cidr filter has already been set; only one of --any-cidr and --not-any-cidr are allowed"},
		{[][2]string{{"protocol", "6"}, {"protocol", "17"}}, "A --protocol filter has already been set"},
		{[][2]string{{"protocol", "6"}, {"icmp-type", "8"}},
			"An --icmp-type value was given but --protocol does not include 1 or 58"},
		{[][2]string{{"icmp-code", "0"}, {"protocol", "17"}},
			"An --icmp-code value was given but --protocol does not include 1 or 58"},
	}
	for _, c := range cases {
		_, err := Compile(c.args...)
		if err == nil || err.Error() != c.want {
			t.Errorf("%v: got %v, want %s", c.args, err, c.want)
		}
	}
	if _, err := Compile([2]string{"protocol", "58"}, [2]string{"icmp-type", "128"}); err != nil {
		t.Errorf("ICMPv6 with --protocol=58: %v", err)
	}
}

func TestNumberList(t *testing.T) {
	b, e := parseNumberList("0-3,8080,,65530-", 65535, 10)
	if e != "" {
		t.Fatal(e)
	}
	for _, v := range []uint32{0, 1, 3, 8080, 65530, 65535} {
		if !b.Has(v) {
			t.Errorf("missing %d", v)
		}
	}
	for _, v := range []uint32{4, 8079, 8081, 65529} {
		if b.Has(v) {
			t.Errorf("unexpected %d", v)
		}
	}
}

func ms(s string) int64 {
	t, err := time.Parse("2006-01-02 15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

func TestTimeWindow(t *testing.T) {
	cases := []struct {
		in       string
		min, max string
	}{
		{"2015/10/09:01", "2015-10-09 01:00:00.000", "2015-10-09 01:00:00.000"},
		{"2015/10/09", "2015-10-09 00:00:00.000", "2015-10-09 00:00:00.000"},
		{"2015/10/09-2015/10/10", "2015-10-09 00:00:00.000", "2015-10-10 23:59:59.999"},
		{"2015/10/09T01:02-2015/10/09T01:03", "2015-10-09 01:02:00.000", "2015-10-09 01:03:59.999"},
		{"2015/10/09:01:02:03.4-2015/10/09:01:02:03.45", "2015-10-09 01:02:03.400", "2015-10-09 01:02:03.450"},
		{"2015/10/09:23-2015/10/09:23:59:59", "2015-10-09 23:00:00.000", "2015-10-09 23:59:59.999"},
		{"2016/02/28-2016/02/29", "2016-02-28 00:00:00.000", "2016-02-29 23:59:59.999"},
		{"1444352400-1444356000", "2015-10-09 01:00:00.000", "2015-10-09 02:00:00.999"},
		{"1444352400.5-1444356000.25", "2015-10-09 01:00:00.500", "2015-10-09 02:00:00.250"},
		// ISO 8601 dates, alone, as either end, with a final Z
		{"2015-10-09T01", "2015-10-09 01:00:00.000", "2015-10-09 01:00:00.000"},
		{"2015-10-09-2015-10-10", "2015-10-09 00:00:00.000", "2015-10-10 23:59:59.999"},
		{"2015-10-09T01:02-2015-10-09T01:03", "2015-10-09 01:02:00.000", "2015-10-09 01:03:59.999"},
		{"2015-10-09T01:02:03.4Z-2015/10/09:01:02:03.45", "2015-10-09 01:02:03.400", "2015-10-09 01:02:03.450"},
		{"2015-10-09 23-2015-10-09 23:59:59", "2015-10-09 23:00:00.000", "2015-10-09 23:59:59.999"},
	}
	for _, c := range cases {
		w, e := ParseTimeWindow(c.in)
		if e != "" {
			t.Errorf("%s: %s", c.in, e)
			continue
		}
		if w.Min != ms(c.min) || w.Max != ms(c.max) {
			t.Errorf("%s: [%s, %s], want [%s, %s]", c.in, time.UnixMilli(w.Min).UTC(), time.UnixMilli(w.Max).UTC(), c.min, c.max)
		}
	}
	for _, bad := range []string{"2015/02/29", "2015/10/09:24", "2015/10/09:01:60", "2015/10/09:01.5", "12345", "2015/10/09x", "1969/12/31",
		"2015-02-29", "2015-10", "2015-10-09T24", "2015-10-09-2015-10-08", "2015-10-09+02:00", "2015-1009"} {
		if _, e := ParseTimeWindow(bad); e == "" {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestIPWildcard(t *testing.T) {
	cases := []struct {
		w     string
		in    []string
		notIn []string
	}{
		{"10.0.0.x", []string{"10.0.0.0", "10.0.0.255", "::ffff:10.0.0.7"}, []string{"10.0.1.0", "::a00:1", "11.0.0.0"}},
		{"10.0.0.1-3", []string{"10.0.0.1", "10.0.0.3"}, []string{"10.0.0.0", "10.0.0.4"}},
		{"10.0.0.1,2", []string{"10.0.0.1", "10.0.0.2"}, []string{"10.0.0.3"}},
		{"x.x.x.x", []string{"0.0.0.0", "255.255.255.255"}, []string{"::1"}},
		{"192.168.0.0/20", []string{"192.168.0.0", "192.168.15.255"}, []string{"192.168.16.0", "192.169.0.0"}},
		{"10.1.2.3", []string{"10.1.2.3"}, []string{"10.1.2.4"}},
		{"::ffff:0:aaab-ffff,aaaa,0-aaa9", []string{"::ffff:0:aaab", "::ffff:0:0", "::ffff:0:ffff"}, []string{"::ffff:0:aaaa:1", "::fffe:0:aaab"}},
		{"2001:db8::x", []string{"2001:db8::", "2001:db8::ffff"}, []string{"2001:db8::1:0", "2001:db9::1"}},
		{"2001:db8::/32", []string{"2001:db8:ffff:1::1", "2001:db8::"}, []string{"2001:db9::", "10.0.0.1"}},
		{"2001:db8::/127", []string{"2001:db8::", "2001:db8::1"}, []string{"2001:db8::2"}},
		{"::ffff:10.0.0.x", []string{"10.0.0.9", "::ffff:10.0.0.200"}, []string{"10.0.1.9"}},
		{"::ffff:10.0-1.0.x", []string{"10.1.0.9"}, []string{"10.2.0.9"}},
		{"::", []string{"::"}, []string{"::1", "0.0.0.0"}},
		{"fe80::1-5:x", []string{"fe80::1:0", "fe80::5:ffff"}, []string{"fe80::6:0", "fe80::1:0:0"}},
	}
	for _, c := range cases {
		w, e := ParseIPWildcard(c.w)
		if e != "" {
			t.Errorf("%s: %s", c.w, e)
			continue
		}
		for _, a := range c.in {
			if !w.Match(netip.MustParseAddr(a)) {
				t.Errorf("%s should match %s", c.w, a)
			}
		}
		for _, a := range c.notIn {
			if w.Match(netip.MustParseAddr(a)) {
				t.Errorf("%s should not match %s", c.w, a)
			}
		}
	}
	for _, bad := range []string{"10.0.0", "10.0.0.0.0", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3", "2001:db8::x/64", "10.0.0.1/", "gggg::"} {
		if _, e := ParseIPWildcard(bad); e == "" {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestCIDRList(t *testing.T) {
	l, _, e := ParseCIDRList("10.0.0.0/30,192.168.1.10,2001:db8::/64,::ffff:172.16.0.0/108")
	if e != "" {
		t.Fatal(e)
	}
	for _, a := range []string{"10.0.0.3", "192.168.1.10", "2001:db8::5", "::ffff:10.0.0.1", "172.16.0.1"} {
		if !l.Match(netip.MustParseAddr(a)) {
			t.Errorf("should match %s", a)
		}
	}
	for _, a := range []string{"10.0.0.4", "192.168.1.11", "2001:db8:0:1::", "172.32.0.1"} {
		if l.Match(netip.MustParseAddr(a)) {
			t.Errorf("should not match %s", a)
		}
	}
}

func FuzzParseIPWildcard(f *testing.F) {
	for _, s := range []string{"10.0.0.x", "::ffff:0:aaab-ffff,aaaa,0-aaa9", "2001:db8::/32", "::ffff:1.2.3.x", "1-2,5.x.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, e := ParseIPWildcard(s)
		if e == "" {
			w.Match(netip.MustParseAddr("10.0.0.1"))
			w.Match(netip.MustParseAddr("2001:db8::1"))
			w.Match(netip.Addr{})
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2015/10/09:01", "2015/10/09T01:02:03.456-2015/10/10", "1444352400.5", "2015/10/09-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, e := ParseTimeWindow(s)
		if e == "" && w.Max < w.Min {
			t.Errorf("%q: window [%d,%d] is inverted", s, w.Min, w.Max)
		}
	})
}

func FuzzParseNumberList(f *testing.F) {
	for _, s := range []string{"6,17", "0-1023,8080", "1024-", "-1024", "1,,2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, e := parseNumberList(s, 65535, 10)
		if e == "" && len(b) != 1024 {
			t.Errorf("%q: bitmap of %d words", s, len(b))
		}
		parseIntRange(s)
		parseDecimalRange(s)
		ParseCIDRList(s)
		parseHighMaskList(s, tcpFlagLetters, "flags")
		parseCountryList(s)
	})
}
