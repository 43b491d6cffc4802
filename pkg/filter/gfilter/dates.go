package gfilter

import (
	"errors"
	"fmt"
	"time"

	"github.com/gflow/gflow/pkg/filter"
)

// hourRange turns --start-date and --end-date into the first and last hour
// to read, with SiLK's rules (docs of rwfilter, "--start-date"):
//   - both with hours: every hour in between, inclusive;
//   - start with day precision: whole days start..end, end's hour ignored;
//   - start with an hour, end a day: end uses start's hour;
//   - start alone: that whole day, or that single hour;
//   - neither: the current day (now, UTC).
//
// An epoch end makes both hour precision; an epoch start counts as day
// precision only when it is a multiple of 86400 and the end is not an
// epoch.
func hourRange(startS, endS string, now time.Time) (first, last time.Time, err error) {
	if startS == "" {
		if endS != "" {
			return first, last, errors.New("Cannot use --end-date without --start-date")
		}
		day := now.UTC().Truncate(24 * time.Hour)
		return day, day.Add(23 * time.Hour), nil
	}
	start, startDay, err := parseDate("start-date", startS)
	if err != nil {
		return first, last, err
	}
	if endS == "" {
		if startDay {
			return start, start.Add(23 * time.Hour), nil
		}
		return start, start, nil
	}
	end, endDay, err := parseDate("end-date", endS)
	if err != nil {
		return first, last, err
	}
	if isEpoch(endS) {
		endDay = false
		if startDay {
			startDay = false
		}
	}
	switch {
	case startDay:
		first = start
		last = end.Truncate(24 * time.Hour).Add(23 * time.Hour)
	case endDay:
		first = start
		last = end.Add(time.Duration(start.Hour()) * time.Hour)
	default:
		first, last = start, end
	}
	if last.Before(first) {
		return first, last, fmt.Errorf("Invalid end-date '%s': it is before the start-date '%s'", endS, startS)
	}
	return first, last, nil
}

// parseDate parses YYYY/MM/DD[:HH] or epoch seconds, returning the start of
// its hour (or day) and whether it has day precision only.
func parseDate(name, s string) (time.Time, bool, error) {
	p, reason := filter.ParseTime(s)
	if reason != "" {
		return time.Time{}, false, &filter.ValueError{Switch: name, Value: s, Reason: reason}
	}
	t := p.Time().Truncate(time.Hour)
	if p.Epoch {
		return t, p.Ms%86400000 == 0, nil
	}
	return t, p.Prec == filter.PrecDay, nil
}

func isEpoch(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return false
		}
	}
	return true
}
