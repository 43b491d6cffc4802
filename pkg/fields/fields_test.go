package fields_test

import (
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/fields/fieldstest"
	"github.com/gflow/gflow/pkg/flowfile"
)

func loadFlows(t *testing.T) []flowfile.Record {
	t.Helper()
	b, err := os.ReadFile("testdata/flows.txt")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := fieldstest.ParseFlows(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// cutLines formats records as rwcut does: titles, then one row per record.
func cutLines(f *fields.Formatter, ids []fields.ID, recs []flowfile.Record) []string {
	var out []string
	var b []byte
	for _, id := range ids {
		b = fields.AppendTitle(b, f.Title(id), f.Width(id))
		b = append(b, '|')
	}
	out = append(out, string(b))
	for i := range recs {
		b = b[:0]
		for _, id := range ids {
			b = f.AppendColumn(b, id, &recs[i], f.Width(id))
			b = append(b, '|')
		}
		out = append(out, string(b))
	}
	return out
}

func compareLines(t *testing.T, file string, got []string) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("%s: %d lines, want %d", file, len(got), len(want))
	}
	bad := 0
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s line %d:\n got %q\nwant %q", file, i+1, got[i], want[i])
			if bad++; bad > 5 {
				t.FailNow()
			}
		}
	}
}

// Every field of the 200 fixture flows prints as SiLK's rwcut printed it
// (--all-fields --timestamp-format=epoch, and the default fields).
func TestRwcutFixtures(t *testing.T) {
	recs := loadFlows(t)
	reg := fields.NewRegistry(fields.CutFields)
	all, err := reg.Parse("sip,dip,sport,dport,protocol,packets,bytes,flags,stime,duration,etime,sensor,in,out,nhip,initialflags,sessionflags,attributes,application,class,type,stime+msec,etime+msec,dur+msec,itype,icode")
	if err != nil {
		t.Fatal(err)
	}
	f := fields.NewFormatter(fields.Options{Policy: fields.PolicyMix, Msec: true, Time: fields.TimeFormat{Style: fields.TimeEpoch}})
	compareLines(t, "flows.rwcut-all-epoch.txt", cutLines(f, all, recs))

	f = fields.NewFormatter(fields.Options{Policy: fields.PolicyMix, Msec: true})
	compareLines(t, "flows.rwcut-default.txt", cutLines(f, fields.CutDefault, recs))
}

