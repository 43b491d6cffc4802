package site

import (
	"net/netip"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// benchFlows is a mix of directions, protocols and both address families,
// as a collector sees them.
func benchFlows(b *testing.B) []flowfile.Record {
	b.Helper()
	fs := []flow{
		{"198.51.100.7", "10.1.0.5", 6, 443, 50000, 1, 2},
		{"10.1.0.5", "198.51.100.7", 6, 50000, 443, 2, 1},
		{"10.1.0.5", "203.0.113.9", 17, 40000, 53, 2, 1},
		{"203.0.113.9", "10.1.0.5", 17, 53, 40000, 1, 2},
		{"10.1.0.5", "10.1.3.4", 6, 50000, 22, 2, 3},
		{"198.51.100.7", "203.0.113.9", 1, 0, 0x0800, 1, 0},
		{"2001:db8:2::1", "2001:db8:1::5", 6, 443, 50000, 1, 2},
		{"2001:db8:1::5", "2606:4700::1111", 17, 40000, 443, 2, 1},
	}
	recs := make([]flowfile.Record, 1024)
	for i := range recs {
		recs[i] = fs[i%len(fs)].record()
	}
	return recs
}

func benchConfig(b *testing.B) *Config {
	b.Helper()
	cfg, err := Parse("bench.toml", []byte(classifyConf))
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

func BenchmarkClassify(b *testing.B) {
	for _, name := range []string{"addr", "nat"} {
		b.Run(name, func(b *testing.B) {
			cfg := benchConfig(b)
			s, _ := cfg.SensorByName(name)
			recs := benchFlows(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := &recs[i%len(recs)]
				cfg.Classify(r, s)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
		})
	}
}

func BenchmarkIsInternal(b *testing.B) {
	cfg := Default()
	addrs := []netip.Addr{
		netip.MustParseAddr("192.168.1.10"), netip.MustParseAddr("8.8.8.8"),
		netip.MustParseAddr("100.64.1.1"), netip.MustParseAddr("fd00::1"),
		netip.MustParseAddr("2606:4700::1111"), netip.MustParseAddr("172.20.0.1"),
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		if cfg.IsInternal(addrs[i%len(addrs)]) {
			n++
		}
	}
	if n == 0 {
		b.Fatal("nothing internal")
	}
}

func TestClassifyDoesNotAllocate(t *testing.T) {
	cfg, err := Parse("t.toml", []byte(classifyConf))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := cfg.SensorByName("addr")
	rec := flow{"2001:db8:2::1", "2001:db8:1::5", 6, 443, 50000, 1, 2}.record()
	if n := testing.AllocsPerRun(100, func() {
		cfg.Classify(&rec, s)
		_ = cfg.IsInternal(rec.SIP)
	}); n != 0 {
		t.Errorf("%v allocations per flow", n)
	}
}
