package demo

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Exporter encodes flows as export packets the way a router does: NetFlow v9
// (times relative to the router's uptime) or IPFIX (absolute milliseconds),
// with the templates sent first and again every TemplateEvery packets.
type Exporter struct {
	Version       int       // 9 or 10
	Domain        uint32    // v9 source id / IPFIX observation domain
	Boot          time.Time // the router's boot time (v9 uptime base)
	TemplateEvery int       // re-send templates every N packets (default 20)
	PerPacket     int       // records per packet (default 24)
	// NAT, if set, translates IPv4 flows as the router's export shows
	// them (see NAT.Translate).
	NAT *NAT
	// PostNAT adds the post-NAT address fields (IE 225, 226) to IPv4
	// records of an IPFIX export, as MikroTik RouterOS 7 sends them.
	PostNAT bool
	// ZeroInterfaces sends interface index 0 for every flow, as
	// softflowd and many v5 exporters do.
	ZeroInterfaces bool

	seq     uint32
	packets [2]int // per address family, to send each template first
}

// IE numbers shared by NetFlow v9 and IPFIX.
const (
	ieBytes     = 1
	iePackets   = 2
	ieProto     = 4
	ieTOS       = 5
	ieFlags     = 6
	ieSPort     = 7
	ieSrc4      = 8
	ieIn        = 10
	ieDPort     = 11
	ieDst4      = 12
	ieOut       = 14
	ieNext4     = 15
	ieLast      = 21
	ieFirst     = 22
	ieSrc6      = 27
	ieDst6      = 28
	ieICMP4     = 32
	ieICMP6     = 139
	ieStartMs   = 152
	ieEndMs     = 153
	iePostSrc4  = 225
	iePostDst4  = 226
	tmplV4      = 256
	tmplV6      = 257
	v9Header    = 20
	ipfixHeader = 16
)

type field struct{ id, size uint16 }

func (e *Exporter) fields(v6 bool) []field {
	src, dst, icmp, addr := uint16(ieSrc4), uint16(ieDst4), uint16(ieICMP4), uint16(4)
	if v6 {
		src, dst, icmp, addr = ieSrc6, ieDst6, ieICMP6, 16
	}
	f := []field{{ieBytes, 8}, {iePackets, 8}, {ieProto, 1}, {ieTOS, 1}, {ieFlags, 1},
		{ieSPort, 2}, {src, addr}, {ieIn, 4}, {ieDPort, 2}, {dst, addr}, {ieOut, 4}, {icmp, 2}}
	if e.Version == 9 {
		f = append(f, field{ieFirst, 4}, field{ieLast, 4})
	} else {
		f[4].size = 2 // IPFIX tcpControlBits is 16 bits
		f = append(f, field{ieStartMs, 8}, field{ieEndMs, 8})
	}
	if e.postNAT(v6) {
		f = append(f, field{iePostSrc4, 4}, field{iePostDst4, 4})
	}
	return f
}

func (e *Exporter) postNAT(v6 bool) bool { return e.PostNAT && e.Version == 10 && !v6 }

func recLen(fs []field) int {
	n := 0
	for _, f := range fs {
		n += int(f.size)
	}
	return n
}

// Packets encodes recs as export packets sent at time now.
func (e *Exporter) Packets(recs []flowfile.Record, now time.Time) [][]byte {
	if e.TemplateEvery <= 0 {
		e.TemplateEvery = 20
	}
	if e.PerPacket <= 0 {
		e.PerPacket = 24
	}
	var out [][]byte
	for fam := range 2 {
		var batch []flowfile.Record
		for i := range recs {
			if recs[i].IsIPv6() == (fam == 1) {
				batch = append(batch, recs[i])
			}
		}
		// Keep packets under 1400 bytes, as routers do to stay below the MTU.
		fs := e.fields(fam == 1)
		per := min(e.PerPacket, (1400-v9Header-8-4*len(fs)-4)/recLen(fs))
		for len(batch) > 0 {
			n := min(len(batch), per)
			out = append(out, e.packet(batch[:n], fam == 1, now))
			batch = batch[n:]
		}
	}
	return out
}

