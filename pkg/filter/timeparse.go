package filter

import (
	"fmt"
	"strings"
	"time"
)

// Precision is how much of a date the user wrote.
type Precision int

// Precisions of a parsed time, coarsest first.
const (
	PrecDay Precision = iota + 3
	PrecHour
	PrecMinute
	PrecSecond
	PrecFraction
)

// SiLK's accepted epoch values (sku-string.c): 1987-01-05 .. 2038-01-19.
const (
	minEpoch = 1 << 29
	maxEpoch = 1<<31 - 1
)

// ParsedTime is one time as SiLK parses it: its value, how much of it was
// written, and whether it was given in epoch seconds.
type ParsedTime struct {
	Ms    int64 // ms since the epoch, UTC
	Prec  Precision
	Epoch bool
}

// Time returns the value as a UTC time.
func (p ParsedTime) Time() time.Time { return time.UnixMilli(p.Ms).UTC() }

// Ceiling returns the last millisecond covered by the written precision:
// missing parts count as their maximum (23:59:59.999), and an epoch value
// without fraction gets .999.
func (p ParsedTime) Ceiling() int64 {
	switch p.Prec {
	case PrecDay:
		return p.Ms + 86400000 - 1
	case PrecHour:
		return p.Ms + 3600000 - 1
	case PrecMinute:
		return p.Ms + 60000 - 1
	case PrecSecond:
		return p.Ms + 999
	}
	return p.Ms
}

// DateForms names the date forms ParseTime takes, for hints.
const DateForms = "YYYY/MM/DD[:HH] or YYYY-MM-DD[THH], in UTC"

// ParseTime parses YYYY/MM/DD[:HH[:MM[:SS[.sss]]]] (`T` or a space may
// replace the ':' before the hour), the ISO 8601 form
// YYYY-MM-DD[THH[:MM[:SS[.sss]]]][Z] or epoch seconds with an optional
// fraction. It returns SiLK's reason on error.
func ParseTime(s string) (ParsedTime, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return ParsedTime{}, errEmpty
	}
	if iso, ok := fromISO(s); ok {
		s = iso
	}
	if !strings.Contains(s, "/") {
		return parseEpoch(s)
	}
	var f [6]int
	var fracMs int
	prec := PrecDay
	i := 0
	num := func(maxDigits int) (int, bool) {
		v, n := 0, 0
		for i < len(s) && isDigit(s[i]) && n < maxDigits {
			v = v*10 + int(s[i]-'0')
			i++
			n++
		}
		return v, n > 0
	}
	var ok bool
	if f[0], ok = num(4); !ok {
		return ParsedTime{}, errBadChar(s[i])
	}
	for k := 1; k < 6; k++ {
		if i == len(s) {
			if k < 3 {
				return ParsedTime{}, "Date is incomplete"
			}
			break
		}
		sep := s[i]
		okSep := (k < 3 && sep == '/') ||
			(k == 3 && (sep == ':' || sep == 'T' || sep == ' ')) ||
			(k > 3 && sep == ':')
		if !okSep {
			if sep == '.' && k > 3 {
				break // fraction; checked below
			}
			return ParsedTime{}, errBadChar(sep)
		}
		i++
		if f[k], ok = num(2); !ok {
			if i == len(s) {
				return ParsedTime{}, errShort
			}
			return ParsedTime{}, errBadChar(s[i])
		}
		if k >= 3 {
			prec = Precision(int(PrecDay) + k - 2)
		}
	}
	if i < len(s) && s[i] == '.' && prec == PrecSecond {
		i++
		n := 0
		for i < len(s) && isDigit(s[i]) {
			if n < 3 {
				fracMs = fracMs*10 + int(s[i]-'0')
			}
			n++
			i++
		}
		if n == 0 {
			return ParsedTime{}, errShort
		}
		for ; n < 3; n++ {
			fracMs *= 10
		}
		prec = PrecFraction
	}
	if i != len(s) {
		return ParsedTime{}, errBadChar(s[i])
	}
	year, mon, day, hour, min, sec := f[0], f[1], f[2], f[3], f[4], f[5]
	switch {
	case year < 1970 || year > 2039:
		return ParsedTime{}, fmt.Sprintf("Year value is out of range (%d not in 1970-2039)", year)
	case mon < 1 || mon > 12:
		return ParsedTime{}, fmt.Sprintf("Month value is out of range (%d not in 1-12)", mon)
	case day < 1 || day > daysIn(year, mon):
		return ParsedTime{}, fmt.Sprintf("Day value is out of range (%d not in 1-%d)", day, daysIn(year, mon))
	case hour > 23:
		return ParsedTime{}, fmt.Sprintf("Hour value is out of range (%d not in 0-23)", hour)
	case min > 59:
		return ParsedTime{}, fmt.Sprintf("Minute value is out of range (%d not in 0-59)", min)
	case sec > 59:
		return ParsedTime{}, fmt.Sprintf("Second value is out of range (%d not in 0-59)", sec)
	}
	t := time.Date(year, time.Month(mon), day, hour, min, sec, fracMs*1e6, time.UTC)
	return ParsedTime{Ms: t.UnixMilli(), Prec: prec}, ""
}

