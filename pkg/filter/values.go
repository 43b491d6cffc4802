// Package filter holds gfilter's partitioning tests: rwfilter's switches,
// parsed with rwfilter's value syntax and messages, compiled into
// pre-decoded predicates that are checked on flowfile.Record values without
// allocation.
package filter

import (
	"fmt"
	"math"
	"strings"

	"github.com/gflow/gflow/pkg/cli/silkerr"
)

// ValueError is a bad switch value, in SiLK's wording (see package
// silkerr): "Invalid NAME 'VALUE': REASON" or the form rwfilter uses for the
// switch, so that scripts written against rwfilter keep working. Its Fix
// names what would be valid, on a hint line.
type ValueError = silkerr.ValueError

// SiLK's parse error texts (sku-string.c).
const (
	errEmpty    = silkerr.Empty
	errBadRange = silkerr.BadRange
	errOverflow = silkerr.Overflow
	errShort    = silkerr.Short
)

// errBadChar is the number lists' "Unexpected character at 'c'".
func errBadChar(c byte) string { return silkerr.UnexpectedCharAt(c) }

func errAboveMax(max uint64) string { return silkerr.AboveMax(max) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// parseUintPrefix reads the digits in base (10 or 16) at the start of s
// (like strtoul).
// It returns the value, the number of bytes used and whether it overflowed.
func parseUintPrefix(s string, base int) (v uint64, n int, overflow bool) {
	for n < len(s) {
		c := s[n]
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return v, n, overflow
		}
		if v > (math.MaxUint64-d)/uint64(base) {
			overflow = true
		} else {
			v = v*uint64(base) + d
		}
		n++
	}
	return v, n, overflow
}

// Bitmap is a set of small unsigned integers (ports, protocols, indexes).
type Bitmap []uint64

// NewBitmap returns an empty set able to hold 0..size-1.
func NewBitmap(size int) Bitmap { return make(Bitmap, (size+63)/64) }

// Set adds v.
func (b Bitmap) Set(v uint32) { b[v>>6] |= 1 << (v & 63) }

// Has reports whether v is in the set; values past the end are not.
func (b Bitmap) Has(v uint32) bool {
	i := v >> 6
	return int(i) < len(b) && b[i]&(1<<(v&63)) != 0
}

// SetRange adds lo..hi inclusive.
func (b Bitmap) SetRange(lo, hi uint32) {
	for v := uint64(lo); v <= uint64(hi); v++ {
		b.Set(uint32(v))
	}
}

// parseNumberList parses SiLK's INTEGER_LIST ("6,17", "0-1023,8080",
// "1024-") into a set of 0..max. It returns SiLK's reason on error.
func parseNumberList(s string, max uint32, base int) (Bitmap, string) {
	b := NewBitmap(int(max) + 1)
	if err := fillNumberList(b, s, max, base); err != "" {
		return nil, err
	}
	return b, ""
}

func fillNumberList(b Bitmap, s string, max uint32, base int) string {
	return eachNumberRange(s, max, base, b.SetRange)
}

// eachNumberRange parses an INTEGER_LIST of 0..max and calls add for each
// of its numbers and ranges, in order.
func eachNumberRange(s string, max uint32, base int, add func(lo, hi uint32)) string {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i == len(s) {
		return errEmpty
	}
	digit := func(c byte) bool {
		if base == 16 {
			return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		}
		return isDigit(c)
	}
	if !digit(s[i]) {
		return errBadChar(s[i])
	}
	for i < len(s) && !isSpace(s[i]) {
		lo, n, ovf := parseUintPrefix(s[i:], base)
		if n == 0 {
			return errBadChar(s[i])
		}
		if ovf {
			return errOverflow
		}
		if lo > uint64(max) {
			return errAboveMax(uint64(max))
		}
		i += n
		hi := lo
		if i < len(s) && s[i] == '-' {
			i++
			switch {
			case i < len(s) && digit(s[i]):
				v, n, ovf := parseUintPrefix(s[i:], base)
				if ovf {
					return errOverflow
				}
				if v > uint64(max) {
					return errAboveMax(uint64(max))
				}
				i += n
				if v < lo {
					return fmt.Sprintf("%s (%d-%d)", errBadRange, lo, v)
				}
				hi = v
				if i < len(s) && s[i] == '-' {
					return errBadChar('-')
				}
			case i == len(s) || s[i] == ',':
				hi = uint64(max) // open-ended "1024-"
			default:
				return errBadChar(s[i])
			}
		}
		add(uint32(lo), uint32(hi))
		// move to the next number: commas (doubled ones allowed) or the end
		for i < len(s) && !isSpace(s[i]) && !digit(s[i]) {
			if s[i] != ',' {
				return errBadChar(s[i])
			}
			i++
		}
	}
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return "Unexpected character--embedded whitespace found in input"
	}
	return ""
}

