package gfilter

import (
	"bytes"
	"errors"
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gflow/gflow/pkg/flowfile"
)

// stdinWait bounds how long gfilter, given no input, waits to see whether
// flows are piped in. A command before it in a pipeline writes its stream
// header as it starts (a few milliseconds); cron's standard input is a pipe
// that ends at once; only a pipe held open with nothing in it (ssh without
// -n) costs the whole wait.
const stdinWait = 2 * time.Second

// flowsPipedIn reports whether flows come on standard input although no
// input was named. rwfilter reads standard input only when it is named, and
// gfilter with no input reads today's files from the repository: without
// this, `gfilter ... | gfilter --proto=6` would answer from the repository
// and not from the pipe, a wrong answer without a word. The bytes looked at
// are put back: *in reads as it would have.
func flowsPipedIn(in *io.Reader) bool {
	f, ok := (*in).(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil {
		return false
	}
	head := make([]byte, len(flowfile.FileMagic))
	switch mode := st.Mode(); {
	case mode.IsRegular(): // gfilter --proto=6 < flows.gf
		n, _ := f.ReadAt(head, 0)
		return flowfile.StartsFlows(head[:n])
	case mode&(os.ModeNamedPipe|os.ModeSocket) != 0:
		fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLIN}}
		for {
			_, err := unix.Poll(fds, int(stdinWait/time.Millisecond))
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil || fds[0].Revents == 0 {
				return false // nothing came: not a pipeline
			}
			break
		}
		n, _ := io.ReadFull(f, head)
		*in = io.MultiReader(bytes.NewReader(head[:n]), f)
		return flowfile.StartsFlows(head[:n])
	}
	return false // a terminal, /dev/null
}
