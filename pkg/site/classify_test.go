package site

import (
	"net/netip"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

const classifyConf = `
internal = ["10.1.0.0/16", "2001:db8:1::/48"]

[[sensors]]
name = "addr"
id = 0
exporters = ["192.0.2.1"]
null-interfaces = [0]

[[sensors]]
name = "blackhole"
id = 1
exporters = ["192.0.2.2"]
null = ["203.0.113.128/25"]

[[sensors]]
name = "explicit"
id = 2
exporters = ["192.0.2.3"]
internal = ["10.1.0.0/16"]
external = ["198.51.100.0/24"]

[[sensors]]
name = "nat"
id = 3
exporters = ["192.0.2.4"]
external-interfaces = [1]
null-interfaces = [0]

[[sensors]]
name = "both"
id = 4
exporters = ["192.0.2.5"]
external-interfaces = [1]
internal-interfaces = [2, 3]
null-interfaces = [0]
`

type flow struct {
	sip, dip     string
	proto        uint8
	sport, dport uint16
	in, out      uint32
}

func (f flow) record() flowfile.Record {
	r := flowfile.Record{Proto: f.proto, SPort: f.sport, DPort: f.dport, In: f.in, Out: f.out}
	if f.sip != "" {
		r.SIP = netip.MustParseAddr(f.sip)
	}
	if f.dip != "" {
		r.DIP = netip.MustParseAddr(f.dip)
	}
	return r
}

func TestClassify(t *testing.T) {
	cfg, err := Parse("classify.toml", []byte(classifyConf))
	if err != nil {
		t.Fatal(err)
	}
	split, err := Parse("split.toml", []byte("icmp-split = true\n"+classifyConf))
	if err != nil {
		t.Fatal(err)
	}
	const (
		ext  = "198.51.100.7"
		ext2 = "203.0.113.9"
		in1  = "10.1.0.5"
		in2  = "10.1.3.4"
		ext6 = "2001:db8:2::1"
		in6  = "2001:db8:1::5"
	)
	tests := []struct {
		name   string
		cfg    *Config
		sensor string
		f      flow
		want   flowfile.FlowType
	}{
		// By address, external networks = remainder.
		{"ext→int udp", cfg, "addr", flow{ext, in1, 17, 5353, 53, 1, 2}, flowfile.TypeIn},
		{"ext→int tcp 443", cfg, "addr", flow{ext, in1, 6, 50000, 443, 1, 2}, flowfile.TypeInWeb},
		{"ext→int tcp from 80", cfg, "addr", flow{ext, in1, 6, 80, 50000, 1, 2}, flowfile.TypeInWeb},
		{"ext→int tcp 8080", cfg, "addr", flow{ext, in1, 6, 40000, 8080, 1, 2}, flowfile.TypeInWeb},
		{"ext→int tcp 8443 not web", cfg, "addr", flow{ext, in1, 6, 40000, 8443, 1, 2}, flowfile.TypeIn},
		{"ext→int udp 443 not web", cfg, "addr", flow{ext, in1, 17, 40000, 443, 1, 2}, flowfile.TypeIn},
		{"ext→int icmp, no split", cfg, "addr", flow{ext, in1, 1, 0, 0x0800, 1, 2}, flowfile.TypeIn},
		{"ext→null by out ifIndex 0", cfg, "addr", flow{ext, in1, 6, 1234, 23, 1, 0}, flowfile.TypeInNull},
		{"ext→ext", cfg, "addr", flow{ext, ext2, 17, 1, 2, 1, 1}, flowfile.TypeExt2Ext},
		{"int→null", cfg, "addr", flow{in1, ext, 17, 1, 2, 2, 0}, flowfile.TypeOutNull},
		{"int→ext", cfg, "addr", flow{in1, ext, 17, 5353, 53, 2, 1}, flowfile.TypeOut},
		{"int→ext web", cfg, "addr", flow{in1, ext, 6, 50000, 443, 2, 1}, flowfile.TypeOutWeb},
		{"int→ext icmp, no split", cfg, "addr", flow{in1, ext, 1, 0, 0x0303, 2, 1}, flowfile.TypeOut},
		{"int→int", cfg, "addr", flow{in1, in2, 6, 50000, 22, 2, 3}, flowfile.TypeInt2Int},
		{"int→int web", cfg, "addr", flow{in1, in2, 6, 50000, 80, 2, 3}, flowfile.TypeInt2Int},
		{"ext6→int6", cfg, "addr", flow{ext6, in6, 17, 1, 2, 1, 2}, flowfile.TypeIn},
		{"int6→ext6 web", cfg, "addr", flow{in6, ext6, 6, 50000, 443, 2, 1}, flowfile.TypeOutWeb},
		{"int6→int6", cfg, "addr", flow{in6, "2001:db8:1:ff::1", 17, 1, 2, 2, 3}, flowfile.TypeInt2Int},
		{"ext6→null6", cfg, "addr", flow{ext6, in6, 17, 1, 2, 1, 0}, flowfile.TypeInNull},
		{"no addresses", cfg, "addr", flow{"", "", 17, 1, 2, 1, 2}, flowfile.TypeOther},

		// ICMP split when configured; ICMPv6 counts only on IPv6 flows.
		{"ext→int icmp split", split, "addr", flow{ext, in1, 1, 0, 0x0800, 1, 2}, flowfile.TypeInICMP},
		{"int→ext icmp split", split, "addr", flow{in1, ext, 1, 0, 0x0800, 2, 1}, flowfile.TypeOutICMP},
		{"ext6→int6 icmpv6 split", split, "addr", flow{ext6, in6, 58, 0, 0x8000, 1, 2}, flowfile.TypeInICMP},
		{"proto 58 on IPv4 is not ICMP", split, "addr", flow{ext, in1, 58, 0, 0x8000, 1, 2}, flowfile.TypeIn},
		{"icmp to null stays innull", split, "addr", flow{ext, in1, 1, 0, 0x0800, 1, 0}, flowfile.TypeInNull},
		{"int→int icmp split", split, "addr", flow{in1, in2, 1, 0, 0x0800, 2, 3}, flowfile.TypeInt2Int},

		// Null networks by address: null destinations are dropped, a null
		// source is neither internal nor external.
		{"ext→null prefix", cfg, "blackhole", flow{ext, "203.0.113.200", 17, 1, 2, 1, 2}, flowfile.TypeInNull},
		{"int→null prefix", cfg, "blackhole", flow{in1, "203.0.113.200", 17, 1, 2, 2, 3}, flowfile.TypeOutNull},
		{"null source", cfg, "blackhole", flow{"203.0.113.200", ext, 17, 1, 2, 2, 1}, flowfile.TypeOther},
		{"no null interfaces here", cfg, "blackhole", flow{ext, in1, 17, 1, 2, 1, 0}, flowfile.TypeIn},

		// An explicit external list leaves unknown networks: other.
		{"explicit ext→int", cfg, "explicit", flow{ext, in1, 17, 1, 2, 1, 2}, flowfile.TypeIn},
		{"unknown source", cfg, "explicit", flow{ext2, in1, 17, 1, 2, 1, 2}, flowfile.TypeOther},
		{"unknown destination", cfg, "explicit", flow{in1, ext2, 17, 1, 2, 2, 1}, flowfile.TypeOther},
		{"explicit sensor ignores site IPv6", cfg, "explicit", flow{in6, ext, 17, 1, 2, 2, 1}, flowfile.TypeOther},

		// By interface: addresses do not matter. A NATed router exports
		// its outside address 203.0.113.9 as dIP of incoming flows and
		// sIP of outgoing ones.
		{"nat in", cfg, "nat", flow{ext, ext2, 6, 50000, 22, 1, 2}, flowfile.TypeIn},
		{"nat in web", cfg, "nat", flow{ext, ext2, 6, 443, 50000, 1, 2}, flowfile.TypeInWeb},
		{"nat out", cfg, "nat", flow{ext2, ext, 17, 40000, 53, 2, 1}, flowfile.TypeOut},
		{"nat out web", cfg, "nat", flow{ext2, ext, 6, 40000, 443, 5, 1}, flowfile.TypeOutWeb},
		{"nat private dst still in", cfg, "nat", flow{ext, in1, 17, 1, 2, 1, 7}, flowfile.TypeIn},
		{"nat ext→null", cfg, "nat", flow{ext, ext2, 6, 1, 2, 1, 0}, flowfile.TypeInNull},
		{"nat int→null", cfg, "nat", flow{in1, ext, 6, 1, 2, 2, 0}, flowfile.TypeOutNull},
		{"nat int→int", cfg, "nat", flow{ext2, ext, 6, 1, 2, 2, 3}, flowfile.TypeInt2Int},
		{"nat ext→ext", cfg, "nat", flow{in1, in2, 6, 1, 2, 1, 1}, flowfile.TypeExt2Ext},
		{"nat null source", cfg, "nat", flow{ext, in1, 6, 1, 2, 0, 2}, flowfile.TypeOther},
		{"nat IPv6", cfg, "nat", flow{ext6, "2001:db8:9::1", 17, 1, 2, 1, 4}, flowfile.TypeIn},

		// Both interface lists: interfaces in neither are unknown.
		{"both in", cfg, "both", flow{ext, ext2, 17, 1, 2, 1, 3}, flowfile.TypeIn},
		{"both unknown in", cfg, "both", flow{ext, ext2, 17, 1, 2, 9, 3}, flowfile.TypeOther},
		{"both unknown out", cfg, "both", flow{ext, ext2, 17, 1, 2, 2, 9}, flowfile.TypeOther},
		{"both out", cfg, "both", flow{ext, ext2, 17, 1, 2, 3, 1}, flowfile.TypeOut},
	}
	for _, tt := range tests {
		s, ok := tt.cfg.SensorByName(tt.sensor)
		if !ok {
			t.Fatalf("%s: no sensor %q", tt.name, tt.sensor)
		}
		rec := tt.f.record()
		rec.Type = 99
		tt.cfg.Classify(&rec, s)
		if rec.Type != tt.want {
			t.Errorf("%s: %+v → %v, want %v", tt.name, tt.f, rec.Type, tt.want)
		}
	}
}

func TestClassifyBySensorID(t *testing.T) {
	cfg, err := Parse("classify.toml", []byte(classifyConf))
	if err != nil {
		t.Fatal(err)
	}
	// s == nil: the sensor comes from rec.Sensor.
	rec := flow{"198.51.100.7", "203.0.113.9", 6, 1, 2, 1, 2}.record()
	rec.Sensor = 3 // "nat": by interface
	cfg.Classify(&rec, nil)
	if rec.Type != flowfile.TypeIn {
		t.Errorf("sensor 3: %v, want in", rec.Type)
	}
	// An unknown sensor id: by address with the site's networks.
	rec.Sensor = 999
	cfg.Classify(&rec, nil)
	if rec.Type != flowfile.TypeExt2Ext {
		t.Errorf("unknown sensor: %v, want ext2ext", rec.Type)
	}
}

func TestDefaultClassification(t *testing.T) {
	cfg := Default()
	s, ok := cfg.SensorForExporter(netip.MustParseAddr("203.0.113.1"))
	if !ok || s.Name != "S0" || s.ID != 0 {
		t.Fatalf("default sensor for an exporter: %v %v", s, ok)
	}
	tests := []struct {
		f    flow
		want flowfile.FlowType
	}{
		{flow{"192.168.1.10", "8.8.8.8", 17, 40000, 53, 0, 0}, flowfile.TypeOut},
		{flow{"8.8.8.8", "192.168.1.10", 6, 443, 40000, 0, 0}, flowfile.TypeInWeb},
		{flow{"100.64.3.3", "10.0.0.1", 6, 40000, 22, 0, 0}, flowfile.TypeInt2Int},
		{flow{"172.16.0.1", "172.31.255.255", 17, 1, 2, 0, 0}, flowfile.TypeInt2Int},
		{flow{"172.32.0.1", "172.31.255.255", 17, 1, 2, 0, 0}, flowfile.TypeIn},
		{flow{"fd12:3456::1", "2606:4700::1111", 6, 40000, 443, 0, 0}, flowfile.TypeOutWeb},
		{flow{"fe80::1", "ff02::1", 58, 0, 0x8600, 0, 0}, flowfile.TypeOut},
		{flow{"169.254.1.1", "192.168.1.1", 17, 1, 2, 0, 0}, flowfile.TypeInt2Int},
		{flow{"2606:4700::1111", "2001:db8::1", 17, 1, 2, 0, 0}, flowfile.TypeExt2Ext},
	}
	for _, tt := range tests {
		rec := tt.f.record()
		cfg.Classify(&rec, s)
		if rec.Type != tt.want {
			t.Errorf("%+v → %v, want %v", tt.f, rec.Type, tt.want)
		}
	}
}

func TestIsInternal(t *testing.T) {
	cfg, err := Parse("t.toml", []byte(`
internal = ["10.1.0.0/16", "2001:db8:1::/48", "192.0.2.7"]
[[sensors]]
name = "S0"
id = 0
internal = ["172.20.0.0/14"]
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr string
		want bool
	}{
		{"10.1.0.0", true}, {"10.1.255.255", true}, {"10.0.255.255", false}, {"10.2.0.0", false},
		{"192.0.2.7", true}, {"192.0.2.6", false}, {"192.0.2.8", false},
		{"172.20.0.1", true}, {"172.23.255.255", true}, {"172.24.0.0", false}, // the sensor's own
		{"::ffff:10.1.2.3", true}, // IPv4-mapped counts as IPv4
		{"2001:db8:1::", true}, {"2001:db8:1:ffff:ffff:ffff:ffff:ffff", true}, {"2001:db8:2::", false},
		{"2001:db8::ffff", false}, {"::", false}, {"0.0.0.0", false},
	}
	for _, tt := range tests {
		if got := cfg.IsInternal(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("IsInternal(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if cfg.IsInternal(netip.Addr{}) {
		t.Error("the zero address is internal")
	}
}

func TestPrefixSetLarge(t *testing.T) {
	// More prefixes than the linear scan handles: bisection, with merging
	// of adjacent and nested prefixes.
	var ps []netip.Prefix
	for i := 0; i < 200; i += 2 {
		ps = append(ps, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i), 0, 0}), 16))
		ps = append(ps, netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i)}), 40))
	}
	ps = append(ps, netip.MustParsePrefix("10.0.5.0/24"), netip.MustParsePrefix("0.0.0.0/32"),
		netip.MustParsePrefix("255.255.255.255/32"), netip.MustParsePrefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"))
	s := newPrefixSet(ps)
	for i := range 256 {
		a := netip.AddrFrom4([4]byte{10, byte(i), 7, 7})
		want := i%2 == 0 && i < 200
		if got := s.contains(a); got != want {
			t.Errorf("%s: %v, want %v", a, got, want)
		}
		a6 := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i), 0xff, 1})
		if got := s.contains(a6); got != want {
			t.Errorf("%s: %v, want %v", a6, got, want)
		}
	}
	for _, a := range []string{"0.0.0.0", "255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"} {
		if !s.contains(netip.MustParseAddr(a)) {
			t.Errorf("%s not found", a)
		}
	}
	for _, a := range []string{"0.0.0.1", "255.255.255.254", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"} {
		if s.contains(netip.MustParseAddr(a)) {
			t.Errorf("%s found", a)
		}
	}
	// ::/0 and 0.0.0.0/0 cover everything.
	all := newPrefixSet([]netip.Prefix{netip.MustParsePrefix("::/0"), netip.MustParsePrefix("0.0.0.0/0")})
	if !all.contains(netip.MustParseAddr("1.2.3.4")) || !all.contains(netip.MustParseAddr("abcd::1")) {
		t.Error("/0 prefixes do not cover everything")
	}
}