func (e *Exporter) packet(recs []flowfile.Record, v6 bool, now time.Time) []byte {
	fs := e.fields(v6)
	id := uint16(tmplV4)
	if v6 {
		id = tmplV6
	}
	var b []byte
	if e.Version == 9 {
		b = make([]byte, v9Header, 1500)
	} else {
		b = make([]byte, ipfixHeader, 1500)
	}
	fam := 0
	if v6 {
		fam = 1
	}
	withTemplate := e.packets[fam]%e.TemplateEvery == 0
	e.packets[fam]++
	if withTemplate {
		setID := uint16(0)
		if e.Version == 10 {
			setID = 2
		}
		b = binary.BigEndian.AppendUint16(b, setID)
		b = binary.BigEndian.AppendUint16(b, uint16(4+4+4*len(fs)))
		b = binary.BigEndian.AppendUint16(b, id)
		b = binary.BigEndian.AppendUint16(b, uint16(len(fs)))
		for _, f := range fs {
			b = binary.BigEndian.AppendUint16(b, f.id)
			b = binary.BigEndian.AppendUint16(b, f.size)
		}
	}
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, id)
	b = binary.BigEndian.AppendUint16(b, 0) // length, set below
	uptime := func(ms int64) uint32 { return uint32(ms - e.Boot.UnixMilli()) }
	for i := range recs {
		rec, postSrc, postDst := e.NAT.Translate(recs[i])
		if e.ZeroInterfaces {
			rec.In, rec.Out = 0, 0
		}
		r := &rec
		b = binary.BigEndian.AppendUint64(b, r.Bytes)
		b = binary.BigEndian.AppendUint64(b, r.Packets)
		b = append(b, r.Proto, r.TOS)
		if e.Version == 9 {
			b = append(b, r.Flags)
		} else {
			b = binary.BigEndian.AppendUint16(b, uint16(r.Flags))
		}
		b = binary.BigEndian.AppendUint16(b, r.SPort)
		b = append(b, r.SIP.AsSlice()...)
		b = binary.BigEndian.AppendUint32(b, r.In)
		dport, icmp := r.DPort, uint16(0)
		if r.IsICMP() {
			icmp = r.DPort
		}
		b = binary.BigEndian.AppendUint16(b, dport)
		b = append(b, r.DIP.AsSlice()...)
		b = binary.BigEndian.AppendUint32(b, r.Out)
		b = binary.BigEndian.AppendUint16(b, icmp)
		if e.Version == 9 {
			b = binary.BigEndian.AppendUint32(b, uptime(r.STime))
			b = binary.BigEndian.AppendUint32(b, uptime(r.ETime))
		} else {
			b = binary.BigEndian.AppendUint64(b, uint64(r.STime))
			b = binary.BigEndian.AppendUint64(b, uint64(r.ETime))
		}
		if e.postNAT(v6) {
			b = append(b, addr4(postSrc)...)
			b = append(b, addr4(postDst)...)
		}
	}
	for (len(b)-start)%4 != 0 { // pad the set to a 4-byte boundary
		b = append(b, 0)
	}
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))

	if e.Version == 9 {
		binary.BigEndian.PutUint16(b[0:], 9)
		if withTemplate { // v9 counts template records too
			binary.BigEndian.PutUint16(b[2:], uint16(1+len(recs)))
		} else {
			binary.BigEndian.PutUint16(b[2:], uint16(len(recs)))
		}
		binary.BigEndian.PutUint32(b[4:], uptime(now.UnixMilli()))
		binary.BigEndian.PutUint32(b[8:], uint32(now.Unix()))
		binary.BigEndian.PutUint32(b[12:], e.seq) // v9 counts export packets
		binary.BigEndian.PutUint32(b[16:], e.Domain)
		e.seq++
	} else {
		binary.BigEndian.PutUint16(b[0:], 10)
		binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
		binary.BigEndian.PutUint32(b[4:], uint32(now.Unix()))
		binary.BigEndian.PutUint32(b[8:], e.seq) // IPFIX counts data records sent before
		binary.BigEndian.PutUint32(b[12:], e.Domain)
		e.seq += uint32(len(recs))
	}
	return b
}

// addr4 is a's 4 bytes, or 0.0.0.0 for none.
func addr4(a netip.Addr) []byte {
	if !a.Is4() {
		return []byte{0, 0, 0, 0}
	}
	return a.AsSlice()
}
