//go:build unix

package flowfile

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// A writer of a file at rest (Create, OpenAppend) holds an exclusive
// flock(2) lock on it while it writes, so that a reader that meets an
// incomplete block at the end can tell a file being written (wait for
// the rest) from one cut short (report it). The kernel drops the lock
// when the writer closes the file or dies (FORMAT.md, "Writers").

// lockWriting takes the writer's lock on f. It fails when another writer
// holds it; a reader's brief shared lock is waited out.
func lockWriting(f *os.File) error {
	for try := 0; ; try++ {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil || !errors.Is(err, syscall.EWOULDBLOCK) {
			if errors.Is(err, syscall.ENOLCK) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.EINVAL) {
				return nil // a file system without locks: write unlocked
			}
			return err
		}
		if try == 20 {
			return errAnotherWriter
		}
		time.Sleep(time.Millisecond)
	}
}

var errAnotherWriter = errors.New("another process is writing it")

// BeingWritten reports whether a writer holds f (see lockWriting): its
// last block may still be incomplete because it is being written.
func BeingWritten(f *os.File) bool {
	fd := int(f.Fd())
	err := syscall.Flock(fd, syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil {
		syscall.Flock(fd, syscall.LOCK_UN)
		return false
	}
	return errors.Is(err, syscall.EWOULDBLOCK)
}
