// Package filter holds gfilter's partitioning tests: rwfilter's switches,
// parsed with rwfilter's value syntax and messages, compiled into
// pre-decoded predicates that are checked on flowfile.Record values without
// allocation.
package filter

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ValueError is a bad switch value. Its text follows rwfilter's
// "Invalid NAME 'VALUE': REASON" so scripts written against rwfilter keep
// working, and it names what would be valid.
type ValueError struct {
	Switch string // switch name without the dashes ("protocol")
	Value  string // the offending value (or token of a list)
	Reason string // SiLK's wording, e.g. "Value is above maximum of 255"
	// Fix says what the user probably meant to type ("did you mean
	// --scc=gb (United Kingdom)?"); the tools print it on a second line,
	// "TOOL: hint: …" (see pkg/cli).
	Fix string
}

// Hint returns Fix, for pkg/cli's hint line.
func (e *ValueError) Hint() string { return e.Fix }

func (e *ValueError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("Invalid %s '%s'", e.Switch, e.Value)
	}
	return fmt.Sprintf("Invalid %s '%s': %s", e.Switch, e.Value, e.Reason)
}

// SiLK's parse error texts (sku-string.c).
const (
	errEmpty    = "Input is empty or all whitespace"
	errBadRange = "Range is invalid (min > max)"
	errOverflow = "Value overflows the parser"
	errShort    = "Unexpected end-of-input"
)

func errBadChar(c byte) string { return fmt.Sprintf("Unexpected character at '%c'", c) }

func errAboveMax(max uint64) string { return fmt.Sprintf("Value is above maximum of %d", max) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// parseUintPrefix reads the decimal digits at the start of s (like strtoul).
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

// parseIntRange parses SiLK's INTEGER_RANGE: "MIN-MAX", "MIN-" or "N".
func parseIntRange(s string) (Uint64Range, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Uint64Range{}, errEmpty
	}
	lo, n, ovf := parseUintPrefix(s, 10)
	if n == 0 {
		return Uint64Range{}, errBadChar(s[0])
	}
	if ovf {
		return Uint64Range{}, errOverflow
	}
	rest := s[n:]
	if rest == "" {
		return Uint64Range{lo, lo}, ""
	}
	if rest[0] != '-' {
		return Uint64Range{}, errBadChar(rest[0])
	}
	rest = rest[1:]
	if rest == "" {
		return Uint64Range{lo, math.MaxUint64}, ""
	}
	hi, n, ovf := parseUintPrefix(rest, 10)
	if n == 0 {
		return Uint64Range{}, errBadChar(rest[0])
	}
	if ovf {
		return Uint64Range{}, errOverflow
	}
	if n != len(rest) {
		return Uint64Range{}, errBadChar(rest[n])
	}
	if hi < lo {
		return Uint64Range{}, errBadRange
	}
	return Uint64Range{lo, hi}, ""
}

// FloatRange is an inclusive decimal range (--bytes-per-packet, --duration).
type FloatRange struct{ Min, Max float64 }

// Has reports whether v is within the range.
func (r FloatRange) Has(v float64) bool { return v >= r.Min && v <= r.Max }

// parseDecimalPrefix reads an unsigned decimal number ("5", "5.031", ".5").
func parseDecimalPrefix(s string) (float64, int, string) {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if n < len(s) && s[n] == '.' {
		n++
		for n < len(s) && isDigit(s[n]) {
			n++
		}
	}
	if n == 0 || s[:n] == "." {
		if len(s) == 0 {
			return 0, 0, errShort
		}
		return 0, 0, errBadChar(s[0])
	}
	v, err := strconv.ParseFloat(s[:n], 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, 0, errOverflow
	}
	return v, n, ""
}

// parseDecimalRange parses SiLK's DECIMAL_RANGE: "X-Y", "X-" or "X".
func parseDecimalRange(s string) (FloatRange, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return FloatRange{}, errEmpty
	}
	lo, n, e := parseDecimalPrefix(s)
	if e != "" {
		return FloatRange{}, e
	}
	rest := s[n:]
	if rest == "" {
		return FloatRange{lo, lo}, ""
	}
	if rest[0] != '-' {
		return FloatRange{}, errBadChar(rest[0])
	}
	rest = rest[1:]
	if rest == "" {
		return FloatRange{lo, math.Inf(1)}, ""
	}
	hi, n, e := parseDecimalPrefix(rest)
	if e != "" {
		return FloatRange{}, e
	}
	if n != len(rest) {
		return FloatRange{}, errBadChar(rest[n])
	}
	if hi < lo {
		return FloatRange{}, errBadRange
	}
	return FloatRange{lo, hi}, ""
}
