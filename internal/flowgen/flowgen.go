// Package flowgen generates reproducible synthetic flows for tests and
// benchmarks. The same seed and options give the same flows on every
// machine and Go version (math/rand's seeded source is stable).
//
// The flows have the shape of a small site's border traffic: hosts drawn
// from Zipf distributions (a few talk a lot), common service ports with
// ephemeral client ports, heavy-tailed packet and byte counts, start times
// in order, an IPv4/IPv6 mix, SiLK twoway flow types that agree with the
// ports and directions, interfaces, next hops, AS numbers and country
// codes fixed per host.
package flowgen

import (
	"math"
	"math/rand"
	"net/netip"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Options shape the flows. Zero fields take the defaults noted.
type Options struct {
	Hosts         int       // external hosts (default 50000)
	InternalHosts int       // internal hosts (default Hosts/20, at least 16)
	IPv6          float64   // fraction of IPv6 flows (default 0.15)
	NoIPv6        bool      // only IPv4 flows
	Start         time.Time // first start time (default 2015-10-09T00:00:00Z)
	PerHour       int       // flows per hour, which spaces the start times (default 10 M)
	Sensors       int       // sensors with ids 0..Sensors-1 (default 1)
	// AS fills SrcAS and DstAS. Off by default, like the NetFlow v9
	// template of the benchmark loads (../shared/docs/BENCH.md) and
	// routers that run no BGP.
	AS bool
}

// DefaultStart is the start time when Options.Start is zero: the day of
// the SiLK sample repository in ../shared/fixtures.
var DefaultStart = time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC)

type host struct {
	v4, v6 netip.Addr
	cc     flowfile.Country
	as     uint32
}

// Generator produces flows. It is not safe for concurrent use.
type Generator struct {
	rng      *rand.Rand
	ext, int []host
	extZipf  *rand.Zipf
	intZipf  *rand.Zipf
	ipv6     float64
	sensors  int
	as       bool
	start    int64   // ms
	now      float64 // ms after start
	meanGap  float64 // ms between flow starts
	nh4in    netip.Addr
	nh4out   netip.Addr
	nh6in    netip.Addr
	nh6out   netip.Addr
}

// countries with weights roughly like a European site's peers.
var countries = []struct {
	cc string
	w  int
}{
	{"us", 30}, {"de", 9}, {"ch", 8}, {"cn", 6}, {"gb", 5}, {"fr", 5}, {"nl", 5},
	{"ie", 3}, {"jp", 3}, {"ru", 3}, {"br", 2}, {"in", 2}, {"ca", 2}, {"kr", 2},
	{"se", 2}, {"it", 2}, {"es", 2}, {"pl", 1}, {"sg", 1}, {"au", 1}, {"at", 1},
	{"fi", 1}, {"za", 1}, {"ar", 1}, {"ua", 1}, {"--", 2},
}

// New returns a generator seeded with seed.
func New(seed int64, opts Options) *Generator {
	if opts.Hosts <= 0 {
		opts.Hosts = 50000
	}
	if opts.InternalHosts <= 0 {
		opts.InternalHosts = max(16, opts.Hosts/20)
	}
	if opts.IPv6 == 0 {
		opts.IPv6 = 0.15
	}
	if opts.NoIPv6 {
		opts.IPv6 = 0
	}
	if opts.Start.IsZero() {
		opts.Start = DefaultStart
	}
	if opts.PerHour <= 0 {
		opts.PerHour = 10_000_000
	}
	if opts.Sensors <= 0 {
		opts.Sensors = 1
	}
	rng := rand.New(rand.NewSource(seed))
	g := &Generator{
		rng:     rng,
		ipv6:    opts.IPv6,
		sensors: opts.Sensors,
		as:      opts.AS,
		start:   opts.Start.UnixMilli(),
		meanGap: float64(time.Hour/time.Millisecond) / float64(opts.PerHour),
		nh4in:   netip.AddrFrom4([4]byte{10, 0, 0, 1}),
		nh4out:  netip.AddrFrom4([4]byte{203, 0, 113, 1}),
		nh6in:   netip.MustParseAddr("fd00:1::1"),
		nh6out:  netip.MustParseAddr("2001:db8:ffff::1"),
	}
	total := 0
	for _, c := range countries {
		total += c.w
	}
	// External hosts live in announced networks, each an IPv4 /16 and an
	// IPv6 /32 with one country and one AS. A Zipf draw spreads hosts over
	// networks, as big cloud and content networks hold most busy hosts.
	type network struct {
		v4 [2]byte
		v6 [4]byte
		cc flowfile.Country
		as uint32
	}
	nets := make([]network, max(20, opts.Hosts/25))
	for i := range nets {
		n := &nets[i]
		for {
			n.v4 = [2]byte{byte(rng.Intn(224)), byte(rng.Intn(256))}
			if publicV4([4]byte{n.v4[0], n.v4[1]}) {
				break
			}
		}
		n.v6 = [4]byte{0x2a, byte(rng.Intn(16)), byte(rng.Intn(256)), byte(rng.Intn(256))}
		if rng.Intn(3) == 0 {
			n.v6[0], n.v6[1] = 0x26, byte(rng.Intn(16))
		}
		w := rng.Intn(total)
		for _, c := range countries {
			if w -= c.w; w < 0 {
				n.cc = flowfile.MakeCountry(c.cc)
				break
			}
		}
		n.as = uint32(1000 + rng.Intn(64000))
	}
	netZipf := rand.NewZipf(rng, 1.05, 1, uint64(len(nets)-1))
	g.ext = make([]host, opts.Hosts)
	for i := range g.ext {
		h := &g.ext[i]
		n := &nets[netZipf.Uint64()]
		h.v4 = netip.AddrFrom4([4]byte{n.v4[0], n.v4[1], byte(rng.Intn(256)), byte(rng.Intn(256))})
		var b6 [16]byte
		copy(b6[:4], n.v6[:])
		b6[4], b6[5] = byte(rng.Intn(256)), byte(rng.Intn(256)) // the site's /48
		if rng.Intn(2) == 0 {
			b6[15] = byte(1 + rng.Intn(255)) // a server's short interface id
		} else {
			rng.Read(b6[8:]) // a client's random interface id
		}
		h.v6 = netip.AddrFrom16(b6)
		h.cc, h.as = n.cc, n.as
	}
	g.int = make([]host, opts.InternalHosts)
	for i := range g.int {
		h := &g.int[i]
		n := i + 10
		h.v4 = netip.AddrFrom4([4]byte{10, byte(n >> 16), byte(n >> 8), byte(n)})
		h.v6 = netip.AddrFrom16([16]byte{0: 0xfd, 1: 0x00, 3: 1, 13: byte(n >> 16), 14: byte(n >> 8), 15: byte(n)})
		h.cc = flowfile.NoCountry
	}
	g.extZipf = rand.NewZipf(rng, 1.1, 2, uint64(len(g.ext)-1))
	g.intZipf = rand.NewZipf(rng, 1.2, 1, uint64(len(g.int)-1))
	return g
}

func publicV4(b [4]byte) bool {
	switch b[0] {
	case 0, 10, 100, 127, 169, 172, 192, 198, 203:
		return false
	}
	return b[0] < 224
}

// Fill overwrites every record of recs with the next flows. It does not
// allocate.
func (g *Generator) Fill(recs []flowfile.Record) {
	for i := range recs {
		g.Next(&recs[i])
	}
}

type svc struct {
	port uint16
	w    float64 // cumulative probability
}

// Service ports by protocol, cumulative weights; the rest are uncommon ports.
var (
	tcpServices = cumulative([]svc{{443, .46}, {80, .18}, {22, .04}, {25, .03}, {993, .03},
		{8080, .02}, {8443, .02}, {3389, .01}, {445, .01}, {53, .01}, {587, .01}, {5222, .01}})
	udpServices = cumulative([]svc{{53, .45}, {443, .25}, {123, .08}, {4500, .03}, {500, .02},
		{1900, .01}, {5353, .02}, {3478, .02}})
)

