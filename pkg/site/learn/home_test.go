package learn

import (
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// home makes the flows a home router exports: inside hosts on a private
// /24 and an IPv6 /64 of a tunnel broker's /48 open connections to servers
// all over the world; the router NATs IPv4 to its outside address.
type home struct {
	r        *rand.Rand
	outside  netip.Addr
	v6Subnet [8]byte // the LAN /64
	noIfs    bool    // the exporter sends interface index 0
	postNAT  bool    // IPFIX with post-NAT fields, reduced to the inside view
	t        time.Time
	v6Share  float64
}

func newHome(seed uint64) *home {
	return &home{
		r:        rand.New(rand.NewPCG(seed, 7)),
		outside:  netip.MustParseAddr("203.0.113.5"),
		v6Subnet: [8]byte{0x20, 0x01, 0x04, 0x70, 0x7a, 0x5e, 0, 1},
		t:        time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC),
		v6Share:  0.4,
	}
}

func (h *home) inside4() netip.Addr {
	return netip.AddrFrom4([4]byte{192, 168, 88, byte(10 + h.r.IntN(20))})
}

func (h *home) inside6() netip.Addr {
	var b [16]byte
	copy(b[:8], h.v6Subnet[:])
	b[15] = byte(2 + h.r.IntN(20))
	return netip.AddrFrom16(b)
}

func (h *home) remote4() netip.Addr {
	for {
		a := netip.AddrFrom4([4]byte{byte(1 + h.r.IntN(222)), byte(h.r.IntN(256)), byte(h.r.IntN(256)), byte(1 + h.r.IntN(254))})
		if !a.IsPrivate() && a.IsGlobalUnicast() && !netip.MustParsePrefix("100.64.0.0/10").Contains(a) {
			return a
		}
	}
}

func (h *home) remote6() netip.Addr {
	var b [16]byte
	b[0], b[1] = 0x2a, byte(h.r.IntN(16))
	for i := 2; i < 16; i++ {
		b[i] = byte(h.r.IntN(256))
	}
	return netip.AddrFrom16(b)
}

// conversation returns an outbound flow and its reply, one second later
// than the previous conversation.
func (h *home) conversation() (out, in flowfile.Record) {
	h.t = h.t.Add(time.Second)
	v6 := h.r.Float64() < h.v6Share
	local, remote := h.inside4(), h.remote4()
	if v6 {
		local, remote = h.inside6(), h.remote6()
	}
	port := uint16(32768 + h.r.IntN(28000))
	svc := []uint16{443, 443, 80, 53, 993}[h.r.IntN(5)]
	proto := uint8(6)
	if svc == 53 {
		proto = 17
	}
	st := h.t.UnixMilli()
	out = flowfile.Record{SIP: local, DIP: remote, SPort: port, DPort: svc, Proto: proto,
		Packets: 5, Bytes: 400, STime: st, ETime: st + 800, In: 2, Out: 1}
	in = flowfile.Record{SIP: remote, DIP: local, SPort: svc, DPort: port, Proto: proto,
		Packets: 8, Bytes: 9000, STime: st + 20, ETime: st + 820, In: 1, Out: 2}
	if !v6 {
		switch {
		case h.postNAT:
			out.NhIP, in.NhIP = h.outside, h.outside
		default:
			in.DIP = h.outside
		}
	}
	if h.noIfs {
		out.In, out.Out, in.In, in.Out = 0, 0, 0, 0
	}
	return out, in
}

// flows returns n conversations as the router exports them: both
// directions in one export.
func (h *home) flows(n int) []flowfile.Record {
	recs := make([]flowfile.Record, 0, 2*n)
	for range n {
		o, i := h.conversation()
		recs = append(recs, o, i)
	}
	return recs
}
