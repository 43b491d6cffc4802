package tuc

import (
	"math/bits"
	"net/netip"
	"unsafe"
)

// SiLK's reasons for a value that does not parse (sku-string.c), so that
// --verbose reads as rwtuc's does.
const (
	errEmpty    = "Input is empty or all whitespace"
	errBadChar  = "Unexpected character"
	errOverflow = "Value overflows the parser"
	errMaximum  = "Value is above maximum"
	errMinimum  = "Value is below minimum"
	errShort    = "Unexpected end-of-input"
	errDate     = "Invalid date or time"
)

// trim removes the whitespace isspace() knows from both ends of b.
func trim(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseUint parses a decimal number from min to max.
func parseUint(b []byte, min, max uint64) (uint64, string) {
	if len(b) == 0 {
		return 0, errEmpty
	}
	var v uint64
	for _, c := range b {
		if !isDigit(c) {
			return 0, errBadChar
		}
		d := uint64(c - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, errOverflow
		}
		v = v*10 + d
	}
	if v > max {
		return 0, errMaximum
	}
	if v < min {
		return 0, errMinimum
	}
	return v, ""
}

// parseIP parses a dotted IPv4 address, an IPv6 address, or an IPv4
// address as an integer.
func parseIP(b []byte) (netip.Addr, string) {
	if len(b) == 0 {
		return netip.Addr{}, errEmpty
	}
	dots, colon := 0, false
	for _, c := range b {
		switch {
		case c == '.':
			dots++
		case c == ':':
			colon = true
		case c == '%':
			return netip.Addr{}, errBadChar // no zones in flow records
		}
	}
	if colon {
		// The string view is only read by ParseAddr; the result does not
		// keep it (zones, the one part that would, are refused above), so
		// no copy of the line is needed.
		a, err := netip.ParseAddr(unsafe.String(&b[0], len(b)))
		if err != nil {
			return netip.Addr{}, errBadChar
		}
		return a, ""
	}
	if dots == 0 {
		return parseIntegerIP(b)
	}
	if dots != 3 {
		return netip.Addr{}, errBadChar
	}
	var a [4]byte
	i := 0
	for k := 0; k < 4; k++ {
		v, n := 0, 0
		for i < len(b) && isDigit(b[i]) {
			v = v*10 + int(b[i]-'0')
			n++
			i++
			if n > 3 {
				return netip.Addr{}, errBadChar
			}
		}
		if n == 0 {
			if i == len(b) {
				return netip.Addr{}, errShort
			}
			return netip.Addr{}, errBadChar
		}
		if v > 255 {
			return netip.Addr{}, errMaximum
		}
		a[k] = byte(v)
		if k < 3 {
			if i == len(b) || b[i] != '.' {
				return netip.Addr{}, errBadChar
			}
			i++
		}
	}
	if i != len(b) {
		return netip.Addr{}, errBadChar
	}
	return netip.AddrFrom4(a), ""
}

// parseTCPFlags parses flag letters in any order and case (FSRPAUEC,
// spaces ignored, as rwcut prints them) or a number 0-255 (rwcut
// --integer-tcp-flags). An empty value is no flags.
func parseTCPFlags(b []byte) (uint8, string) {
	if len(b) > 0 && isDigit(b[0]) {
		v, reason := parseUint(b, 0, 255)
		return uint8(v), reason
	}
	var f uint8
	for _, c := range b {
		switch c | 0x20 {
		case 'f':
			f |= 0x01
		case 's':
			f |= 0x02
		case 'r':
			f |= 0x04
		case 'p':
			f |= 0x08
		case 'a':
			f |= 0x10
		case 'u':
			f |= 0x20
		case 'e':
			f |= 0x40
		case 'c':
			f |= 0x80
		default:
			if c != ' ' && c != '.' { // nfdump writes clear bits as '.'
				return 0, errBadChar
			}
		}
	}
	return f, ""
}

// parseAttributes parses SiLK's attribute letters T C F S (spaces ignored).
func parseAttributes(b []byte) (uint8, string) {
	var a uint8
	for _, c := range b {
		switch c | 0x20 {
		case 't':
			a |= 0x20
		case 'c':
			a |= 0x40
		case 'f':
			a |= 0x08
		case 's':
			a |= 0x10
		default:
			if c != ' ' {
				return 0, errBadChar
			}
		}
	}
	return a, ""
}

// maxDurationMs is rwtuc's limit on a duration: a 32-bit count of ms.
const maxDurationMs = 1<<32 - 1

// parseDuration parses seconds with an optional fraction into ms. Digits
// beyond the millisecond are dropped, as SiLK's conversion does.
func parseDuration(b []byte) (int64, string) {
	if len(b) == 0 {
		return 0, errEmpty
	}
	var sec int64
	i := 0
	for i < len(b) && isDigit(b[i]) {
		sec = sec*10 + int64(b[i]-'0')
		if sec > maxDurationMs/1000+1 {
			return 0, errMaximum
		}
		i++
	}
	ms := sec * 1000
	if i < len(b) && b[i] == '.' {
		i++
		scale := int64(100)
		for i < len(b) && isDigit(b[i]) {
			ms += int64(b[i]-'0') * scale
			scale /= 10
			i++
		}
	} else if i == 0 {
		return 0, errBadChar
	}
	if i != len(b) {
		return 0, errBadChar
	}
	if ms > maxDurationMs {
		return 0, errMaximum
	}
	return ms, ""
}

// SiLK's epoch limits for a time written as seconds (rwtuc's manual:
// 536870912 to 4294967295).
const (
	minEpoch = 1 << 29
	maxEpoch = 1<<32 - 1
)

// parseTime parses YYYY/MM/DD[:hh[:mm[:ss[.sss]]]] (`T` or a space may
// stand before the hour), rwcut's old MM/DD/YYYY hh:mm:ss[.sss], ISO's
// YYYY-MM-DD hh:mm:ss[.sss], or epoch seconds with an optional fraction.
// It returns ms since the epoch, UTC.
func parseTime(b []byte) (int64, string) {
	if len(b) == 0 {
		return 0, errEmpty
	}
	slash := -1
	for i, c := range b {
		if c == '/' || c == '-' {
			slash = i
			break
		}
	}
	if slash < 0 {
		return parseEpoch(b)
	}
	var year, mon, day int
	i := 0
	num := func(max int) (int, bool) {
		v, n := 0, 0
		for i < len(b) && isDigit(b[i]) && n < max {
			v = v*10 + int(b[i]-'0')
			i++
			n++
		}
		return v, n > 0
	}
	dsep := b[slash]
	if slash == 2 && dsep == '/' {
		// MM/DD/YYYY hh:mm:ss
		var ok1, ok2, ok3 bool
		mon, ok1 = num(2)
		if i < len(b) && b[i] == '/' {
			i++
		}
		day, ok2 = num(2)
		if i < len(b) && b[i] == '/' {
			i++
		}
		year, ok3 = num(4)
		if !ok1 || !ok2 || !ok3 || i > len(b) {
			return 0, errDate
		}
	} else {
		var ok bool
		if year, ok = num(4); !ok || i >= len(b) || b[i] != dsep {
			return 0, errDate
		}
		i++
		if mon, ok = num(2); !ok || i >= len(b) || b[i] != dsep {
			return 0, errDate
		}
		i++
		if day, ok = num(2); !ok {
			return 0, errDate
		}
	}
	var clock [3]int
	ms := 0
	for k := 0; k < 3 && i < len(b); k++ {
		c := b[i]
		if k == 0 && !(c == ':' || c == 'T' || c == ' ') || k > 0 && c != ':' {
			break
		}
		i++
		v, ok := num(2)
		if !ok {
			return 0, errShort
		}
		clock[k] = v
		if k == 2 && i < len(b) && b[i] == '.' {
			i++
			scale := 100
			for i < len(b) && isDigit(b[i]) {
				ms += int(b[i]-'0') * scale
				scale /= 10
				i++
			}
		}
	}
	if i != len(b) {
		return 0, errBadChar
	}
	if year < 1970 || year > 2106 || mon < 1 || mon > 12 || day < 1 || day > daysIn(year, mon) ||
		clock[0] > 23 || clock[1] > 59 || clock[2] > 59 {
		return 0, errDate
	}
	days := daysFromCivil(year, mon, day)
	return ((days*24+int64(clock[0]))*60+int64(clock[1]))*60000 + int64(clock[2])*1000 + int64(ms), ""
}

func parseEpoch(b []byte) (int64, string) {
	i := 0
	var sec int64
	for i < len(b) && isDigit(b[i]) {
		sec = sec*10 + int64(b[i]-'0')
		if sec > maxEpoch {
			return 0, errMaximum
		}
		i++
	}
	if i == 0 {
		return 0, errBadChar
	}
	if sec < minEpoch {
		return 0, errMinimum
	}
	ms := sec * 1000
	if i < len(b) && b[i] == '.' {
		i++
		scale := int64(100)
		for i < len(b) && isDigit(b[i]) {
			ms += int64(b[i]-'0') * scale
			scale /= 10
			i++
		}
	}
	if i != len(b) {
		return 0, errBadChar
	}
	return ms, ""
}

func daysIn(year, mon int) int {
	switch mon {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to the given date
// (Howard Hinnant's algorithm), without going through time.Time.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097 + doe - 719468)
}

// parseIntegerIP parses an address written as an integer (rwcut
// --ip-format=decimal): IPv4 up to 2^32-1, IPv6 above.
func parseIntegerIP(b []byte) (netip.Addr, string) {
	var hi, lo uint64
	for _, c := range b {
		if !isDigit(c) {
			return netip.Addr{}, errBadChar
		}
		// (hi,lo) = (hi,lo)*10 + d, with overflow past 128 bits refused
		h1, l1 := bits.Mul64(lo, 10)
		h2, h3 := bits.Mul64(hi, 10)
		if h2 != 0 {
			return netip.Addr{}, errOverflow
		}
		var carry uint64
		lo, carry = bits.Add64(l1, uint64(c-'0'), 0)
		var c2 uint64
		hi, c2 = bits.Add64(h3, h1, carry)
		if c2 != 0 {
			return netip.Addr{}, errOverflow
		}
	}
	if hi == 0 && lo <= 1<<32-1 {
		return netip.AddrFrom4([4]byte{byte(lo >> 24), byte(lo >> 16), byte(lo >> 8), byte(lo)}), ""
	}
	var a [16]byte
	for i := 0; i < 8; i++ {
		a[i] = byte(hi >> (56 - 8*i))
		a[8+i] = byte(lo >> (56 - 8*i))
	}
	return netip.AddrFrom16(a), ""
}
