package demo

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// NAT is the demo router's IPv4 address translation: the LAN's hosts reach
// the world through one outside address, which the ISP may change.
// Generate makes flows as the hosts see them; the exporters translate them
// as the router's export shows them.
type NAT struct {
	Inside  netip.Prefix // the LAN's private prefix
	Outside []Period     // the outside address over time, oldest first
}

// Period is an outside address from a time on.
type Period struct {
	From time.Time
	Addr netip.Addr
}

// DefaultNAT is the demo router's: a private /24 behind one address of a
// documentation range (so no real network is named).
var DefaultNAT = &NAT{
	Inside:  DefaultSite.V4,
	Outside: []Period{{Addr: netip.MustParseAddr("203.0.113.5")}},
}

// OutsideAt returns the outside address at time ms.
func (n *NAT) OutsideAt(ms int64) netip.Addr {
	a := n.Outside[0].Addr
	for _, p := range n.Outside[1:] {
		if p.From.UnixMilli() <= ms {
			a = p.Addr
		}
	}
	return a
}

// changedWithin reports whether the outside address changed less than d
// before ms: scanners of the internet have not found the new one yet.
func (n *NAT) changedWithin(ms int64, d time.Duration) bool {
	for _, p := range n.Outside[1:] {
		if t := p.From.UnixMilli(); t <= ms && ms < t+d.Milliseconds() {
			return true
		}
	}
	return false
}

// Translate returns r as a NAT router without post-NAT fields exports it
// (MikroTik RouterOS 6, most v5/v9 exporters): outbound flows keep the
// inside host as source, replies carry the outside address as destination.
// postSrc and postDst are the post-NAT fields an IPFIX exporter such as
// RouterOS 7 adds (zero where there are none).
func (n *NAT) Translate(r flowfile.Record) (pre flowfile.Record, postSrc, postDst netip.Addr) {
	if n == nil || !r.SIP.Is4() {
		return r, netip.Addr{}, netip.Addr{}
	}
	in := n.Inside
	switch {
	case in.Contains(r.SIP) && !in.Contains(r.DIP):
		return r, n.OutsideAt(r.STime), netip.Addr{}
	case in.Contains(r.DIP) && !in.Contains(r.SIP):
		postDst = r.DIP
		r.DIP = n.OutsideAt(r.STime)
		return r, netip.Addr{}, postDst
	}
	return r, netip.Addr{}, netip.Addr{}
}

// v5 layout.
const (
	v5Header = 24
	v5Record = 48
	v5Max    = 30
)

// PacketsV5 encodes recs (IPv4 only; others are skipped) as NetFlow v5
// export packets sent at time now, translated by e.NAT.
func (e *Exporter) PacketsV5(recs []flowfile.Record, now time.Time) [][]byte {
	var out [][]byte
	var b []byte
	n := 0
	uptime := func(ms int64) uint32 { return uint32(ms - e.Boot.UnixMilli()) }
	flush := func() {
		if n == 0 {
			return
		}
		binary.BigEndian.PutUint16(b[0:], 5)
		binary.BigEndian.PutUint16(b[2:], uint16(n))
		binary.BigEndian.PutUint32(b[4:], uptime(now.UnixMilli()))
		binary.BigEndian.PutUint32(b[8:], uint32(now.Unix()))
		binary.BigEndian.PutUint32(b[16:], e.seq) // v5 counts flows
		e.seq += uint32(n)
		out = append(out, b)
		b, n = nil, 0
	}
	for i := range recs {
		if !recs[i].SIP.Is4() {
			continue
		}
		if b == nil {
			b = make([]byte, v5Header, v5Header+v5Max*v5Record)
		}
		r, _, _ := e.NAT.Translate(recs[i])
		in, o := r.In, r.Out
		if e.ZeroInterfaces {
			in, o = 0, 0
		}
		b = append(b, r.SIP.AsSlice()...)
		b = append(b, r.DIP.AsSlice()...)
		b = append(b, 0, 0, 0, 0) // next hop
		b = binary.BigEndian.AppendUint16(b, uint16(in))
		b = binary.BigEndian.AppendUint16(b, uint16(o))
		b = binary.BigEndian.AppendUint32(b, uint32(r.Packets))
		b = binary.BigEndian.AppendUint32(b, uint32(r.Bytes))
		b = binary.BigEndian.AppendUint32(b, uptime(r.STime))
		b = binary.BigEndian.AppendUint32(b, uptime(r.ETime))
		b = binary.BigEndian.AppendUint16(b, r.SPort)
		b = binary.BigEndian.AppendUint16(b, r.DPort)
		b = append(b, 0, r.Flags, r.Proto, r.TOS)
		b = append(b, 0, 0, 0, 0, 0, 0, 0, 0) // AS numbers, masks, padding
		if n++; n == v5Max {
			flush()
		}
	}
	flush()
	return out
}
