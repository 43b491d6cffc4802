// Package flowfile owns gflow's flow record, the flow file format (see
// docs/FORMAT.md) and the hourly repository layout.
//
// A Record is one flow as SiLK knows it, plus what NetFlow v9/IPFIX and the
// map need. It is a plain value with no per-record allocation: addresses are
// netip.Addr (IPv4 and IPv6 in the same type), times are milliseconds since
// the Unix epoch in UTC.
package flowfile

import (
	"net/netip"
	"time"
)

// Record is one flow. Field names follow SiLK's (sIP, dIP, sPort, …).
//
// ICMP type and code live in DPort as type<<8|code, as SiLK keeps them; use
// ICMPType and ICMPCode to read them.
type Record struct {
	SIP  netip.Addr // source address; IPv4 flows hold a 4-byte address
	DIP  netip.Addr // destination address
	NhIP netip.Addr // next hop; invalid (zero) when the exporter gave none

	STime int64 // start, ms since the epoch (UTC)
	ETime int64 // end, ms since the epoch (UTC); ETime >= STime

	Packets uint64
	Bytes   uint64

	SPort uint16
	DPort uint16 // for ICMP/ICMPv6: type<<8 | code

	Proto        uint8
	Flags        uint8 // OR of all TCP flags seen
	InitFlags    uint8 // flags of the first packet, where the exporter gives them
	SessionFlags uint8 // OR of the flags of the other packets
	Attributes   uint8 // SiLK's attribute bits (see Attr*)
	TOS          uint8

	Type   FlowType // SiLK twoway flow type (in, out, inweb, …)
	Sensor uint16   // sensor id from the site configuration

	Application uint16 // port of the detected application, 0 if unknown

	In  uint32 // input interface index (SNMP ifIndex)
	Out uint32 // output interface index

	SrcAS uint32
	DstAS uint32

	SamplingRate uint32 // the exporter's raw sampling interval; 0 or 1 = unsampled

	SCC Country // source country code
	DCC Country // destination country code
}

// SiLK's attribute bits, printed as the letters S T C F.
// The values are SiLK's tcp_state bits (rwrec.h), so files convert 1:1.
const (
	AttrFinNoAck       uint8 = 0x08 // F: packets followed a FIN that were not ACKs
	AttrUniformSize    uint8 = 0x10 // S: all packets had the same size
	AttrTimeoutKilled  uint8 = 0x20 // T: ended by the active timeout
	AttrTimeoutStarted uint8 = 0x40 // C: continues a flow ended by the active timeout
)

// TCP flag bits, in SiLK's printing order FSRPAUEC.
const (
	FlagFIN uint8 = 0x01
	FlagSYN uint8 = 0x02
	FlagRST uint8 = 0x04
	FlagPSH uint8 = 0x08
	FlagACK uint8 = 0x10
	FlagURG uint8 = 0x20
	FlagECE uint8 = 0x40
	FlagCWR uint8 = 0x80
)

// IsICMP reports whether the flow is ICMP (protocol 1) or ICMPv6 (58).
func (r *Record) IsICMP() bool { return r.Proto == 1 || r.Proto == 58 }

// ICMPType returns the ICMP type kept in DPort, or 0 for other protocols.
func (r *Record) ICMPType() uint8 {
	if !r.IsICMP() {
		return 0
	}
	return uint8(r.DPort >> 8)
}

// ICMPCode returns the ICMP code kept in DPort, or 0 for other protocols.
func (r *Record) ICMPCode() uint8 {
	if !r.IsICMP() {
		return 0
	}
	return uint8(r.DPort)
}

// SetICMP stores an ICMP type and code the way SiLK does: in DPort, with SPort 0.
func (r *Record) SetICMP(typ, code uint8) {
	r.SPort = 0
	r.DPort = uint16(typ)<<8 | uint16(code)
}

// Duration is ETime-STime in milliseconds.
func (r *Record) Duration() int64 { return r.ETime - r.STime }

// IsIPv6 reports whether the flow's addresses are IPv6 (SiLK's per-record
// IPv6 flag). IPv4-mapped IPv6 addresses count as IPv4.
func (r *Record) IsIPv6() bool { return r.SIP.Is6() && !r.SIP.Is4In6() }

// StartTime and EndTime return the times as time.Time in UTC.
func (r *Record) StartTime() time.Time { return time.UnixMilli(r.STime).UTC() }
func (r *Record) EndTime() time.Time   { return time.UnixMilli(r.ETime).UTC() }

// Country is a two-letter country code as SiLK stores it: (c1<<8)|c2 of the
// lower-case letters. The zero value and NoCountry both print as "--".
type Country uint16

// NoCountry is "--": private, reserved or unallocated addresses.
const NoCountry = Country('-'<<8 | '-')

// MakeCountry returns the code for a two-character string, lower-cased. It
// returns NoCountry for anything that is not two letters/digits or "--".
func MakeCountry(s string) Country {
	if len(s) != 2 {
		return NoCountry
	}
	c1, c2 := lower(s[0]), lower(s[1])
	if c1 == '-' && c2 == '-' {
		return NoCountry
	}
	if !isAlnum(c1) || !isAlnum(c2) {
		return NoCountry
	}
	return Country(uint16(c1)<<8 | uint16(c2))
}

// String returns the lower-case code, "--" for no country.
func (c Country) String() string {
	if c == 0 {
		return "--"
	}
	return string([]byte{byte(c >> 8), byte(c)})
}

// Upper returns the upper-case ISO code ("CH"), "--" for no country.
func (c Country) Upper() string {
	if c == 0 || c == NoCountry {
		return "--"
	}
	b := []byte{byte(c >> 8), byte(c)}
	for i := range b {
		if b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}

// Known reports whether c names a country (not zero, not "--").
func (c Country) Known() bool { return c != 0 && c != NoCountry }

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func isAlnum(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }
