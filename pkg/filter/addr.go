package filter

import (
	"encoding/binary"
	"net/netip"
	"strings"

	"github.com/gflow/gflow/pkg/cli/silkerr"
)

// IPWildcard is SiLK's IP_WILDCARD: a single address, one CIDR block, or a
// wildcard where each IPv4 octet / IPv6 hexadectet is a number, a range, a
// comma list or `x`. It is kept as one set of allowed values per octet or
// hexadectet, so a check is 4 (or 8) bit lookups.
type IPWildcard struct {
	v4 *[4][4]uint64 // allowed values of each octet; nil for an IPv6 wildcard
	v6 *[8]Bitmap    // allowed values of each hexadectet; nil for IPv4
}

// IsV6 reports whether the wildcard was written as an IPv6 address.
func (w *IPWildcard) IsV6() bool { return w.v6 != nil }

func (w *IPWildcard) match4(b [4]byte) bool {
	o := w.v4
	return o[0][b[0]>>6]&(1<<(b[0]&63)) != 0 &&
		o[1][b[1]>>6]&(1<<(b[1]&63)) != 0 &&
		o[2][b[2]>>6]&(1<<(b[2]&63)) != 0 &&
		o[3][b[3]>>6]&(1<<(b[3]&63)) != 0
}

func (w *IPWildcard) match16(b [16]byte) bool {
	for i := range 8 {
		if !w.v6[i].Has(uint32(binary.BigEndian.Uint16(b[2*i:]))) {
			return false
		}
	}
	return true
}

// Match reports whether a is covered. As in SiLK, an IPv4 wildcard matches
// IPv4-mapped IPv6 addresses and an IPv6 wildcard sees IPv4 addresses as
// ::ffff:a.b.c.d. An invalid address never matches.
func (w *IPWildcard) Match(a netip.Addr) bool {
	if a.Is4() {
		if w.v4 != nil {
			return w.match4(a.As4())
		}
		return w.match16(a.As16())
	}
	if !a.IsValid() {
		return false
	}
	if w.v4 != nil {
		if a.Is4In6() {
			return w.match4(a.Unmap().As4())
		}
		return false
	}
	return w.match16(a.As16())
}

// ParseIPWildcard parses SiLK's IP_WILDCARD syntax. It returns SiLK's
// reason on error.
func ParseIPWildcard(s string) (*IPWildcard, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errEmpty
	}
	if strings.Contains(s, "/") {
		return parseCIDRWildcard(s)
	}
	if strings.Contains(s, ":") {
		return parseV6Wildcard(s)
	}
	o, e := parseV4Octets(s)
	if e != "" {
		return nil, e
	}
	return &IPWildcard{v4: o}, ""
}

func parseCIDRWildcard(s string) (*IPWildcard, string) {
	addr, bits, _ := strings.Cut(s, "/")
	if strings.ContainsAny(addr, "xX,-") {
		return nil, "CIDR notation and wildcard syntax cannot be combined"
	}
	a, e := parseAddr(addr)
	if e != "" {
		return nil, e
	}
	p, e := parsePrefixLen(a, bits)
	if e != "" {
		return nil, e
	}
	b := a.As16()
	if a.Is4() {
		o := new([4][4]uint64)
		a4 := a.As4()
		for i := range 4 {
			lo, hi := maskRange(uint32(a4[i]), p-8*i, 8)
			for v := lo; v <= hi; v++ {
				o[i][v>>6] |= 1 << (v & 63)
			}
		}
		return &IPWildcard{v4: o}, ""
	}
	w := &IPWildcard{v6: new([8]Bitmap)}
	for i := range 8 {
		w.v6[i] = NewBitmap(1 << 16)
		lo, hi := maskRange(uint32(binary.BigEndian.Uint16(b[2*i:])), p-16*i, 16)
		w.v6[i].SetRange(lo, hi)
	}
	return w, ""
}

// maskRange returns the values of a width-bit field whose top `keep` bits
// equal v's.
func maskRange(v uint32, keep, width int) (lo, hi uint32) {
	keep = max(0, min(keep, width))
	free := uint32(1)<<(width-keep) - 1
	return v &^ free, v | free
}

func parsePrefixLen(a netip.Addr, s string) (int, string) {
	return prefixBits(s, a.BitLen())
}

// parseAddr parses one IPv4 or IPv6 address with SiLK's reasons.
func parseAddr(s string) (netip.Addr, string) {
	a, n, e := parseSilkIP(s)
	if e != "" {
		return netip.Addr{}, e
	}
	if n != len(s) {
		return netip.Addr{}, silkerr.UnexpectedChar(s[n])
	}
	return a, ""
}

