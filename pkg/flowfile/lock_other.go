//go:build !unix

package flowfile

import (
	"os"
	"time"
)

// Without flock(2), a writer takes no lock, and a file modified in the
// last minute is taken to be still written.
func lockWriting(f *os.File) error { return nil }

// BeingWritten reports whether f was modified in the last minute: its
// last block may still be incomplete because it is being written.
func BeingWritten(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && time.Since(fi.ModTime()) < time.Minute
}
