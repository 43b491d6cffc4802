package netflow

import (
	"encoding/binary"
	"net/netip"
	"time"
)

// Helpers that build export packets for the tests, field by field.

var exporterAddr = netip.MustParseAddrPort("192.0.2.1:50000")

func u8(v uint8) []byte   { return []byte{v} }
func u16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
func ip(s string) []byte  { return netip.MustParseAddr(s).AsSlice() }

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// fs is a field specifier; pen != 0 makes it an IPFIX enterprise field.
type fs struct {
	id, len uint16
	pen     uint32
}

func specs(fields []fs) []byte {
	var b []byte
	for _, f := range fields {
		if f.pen != 0 {
			b = cat(b, u16(f.id|0x8000), u16(f.len), u32(f.pen))
		} else {
			b = cat(b, u16(f.id), u16(f.len))
		}
	}
	return b
}

// set wraps a body in a set header.
func set(id uint16, body ...[]byte) []byte {
	b := cat(body...)
	return cat(u16(id), u16(uint16(4+len(b))), b)
}

// tmpl is a template record (v9 and IPFIX have the same form).
func tmpl(id uint16, fields ...fs) []byte {
	return cat(u16(id), u16(uint16(len(fields))), specs(fields))
}

// optTmplIPFIX is an IPFIX options template record.
func optTmplIPFIX(id uint16, scope int, fields ...fs) []byte {
	return cat(u16(id), u16(uint16(len(fields))), u16(uint16(scope)), specs(fields))
}

// optTmplV9 is a v9 options template record.
func optTmplV9(id uint16, scope, options []fs) []byte {
	return cat(u16(id), u16(uint16(4*len(scope))), u16(uint16(4*len(options))), specs(scope), specs(options))
}

func ipfixMsg(exportSecs, seq, domain uint32, sets ...[]byte) []byte {
	body := cat(sets...)
	return cat(u16(10), u16(uint16(16+len(body))), u32(exportSecs), u32(seq), u32(domain), body)
}

func v9Pkt(uptime, secs, seq, source uint32, sets ...[]byte) []byte {
	return cat(u16(9), u16(uint16(len(sets))), u32(uptime), u32(secs), u32(seq), u32(source), cat(sets...))
}

// v5Rec is one v5 flow record with the fields the tests vary.
type v5Rec struct {
	src, dst, nh      string
	in, out           uint16
	pkts, octets      uint32
	first, last       uint32
	sport, dport      uint16
	flags, proto, tos uint8
	srcAS, dstAS      uint16
}

func v5Pkt(uptime, secs, nsecs, seq uint32, sampling uint16, recs ...v5Rec) []byte {
	b := cat(u16(5), u16(uint16(len(recs))), u32(uptime), u32(secs), u32(nsecs), u32(seq), u8(0), u8(0), u16(sampling))
	for _, r := range recs {
		nh := r.nh
		if nh == "" {
			nh = "0.0.0.0"
		}
		b = cat(b, ip(r.src), ip(r.dst), ip(nh), u16(r.in), u16(r.out), u32(r.pkts), u32(r.octets),
			u32(r.first), u32(r.last), u16(r.sport), u16(r.dport), u8(0), u8(r.flags), u8(r.proto), u8(r.tos),
			u16(r.srcAS), u16(r.dstAS), u8(24), u8(24), u16(0))
	}
	return b
}

// base fields of a minimal IPv4 flow template.
var v4Fields = []fs{{8, 4, 0}, {12, 4, 0}, {7, 2, 0}, {11, 2, 0}, {4, 1, 0}, {2, 4, 0}, {1, 4, 0}}

// v4Data is a record of v4Fields.
func v4Data(src, dst string, sport, dport uint16, proto uint8, pkts, octets uint32) []byte {
	return cat(ip(src), ip(dst), u16(sport), u16(dport), u8(proto), u32(pkts), u32(octets))
}

// fixedClock is a settable clock for Options.Now.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time { return c.t }

func newTestDecoder(mod func(*Options)) *Decoder {
	o := DefaultOptions()
	if mod != nil {
		mod(&o)
	}
	return NewDecoder(o)
}

var t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC) // export time of most test packets
var t0s = uint32(t0.Unix())
