// Package demo makes the traffic of the quick-start demo: an hour of flows of
// a small site (a home or a small office) talking to the world, with a
// realistic skew of countries, services and volumes, and exports it as real
// NetFlow v9 and IPFIX packets.
//
// The external addresses are drawn from the networks that the country
// database itself places in each country, so the map the demo draws shows
// each bubble where the traffic really goes.
package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"slices"
	"sort"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// CountryWeights is the share of external hosts per country for the demo
// site: a European household or small office (many CDNs in the US and in
// neighbouring countries, a long tail elsewhere).
var CountryWeights = []struct {
	Code   string
	Weight float64
}{
	{"US", 30}, {"CH", 14}, {"DE", 11}, {"NL", 7}, {"IE", 6}, {"GB", 5}, {"FR", 5},
	{"SE", 2.5}, {"JP", 2}, {"CA", 2}, {"IT", 1.8}, {"AT", 1.5}, {"ES", 1.2},
	{"SG", 1.2}, {"HK", 1}, {"AU", 1}, {"BR", 0.8}, {"IN", 0.8}, {"PL", 0.7},
	{"FI", 0.6}, {"BE", 0.6}, {"CZ", 0.5}, {"KR", 0.5}, {"RU", 0.5}, {"CN", 0.5},
	{"ZA", 0.3}, {"AR", 0.3}, {"MX", 0.3}, {"TR", 0.3}, {"IL", 0.25}, {"NO", 0.25},
	{"DK", 0.25}, {"PT", 0.2}, {"GR", 0.2}, {"RO", 0.2}, {"UA", 0.2}, {"TW", 0.2},
	{"NZ", 0.15}, {"EG", 0.1}, {"KE", 0.1}, {"NG", 0.1}, {"VN", 0.1}, {"ID", 0.1},
	{"CL", 0.1}, {"IS", 0.05}, {"LU", 0.1}, {"MT", 0.05}, {"XK", 0.03},
}

// Addresses draws public addresses per country, as the country database
// places them.
type Addresses struct {
	codes  []string
	cum    []float64 // cumulative weights over codes
	v4, v6 map[string][]netip.Prefix
	lookup func(netip.Addr) flowfile.Country
}

// rirBlocks6 are the IPv6 blocks the regional registries allocate from.
var rirBlocks6 = []netip.Prefix{
	netip.MustParsePrefix("2001::/16"), netip.MustParsePrefix("2400::/12"),
	netip.MustParsePrefix("2600::/12"), netip.MustParsePrefix("2800::/12"),
	netip.MustParsePrefix("2a00::/12"), netip.MustParsePrefix("2c00::/12"),
}

// NewAddresses samples the address space through lookup (a country
// database) and keeps, for each country of CountryWeights, /24s and /48s
// that the database places there. It is deterministic for a given seed and
// database.
func NewAddresses(lookup func(netip.Addr) flowfile.Country, seed uint64) (*Addresses, error) {
	a := &Addresses{v4: map[string][]netip.Prefix{}, v6: map[string][]netip.Prefix{}, lookup: lookup}
	want := map[flowfile.Country]string{}
	for _, cw := range CountryWeights {
		want[flowfile.MakeCountry(cw.Code)] = cw.Code
	}
	const perCountry = 400
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	for range 1 << 21 {
		b := [4]byte{byte(1 + r.IntN(223)), byte(r.IntN(256)), byte(r.IntN(256)), 1}
		addr := netip.AddrFrom4(b)
		if !publicUnicast(addr) {
			continue
		}
		if c, ok := want[lookup(addr)]; ok && len(a.v4[c]) < perCountry {
			a.v4[c] = append(a.v4[c], netip.PrefixFrom(addr, 24).Masked())
		}
	}
	for range 1 << 19 {
		p := rirBlocks6[r.IntN(len(rirBlocks6))]
		addr := randomIn(r, netip.PrefixFrom(p.Addr(), p.Bits()))
		b := addr.As16()
		for i := 6; i < 16; i++ {
			b[i] = 0
		}
		b[15] = 1
		addr = netip.AddrFrom16(b)
		if c, ok := want[lookup(addr)]; ok && len(a.v6[c]) < perCountry {
			a.v6[c] = append(a.v6[c], netip.PrefixFrom(addr, 48).Masked())
		}
	}
	total := 0.0
	for _, cw := range CountryWeights {
		if len(a.v4[cw.Code]) == 0 {
			continue // not found in this database: leave it out rather than mislabel it
		}
		total += cw.Weight
		a.codes = append(a.codes, cw.Code)
		a.cum = append(a.cum, total)
	}
	if len(a.codes) < 10 {
		return nil, fmt.Errorf("the country database places addresses in only %d of the demo's %d countries", len(a.codes), len(CountryWeights))
	}
	return a, nil
}

// Countries returns the countries that addresses are drawn from, most weighted first.
func (a *Addresses) Countries() []string { return slices.Clone(a.codes) }