func cumulative(s []svc) []svc {
	sum := 0.0
	for i := range s {
		sum += s[i].w
		s[i].w = sum
	}
	return s
}

func (g *Generator) service(list []svc) uint16 {
	u := g.rng.Float64()
	for _, s := range list {
		if u < s.w {
			return s.port
		}
	}
	return uint16(1024 + g.rng.Intn(9000))
}

func (g *Generator) ephemeral() uint16 {
	if g.rng.Intn(2) == 0 {
		return uint16(32768 + g.rng.Intn(28232)) // Linux
	}
	return uint16(49152 + g.rng.Intn(16384)) // Windows, BSD
}

// pareto returns a heavy-tailed value >= 1 with tail index alpha.
func (g *Generator) pareto(alpha float64) float64 {
	return math.Pow(1-g.rng.Float64(), -1/alpha)
}

// Next overwrites r with the next flow.
func (g *Generator) Next(r *flowfile.Record) {
	rng := g.rng
	*r = flowfile.Record{}
	g.now += rng.ExpFloat64() * g.meanGap
	r.STime = g.start + int64(g.now)
	v6 := rng.Float64() < g.ipv6

	// Roles: which side is internal, who is the client, which way the
	// packets of this flow go.
	ext := &g.ext[g.extZipf.Uint64()]
	in := &g.int[g.intZipf.Uint64()]
	var src, dst *host
	u := rng.Float64()
	srcInternal, dstInternal := false, false
	clientInternal := rng.Float64() < 0.85
	request := rng.Intn(2) == 0
	switch {
	case u < 0.03: // int2int
		src, dst = in, &g.int[g.intZipf.Uint64()]
		srcInternal, dstInternal = true, true
	case u < 0.035: // ext2ext, transit
		src, dst = ext, &g.ext[g.extZipf.Uint64()]
	case clientInternal == request:
		src, dst = in, ext
		srcInternal = true
	default:
		src, dst = ext, in
		dstInternal = true
	}
	if v6 {
		r.SIP, r.DIP = src.v6, dst.v6
	} else {
		r.SIP, r.DIP = src.v4, dst.v4
	}
	r.SCC, r.DCC = src.cc, dst.cc
	if g.as {
		r.SrcAS, r.DstAS = src.as, dst.as
	}

	// Protocol and ports.
	p := rng.Float64()
	var service uint16
	switch {
	case p < 0.78:
		r.Proto = 6
		service = g.service(tcpServices)
	case p < 0.95:
		r.Proto = 17
		service = g.service(udpServices)
	case p < 0.99:
		r.Proto = 1
		if v6 {
			r.Proto = 58
		}
	default:
		r.Proto = 47
		if rng.Intn(2) == 0 {
			r.Proto = 50
		}
	}
	if r.Proto == 6 || r.Proto == 17 {
		if request {
			r.SPort, r.DPort = g.ephemeral(), service
		} else {
			r.SPort, r.DPort = service, g.ephemeral()
		}
	}

	// Packets, bytes, duration, flags.
	switch r.Proto {
	case 6:
		if rng.Float64() < 0.06 { // scans and lone resets
			r.Packets = 1
			switch f := rng.Float64(); {
			case f < 0.6:
				r.Flags = flowfile.FlagSYN
			case f < 0.8:
				r.Flags = flowfile.FlagRST
			default:
				r.Flags = flowfile.FlagACK
			}
		} else {
			r.Packets = 1 + uint64(4*(g.pareto(1.3)-1))
			switch f := rng.Float64(); {
			case f < 0.75:
				r.Flags = flowfile.FlagFIN | flowfile.FlagSYN | flowfile.FlagPSH | flowfile.FlagACK
			case f < 0.85:
				r.Flags = flowfile.FlagSYN | flowfile.FlagPSH | flowfile.FlagACK
			case f < 0.95:
				r.Flags = flowfile.FlagFIN | flowfile.FlagSYN | flowfile.FlagRST | flowfile.FlagPSH | flowfile.FlagACK
			default:
				r.Flags = flowfile.FlagSYN | flowfile.FlagACK
			}
			if r.Packets < 3 {
				r.Flags = flowfile.FlagSYN | flowfile.FlagACK
			}
		}
	case 17:
		if service == 53 || service == 123 {
			r.Packets = 1 + uint64(rng.Intn(2))
		} else {
			r.Packets = 1 + uint64(3*(g.pareto(1.2)-1))
		}
	case 1, 58:
		r.Packets = 1 + uint64(rng.Intn(4))
		typ := [...]uint16{8 << 8, 0, 3<<8 | 3, 3<<8 | 1, 11 << 8}[rng.Intn(5)]
		if r.Proto == 58 {
			typ = [...]uint16{128 << 8, 129 << 8, 1<<8 | 4, 3 << 8, 135 << 8}[rng.Intn(5)]
		}
		r.DPort = typ
	default:
		r.Packets = 1 + uint64(8*(g.pareto(1.2)-1))
	}
	r.Packets = min(r.Packets, 50_000_000)
	var perPacket uint64
	switch {
	case r.Proto == 1 || r.Proto == 58:
		perPacket = 84
	case r.Packets == 1:
		perPacket = 40 + uint64(rng.Intn(40))
	case request:
		perPacket = 52 + uint64(rng.Intn(180))
	default:
		perPacket = 200 + uint64(rng.Intn(1300))
	}
	r.Bytes = r.Packets*perPacket + uint64(rng.Intn(int(perPacket)))
	if v6 {
		r.Bytes += r.Packets * 20
	}
	if r.Packets > 1 {
		d := math.Exp(math.Log(float64(r.Packets)*40) + 1.5*rng.NormFloat64())
		if d >= 1_800_000 { // the exporter's active timeout
			d = 1_800_000
			r.Attributes |= flowfile.AttrTimeoutKilled
		}
		r.ETime = r.STime + int64(d)
	} else {
		r.ETime = r.STime
	}
	if r.Packets > 1 && r.Bytes == r.Packets*perPacket {
		r.Attributes |= flowfile.AttrUniformSize
	}
	if rng.Intn(20) == 0 {
		r.TOS = [...]uint8{0x10, 0x28, 0xb8}[rng.Intn(3)]
	}

	// Interfaces, next hop and the SiLK twoway type.
	switch {
	case srcInternal && dstInternal:
		r.In, r.Out = 2+uint32(rng.Intn(3)), 2+uint32(rng.Intn(3))
		r.Type = flowfile.TypeInt2Int
	case srcInternal:
		r.In, r.Out = 2+uint32(rng.Intn(3)), 1
		r.NhIP = g.nh4out
		if v6 {
			r.NhIP = g.nh6out
		}
		r.Type = flowfile.TypeOut
	case dstInternal:
		r.In, r.Out = 1, 2+uint32(rng.Intn(3))
		r.NhIP = g.nh4in
		if v6 {
			r.NhIP = g.nh6in
		}
		r.Type = flowfile.TypeIn
	default:
		r.In, r.Out = 1, 1
		r.Type = flowfile.TypeExt2Ext
	}
	if r.Type == flowfile.TypeIn || r.Type == flowfile.TypeOut {
		web := r.Proto == 6 && (isWeb(r.SPort) || isWeb(r.DPort))
		icmp := r.Proto == 1 || r.Proto == 58
		switch {
		case web && r.Type == flowfile.TypeIn:
			r.Type = flowfile.TypeInWeb
		case web:
			r.Type = flowfile.TypeOutWeb
		case icmp && r.Type == flowfile.TypeIn:
			r.Type = flowfile.TypeInICMP
		case icmp:
			r.Type = flowfile.TypeOutICMP
		}
	}
	if g.sensors > 1 {
		r.Sensor = uint16(rng.Intn(g.sensors))
	}
}

func isWeb(p uint16) bool { return p == 80 || p == 443 || p == 8080 }
