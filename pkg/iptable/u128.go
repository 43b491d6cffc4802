package iptable

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// U128 is an IPv6 address as two big-endian halves: Hi holds the first
// eight bytes.
type U128 struct{ Hi, Lo uint64 }

// Max is the last IPv6 address.
var Max = U128{^uint64(0), ^uint64(0)}

// U128From returns a's 16-byte form (IPv4 addresses as ::ffff:a.b.c.d).
func U128From(a netip.Addr) U128 {
	b := a.As16()
	return U128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

// Addr is u as an IPv6 address.
func (u U128) Addr() netip.Addr {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], u.Hi)
	binary.BigEndian.PutUint64(b[8:], u.Lo)
	return netip.AddrFrom16(b)
}

// Less reports whether u < v.
func (u U128) Less(v U128) bool { return u.Hi < v.Hi || u.Hi == v.Hi && u.Lo < v.Lo }

// Cmp compares u and v: -1, 0 or +1.
func (u U128) Cmp(v U128) int {
	switch {
	case u.Less(v):
		return -1
	case v.Less(u):
		return 1
	}
	return 0
}

// Next returns u+1 and whether that wrapped past Max.
func (u U128) Next() (U128, bool) {
	lo, c := bits.Add64(u.Lo, 1, 0)
	hi, c := bits.Add64(u.Hi, 0, c)
	return U128{hi, lo}, c != 0
}

// Prev returns u-1 (wrapping at zero).
func (u U128) Prev() U128 {
	lo, b := bits.Sub64(u.Lo, 1, 0)
	hi, _ := bits.Sub64(u.Hi, 0, b)
	return U128{hi, lo}
}

// Sub returns u-v (wrapping).
func (u U128) Sub(v U128) U128 {
	lo, b := bits.Sub64(u.Lo, v.Lo, 0)
	hi, _ := bits.Sub64(u.Hi, v.Hi, b)
	return U128{hi, lo}
}

// Add returns u+v (wrapping).
func (u U128) Add(v U128) U128 {
	lo, c := bits.Add64(u.Lo, v.Lo, 0)
	hi, _ := bits.Add64(u.Hi, v.Hi, c)
	return U128{hi, lo}
}

// bits32 returns the 32 bits of u starting at bit offset off (0 = most
// significant); off+32 must be <= 128.
func (u U128) bits32(off uint) uint32 {
	switch {
	case off >= 64:
		return uint32(u.Lo >> (96 - off))
	case off <= 32:
		return uint32(u.Hi >> (32 - off))
	default:
		return uint32(u.Hi<<(off-32)) | uint32(u.Lo>>(96-off))
	}
}

// bitsAt returns the k bits of u starting at bit shift (0 = most
// significant); 0 < k <= 32, shift+k <= 128.
func (u U128) bitsAt(shift, k uint) uint64 {
	switch {
	case shift+k <= 64:
		return (u.Hi << shift) >> (64 - k)
	case shift >= 64:
		return (u.Lo << (shift - 64)) >> (64 - k)
	}
	return ((u.Hi << shift) | (u.Lo >> (64 - shift))) >> (64 - k)
}

// withBits returns u with the k bits at shift set to v (u has them zero).
func (u U128) withBits(shift, k uint, v uint64) U128 {
	end := shift + k // v's lowest bit lands at bit end-1
	switch {
	case end <= 64:
		u.Hi |= v << (64 - end)
	case shift >= 64:
		u.Lo |= v << (128 - end)
	default:
		u.Hi |= v >> (end - 64)
		u.Lo |= v << (128 - end)
	}
	return u
}

// BlockEnd is the last address of the n-bit prefix starting at s.
func BlockEnd(s U128, n uint) U128 {
	switch {
	case n == 0:
		return Max
	case n < 64:
		return U128{s.Hi | (^uint64(0) >> n), ^uint64(0)}
	case n == 64:
		return U128{s.Hi, ^uint64(0)}
	case n < 128:
		return U128{s.Hi, s.Lo | (^uint64(0) >> (n - 64))}
	}
	return s
}

// LastAddr is the last address of p, in p's family.
func LastAddr(p netip.Prefix) netip.Addr {
	if p.Addr().Is4() {
		return BlockEnd(U128From(p.Addr()), uint(p.Bits())+96).Addr().Unmap()
	}
	return BlockEnd(U128From(p.Addr()), uint(p.Bits())).Addr()
}

// trailingZeros is the number of trailing zero bits of u, 128 for zero.
func (u U128) trailingZeros() int {
	if u.Lo != 0 {
		return bits.TrailingZeros64(u.Lo)
	}
	return 64 + bits.TrailingZeros64(u.Hi)
}

// U32 is an IPv4 address as a number (a must be IPv4).
func U32(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}
