package collector

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// logLimiter lets through at most burst log lines of each kind of message,
// then one every interval, and says how many it held back. Suppressing
// only repeats of the last line is not enough: a read-only repository
// fails on every file, each with its own path, and wrote 4,743 lines in
// 16 s; 4,200 spoofed exporter addresses each had a line of their own.
type logLimiter struct {
	mu    sync.Mutex
	every time.Duration
	burst float64
	noun  string // what the lines are, for the count at the end: "errors"
	now   func() time.Time
	kinds map[string]*logKind
}

type logKind struct {
	tokens float64   // lines that may be written now (up to burst)
	last   time.Time // when tokens was last topped up
	held   int       // lines held back since the last one written
	line   string    // the last line written, to say what was held back
}

// maxLogKinds bounds the kinds remembered; kinds past it share one.
const maxLogKinds = 256

// newLogLimiter lets burst lines of a kind through at once, then one every
// interval; noun names them in the count of what was held back.
func newLogLimiter(every time.Duration, burst int, noun string) *logLimiter {
	return &logLimiter{every: every, burst: float64(max(burst, 1)), noun: noun, now: time.Now, kinds: map[string]*logKind{}}
}

// allow reports whether a line of kind may be written now, and how many
// lines of the kind were held back before it.
func (l *logLimiter) allow(kind string) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok, held := l.take(kind)
	return ok, held
}

// take is allow under l.mu, also returning the kind's state.
func (l *logLimiter) take(kind string) (*logKind, bool, int) {
	now := l.now()
	k := l.kinds[kind]
	if k == nil {
		if len(l.kinds) >= maxLogKinds {
			kind = "\x00other"
			k = l.kinds[kind]
		}
		if k == nil {
			k = &logKind{tokens: l.burst, last: now}
			l.kinds[kind] = k
		}
	}
	k.tokens = min(l.burst, k.tokens+float64(now.Sub(k.last))/float64(l.every))
	k.last = now
	if k.tokens < 1 {
		k.held++
		return k, false, 0
	}
	k.tokens--
	held := k.held
	k.held = 0
	return k, true, held
}

// printf writes a line of kind through logf if allow lets it, with the
// count of the lines of that kind held back before it.
func (l *logLimiter) printf(logf func(string, ...any), kind, format string, args ...any) {
	l.mu.Lock()
	k, ok, held := l.take(kind)
	var msg string
	if ok {
		msg = fmt.Sprintf(format, args...)
		k.line = msg
	}
	l.mu.Unlock()
	if ok {
		logf("%s", l.line(msg, held))
	}
}

// held returns a line for each kind with lines held back since its last
// one, and forgets them: what to say when the program ends.
func (l *logLimiter) held() []string {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for kind, k := range l.kinds {
		if k.held > 0 {
			like := k.line // the kind itself says little: "file", "open: …"
			if like == "" {
				like = kind
			}
			out = append(out, fmt.Sprintf("%d more %s like %q were not logged", k.held, l.noun, like))
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
	c.errLog.printf(c.logf, what+": "+errKind(err), "%s", msg)
}

// noteBurst is how many lines of one kind about exporters (a first
// packet, a new template, a flow outside the time window) are written at
// once before one a minute: a site's own exporters are all named at
// start, a flood of spoofed ones is not.
const noteBurst = 32

// note writes a line of kind about the exporters, rate-limited
// (noteBurst).
func (c *collector) note(kind, format string, args ...any) {
	c.notes.printf(c.logf, kind, format, args...)
}
