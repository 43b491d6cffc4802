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
	start, startDay, _, err := parseDate("start-date", startS)
	if err != nil {
		return first, last, err
	}
	if endS == "" {
		if startDay {
			return start, start.Add(23 * time.Hour), nil
		}
		return start, start, nil
	}
	end, endDay, endEpoch, err := parseDate("end-date", endS)
	if err != nil {
		return first, last, err
	}
	if endEpoch {
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
		return first, last, fmt.Errorf("end-date of %s is earlier than start-date of %s", endS, startS)
	}
	return first, last, nil
}

// parseDate parses YYYY/MM/DD[:HH], YYYY-MM-DD[THH] or epoch seconds,
// returning the start of its hour (or day), whether it has day precision
// only and whether it was given in epoch seconds.
func parseDate(name, s string) (t time.Time, day, epoch bool, err error) {
	p, reason := filter.ParseTime(s)
	if reason != "" {
		return time.Time{}, false, false, &filter.ValueError{Switch: name, Value: s, Reason: reason,
			Fix: "dates are " + filter.DateForms + " (--" + name + "=" + now().UTC().Format("2006/01/02") + ")"}
	}
	t = p.Time().Truncate(time.Hour)
	if p.Epoch {
		return t, p.Ms%86400000 == 0, true, nil
	}
	return t, p.Prec == filter.PrecDay, false, nil
}

// hoursText names an hour range for messages: "2026/12/03" for a whole
// day, "2026/12/03:14" for one hour, else "FIRST to LAST".
func hoursText(first, last time.Time) string {
	const day, hour = "2006/01/02", "2006/01/02:15"
	switch {
	case first.Equal(last):
		return first.Format(hour)
	case first.Hour() == 0 && last.Hour() == 23 && first.Format(day) == last.Format(day):
		return first.Format(day)
	case first.Hour() == 0 && last.Hour() == 23:
		return first.Format(day) + " to " + last.Format(day)
	}
	return first.Format(hour) + " to " + last.Format(hour)
}