// Uint64Range is an inclusive range of counts (--bytes, --packets).
type Uint64Range struct{ Min, Max uint64 }

// Has reports whether v is within the range.
func (r Uint64Range) Has(v uint64) bool { return v >= r.Min && v <= r.Max }

// parseIntRange parses SiLK's INTEGER_RANGE as skStringParseRange64
// does: "MIN-MAX", "MIN-" or "N".
func parseIntRange(s string) (Uint64Range, string) {
	lo, n, e := uintPrefix(s)
	if e != "" {
		return Uint64Range{}, e
	}
	rest := s[n:]
	if strings.TrimLeft(rest, " \t\n\r\v\f") == "" {
		return Uint64Range{lo, lo}, ""
	}
	if rest[0] != '-' {
		return Uint64Range{}, silkerr.UnexpectedChar(rest[0])
	}
	rest = rest[1:]
	if rest == "" || !isDigit(rest[0]) {
		if strings.TrimLeft(rest, " \t\n\r\v\f") == "" {
			return Uint64Range{lo, math.MaxUint64}, ""
		}
		return Uint64Range{}, silkerr.UnexpectedChar(rest[0])
	}
	hi, n, e := uintPrefix(rest)
	if e != "" {
		return Uint64Range{}, e
	}
	if strings.TrimLeft(rest[n:], " \t\n\r\v\f") != "" {
		return Uint64Range{}, silkerr.UnexpectedChar(rest[n])
	}
	if hi < lo {
		return Uint64Range{}, errBadRange
	}
	return Uint64Range{lo, hi}, ""
}

// uintPrefix reads the unsigned decimal at the start of s (after
// whitespace) as strtoul does, with SiLK's reasons.
func uintPrefix(s string) (uint64, int, string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i == len(s) {
		return 0, 0, errEmpty
	}
	if s[i] == '+' {
		i++
	}
	v, n, ovf := parseUintPrefix(s[i:], 10)
	switch {
	case n == 0 && i < len(s):
		return 0, 0, silkerr.UnexpectedChar(s[i])
	case n == 0:
		return 0, 0, silkerr.UnexpectedChar(0)
	case ovf:
		return 0, 0, errOverflow
	}
	return v, i + n, ""
}

// FloatRange is an inclusive decimal range (--bytes-per-packet, --duration).
type FloatRange struct{ Min, Max float64 }

// Has reports whether v is within the range.
func (r FloatRange) Has(v float64) bool { return v >= r.Min && v <= r.Max }

// parseDecimalRange parses SiLK's DECIMAL_RANGE as
// skStringParseDoubleRange does with a minimum of 0: "X-Y", "X-" or "X".
func parseDecimalRange(s string) (FloatRange, string) {
	lo, n, e := decimalPrefix(s)
	if e != "" {
		return FloatRange{}, e
	}
	rest := s[n:]
	if strings.TrimLeft(rest, " \t\n\r\v\f") == "" {
		return FloatRange{lo, lo}, ""
	}
	if rest[0] != '-' {
		return FloatRange{}, silkerr.UnexpectedChar(rest[0])
	}
	rest = rest[1:]
	switch {
	case rest != "" && (rest[0] == '+' || rest[0] == '-'):
		if len(rest) < 2 || !isDigit(rest[1]) {
			return FloatRange{}, silkerr.UnexpectedChar(rest[0])
		}
	case rest == "" || !isDigit(rest[0]):
		if strings.TrimLeft(rest, " \t\n\r\v\f") == "" {
			return FloatRange{lo, math.Inf(1)}, ""
		}
		return FloatRange{}, silkerr.UnexpectedChar(rest[0])
	}
	hi, n, e := decimalPrefix(rest)
	if e != "" {
		return FloatRange{}, e
	}
	if strings.TrimLeft(rest[n:], " \t\n\r\v\f") != "" {
		return FloatRange{}, silkerr.UnexpectedChar(rest[n])
	}
	if hi < lo {
		return FloatRange{}, errBadRange
	}
	return FloatRange{lo, hi}, ""
}

// decimalPrefix reads the decimal at the start of s (after whitespace) as
// strtod does; like rwfilter it refuses values below 0.
func decimalPrefix(s string) (float64, int, string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i == len(s) {
		return 0, 0, errEmpty
	}
	v, n, e := silkerr.ParseFloatPrefix(s[i:])
	if e != "" {
		return 0, 0, e
	}
	if v < 0 {
		return 0, 0, silkerr.BelowMinFloat(0)
	}
	return v, i + n, ""
}