// Draw picks a country by weight, then an address in one of its networks.
// With v6 set it draws an IPv6 address when the country has IPv6 networks.
func (a *Addresses) Draw(r *rand.Rand, v6 bool) (netip.Addr, string) {
	x := r.Float64() * a.cum[len(a.cum)-1]
	i := sort.SearchFloat64s(a.cum, x)
	if i >= len(a.codes) {
		i = len(a.codes) - 1
	}
	c := a.codes[i]
	nets := a.v4[c]
	if v6 && len(a.v6[c]) > 0 {
		nets = a.v6[c]
	}
	p := nets[r.IntN(len(nets))]
	// A database range can be smaller than the sampled /24 or /48: draw
	// again inside it until the address is in the country, else use the
	// sampled address itself, which is.
	want := flowfile.MakeCountry(c)
	for range 8 {
		if addr := randomIn(r, p); a.lookup(addr) == want {
			return addr, c
		}
	}
	return sampled(p), c
}

// sampled is the address NewAddresses looked up for p.
func sampled(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	b[len(b)-1] = 1
	a, _ := netip.AddrFromSlice(b)
	return a
}

func randomIn(r *rand.Rand, p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	bits := p.Bits()
	for i := range b {
		if i*8 >= bits {
			b[i] = byte(r.IntN(256))
		} else if i*8+8 > bits {
			keep := byte(0xff << (8 - (bits - i*8)))
			b[i] = b[i]&keep | byte(r.IntN(256))&^keep
		}
	}
	if len(b) == 4 && (b[3] == 0 || b[3] == 255) {
		b[3] = byte(1 + r.IntN(254))
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func publicUnicast(a netip.Addr) bool {
	return a.IsGlobalUnicast() && !a.IsPrivate()
}

// Site is the demo site: the networks the collector's site configuration calls internal.
type Site struct {
	V4 netip.Prefix // e.g. 192.168.1.0/24
	V6 netip.Prefix // e.g. 2001:470:abcd::/48
}

// DefaultSite is a home network with a private IPv4 /24 and an IPv6 /48
// from a tunnel broker.
var DefaultSite = Site{
	V4: netip.MustParsePrefix("192.168.1.0/24"),
	V6: netip.MustParsePrefix("2001:470:7a5e::/48"),
}

// A service the site's hosts use: protocol, server port, its share of
// conversations, and the typical download size.
type service struct {
	proto  uint8
	port   uint16
	weight float64
	median float64 // median bytes from server to client
	sigma  float64 // spread of the log-normal volume
}

var services = []service{
	{6, 443, 55, 60e3, 2.0},   // HTTPS
	{17, 443, 12, 400e3, 1.8}, // QUIC (video)
	{6, 80, 6, 20e3, 2.0},
	{17, 53, 10, 180, 0.4}, // DNS
	{6, 993, 3, 30e3, 1.5}, // IMAPS
	{6, 22, 2, 100e3, 2.0},
	{17, 123, 2, 90, 0.1}, // NTP
	{6, 8080, 1, 50e3, 2},
	{6, 25, 1, 15e3, 1},
	{17, 51820, 2, 1e6, 1.5}, // WireGuard
	{1, 0, 2, 300, 0.5},      // ping
	{58, 0, 1, 300, 0.5},
}

// Options shape the demo traffic.
type Options struct {
	Seed          uint64
	Hour          time.Time // start of the hour the flows fall in (UTC)
	Conversations int       // each becomes two flows (one per direction)
	IPv6Share     float64   // share of conversations over IPv6
	Hosts         int       // internal hosts
	// NAT, if set, is the router's translation: scans of the site go to
	// its outside address (and reach a new one a minute after a change).
	NAT *NAT
}

// Generate returns the flows of one hour, ordered by start time. Every
// conversation gives an outgoing and an incoming flow; a few inbound scans of
// the site add incoming-only flows.
func Generate(a *Addresses, site Site, o Options) []flowfile.Record {
	if o.Hosts <= 0 {
		o.Hosts = 24
	}
	r := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	hour := o.Hour.UTC().Truncate(time.Hour)
	svcCum := make([]float64, len(services))
	t := 0.0
	for i, s := range services {
		t += s.weight
		svcCum[i] = t
	}
	hostZipf := rand.NewZipf(rand.New(rand.NewPCG(o.Seed+1, 7)), 1.3, 2, uint64(o.Hosts-1))
	// A handful of popular servers get most of the conversations, as CDNs do.
	type server struct {
		addr [2]netip.Addr
	}
	servers := make([]server, 400)
	for i := range servers {
		v4, _ := a.Draw(r, false)
		v6, _ := a.Draw(r, true)
		servers[i] = server{[2]netip.Addr{v4, v6}}
	}
	srvZipf := rand.NewZipf(rand.New(rand.NewPCG(o.Seed+2, 11)), 1.15, 4, uint64(len(servers)-1))

	out := make([]flowfile.Record, 0, 2*o.Conversations+o.Conversations/20)
	for range o.Conversations {
		s := services[sort.SearchFloat64s(svcCum, r.Float64()*t)]
		v6 := r.Float64() < o.IPv6Share
		fam := 0
		if v6 && s.proto != 1 {
			fam = 1
		}
		if s.proto == 58 {
			fam = 1
		}
		h := int(hostZipf.Uint64())
		local := hostAddr(site, h, fam == 1)
		remote := servers[srvZipf.Uint64()].addr[fam]
		if remote.Is4() != (fam == 0) { // country without IPv6 networks
			local = hostAddr(site, h, false)
		}
		start := hour.Add(time.Duration(r.Int64N(int64(time.Hour - 2*time.Minute))))
		// Log-normal volumes, capped at 1 GB: a long tail without absurd outliers.
		down := math.Min(1e9, math.Max(40, math.Exp(math.Log(s.median)+s.sigma*r.NormFloat64())))
		dur := time.Duration(math.Min(float64(110*time.Second), float64(time.Duration(50+r.IntN(2000))*time.Millisecond)*math.Max(1, math.Log10(down))))
		clientPort := uint16(32768 + r.IntN(28000))
		inRec, outRec := conversation(s, local, remote, clientPort, down, start, dur, r)
		out = append(out, outRec, inRec)
	}
	// Background noise: scans of the site's public address from anywhere.
	for range o.Conversations / 20 {
		src, _ := a.Draw(r, false)
		start := hour.Add(time.Duration(r.Int64N(int64(time.Hour - time.Minute))))
		port := []uint16{22, 23, 445, 3389, 8080, 443}[r.IntN(6)]
		dst := hostAddr(site, 1, false)
		if o.NAT != nil {
			for o.NAT.changedWithin(start.UnixMilli(), time.Minute) {
				start = start.Add(time.Minute)
			}
			dst = o.NAT.OutsideAt(start.UnixMilli())
		}
		out = append(out, flowfile.Record{
			SIP: src, DIP: dst, SPort: uint16(40000 + r.IntN(20000)), DPort: port,
			Proto: 6, Packets: 1, Bytes: 44 + uint64(r.IntN(20)), Flags: flowfile.FlagSYN, InitFlags: flowfile.FlagSYN,
			STime: start.UnixMilli(), ETime: start.UnixMilli(), In: 1, Out: 2,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].STime < out[j].STime })
	return out
}

func hostAddr(site Site, h int, v6 bool) netip.Addr {
	if v6 {
		b := site.V6.Addr().As16()
		b[7] = 1 // subnet :1
		b[14], b[15] = byte((h+2)>>8), byte(h+2)
		return netip.AddrFrom16(b)
	}
	b := site.V4.Addr().As4()
	b[3] = byte(10 + h%240)
	return netip.AddrFrom4(b)
}

// conversation returns the inbound (server → client) and outbound flows of one exchange.
func conversation(s service, local, remote netip.Addr, clientPort uint16, down float64, start time.Time, dur time.Duration, r *rand.Rand) (in, out flowfile.Record) {
	mtu := 1400.0
	if s.proto == 17 && s.port == 53 || s.port == 123 {
		mtu = down
	}
	inPk := uint64(math.Max(1, math.Ceil(down/mtu)))
	inBy := uint64(down)
	outPk := uint64(math.Max(1, float64(inPk)/2+float64(r.IntN(3))))
	outBy := outPk*52 + uint64(r.IntN(400))
	st := start.UnixMilli()
	et := start.Add(dur).UnixMilli()
	if inPk == 1 && outPk == 1 {
		et = st + int64(r.IntN(40))
	}
	out = flowfile.Record{SIP: local, DIP: remote, SPort: clientPort, DPort: s.port, Proto: s.proto,
		Packets: outPk, Bytes: outBy, STime: st, ETime: et, In: 2, Out: 1}
	in = flowfile.Record{SIP: remote, DIP: local, SPort: s.port, DPort: clientPort, Proto: s.proto,
		Packets: inPk, Bytes: inBy, STime: st + 15, ETime: et + 15, In: 1, Out: 2}
	switch s.proto {
	case 6:
		out.Flags = flowfile.FlagSYN | flowfile.FlagACK | flowfile.FlagPSH | flowfile.FlagFIN
		in.Flags = flowfile.FlagSYN | flowfile.FlagACK | flowfile.FlagPSH | flowfile.FlagFIN
		out.InitFlags, in.InitFlags = flowfile.FlagSYN, flowfile.FlagSYN|flowfile.FlagACK
		out.SessionFlags = out.Flags &^ flowfile.FlagSYN
		in.SessionFlags = in.Flags &^ flowfile.FlagSYN
	case 1, 58:
		req, rep := uint8(8), uint8(0)
		if s.proto == 58 {
			req, rep = 128, 129
		}
		out.SetICMP(req, 0)
		in.SetICMP(rep, 0)
		out.Bytes, in.Bytes = outPk*84, outPk*84
		in.Packets = out.Packets
	}
	if in.ETime < in.STime {
		in.ETime = in.STime
	}
	return in, out
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }
