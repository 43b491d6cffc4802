package silk

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/gflow/gflow/pkg/flowfile"
)

// tcp_state bits of SiLK's records (rwrec.h).
const (
	stateExpanded = 0x01 // initial and session flags are known
	stateIPv6     = 0x80 // the record's addresses are IPv6
	stateAttrs    = 0x78 // the attribute bits gflow keeps (flowfile.Attr*)
)

// context is what a record needs besides its bytes: the packed-file entry
// of a repository file.
type context struct {
	hour     int64 // start of the file's hour, ms since the epoch
	sensor   uint16
	flowType flowfile.FlowType
}

// recordCodec decodes one record format and version.
type recordCodec struct {
	format  Format
	version uint16
	size    int
	// swap lists the multi-byte numeric fields (offset<<8 | width) that a
	// big-endian file stores in its own order; addresses kept in network
	// order are not listed.
	swap   []uint16
	decode func(r *flowfile.Record, b []byte, c *context)
	packed bool // times are offsets from the packed-file hour
}

var le = binary.LittleEndian

func f(off, width int) uint16 { return uint16(off<<8 | width) }

var codecs = []recordCodec{
	{FormatIPv6Routing, 1, 88, []uint16{f(0, 8), f(8, 4), f(12, 2), f(14, 2), f(18, 2), f(24, 2), f(26, 2), f(28, 2), f(30, 2), f(32, 4), f(36, 4)}, decodeIPv6RoutingV1, false},
	{FormatIPv6Routing, 2, 88, []uint16{f(0, 8), f(8, 4), f(12, 2), f(14, 2), f(18, 2), f(24, 2), f(26, 2), f(28, 2), f(30, 2), f(32, 4), f(36, 4)}, decodeIPv6RoutingV2, false},
	{FormatIPv6Routing, 3, 100, []uint16{f(0, 8), f(8, 4), f(12, 2), f(14, 2), f(18, 2), f(24, 2), f(26, 2), f(28, 4), f(32, 8), f(40, 8), f(96, 4)}, decodeIPv6RoutingV3, false},
	{FormatGeneric, 5, 52, []uint16{f(0, 8), f(8, 4), f(12, 2), f(14, 2), f(18, 2), f(24, 2), f(26, 2), f(28, 2), f(30, 2), f(32, 4), f(36, 4), f(40, 4), f(44, 4), f(48, 4)}, decodeGenericV5, false},
	{FormatIPv6, 1, 68, []uint16{f(0, 8), f(8, 4), f(12, 2), f(14, 2), f(18, 2), f(24, 2), f(26, 2), f(28, 4), f(32, 4)}, decodeIPv6V1, false},
	{FormatIPv6, 2, 56, []uint16{f(0, 4), f(6, 2), f(8, 2), f(10, 2), f(12, 4), f(16, 4), f(20, 4)}, decodeIPv6V2, true},
	{FormatSplit, 5, 24, []uint16{f(0, 4), f(4, 4), f(8, 4), f(12, 2), f(14, 2), f(16, 4), f(20, 4)}, decodeSplitV5, true},
	{FormatWWW, 5, 22, []uint16{f(0, 4), f(4, 4), f(8, 4), f(12, 4), f(16, 4), f(20, 2)}, decodeWWWV5, true},
	{FormatRouted, 5, 32, []uint16{f(0, 4), f(4, 4), f(8, 4), f(12, 2), f(14, 2), f(16, 2), f(18, 2), f(20, 4), f(24, 4), f(28, 4)}, decodeRoutedV5, true},
	{FormatAugmented, 4, 28, []uint16{f(0, 4), f(4, 4), f(8, 4), f(14, 2), f(16, 2), f(18, 2), f(20, 4), f(24, 4)}, decodeAugmentedV4, true},
	{FormatAugmented, 5, 32, []uint16{f(0, 4), f(6, 2), f(8, 2), f(10, 2), f(12, 4), f(16, 4), f(20, 4), f(24, 4), f(28, 4)}, decodeAugmentedV5, true},
	{FormatAugWeb, 4, 26, []uint16{f(0, 4), f(4, 4), f(8, 4), f(14, 2), f(16, 4), f(20, 4), f(24, 2)}, decodeAugWebV4, true},
	{FormatAugWeb, 5, 30, []uint16{f(0, 4), f(6, 2), f(8, 4), f(12, 4), f(16, 4), f(20, 4), f(24, 4), f(28, 2)}, decodeAugWebV5, true},
}

// lookupCodec returns the codec of a format and record version, or an
// error that names what is supported.
func lookupCodec(h *Header) (*recordCodec, error) {
	for i := range codecs {
		c := &codecs[i]
		if c.format != h.Format || c.version != h.RecordVersion {
			continue
		}
		if int(h.RecordSize) != c.size {
			return nil, fmt.Errorf("SiLK file format %v version %d: record size %d in the header, %d expected", h.Format, h.RecordVersion, h.RecordSize, c.size)
		}
		return c, nil
	}
	return nil, fmt.Errorf("SiLK file format %v record version %d is not supported; gflow reads %s", h.Format, h.RecordVersion, Supported())
}

// Supported lists the formats and record versions gflow reads.
func Supported() string {
	var parts []string
	for i := 0; i < len(codecs); {
		j := i
		var vs []string
		for ; j < len(codecs) && codecs[j].format == codecs[i].format; j++ {
			vs = append(vs, fmt.Sprint(codecs[j].version))
		}
		name := formatNames[codecs[i].format]
		parts = append(parts, name+" v"+strings.Join(vs, "/"))
		i = j
	}
	return strings.Join(parts, ", ")
}

// swapRecord converts a big-endian record's numeric fields to
// little-endian in place.
func swapRecord(b []byte, swap []uint16) {
	for _, s := range swap {
		off, w := int(s>>8), int(s&0xFF)
		f := b[off : off+w]
		for i, j := 0, w-1; i < j; i, j = i+1, j-1 {
			f[i], f[j] = f[j], f[i]
		}
	}
}