func daysIn(year, mon int) int {
	return time.Date(year, time.Month(mon)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func parseEpoch(s string) (ParsedTime, string) {
	v, n, ovf := parseUintPrefix(s, 10)
	if n == 0 {
		return ParsedTime{}, errBadChar(s[0])
	}
	if ovf || v > maxEpoch {
		return ParsedTime{}, fmt.Sprintf("Epoch value (%s) is above maximum of %d", s[:n], maxEpoch)
	}
	if v < minEpoch {
		return ParsedTime{}, fmt.Sprintf("Epoch value (%d) is below minimum of %d", v, minEpoch)
	}
	p := ParsedTime{Ms: int64(v) * 1000, Prec: PrecSecond, Epoch: true}
	rest := s[n:]
	if rest == "" {
		return p, ""
	}
	if rest[0] != '.' {
		return ParsedTime{}, errBadChar(rest[0])
	}
	frac, digits := 0, 0
	for _, c := range []byte(rest[1:]) {
		if !isDigit(c) {
			return ParsedTime{}, errBadChar(c)
		}
		if digits < 3 {
			frac = frac*10 + int(c-'0')
		}
		digits++
	}
	if digits == 0 {
		return p, ""
	}
	for ; digits < 3; digits++ {
		frac *= 10
	}
	p.Ms += int64(frac)
	p.Prec = PrecFraction
	return p, ""
}

// fromISO rewrites an ISO 8601 date, YYYY-MM-DD with an optional time and
// a final Z (times are UTC), into SiLK's YYYY/MM/DD form, which takes the
// rest as it is ('T' before the hour included). ok is false when s does not
// start with YYYY-M.
func fromISO(s string) (string, bool) {
	if len(s) < 6 || s[4] != '-' || !isDigit(s[5]) {
		return s, false
	}
	for i := range 4 {
		if !isDigit(s[i]) {
			return s, false
		}
	}
	b := []byte(strings.TrimSuffix(s, "Z"))
	b[4] = '/'
	for i := 5; i < len(b) && i <= 7; i++ {
		if b[i] == '-' {
			b[i] = '/'
			break
		}
	}
	return string(b), true
}

// isISO reports whether s starts with an ISO date (YYYY-M…), whose dashes
// make the '-' between a window's two ends ambiguous.
func isISO(s string) bool {
	_, ok := fromISO(strings.TrimSpace(s))
	return ok
}

// splitWindow cuts "START-END" at the '-' between the two times. Without
// ISO dates that is the first '-', as in rwfilter; with them it is the first
// '-' whose two sides both parse. A window that is one ISO time alone has
// no END.
func splitWindow(s string) (start, end string, hasEnd bool) {
	s = strings.TrimSpace(s)
	if !isISO(s) {
		return strings.Cut(s, "-")
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			continue
		}
		if _, e := ParseTime(s[:i]); e != "" {
			continue
		}
		if _, e := ParseTime(s[i+1:]); e == "" {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// TimeWindow is an inclusive window in ms (--stime, --etime, --active-time).
type TimeWindow struct{ Min, Max int64 }

// ParseTimeWindow parses "START[-END]" the way rwfilter does: with no END
// the window is the single millisecond START; an END is rounded up to the
// last millisecond of its precision.
func ParseTimeWindow(s string) (TimeWindow, string) {
	startS, endS, hasEnd := splitWindow(s)
	start, e := ParseTime(startS)
	if e != "" {
		return TimeWindow{}, e
	}
	if !hasEnd {
		return TimeWindow{start.Ms, start.Ms}, ""
	}
	end, e := ParseTime(endS)
	if e != "" {
		return TimeWindow{}, e
	}
	w := TimeWindow{start.Ms, end.Ceiling()}
	if w.Max < w.Min {
		return TimeWindow{}, errBadRange
	}
	return w, ""
}
