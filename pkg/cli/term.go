package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/term"
)

// IsTerminal reports whether w is a terminal (a *os.File or anything else
// with a file descriptor on a tty). Buffers, pipes and files are not.
func IsTerminal(w any) bool {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok {
		return false
	}
	if osf, ok := w.(*os.File); ok && osf == nil {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// Progress shows a one-line progress message on stderr, rewritten in place
// with "\r", only when stderr is a terminal: in pipes, cron jobs and log
// files it prints nothing. The zero of *Progress (nil) is a silent
// Progress, so callers need no checks.
//
//	p := cli.NewProgress(io.Err)
//	for i, f := range files {
//		p.Update("Reading file %d/%d %s", i+1, len(files), f)
//		…
//	}
//	p.Done()
type Progress struct {
	w     io.Writer
	last  time.Time
	width int // runes on screen, to blank out on the next update
	every time.Duration
}

// NewProgress returns a Progress writing to w, or nil (silent) when w is not
// a terminal.
func NewProgress(w io.Writer) *Progress {
	if !IsTerminal(w) {
		return nil
	}
	return newProgress(w)
}

func newProgress(w io.Writer) *Progress {
	return &Progress{w: w, every: 100 * time.Millisecond}
}

// Update replaces the progress line. Updates closer together than a tenth
// of a second are dropped, so it may be called for every file or block.
func (p *Progress) Update(format string, args ...any) {
	if p == nil {
		return
	}
	now := time.Now()
	if !p.last.IsZero() && now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	msg := fmt.Sprintf(format, args...)
	msg = strings.ReplaceAll(msg, "\n", " ")
	n := utf8.RuneCountInString(msg)
	pad := ""
	if n < p.width {
		pad = strings.Repeat(" ", p.width-n)
	}
	fmt.Fprintf(p.w, "\r%s%s", msg, pad)
	p.width = n
}

// Done clears the progress line, leaving the cursor at the start of an empty
// line for whatever is printed next.
func (p *Progress) Done() {
	if p == nil || p.width == 0 {
		return
	}
	fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
	p.width = 0
	p.last = time.Time{}
}