func addr4(b []byte) netip.Addr { return netip.AddrFrom4([4]byte(b)) }
func addr4le(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
func addr16(b []byte) netip.Addr { return netip.AddrFrom16([16]byte(b)) }
func nextHop4(v uint32) netip.Addr {
	if v == 0 {
		return netip.Addr{} // none
	}
	return addr4le(v)
}

// flowType maps SiLK's flowtype id (silk.conf's; the twoway site's ids
// are gflow's) to gflow's types; an id gflow does not know is "other".
func flowType(id uint32) flowfile.FlowType {
	if id < flowfile.NumTypes {
		return flowfile.FlowType(id)
	}
	return flowfile.TypeOther
}

// expanded applies SiLK's reading of tcp_state (rwrec.h,
// RWREC_MAYBE_CLEAR_TCPSTATE_EXPANDED): initial and session flags count
// only for TCP records that have some.
func expanded(r *flowfile.Record, state uint8) {
	if state&stateExpanded == 0 || r.Proto != 6 || r.InitFlags == 0 && r.SessionFlags == 0 {
		r.InitFlags, r.SessionFlags = 0, 0
	}
	r.Attributes = state & stateAttrs
}

// generic decodes the leading 28 bytes FT_RWGENERIC v5, FT_RWIPV6 v1 and
// FT_RWIPV6ROUTING share: times, ports, protocol, flowtype, sensor,
// flags, state and application.
func generic(r *flowfile.Record, b []byte) uint8 {
	r.STime = int64(le.Uint64(b))
	r.ETime = r.STime + int64(le.Uint32(b[8:]))
	r.SPort = le.Uint16(b[12:])
	r.DPort = le.Uint16(b[14:])
	r.Proto = b[16]
	r.Type = flowType(uint32(b[17]))
	r.Sensor = le.Uint16(b[18:])
	r.Flags = b[20]
	r.InitFlags = b[21]
	r.SessionFlags = b[22]
	r.Application = le.Uint16(b[24:])
	return b[23]
}

func decodeGenericV5(r *flowfile.Record, b []byte, _ *context) {
	state := generic(r, b)
	r.In = uint32(le.Uint16(b[28:]))
	r.Out = uint32(le.Uint16(b[30:]))
	r.Packets = uint64(le.Uint32(b[32:]))
	r.Bytes = uint64(le.Uint32(b[36:]))
	r.SIP = addr4le(le.Uint32(b[40:]))
	r.DIP = addr4le(le.Uint32(b[44:]))
	r.NhIP = nextHop4(le.Uint32(b[48:]))
	expanded(r, state)
}

// addresses sets the addresses stored in 16 bytes each (network order),
// IPv4 ones as ::ffff:a.b.c.d.
func addresses(r *flowfile.Record, b []byte, state uint8, nh bool) {
	if state&stateIPv6 != 0 {
		r.SIP = addr16(b)
		r.DIP = addr16(b[16:])
		if nh {
			r.NhIP = addr16(b[32:])
		}
		return
	}
	r.SIP = addr4(b[12:16])
	r.DIP = addr4(b[28:32])
	if nh {
		r.NhIP = nextHop4(binary.BigEndian.Uint32(b[44:]))
	}
}

func decodeIPv6RoutingV1(r *flowfile.Record, b []byte, _ *context) {
	state := generic(r, b)
	r.In = uint32(le.Uint16(b[28:]))
	r.Out = uint32(le.Uint16(b[30:]))
	r.Packets = uint64(le.Uint32(b[32:]))
	r.Bytes = uint64(le.Uint32(b[36:]))
	addresses(r, b[40:], state, true)
	expanded(r, state)
}

func decodeIPv6RoutingV2(r *flowfile.Record, b []byte, c *context) {
	decodeIPv6RoutingV1(r, b, c)
	r.Application = 0 // version 2 wrote garbage there (rwipv6routingio.c)
}

func decodeIPv6RoutingV3(r *flowfile.Record, b []byte, _ *context) {
	state := generic(r, b)
	// SiLK 3.19 keeps 16-bit interfaces and 32-bit counters in memory and
	// clamps; gflow keeps the stored values
	r.In = le.Uint32(b[28:])
	r.Packets = le.Uint64(b[32:])
	r.Bytes = le.Uint64(b[40:])
	addresses(r, b[48:], state, true)
	r.Out = le.Uint32(b[96:])
	r.Attributes = state & stateAttrs // version 3 needs no flags fix
	if state&stateExpanded == 0 {
		r.InitFlags, r.SessionFlags = 0, 0
	}
}

func decodeIPv6V1(r *flowfile.Record, b []byte, _ *context) {
	state := generic(r, b)
	r.Packets = uint64(le.Uint32(b[28:]))
	r.Bytes = uint64(le.Uint32(b[32:]))
	addresses(r, b[36:], state, false)
	expanded(r, state)
}

// timesFlagsProto decodes the first 6 bytes of FT_RWAUGMENTED v5,
// FT_RWAUGWEB v5 and FT_RWIPV6 v2 (rwpack.c, rwpackUnpackTimesFlagsProto)
// and returns the tcp_state byte.
func timesFlagsProto(r *flowfile.Record, b []byte, c *context) uint8 {
	v := le.Uint32(b)
	r.STime = c.hour + int64(v&0x3FFFFF)
	state := b[5]
	switch {
	case v>>23&1 == 0:
		r.Proto = b[4]
	case state&stateExpanded != 0:
		r.Proto = 6
		r.SessionFlags = uint8(v >> 24)
		r.InitFlags = b[4]
		r.Flags = r.InitFlags | r.SessionFlags
	default:
		r.Proto = 6
		r.Flags = b[4]
	}
	r.Attributes = state & stateAttrs
	r.Sensor, r.Type = c.sensor, c.flowType
	return state
}

// flagsTimesVolumes decodes the first 12 (or 16) bytes of FT_RWSPLIT,
// FT_RWWWW, FT_RWROUTED and FT_RWAUGMENTED/FT_RWAUGWEB v4 (rwpack.c,
// rwpackUnpackFlagsTimesVolumes). tcp says the format holds only TCP.
func flagsTimesVolumes(r *flowfile.Record, b []byte, c *context, long, tcp bool) {
	var state, rest uint8
	if long {
		state, rest = b[12], b[13]
		r.Application = le.Uint16(b[14:])
		r.Attributes = state & stateAttrs
	}
	v := le.Uint32(b[8:])
	pkts := v & 0xFFFFF
	pflag := v>>23&1 != 0
	if !tcp {
		tcp = v>>22&1 != 0
	}
	if !tcp {
		r.Proto = uint8(v >> 24)
		r.Flags = rest
	} else {
		r.Proto = 6
		if state&stateExpanded != 0 {
			r.SessionFlags = rest
			r.InitFlags = uint8(v >> 24)
		}
		r.Flags = uint8(v>>24) | rest
	}
	w := le.Uint32(b[4:])
	elapsed := int64(w & 0x3FFFFF)
	s := le.Uint32(b)
	r.STime = c.hour + int64(s>>10&0x3FFFFF)
	r.ETime = r.STime + elapsed
	bpp := (s&0x3FF)<<10 | w>>22&0x3FF
	r.Packets, r.Bytes = bytesPackets(bpp, pkts, pflag)
	r.Sensor, r.Type = c.sensor, c.flowType
}

// bytesPackets expands the packed volume of the repository formats: a
// 20-bit packet count (times 64 with pflag) and a bytes-per-packet ratio
// of 14 integer and 6 fraction bits (rwpack.c, rwpackUnpackBytesPackets,
// whose 32-bit arithmetic and rounding this keeps).
func bytesPackets(bpp, pkts uint32, pflag bool) (uint64, uint64) {
	if pflag {
		pkts *= 64
	}
	whole := bpp >> 6 & 0x3FFF
	frac := bpp & 0x3F
	prod := frac * pkts
	q, rem := prod/64, prod%64
	bytes := whole*pkts + q
	if rem >= 32 {
		bytes++
	}
	return uint64(pkts), uint64(bytes)
}

// webPort expands the 2-bit server port of the web formats.
func webPort(v uint32) uint16 {
	switch v {
	case 0:
		return 80
	case 1:
		return 443
	case 2:
		return 8080
	}
	return 0
}

func decodeSplitV5(r *flowfile.Record, b []byte, c *context) {
	flagsTimesVolumes(r, b, c, false, false)
	r.SPort = le.Uint16(b[12:])
	r.DPort = le.Uint16(b[14:])
	r.SIP = addr4le(le.Uint32(b[16:]))
	r.DIP = addr4le(le.Uint32(b[20:]))
}

func decodeWWWV5(r *flowfile.Record, b []byte, c *context) {
	flagsTimesVolumes(r, b, c, false, true)
	r.SIP = addr4le(le.Uint32(b[12:]))
	r.DIP = addr4le(le.Uint32(b[16:]))
	v := le.Uint32(b[8:])
	client := le.Uint16(b[20:])
	if v>>22&1 != 0 {
		r.SPort, r.DPort = webPort(v>>20&3), client
	} else {
		r.SPort, r.DPort = client, webPort(v>>20&3)
	}
}

func decodeRoutedV5(r *flowfile.Record, b []byte, c *context) {
	flagsTimesVolumes(r, b, c, false, false)
	r.SPort = le.Uint16(b[12:])
	r.DPort = le.Uint16(b[14:])
	r.In = uint32(le.Uint16(b[16:]))
	r.Out = uint32(le.Uint16(b[18:]))
	r.SIP = addr4le(le.Uint32(b[20:]))
	r.DIP = addr4le(le.Uint32(b[24:]))
	r.NhIP = nextHop4(le.Uint32(b[28:]))
}

func decodeAugmentedV4(r *flowfile.Record, b []byte, c *context) {
	flagsTimesVolumes(r, b, c, true, false)
	r.SPort = le.Uint16(b[16:])
	r.DPort = le.Uint16(b[18:])
	r.SIP = addr4le(le.Uint32(b[20:]))
	r.DIP = addr4le(le.Uint32(b[24:]))
}

func decodeAugmentedV5(r *flowfile.Record, b []byte, c *context) {
	timesFlagsProto(r, b, c)
	r.Application = le.Uint16(b[6:])
	r.SPort = le.Uint16(b[8:])
	r.DPort = le.Uint16(b[10:])
	r.ETime = r.STime + int64(le.Uint32(b[12:]))
	r.Packets = uint64(le.Uint32(b[16:]))
	r.Bytes = uint64(le.Uint32(b[20:]))
	r.SIP = addr4le(le.Uint32(b[24:]))
	r.DIP = addr4le(le.Uint32(b[28:]))
}

func decodeAugWebV4(r *flowfile.Record, b []byte, c *context) {
	flagsTimesVolumes(r, b, c, true, true)
	r.SIP = addr4le(le.Uint32(b[16:]))
	r.DIP = addr4le(le.Uint32(b[20:]))
	v := le.Uint32(b[8:])
	client := le.Uint16(b[24:])
	if v>>22&1 != 0 {
		r.SPort, r.DPort = webPort(v>>20&3), client
	} else {
		r.SPort, r.DPort = client, webPort(v>>20&3)
	}
}

func decodeAugWebV5(r *flowfile.Record, b []byte, c *context) {
	timesFlagsProto(r, b, c)
	r.Application = le.Uint16(b[6:])
	v := le.Uint32(b[8:])
	r.ETime = r.STime + int64(v&0x3FFFFFFF)
	r.Packets = uint64(le.Uint32(b[12:]))
	r.Bytes = uint64(le.Uint32(b[16:]))
	r.SIP = addr4le(le.Uint32(b[20:]))
	r.DIP = addr4le(le.Uint32(b[24:]))
	client := le.Uint16(b[28:])
	if le.Uint32(b)>>22&1 != 0 {
		r.SPort, r.DPort = webPort(v>>30), client
	} else {
		r.SPort, r.DPort = client, webPort(v>>30)
	}
}

func decodeIPv6V2(r *flowfile.Record, b []byte, c *context) {
	state := timesFlagsProto(r, b, c)
	r.Application = le.Uint16(b[6:])
	r.SPort = le.Uint16(b[8:])
	r.DPort = le.Uint16(b[10:])
	r.ETime = r.STime + int64(le.Uint32(b[12:]))
	r.Packets = uint64(le.Uint32(b[16:]))
	r.Bytes = uint64(le.Uint32(b[20:]))
	addresses(r, b[24:], state, false)
}