func TestParse(t *testing.T) {
	reg := fields.NewRegistry(fields.StatsKeys)
	cases := []struct {
		in   string
		want []fields.ID
		err  string
	}{
		{"sip,sport", []fields.ID{fields.SIP, fields.SPort}, ""},
		{"SIP,Proto", []fields.ID{fields.SIP, fields.Protocol}, ""},
		{"1,3-5", []fields.ID{fields.SIP, fields.SPort, fields.DPort, fields.Protocol}, ""},
		{"dur,pkts,in", []fields.ID{fields.Duration, fields.Packets, fields.In}, ""},
		{"itype,icode,scc", []fields.ID{fields.IType, fields.ICode, fields.SCC}, ""},
		{"sip,,dip", []fields.ID{fields.SIP, fields.DIP}, ""},
		{"sip,1", nil, "Duplicate name '1'"},
		{"3-5,dport", nil, "Duplicate name 'dport'"},
		{"foo", nil, "No match was found for the field 'foo'"},
		{"s", nil, "The field 's' matches multiple keys"},
		{"5-3", nil, "Invalid numeric range '5-3'"},
		{"14-16", nil, "No match was found for the value '16'"},
		{"", nil, "Field list is empty"},
		{"stime+msec", nil, "No match was found for the field 'stime+msec'"},
	}
	for _, c := range cases {
		got, err := reg.Parse(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("Parse(%q) error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !slicesEqual(got, c.want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func slicesEqual(a, b []fields.ID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestIPFormats(t *testing.T) {
	v4 := netip.MustParseAddr("10.0.0.1")
	v6 := netip.MustParseAddr("2001:db8::1")
	mapped := netip.MustParseAddr("::ffff:10.0.0.1")
	compat := netip.MustParseAddr("::10.0.0.1")
	cases := []struct {
		format string
		a      netip.Addr
		want   string
	}{
		{"canonical", v4, "10.0.0.1"},
		{"canonical", v6, "2001:db8::1"},
		{"canonical", mapped, "::ffff:10.0.0.1"},
		{"canonical", compat, "::10.0.0.1"},
		{"canonical", netip.IPv6Unspecified(), "::"},
		{"canonical", netip.MustParseAddr("::1"), "::1"},
		{"canonical", netip.MustParseAddr("1:0:0:2:0:0:0:3"), "1:0:0:2::3"},
		{"canonical", netip.MustParseAddr("1:0:2:0:3:0:4:5"), "1:0:2:0:3:0:4:5"},
		{"no-mixed", mapped, "::ffff:a00:1"},
		{"decimal", v4, "167772161"},
		{"decimal", v6, "42540766411282592856903984951653826561"},
		{"decimal,zero-padded", v4, "0167772161"},
		{"decimal,zero-padded", v6, "042540766411282592856903984951653826561"},
		{"hexadecimal", v4, "a000001"},
		{"hexadecimal", v6, "20010db8000000000000000000000001"},
		{"hexadecimal,zero-padded", v4, "0a000001"},
		{"zero-padded", v4, "010.000.000.001"},
		{"zero-padded", v6, "2001:0db8:0000:0000:0000:0000:0000:0001"},
		{"map-v4", v4, "::ffff:10.0.0.1"},
		{"force-ipv6", v4, "::ffff:a00:1"},
		{"unmap-v6", mapped, "10.0.0.1"},
		{"decimal,map-v4", v4, "281470849515521"},
	}
	for _, c := range cases {
		f, err := fields.ParseIPFormat(c.format)
		if err != nil {
			t.Fatalf("%s: %v", c.format, err)
		}
		if got := string(fields.AppendIP(nil, c.a, f)); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.format, c.a, got, c.want)
		}
	}
	if _, err := fields.ParseIPFormat("decimal,hexadecimal"); err == nil {
		t.Error("decimal,hexadecimal accepted")
	}
	if _, err := fields.ParseIPFormat("map-v4,unmap-v6"); err == nil {
		t.Error("map-v4,unmap-v6 accepted")
	}
}

func TestWidths(t *testing.T) {
	cases := []struct {
		pol  fields.Policy
		ipf  string
		want int
	}{
		{fields.PolicyMix, "canonical", 39},
		{fields.PolicyForce, "canonical", 39},
		{fields.PolicyIgnore, "canonical", 15},
		{fields.PolicyAsV4, "canonical", 15},
		{fields.PolicyIgnore, "decimal", 10},
		{fields.PolicyIgnore, "hexadecimal", 8},
		{fields.PolicyMix, "hexadecimal", 32},
		{fields.PolicyIgnore, "map-v4", 22},
		{fields.PolicyIgnore, "force-ipv6", 16},
	}
	for _, c := range cases {
		f, _ := fields.ParseIPFormat(c.ipf)
		if got := fields.IPWidth(c.pol, f); got != c.want {
			t.Errorf("%s %s: width %d, want %d", c.pol, c.ipf, got, c.want)
		}
	}
	f := fields.NewFormatter(fields.Options{})
	for id, w := range map[fields.ID]int{fields.STime: 19, fields.Duration: 5, fields.Protocol: 3,
		fields.Sensor: 3, fields.Type: 7, fields.Class: 3, fields.Flags: 8, fields.InitFlags: 8} {
		if got := f.Width(id); got != w {
			t.Errorf("%s: width %d, want %d", id, got, w)
		}
	}
	f = fields.NewFormatter(fields.Options{IntegerTCPFlags: true, IntegerSensors: true, Time: fields.TimeFormat{Style: fields.TimeEpoch}})
	for id, w := range map[fields.ID]int{fields.STime: 10, fields.Flags: 3, fields.Sensor: 5} {
		if got := f.Width(id); got != w {
			t.Errorf("integer/epoch %s: width %d, want %d", id, got, w)
		}
	}
}

func TestTimesAndTitles(t *testing.T) {
	r := flowfile.Record{STime: 1444348860250, ETime: 1444348872750, Flags: 0x1b, Proto: 6}
	cases := []struct {
		tf   string
		msec bool
		want string
	}{
		{"default", false, "2015/10/09T00:01:00"},
		{"iso", false, "2015-10-09 00:01:00"},
		{"m/d/y", false, "10/09/2015 00:01:00"},
		{"epoch", false, "1444348860"},
		{"default", true, "2015/10/09T00:01:00.250"},
		{"epoch,utc", true, "1444348860.250"},
	}
	for _, c := range cases {
		tf, err := fields.ParseTimeFormat(c.tf, false)
		if err != nil {
			t.Fatal(err)
		}
		f := fields.NewFormatter(fields.Options{Time: tf, Msec: c.msec})
		if got := string(f.AppendValue(nil, fields.STime, &r)); got != c.want {
			t.Errorf("%s: %q, want %q", c.tf, got, c.want)
		}
	}
	f := fields.NewFormatter(fields.Options{})
	for id, want := range map[fields.ID]string{fields.Duration: "12", fields.Flags: "FS PA   ", fields.IType: ""} {
		if got := string(f.AppendValue(nil, id, &r)); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	for _, c := range []struct {
		id    fields.ID
		title string
	}{{fields.Protocol, "pro"}, {fields.Sensor, "sen"}, {fields.Duration, "durat"}, {fields.InitFlags, "initialF"}, {fields.IType, "iTy"}} {
		if got := string(fields.AppendTitle(nil, f.Title(c.id), f.Width(c.id))); got != c.title {
			t.Errorf("title %q, want %q", got, c.title)
		}
	}
	if _, err := fields.ParseTimeFormat("iso,epoch", false); err == nil {
		t.Error("iso,epoch accepted")
	}
	if _, err := fields.ParseTimeFormat("no-msec", false); err == nil {
		t.Error("no-msec accepted without allowNoMsec")
	}
}

// The hot path formats into a reused buffer without allocating.
func TestNoAllocation(t *testing.T) {
	recs := loadFlows(t)
	f := fields.NewFormatter(fields.Options{Policy: fields.PolicyMix, Msec: true})
	buf := make([]byte, 0, 4096)
	n := testing.AllocsPerRun(10, func() {
		for i := range recs {
			buf = buf[:0]
			for _, id := range fields.CutFields {
				buf = f.AppendColumn(buf, id, &recs[i], f.Width(id))
				buf = append(buf, '|')
			}
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per run", n)
	}
}

func BenchmarkAppendRow(b *testing.B) {
	r := flowfile.Record{SIP: netip.MustParseAddr("10.1.0.22"), DIP: netip.MustParseAddr("198.51.100.24"),
		SPort: 63178, DPort: 5353, Proto: 17, Packets: 276, Bytes: 221540, STime: 1444348809931, ETime: 1444348877529}
	f := fields.NewFormatter(fields.Options{Policy: fields.PolicyMix, Msec: true})
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, id := range fields.CutDefault {
			buf = f.AppendColumn(buf, id, &r, f.Width(id))
			buf = append(buf, '|')
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
