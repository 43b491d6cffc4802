package collector

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Retention deletes whole hourly files, oldest first, when they are older
// than MaxAge or while the repository is bigger than MaxBytes.
type Retention struct {
	Root     string
	MaxAge   time.Duration // 0: no age limit
	MaxBytes int64         // 0: no size limit
	DryRun   bool          // only report what would be deleted
	// Skip reports files that must stay (the collector's open files).
	Skip func(path string) bool
	// Ahead is how far after now an hourly file's hour can be: the
	// flow-time window's future side and the hour itself. A file of a
	// later hour can hold only broken times; it is dated by when it was
	// last written instead, so that age and size limits reach it. 0
	// means one hour.
	Ahead time.Duration
	// Log receives one line per deleted (or, dry, deletable) file.
	Log func(format string, args ...any)
}

// RetentionResult says what one pass did.
type RetentionResult struct {
	Files     int   // hourly files found
	Bytes     int64 // their total size before the pass
	Deleted   int   // files deleted (or that would be, in a dry run)
	Freed     int64 // their size
	DirsFreed int   // empty directories removed
}

type hourlyFile struct {
	path string
	hour time.Time
	size int64
}

// Enabled reports whether any limit is set.
func (r *Retention) Enabled() bool { return r.MaxAge > 0 || r.MaxBytes > 0 }

// Run makes one pass at time now. Files that vanish meanwhile (deleted by
// hand) are not errors.
func (r *Retention) Run(now time.Time) (RetentionResult, error) {
	var res RetentionResult
	var files []hourlyFile
	ahead := r.Ahead
	if ahead <= 0 {
		ahead = time.Hour
	}
	err := filepath.WalkDir(r.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			if path != r.Root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir // .gflowcap state and other hidden directories
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rf, err := flowfile.ParseRepoPath(path)
		if err != nil {
			return nil // not an hourly file: never ours to delete
		}
		hour := rf.Hour
		info, err := d.Info()
		if err != nil {
			return nil // gone since the directory was read
		}
		if hour.After(now.Add(ahead)) {
			hour = info.ModTime().UTC().Truncate(time.Hour)
		}
		files = append(files, hourlyFile{path: path, hour: hour, size: info.Size()})
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("retention: scan %s: %w", r.Root, err)
	}
	sort.Slice(files, func(i, j int) bool {
		if !files[i].hour.Equal(files[j].hour) {
			return files[i].hour.Before(files[j].hour)
		}
		return files[i].path < files[j].path
	})
	res.Files = len(files)
	for _, f := range files {
		res.Bytes += f.size
	}
	total := res.Bytes
	dirs := map[string]bool{}
	// a read-only repository fails on every file: one error says so
	var firstErr error
	failed := 0
	for _, f := range files {
		tooOld := r.MaxAge > 0 && !f.hour.Add(time.Hour).After(now.Add(-r.MaxAge))
		tooBig := r.MaxBytes > 0 && total > r.MaxBytes
		if !tooOld && !tooBig {
			break // files are sorted oldest first: the rest are newer and fit
		}
		if r.Skip != nil && r.Skip(f.path) {
			continue
		}
		why := "older than the age limit"
		if !tooOld {
			why = "repository over the size limit"
		}
		if r.DryRun {
			r.logf("retention: would delete %s (%d bytes, %s)", f.path, f.size, why)
		} else {
			if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				if failed == 0 {
					firstErr = err
				}
				failed++
				continue
			}
			r.logf("retention: deleted %s (%d bytes, %s)", f.path, f.size, why)
			dirs[filepath.Dir(f.path)] = true
		}
		res.Deleted++
		res.Freed += f.size
		total -= f.size
	}
	for d := range dirs {
		res.DirsFreed += r.removeEmptyDirs(d)
	}
	switch {
	case failed == 1:
		return res, fmt.Errorf("retention: %w", firstErr)
	case failed > 1:
		return res, fmt.Errorf("retention: %d files could not be deleted, the first: %w", failed, firstErr)
	}
	return res, nil
}

// removeEmptyDirs removes dir and its parents up to (not including) the root
// while they are empty.
func (r *Retention) removeEmptyDirs(dir string) int {
	root := filepath.Clean(r.Root)
	n := 0
	for dir = filepath.Clean(dir); dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil { // fails when not empty (or already gone)
			break
		}
		n++
	}
	return n
}

func (r *Retention) logf(format string, args ...any) {
	if r.Log != nil {
		r.Log(format, args...)
	}
}

// ParseSize reads a size like "10G", "500M", "1.5T", "123456" (bytes; K, M,
// G, T are powers of 1024, an optional trailing "B"/"iB" is accepted).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "IB"), "B")
	mult := 1.0
	if t != "" {
		switch t[len(t)-1] {
		case 'K':
			mult = 1 << 10
		case 'M':
			mult = 1 << 20
		case 'G':
			mult = 1 << 30
		case 'T':
			mult = 1 << 40
		case 'P':
			mult = 1 << 50
		}
		if mult != 1 {
			t = t[:len(t)-1]
		}
	}
	var v float64
	if _, err := fmt.Sscanf(t, "%g", &v); err != nil || v < 0 || fmt.Sprint(v) == "" {
		return 0, fmt.Errorf("invalid size %q (examples: 500M, 10G, 2T)", s)
	}
	if strings.TrimLeft(t, "0123456789.") != "" {
		return 0, fmt.Errorf("invalid size %q (examples: 500M, 10G, 2T)", s)
	}
	return int64(v * mult), nil
}
