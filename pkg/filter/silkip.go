package filter

import (
	"fmt"
	"net/netip"

	"github.com/gflow/gflow/pkg/cli/silkerr"
)

// parseSilkIP parses an address as SiLK's skStringParseIP does: dotted
// IPv4, a single integer (an IPv4 address), or IPv6, possibly ending in an
// embedded IPv4 part. It returns the address and the number of bytes read
// (what follows, such as "/24", starts there; trailing whitespace counts
// as read), or SiLK's reason ("IP octet 2 is too large: 300").
func parseSilkIP(s string) (netip.Addr, int, string) {
	sp := 0
	for sp < len(s) && isSpace(s[sp]) {
		sp++
	}
	if sp == len(s) {
		return netip.Addr{}, 0, errEmpty
	}
	dot, colon := -1, -1
	for i := sp; i < len(s); i++ {
		if s[i] == '.' && dot < 0 {
			dot = i
		}
		if s[i] == ':' && colon < 0 {
			colon = i
		}
	}
	var a netip.Addr
	var n int
	var e string
	if colon < 0 || (dot >= 0 && dot < colon) {
		var v uint32
		v, n, e = parseSilkIPv4(s[sp:])
		a = netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	} else {
		var b [16]byte
		b, n, e = parseSilkIPv6(s[sp:])
		a = netip.AddrFrom16(b)
	}
	if e != "" {
		return netip.Addr{}, 0, e
	}
	end := sp + n
	rest := end
	for rest < len(s) && isSpace(s[rest]) {
		rest++
	}
	if rest == len(s) {
		return a, len(s), ""
	}
	return a, end, ""
}

// at returns s[i], or 0 past its end (C's terminating NUL).
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// parseSilkIPv4 is SiLK's parseIPv4: four octets, or one integer.
func parseSilkIPv4(s string) (uint32, int, string) {
	if at(s, 0) == '-' {
		return 0, 0, silkerr.UnexpectedChar('-')
	}
	var final uint64
	sp := 0
	for i := 3; i >= 0; i-- {
		val, n, ovf := parseUintPrefix(s[sp:], 10)
		ep := sp + n
		if ep == sp {
			return 0, 0, silkerr.UnexpectedChar(at(s, sp))
		}
		if ovf {
			if i == 3 {
				return 0, 0, errOverflow
			}
			return 0, 0, fmt.Sprintf("IP octet %d is too large", 4-i)
		}
		if val > 255 {
			if i == 3 && at(s, ep) != '.' {
				if val > 0xffffffff {
					return 0, 0, fmt.Sprintf("Integer too large for IPv4: %d", val)
				}
				return uint32(val), ep, ""
			}
			return 0, 0, fmt.Sprintf("IP octet %d is too large: %d", 4-i, val)
		}
		sp = ep
		if at(s, sp) != '.' {
			if i == 3 {
				return uint32(val), sp, "" // a single integer
			}
			if i != 0 {
				if at(s, sp) == 0 {
					return 0, 0, errShort
				}
				return 0, 0, silkerr.UnexpectedChar(at(s, sp))
			}
		} else if i == 0 {
			return 0, 0, fmt.Sprintf("Found '%c' after fourth octet", '.')
		} else {
			sp++
			if !isDigit(at(s, sp)) {
				if at(s, sp) == 0 {
					return 0, 0, errShort
				}
				return 0, 0, silkerr.UnexpectedChar(at(s, sp))
			}
		}
		final |= val << (8 * i)
	}
	return uint32(final), sp, ""
}