func parseV4Octets(s string) (*[4][4]uint64, string) {
	parts := strings.Split(s, ".")
	if len(parts) < 4 {
		return nil, errShort
	}
	if len(parts) > 4 {
		return nil, "Too many fields provided"
	}
	o := new([4][4]uint64)
	for i, p := range parts {
		if p == "x" || p == "X" {
			o[i] = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
			continue
		}
		if p == "" {
			return nil, errShort
		}
		b := Bitmap(o[i][:])
		if e := fillNumberList(b, p, 255, 10); e != "" {
			return nil, e
		}
	}
	return o, ""
}

func parseV6Wildcard(s string) (*IPWildcard, string) {
	var groups []string
	head, tail, double := strings.Cut(s, "::")
	if double && strings.Contains(tail, "::") {
		return nil, "Only one '::' is allowed"
	}
	split := func(x string) []string {
		if x == "" {
			return nil
		}
		return strings.Split(x, ":")
	}
	hs, ts := split(head), split(tail)
	// an embedded IPv4 part (::ffff:10.0.0.x) counts as two hexadectets
	var v4 *[4][4]uint64
	last := ts
	if !double {
		last = hs
	}
	if n := len(last); n > 0 && strings.Contains(last[n-1], ".") {
		var e string
		if v4, e = parseV4Octets(last[n-1]); e != "" {
			return nil, e
		}
		last[n-1] = ""
	}
	count := len(hs) + len(ts)
	if v4 != nil {
		count++
	}
	switch {
	case double && count > 7:
		return nil, "Too many fields provided"
	case !double && count < 8:
		return nil, errShort
	case !double && count > 8:
		return nil, "Too many fields provided"
	}
	groups = append(groups, hs...)
	if double {
		for range 8 - count {
			groups = append(groups, "0")
		}
	}
	groups = append(groups, ts...)
	w := &IPWildcard{v6: new([8]Bitmap)}
	for i := range 8 {
		w.v6[i] = NewBitmap(1 << 16)
	}
	for i, g := range groups {
		if g == "" && v4 != nil && i == len(groups)-1 {
			// the IPv4 part fills hexadectets 6 and 7
			in := func(o [4]uint64, v uint32) bool { return o[v>>6]&(1<<(v&63)) != 0 }
			for a := range uint32(256) {
				for b := range uint32(256) {
					if in(v4[0], a) && in(v4[1], b) {
						w.v6[6].Set(a<<8 | b)
					}
					if in(v4[2], a) && in(v4[3], b) {
						w.v6[7].Set(a<<8 | b)
					}
				}
			}
			break
		}
		if g == "x" || g == "X" {
			w.v6[i].SetRange(0, 0xffff)
			continue
		}
		if g == "" {
			return nil, errShort
		}
		if e := fillNumberList(w.v6[i], g, 0xffff, 16); e != "" {
			return nil, e
		}
	}
	return w, ""
}

// CIDRList is SiLK's IP_OR_CIDR_LIST: IPs and CIDR blocks, v4 or v6.
type CIDRList struct {
	v4 [][2]uint32 // inclusive ranges of IPv4 addresses
	v6 []netip.Prefix
	// v6Has4 is set when some IPv6 block overlaps ::ffff:0:0/96, the only
	// place an IPv6 block can match an IPv4 address.
	v6Has4 bool
}

var mapped4 = netip.MustParsePrefix("::ffff:0:0/96")

// Match reports whether a is inside one of the blocks. IPv4 blocks also
// match IPv4-mapped IPv6 addresses; IPv6 blocks see IPv4 addresses as
// ::ffff:a.b.c.d, as in SiLK.
func (l *CIDRList) Match(a netip.Addr) bool {
	if a.Is4() || a.Is4In6() {
		b := a.Unmap().As4()
		u := binary.BigEndian.Uint32(b[:])
		for _, r := range l.v4 {
			if u >= r[0] && u <= r[1] {
				return true
			}
		}
		if !l.v6Has4 {
			return false
		}
		a = netip.AddrFrom16(a.As16())
	}
	for _, p := range l.v6 {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseCIDRList parses a comma list of IPs and CIDR blocks as rwfilter
// does (an IP is a /32 or /128; a /0 block is refused, as by SiLK: leave
// the switch out to match everything). On error it returns the bad token
// and SiLK's reason.
func ParseCIDRList(s string) (*CIDRList, string, string) {
	l := &CIDRList{}
	n := 0
	for tok := range strings.SplitSeq(s, ",") {
		if strings.TrimSpace(tok) == "" {
			continue
		}
		pfx, e := parseSilkCIDR(tok)
		if e != "" {
			return nil, tok, e
		}
		if pfx.Addr().Is4() {
			b := pfx.Addr().As4()
			lo := binary.BigEndian.Uint32(b[:])
			hi := lo | uint32(uint64(1)<<(32-pfx.Bits())-1)
			l.v4 = append(l.v4, [2]uint32{lo, hi})
		} else {
			l.v6 = append(l.v6, pfx)
			l.v6Has4 = l.v6Has4 || pfx.Overlaps(mapped4)
		}
		n++
	}
	if n == 0 {
		return nil, s, errEmpty
	}
	return l, "", ""
}
