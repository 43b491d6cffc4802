package learn

import (
	"encoding/binary"
	"net/netip"

	"github.com/gflow/gflow/pkg/flowfile"
)

// connTable remembers recent connections that inside hosts opened, so that
// their replies can be recognised: the reply of a → r (sport, dport) comes
// from r with the ports swapped. It is direct-mapped and fixed in size: a
// new connection overwrites whatever held its slot, so memory never grows
// whatever the traffic, and on a busy link the table simply covers a
// shorter stretch of time.
type connTable struct {
	slots []connEntry
	shift uint
}

// connBits sizes the table: 64 Ki slots of 72 bytes, 4.5 MiB, several
// minutes of a home router's connections.
const connBits = 16

// matchWindow is how far apart (ms) a connection and its reply may be: the
// router exports both directions when the connection ends or its active
// timeout fires, usually in the same export packet.
const matchWindow = 120_000

type connKey struct {
	remote       [16]byte
	rport, lport uint16
	proto        uint8
	sensor       uint16
}

type connEntry struct {
	key          connKey
	used         bool
	local        [16]byte // the inside host that opened the connection
	nh           uint64   // hash of its next hop (0: none)
	stime, etime int64
	in, out      uint32
}

func newConnTable(bits uint) *connTable {
	return &connTable{slots: make([]connEntry, 1<<bits), shift: 64 - bits}
}

func (k *connKey) slot(shift uint) uint64 {
	h := binary.LittleEndian.Uint64(k.remote[:8])*0x9E3779B97F4A7C15 ^ binary.LittleEndian.Uint64(k.remote[8:])
	h ^= uint64(k.rport)<<48 | uint64(k.lport)<<32 | uint64(k.proto)<<16 | uint64(k.sensor)
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 31
	h *= 0x94D049BB133111EB
	return h >> shift
}

// outKey is the key under which the reply to r (from r's destination)
// will be looked up. ICMP echo requests are keyed by the remote alone.
func outKey(r *flowfile.Record, sensor uint16) (connKey, bool) {
	k := connKey{remote: r.DIP.As16(), rport: r.DPort, lport: r.SPort, proto: r.Proto, sensor: sensor}
	if r.IsICMP() {
		if t := r.ICMPType(); t != 8 && t != 128 {
			return k, false
		}
		k.rport, k.lport = 0, 0
	}
	return k, true
}

// replyKey is the key of the connection that r would answer.
func replyKey(r *flowfile.Record, sensor uint16) (connKey, bool) {
	k := connKey{remote: r.SIP.As16(), rport: r.SPort, lport: r.DPort, proto: r.Proto, sensor: sensor}
	if r.IsICMP() {
		if t := r.ICMPType(); t != 0 && t != 129 {
			return k, false
		}
		k.rport, k.lport = 0, 0
	}
	return k, true
}

func (t *connTable) put(k connKey, r *flowfile.Record) {
	e := &t.slots[k.slot(t.shift)]
	*e = connEntry{key: k, used: true, local: r.SIP.As16(), nh: addrHash(r.NhIP),
		stime: r.STime, etime: r.ETime, in: r.In, out: r.Out}
}

// get returns the connection r answers, if the table holds it and it is
// close enough in time.
func (t *connTable) get(k connKey, r *flowfile.Record) *connEntry {
	e := &t.slots[k.slot(t.shift)]
	if !e.used || e.key != k {
		return nil
	}
	if r.STime > e.etime+matchWindow || r.ETime < e.stime-matchWindow {
		return nil
	}
	return e
}

// addrHash is a 64-bit hash of a usable address, 0 for none.
func addrHash(a netip.Addr) uint64 {
	if !a.IsValid() || a.IsUnspecified() {
		return 0
	}
	b := a.As16()
	h := binary.LittleEndian.Uint64(b[:8])*0x9E3779B97F4A7C15 ^ binary.LittleEndian.Uint64(b[8:])
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 29
	return h | 1
}

// localAddr turns a stored inside host back into an address of the
// family of the flow.
func localAddr(b [16]byte, v4 bool) netip.Addr {
	a := netip.AddrFrom16(b)
	if v4 {
		return a.Unmap()
	}
	return a
}
