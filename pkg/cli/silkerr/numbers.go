package silkerr

import (
	"math"
	"strconv"
	"strings"
)

// The number parsers of SiLK's switches (skStringParseUint64 and
// skStringParseDouble), whose reasons are part of their wording: "abc"
// is "Unexpected character 'a'" as a count but "Unexpected character"
// as a decimal, and "10x" is "Extra text follows value".

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// trailingJunk reports whether s has more than whitespace.
func trailingJunk(s string) bool {
	return strings.TrimLeft(s, " \t\n\r\v\f") != ""
}

// ParseUint parses an unsigned decimal as skStringParseUint64 does:
// surrounding whitespace allowed, no sign, at least min and (when max is
// not 0) at most max. On error it returns SiLK's reason.
func ParseUint(s string, min, max uint64) (uint64, string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i == len(s) {
		return 0, Empty
	}
	if s[i] == '-' {
		return 0, UnexpectedChar('-')
	}
	if s[i] == '+' { // strtoul takes a plus sign
		i++
	}
	start := i
	var v uint64
	overflow := false
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if v > (math.MaxUint64-d)/10 {
			overflow = true
		}
		v = v*10 + d
		i++
	}
	if i == start {
		if start == len(s) {
			return 0, UnexpectedChar(0)
		}
		return 0, UnexpectedChar(s[start])
	}
	switch {
	case overflow:
		return 0, Overflow
	case v < min:
		return 0, BelowMin(min)
	case max > 0 && v > max:
		return 0, AboveMax(max)
	case trailingJunk(s[i:]):
		return 0, ExtraText
	}
	return v, ""
}

// FloatPrefix returns the length of the decimal number strtod would read
// at the start of s (after no whitespace): an optional sign, digits with
// an optional fraction and exponent, or inf, infinity or nan.
func FloatPrefix(s string) int {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for _, word := range []string{"infinity", "inf", "nan"} {
		if len(s)-i >= len(word) && strings.EqualFold(s[i:i+len(word)], word) {
			return i + len(word)
		}
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
			digits++
		}
		i = j
	}
	if digits == 0 {
		return 0
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			i = j
		}
	}
	return i
}

// ParseFloatPrefix reads the decimal at the start of s as strtod does and
// returns it with the number of bytes read, or SiLK's reason.
func ParseFloatPrefix(s string) (float64, int, string) {
	n := FloatPrefix(s)
	if n == 0 {
		return 0, 0, BadChar
	}
	v, err := strconv.ParseFloat(s[:n], 64)
	switch {
	case err != nil && math.IsInf(v, 0) && !strings.ContainsAny(strings.ToLower(s[:n]), "i"):
		return 0, 0, Overflow
	case math.IsNaN(v):
		return 0, 0, BadChar
	}
	return v, n, ""
}

// ParseFloat parses a decimal as skStringParseDouble does: surrounding
// whitespace allowed, at least min and (when max is not 0) at most max.
// On error it returns SiLK's reason.
func ParseFloat(s string, min, max float64) (float64, string) {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	if s == "" {
		return 0, Empty
	}
	v, n, reason := ParseFloatPrefix(s)
	switch {
	case reason != "":
		return 0, reason
	case v < min:
		return 0, BelowMinFloat(min)
	case max > 0 && v > max:
		return 0, AboveMaxFloat(max)
	case trailingJunk(s[n:]):
		return 0, ExtraText
	}
	return v, ""
}
