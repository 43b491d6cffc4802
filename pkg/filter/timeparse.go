package filter

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gflow/gflow/pkg/cli/silkerr"
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

// ParseTime parses a time as SiLK's skStringParseDatetime does:
// YYYY/MM/DD[:HH[:MM[:SS[.sss]]]] (`T` may replace the ':' before the
// hour) or, for a value of more than 8 digits and dots, epoch seconds with
// an optional fraction. gflow also takes the ISO 8601 form
// YYYY-MM-DD[THH[:MM[:SS[.sss]]]][Z] and a space before the hour. On error
// it returns SiLK's reason ("Day value (32) out of range: use 1 <= day <=
// 31").
func ParseTime(s string) (ParsedTime, string) {
	orig := s
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	if s == "" {
		return ParsedTime{}, errEmpty
	}
	if iso, ok := fromISO(s); ok {
		s = iso
	}
	if len(s)-len(strings.TrimLeft(s, ".0123456789")) > 8 {
		return parseEpoch(s)
	}
	// the parts: 0 year, 1 month, 2 day, 3 hour, 4 minute, 5 second,
	// 6 fraction; delim[i] comes before part i
	const delim = "\x00//:::."
	var f [6]int
	var msec int
	i, p := 0, 0
	for p < len(s) && i < 7 {
		if !isDigit(s[p]) {
			return ParsedTime{}, silkerr.UnexpectedChar(s[p])
		}
		q := p
		for q < len(s) && isDigit(s[q]) {
			q++
		}
		if i == 6 {
			msec = fractionMs(s[p:q])
		} else {
			v, err := strconv.ParseInt(s[p:q], 10, 64)
			if err != nil {
				return ParsedTime{}, errOverflow
			}
			if e := checkPart(i, v, f); e != "" {
				return ParsedTime{}, e
			}
			f[i] = int(v)
		}
		i++
		p = q
		if p == len(s) {
			break
		}
		// a space ends the time, except gflow's space before the hour
		if isSpace(s[p]) && !(i == 3 && s[p] == ' ' && p+1 < len(s) && isDigit(s[p+1])) {
			break
		}
		if i == 7 {
			break
		}
		if s[p] == delim[i] || (i == 3 && (s[p] == 'T' || s[p] == ' ')) {
			p++
			continue
		}
		return ParsedTime{}, silkerr.UnexpectedChar(s[p])
	}
	if rest := strings.TrimLeft(s[p:], " \t\n\r\v\f"); rest != "" {
		return ParsedTime{}, silkerr.UnexpectedChar(s[p])
	}
	if i < 3 {
		return ParsedTime{}, fmt.Sprintf("Date '%s' does not have at least day precision", orig)
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], msec*1e6, time.UTC)
	return ParsedTime{Ms: t.UnixMilli(), Prec: Precision(int(PrecDay) + i - 3)}, ""
}

// checkPart checks part i of a date (0 year ... 5 second) as SiLK does;
// f holds the parts before it.
func checkPart(i int, v int64, f [6]int) string {
	out := func(name string, lo, hi int) string {
		return fmt.Sprintf("%s value (%d) out of range: use %d <= %s <= %d",
			strings.ToUpper(name[:1])+name[1:], v, lo, name, hi)
	}
	switch i {
	case 0:
		if v < 1970 || v > 2039 {
			return out("year", 1970, 2039)
		}
	case 1:
		if v < 1 || v > 12 {
			return out("month", 1, 12)
		}
	case 2:
		if n := daysIn(f[0], f[1]); v < 1 || v > int64(n) {
			return out("day", 1, n)
		}
	case 3:
		if v > 23 {
			return out("hour", 0, 23)
		}
	case 4:
		if v > 59 {
			return out("minute", 0, 59)
		}
	case 5:
		if v > 59 {
			return out("second", 0, 59)
		}
	}
	return ""
}

// fractionMs reads the digits of a fraction of a second as milliseconds,
// dropping what is finer.
func fractionMs(digits string) int {
	ms := 0
	for k := range 3 {
		ms *= 10
		if k < len(digits) {
			ms += int(digits[k] - '0')
		}
	}
	return ms
}

func daysIn(year, mon int) int {
	return time.Date(year, time.Month(mon)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseEpoch parses epoch seconds with an optional fraction, as SiLK
// does for a value of more than 8 digits and dots.
func parseEpoch(s string) (ParsedTime, string) {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	if n == 0 {
		return ParsedTime{}, silkerr.UnexpectedChar(s[0])
	}
	v, err := strconv.ParseInt(s[:n], 10, 64)
	if err != nil {
		return ParsedTime{}, errOverflow
	}
	if v < minEpoch || v > maxEpoch {
		return ParsedTime{}, fmt.Sprintf("Epoch value (%d) out of range: use %d <= epoch <= %d", v, minEpoch, maxEpoch)
	}
	p := ParsedTime{Ms: v * 1000, Prec: PrecSecond, Epoch: true}
	rest := s[n:]
	if len(rest) > 1 && rest[0] == '.' && isDigit(rest[1]) {
		q := 1
		for q < len(rest) && isDigit(rest[q]) {
			q++
		}
		p.Ms += int64(fractionMs(rest[1:q]))
		p.Prec = PrecFraction
		rest = rest[q:]
	}
	if rest != "" && !isSpace(rest[0]) {
		return ParsedTime{}, silkerr.UnexpectedChar(rest[0])
	}
	if t := strings.TrimLeft(rest, " \t\n\r\v\f"); t != "" {
		return ParsedTime{}, silkerr.UnexpectedChar(t[0])
	}
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
