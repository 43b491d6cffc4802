package collector

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// opLog is gflowcap's log: one line per event,
//
//	gflowcap: 2026-11-26T14:00:05Z listening on ...
//
// with a UTC timestamp, on standard error (the journal, under systemd) or
// appended to --log-file, which reopen opens again so that logrotate can
// move it away (SIGHUP).
type opLog struct {
	mu     sync.Mutex
	stderr io.Writer
	path   string   // --log-file; "" for stderr
	f      *os.File // open --log-file
	now    func() time.Time
}

func newOpLog(stderr io.Writer, path string) (*opLog, error) {
	l := &opLog{stderr: stderr, path: path, now: time.Now}
	if path != "" {
		if err := l.reopen(); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (l *opLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var w io.Writer = l.stderr
	if l.f != nil {
		w = l.f
	}
	line := fmt.Sprintf("gflowcap: %s %s\n", l.now().UTC().Format(time.RFC3339), fmt.Sprintf(format, args...))
	if _, err := io.WriteString(w, line); err != nil && w != l.stderr {
		// The log file went bad (a full disk): say so where it can be seen.
		fmt.Fprintf(l.stderr, "gflowcap: log file %s: %v\n%s", l.path, err, line)
	}
}

// reopen opens --log-file again (after logrotate moved it away). On an
// error the log stays where it was.
func (l *opLog) reopen() error {
	if l.path == "" {
		return nil
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("log file: %w", err)
	}
	l.mu.Lock()
	old := l.f
	l.f = f
	l.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

func (l *opLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}
