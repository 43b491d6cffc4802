package collector

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// logLimiter lets through at most one log line per kind of message every
// interval, and says how many it held back. Suppressing only repeats of
// the last line is not enough: a read-only repository fails on every
// file, each with its own path, and wrote 4,743 lines in 16 s.
type logLimiter struct {
	mu    sync.Mutex
	every time.Duration
	now   func() time.Time
	kinds map[string]*logKind
}

type logKind struct {
	last time.Time // when a line of the kind was last written
	held int       // lines held back since
}

// maxLogKinds bounds the kinds remembered; kinds past it share one.
const maxLogKinds = 256

func newLogLimiter(every time.Duration) *logLimiter {
	return &logLimiter{every: every, now: time.Now, kinds: map[string]*logKind{}}
}

// allow reports whether a line of kind may be written now, and how many
// lines of the kind were held back before it.
func (l *logLimiter) allow(kind string) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.kinds[kind]
	if k == nil {
		if len(l.kinds) >= maxLogKinds {
			kind = "\x00other"
			k = l.kinds[kind]
		}
		if k == nil {
			k = &logKind{}
			l.kinds[kind] = k
		}
	}
	now := l.now()
	if !k.last.IsZero() && now.Sub(k.last) < l.every {
		k.held++
		return false, 0
	}
	held := k.held
	k.last, k.held = now, 0
	return true, held
}

// held returns a line for each kind with lines held back since its last
// one, and forgets them: what to say when the program ends.
func (l *logLimiter) held() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for kind, k := range l.kinds {
		if k.held > 0 {
			out = append(out, fmt.Sprintf("%d more errors like %q since %s", k.held, kind, k.last.UTC().Format("15:04:05Z")))
			k.held = 0
		}
	}
	sort.Strings(out)
	return out
}

// line returns msg with what allow held back, if anything.
func (l *logLimiter) line(msg string, held int) string {
	if held == 0 {
		return msg
	}
	return fmt.Sprintf("%s (and %d more like it in the last %s)", msg, held, l.every)
}

// errKind is the kind of an error for logLimiter: its first word (what
// failed: open, write, flush, close) and its innermost cause (no space
// left on device, read-only file system), without the paths between.
func errKind(err error) string {
	first, _, _ := strings.Cut(err.Error(), " ")
	inner := err
	for {
		next := errors.Unwrap(inner)
		if next == nil {
			break
		}
		inner = next
	}
	if inner == err {
		return first
	}
	return first + ": " + inner.Error()
}

// logErr logs err after what (if not empty), at most one line of each kind
// a minute: saving the templates to a read-only state directory fails at
// every flush.
func (c *collector) logErr(what string, err error) {
	msg := err.Error()
	if what != "" {
		msg = what + ": " + msg
	}
	if ok, held := c.errLog.allow(what + errKind(err)); ok {
		c.logf("%s", c.errLog.line(msg, held))
	}
}