// parseSilkIPv6 is SiLK's parseIPv6.
func parseSilkIPv6(s string) ([16]byte, int, string) {
	var ip [16]byte
	fail := func(e string) ([16]byte, int, string) { return [16]byte{}, 0, e }
	doubleColon := -1
	sp := 0
	if at(s, 0) == ':' {
		if at(s, 1) != ':' {
			return fail("IP address cannot begin with single ':'")
		}
		if at(s, 2) == ':' {
			return fail("Unexpected character :::")
		}
		doubleColon = 0
		sp = 2
	}
	i := 0
sections:
	for i < 8 {
		if !isHex(at(s, sp)) {
			if doubleColon >= 0 {
				break
			}
			if at(s, sp) == 0 {
				return fail("Too few IP sections given")
			}
			return fail(silkerr.UnexpectedChar(at(s, sp)))
		}
		val, n, ovf := parseUintPrefix(s[sp:], 16)
		ep := sp + n
		if ovf {
			return fail(errOverflow)
		}
		if val > 0xffff {
			return fail(fmt.Sprintf("Value in IP section %d is too large", i+1))
		}
		if at(s, ep) == '.' {
			if i > 6 {
				return fail("Too many sections before embedded IPv4")
			}
			v4, n, e := parseSilkIPv4(s[sp:])
			if e != "" {
				return fail(e)
			}
			ip[2*i], ip[2*i+1], ip[2*i+2], ip[2*i+3] = byte(v4>>24), byte(v4>>16), byte(v4>>8), byte(v4)
			sp += n
			i += 2
			if at(s, sp) == ':' {
				return fail("Found ':' after final section")
			}
			break
		}
		ip[2*i], ip[2*i+1] = byte(val>>8), byte(val)
		sp = ep
		switch {
		case at(s, sp) != ':':
			if i != 7 {
				if doubleColon >= 0 {
					i++
					break sections
				}
				if at(s, sp) == 0 {
					return fail("Too few IP sections given")
				}
				return fail(silkerr.UnexpectedChar(at(s, sp)))
			}
		case i == 7:
			return fail("Found ':' after final section")
		default:
			sp++
			switch {
			case at(s, sp) == ':':
				if doubleColon >= 0 {
					return fail("Only one :: instance allowed")
				}
				if at(s, sp+1) == ':' {
					return fail("Unexpected character :::")
				}
				doubleColon = i + 1
				sp++
			case at(s, sp) == 0:
				return fail("Expecting IP section value after ':'")
			case !isHex(at(s, sp)):
				return fail(silkerr.UnexpectedChar(at(s, sp)))
			}
		}
		i++
	}
	if doubleColon >= 0 {
		if i == 8 {
			return fail("Cannot have '::' in IP with 8 sections")
		}
		var out [16]byte
		copy(out[:2*doubleColon], ip[:2*doubleColon])
		copy(out[2*(8+doubleColon-i):], ip[2*doubleColon:2*i])
		ip = out
	} else if i != 8 {
		return fail(fmt.Sprintf("Only %d/8 IP sections specified", i))
	}
	return ip, sp, ""
}

// parseSilkCIDR parses an address with an optional "/BITS" as SiLK's
// skStringParseCIDR does: BITS is 1 to 32 (IPv4) or 128 (IPv6), so a /0
// block, which would match everything, is refused.
func parseSilkCIDR(s string) (netip.Prefix, string) {
	a, n, e := parseSilkIP(s)
	if e != "" {
		return netip.Prefix{}, e
	}
	if n == len(s) {
		return netip.PrefixFrom(a, a.BitLen()), ""
	}
	if s[n] != '/' {
		return netip.Prefix{}, silkerr.UnexpectedChar(s[n])
	}
	bits, e := prefixBits(s[n+1:], a.BitLen())
	if e != "" {
		return netip.Prefix{}, e
	}
	return netip.PrefixFrom(a, bits).Masked(), ""
}

// prefixBits parses the number after a CIDR's slash: 1 to max, as SiLK's
// skStringParseUint32 with its minimum of 1.
func prefixBits(s string, max int) (int, string) {
	if s == "" {
		return 0, silkerr.UnexpectedChar(0) // SiLK's text ends at the NUL it prints
	}
	v, n, e := uintPrefix(s)
	switch {
	case e != "":
		return 0, e
	case v < 1:
		return 0, silkerr.BelowMin(1)
	case v > uint64(max):
		return 0, silkerr.AboveMax(uint64(max))
	case n < len(s) && trimSpaceLeft(s[n:]) != "":
		return 0, silkerr.UnexpectedChar(s[n])
	}
	return int(v), ""
}

func trimSpaceLeft(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	return s
}
