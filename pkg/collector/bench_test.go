package collector

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/asn"
	"github.com/gflow/gflow/pkg/geo"
	"github.com/gflow/gflow/pkg/netflow"
	"github.com/gflow/gflow/pkg/site"
	"github.com/gflow/gflow/pkg/site/learn"
)

// v9Packets builds NetFlow v9 packets like the shared load generator:
// template 256 with 13 fields (IPv4 addresses, ports, protocol, flags, ToS,
// bytes, packets, first/last switched, interfaces), 38 records per packet,
// the template in the first packet, 30% of destination ports 443.
func v9Packets(n int, exportTime time.Time) [][]byte {
	return v9PacketsHosts(n, exportTime, 0)
}

// v9PacketsHosts is v9Packets with the addresses drawn as the shared load
// generator draws them when hosts > 0: from hosts inside (10/8) and hosts
// outside addresses, one of each per flow, either way round. With hosts 0
// every outside address is new.
func v9PacketsHosts(n int, exportTime time.Time, hosts int) [][]byte {
	fields := [][2]uint16{{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {5, 1}, {1, 4}, {2, 4}, {22, 4}, {21, 4}, {10, 2}, {14, 2}}
	const per = 38
	be := binary.BigEndian
	rng := rand.New(rand.NewPCG(1, 2))
	uptime := uint32(86_400_000)
	inside := make([][4]byte, hosts)
	outside := make([][4]byte, hosts)
	for i := range hosts {
		inside[i] = netip.AddrFrom4([4]byte{10, byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}).As4()
		outside[i] = netip.AddrFrom4([4]byte{byte(1 + rng.IntN(222)), byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))}).As4()
	}
	var out [][]byte
	for p := range n {
		b := make([]byte, 20, 1500)
		be.PutUint16(b[0:], 9)
		be.PutUint32(b[4:], uptime)
		be.PutUint32(b[8:], uint32(exportTime.Unix()))
		be.PutUint32(b[12:], uint32(p))
		be.PutUint32(b[16:], 1)
		count := per
		if p == 0 {
			t := []byte{0, 0, 0, 0, 1, 0, 0, byte(len(fields))}
			for _, f := range fields {
				t = be.AppendUint16(t, f[0])
				t = be.AppendUint16(t, f[1])
			}
			be.PutUint16(t[2:], uint16(len(t)))
			b = append(b, t...)
			count++
		}
		set := []byte{1, 0, 0, 0}
		for range per {
			in := rng.IntN(2) == 0
			local := netip.AddrFrom4([4]byte{10, 0, byte(rng.IntN(20)), byte(rng.IntN(250))}).As4()
			remote := netip.AddrFrom4([4]byte{byte(1 + rng.IntN(200)), byte(rng.IntN(256)), byte(rng.IntN(256)), 1}).As4()
			if hosts > 0 {
				local, remote = inside[rng.IntN(hosts)], outside[rng.IntN(hosts)]
			}
			src, dst := local, remote
			if in {
				src, dst = remote, local
			}
			set = append(set, src[:]...)
			set = append(set, dst[:]...)
			set = be.AppendUint16(set, uint16(1024+rng.IntN(60000)))
			dport := uint16(rng.IntN(1024))
			if rng.IntN(10) < 3 {
				dport = 443
			}
			set = be.AppendUint16(set, dport)
			set = append(set, 6, 0x1b, 0)
			pk := uint32(1 + rng.IntN(100))
			set = be.AppendUint32(set, pk*(40+uint32(rng.IntN(1400))))
			set = be.AppendUint32(set, pk)
			set = be.AppendUint32(set, uptime-uint32(rng.IntN(60_000))-1000)
			set = be.AppendUint32(set, uptime-uint32(rng.IntN(1000)))
			set = be.AppendUint16(set, 1)
			set = be.AppendUint16(set, 2)
		}
		be.PutUint16(set[2:], uint16(len(set)))
		b = append(b, set...)
		be.PutUint16(b[2:], uint16(count))
		out = append(out, b)
	}
	return out
}

// BenchmarkIngest measures the whole path a datagram takes: decode, sensor,
// classify, countries, and the writer goroutine appending to hourly files
// (zstd blocks on disk) — flows per second, CPU time per flow and
// allocations per flow. "random" draws a new outside address for every flow
// (38 000 flows replayed), "hosts5000" draws them as the shared load
// generator does by default (5000 inside and 5000 outside hosts).
// "nolearn" runs hosts5000 with learning off, to see what learning costs;
// the "+as" runs fill the AS numbers too, as gflowcap does by default: the
// difference is what AS enrichment costs per flow. Every run checks flow
// times against gflowcap's default window but "nowindow", which shows what
// that check costs.
func BenchmarkIngest(b *testing.B) {
	b.Run("random", func(b *testing.B) { benchmarkIngest(b, v9Packets(1000, time.Now()), true, false, true) })
	b.Run("random+as", func(b *testing.B) { benchmarkIngest(b, v9Packets(1000, time.Now()), true, true, true) })
	b.Run("hosts5000", func(b *testing.B) { benchmarkIngest(b, v9PacketsHosts(1000, time.Now(), 5000), true, false, true) })
	b.Run("hosts5000+as", func(b *testing.B) { benchmarkIngest(b, v9PacketsHosts(1000, time.Now(), 5000), true, true, true) })
	b.Run("hosts5000-nolearn", func(b *testing.B) { benchmarkIngest(b, v9PacketsHosts(1000, time.Now(), 5000), false, false, true) })
	b.Run("hosts5000-nowindow", func(b *testing.B) { benchmarkIngest(b, v9PacketsHosts(1000, time.Now(), 5000), true, false, false) })
}

func benchmarkIngest(b *testing.B, pkts [][]byte, learning, withAS, window bool) {
	root := b.TempDir()
	cfg := site.Default()
	db, err := geo.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	enr, err := geo.NewEnricher(db, cfg.Internal, nil)
	if err != nil {
		b.Fatal(err)
	}
	e := &Engine{
		Decoder:       netflow.NewDecoder(netflow.DefaultOptions()),
		Site:          cfg,
		Enricher:      enr,
		Sink:          NewSink(SinkConfig{Open: RepoOpener(root, cfg.SensorName, nil)}),
		FlushInterval: time.Second,
	}
	if window {
		e.Window = DefaultTimeWindow // gflowcap's default
	}
	if learning {
		e.Learner = learn.New(cfg, nil, learn.Options{InsideView: true})
	}
	if withAS {
		if e.ASN, err = asn.Builtin(); err != nil {
			b.Fatal(err)
		}
	}
	e.Start()
	w := e.NewWorker()
	from := netip.MustParseAddrPort("127.0.0.1:40000")
	// Warm up: templates, files, batch buffers.
	for _, p := range pkts {
		w.Packet(p, from)
	}
	w.Send()
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := cpuTime()
	b.ResetTimer()
	flows := 0
	for i := 0; b.Loop(); i++ {
		p := pkts[1+i%(len(pkts)-1)]
		w.Packet(p, from)
		flows += 38
	}
	w.Done()
	e.Close()
	b.StopTimer()
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(flows)/b.Elapsed().Seconds(), "flows/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(flows), "cpu-ns/flow")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(flows), "allocs/flow")
	if got := e.Stats.Totals().Written; got != uint64(flows+38*len(pkts)) {
		b.Fatalf("%d records written, %d sent", got, flows+38*len(pkts))
	}
}
