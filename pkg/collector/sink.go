package collector

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// RecordWriter is what the sink needs of an open hourly file.
type RecordWriter interface {
	Write(rec *flowfile.Record) error
	Flush() error // ends the current block so that it is on disk
	Close() error
}

// flushStarter is a RecordWriter that can begin a flush and finish it in a
// later Flush call (backgroundWriter).
type flushStarter interface {
	StartFlush()
}

// FileKey names one hourly file: a sensor, a flow type and an hour.
type FileKey struct {
	Sensor uint16
	Type   flowfile.FlowType
	Hour   int64 // hours since the epoch (UTC)
}

// Time returns the start of the key's hour.
func (k FileKey) Time() time.Time { return time.Unix(k.Hour*3600, 0).UTC() }

// OpenFunc opens (creating or appending to) the hourly file of key.
type OpenFunc func(key FileKey) (RecordWriter, string, error)

// SinkConfig sets up a Sink.
type SinkConfig struct {
	Open OpenFunc
	// MaxOpen bounds the open files; when a new one is needed the least
	// recently written is closed. 0 means 256.
	MaxOpen int
	// IdleAfter closes files of past hours that have not been written for
	// this long (late flows still reopen them). 0 means 5 minutes.
	IdleAfter time.Duration
	// RetryAfter is how long records for a file that could not be opened are
	// dropped (and counted) before opening is tried again. 0 means 10 s.
	RetryAfter time.Duration
}

const recentFiles = 8

type recentFile struct {
	key FileKey
	f   *sinkFile
}

type sinkFile struct {
	w       RecordWriter
	path    string
	last    time.Time // last use (to the flush interval), for idling and eviction
	dirty   bool      // records written since the last flush
	written uint64
	// pending are the records handed to w since its last successful
	// flush, by source in order: credited to their sources once flushed,
	// or counted as lost when w fails.
	pending  []pendingRun
	lostSeen uint64 // w's Lost() already counted
}

// pendingRun is n consecutive records of one source.
type pendingRun struct {
	to *atomic.Uint64
	n  uint64
}

// lossCounter is a RecordWriter that tells how many of the records handed
// to it were lost to write errors (backgroundWriter).
type lossCounter interface{ Lost() uint64 }

// Sink routes records to the hourly file of their start hour, per sensor and
// type, keeping a bounded set of files open. It is owned by one goroutine.
type Sink struct {
	cfg    SinkConfig
	files  map[FileKey]*sinkFile
	failed map[FileKey]time.Time // open failures, retried after RetryAfter
	now    func() time.Time

	// recent caches the files last used: flows of one exporter
	// interleave a handful of types (in, out, inweb, outweb, …), and a
	// scan of a few keys costs less than the map's hashing.
	recent [recentFiles]recentFile
	next   int // entry of recent to replace next

	// Source is where the records written next come from: once they
	// are flushed to their file, the sink adds them to it (an exporter's
	// records_written_total). nil: counted in Written only.
	Source *atomic.Uint64
	// LostTo, if set, also counts the records lost after they were
	// handed to a file: a failed write or flush (a full disk) loses what
	// the file had not written yet.
	LostTo *atomic.Uint64

	// Counters, read by the owner goroutine.
	Written    uint64 // records flushed to files
	Dropped    uint64 // records lost because their file could not be opened or written
	OpenErrors uint64
	Opened     uint64
	Closed     uint64
	LastError  error // most recent open/write error, for the log
}

// NewSink returns a sink; nothing is opened until the first record.
func NewSink(cfg SinkConfig) *Sink {
	if cfg.MaxOpen <= 0 {
		cfg.MaxOpen = 256
	}
	if cfg.IdleAfter <= 0 {
		cfg.IdleAfter = 5 * time.Minute
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 10 * time.Second
	}
	return &Sink{cfg: cfg, files: make(map[FileKey]*sinkFile), failed: make(map[FileKey]time.Time), now: time.Now}
}

// KeyOf returns the file a record belongs to: its sensor, type and the hour
// of its start time (flows that started before midnight go to the previous
// day's file even if they arrive later).
func KeyOf(rec *flowfile.Record) FileKey {
	h := rec.STime / 3_600_000
	if rec.STime < 0 && rec.STime%3_600_000 != 0 {
		h-- // floor for times before 1970, which a broken exporter may send
	}
	return FileKey{Sensor: rec.Sensor, Type: rec.Type, Hour: h}
}

// Write appends rec to its hourly file. An error means the record was
// dropped; the sink keeps going with the other files.
func (s *Sink) Write(rec *flowfile.Record) error {
	key := KeyOf(rec)
	var f *sinkFile
	for i := range s.recent {
		if r := &s.recent[i]; r.f != nil && r.key == key {
			f = r.f
			break
		}
	}
	if f == nil {
		var err error
		if f, err = s.file(key); err != nil {
			s.Dropped++
			return err
		}
		s.recent[s.next] = recentFile{key: key, f: f}
		s.next = (s.next + 1) % recentFiles
	}
	if err := f.w.Write(rec); err != nil {
		s.Dropped++
		s.LastError = fmt.Errorf("write %s: %w", f.path, err)
		s.closeKey(key)
		s.failed[key] = s.now()
		return s.LastError
	}
	f.dirty = true
	f.written++
	if k := len(f.pending) - 1; k >= 0 && f.pending[k].to == s.Source {
		f.pending[k].n++
	} else {
		f.pending = append(f.pending, pendingRun{to: s.Source, n: 1})
	}
	return nil
}

// settle counts f's pending records once its writer has flushed them
// (failed false) or failed: then the records its writer lost, the last
// ones handed to it, are dropped and the others written.
func (s *Sink) settle(f *sinkFile, failed bool) {
	var total uint64
	for _, p := range f.pending {
		total += p.n
	}
	var lost uint64
	if failed {
		lost = total // a writer that does not tell loses all
		if lc, ok := f.w.(lossCounter); ok {
			n := lc.Lost()
			lost = min(n-f.lostSeen, total)
			f.lostSeen = n
		}
	}
	ok := total - lost
	s.Written += ok
	for _, p := range f.pending {
		n := min(p.n, ok)
		if n > 0 && p.to != nil {
			p.to.Add(n)
		}
		ok -= n
	}
	if lost > 0 {
		s.Dropped += lost
		if s.LostTo != nil {
			s.LostTo.Add(lost)
		}
	}
	f.pending = f.pending[:0]
}

func (s *Sink) file(key FileKey) (*sinkFile, error) {
	if f, ok := s.files[key]; ok {
		return f, nil // its use is stamped at the next flush (no clock read per record)
	}
	now := s.now()
	if t, ok := s.failed[key]; ok {
		if now.Sub(t) < s.cfg.RetryAfter {
			return nil, fmt.Errorf("file for sensor %d type %s hour %s unavailable (retrying later)",
				key.Sensor, key.Type, key.Time().Format("2006-01-02T15"))
		}
		delete(s.failed, key)
	}
	if len(s.files) >= s.cfg.MaxOpen {
		s.evictOldest()
	}
	w, path, err := s.cfg.Open(key)
	if err != nil {
		s.OpenErrors++
		s.failed[key] = now
		s.LastError = err
		return nil, err
	}
	s.Opened++
	f := &sinkFile{w: w, path: path, last: now}
	s.files[key] = f
	return f, nil
}

func (s *Sink) evictOldest() {
	var oldest FileKey
	var ot time.Time
	first := true
	for k, f := range s.files {
		if first || f.last.Before(ot) {
			oldest, ot, first = k, f.last, false
		}
	}
	if !first {
		s.closeKey(oldest)
	}
}

func (s *Sink) closeKey(key FileKey) error {
	f, ok := s.files[key]
	if !ok {
		return nil
	}
	delete(s.files, key)
	for i := range s.recent {
		if s.recent[i].f == f {
			s.recent[i] = recentFile{}
		}
	}
	s.Closed++
	if err := f.w.Close(); err != nil {
		s.settle(f, true)
		s.LastError = fmt.Errorf("close %s: %w", f.path, err)
		return s.LastError
	}
	s.settle(f, false)
	return nil
}

// Flush ends the current block of every file written since the last flush,
// so that everything written so far survives a crash.
func (s *Sink) Flush() error {
	var errs []error
	now := s.now()
	// Files written in the background flush all at once: start them all,
	// then wait for each.
	for _, f := range s.files {
		if st, ok := f.w.(flushStarter); ok && f.dirty {
			st.StartFlush()
		}
	}
	for k, f := range s.files {
		if !f.dirty {
			continue
		}
		// Writes through the recent-files cache do not stamp the time; a file
		// with records since the last flush was in use.
		f.last = now
		if err := f.w.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("flush %s: %w", f.path, err))
			s.settle(f, true)
			s.closeKey(k)
			s.failed[k] = now // as after a failed write: retried after RetryAfter
			continue
		}
		s.settle(f, false)
		f.dirty = false
	}
	return errors.Join(errs...)
}

// CloseIdle closes the files of hours before the current one that have not
// been written for IdleAfter, and forgets old open failures. It returns how
// many files it closed.
func (s *Sink) CloseIdle() int {
	now := s.now()
	cur := now.Unix() / 3600
	n := 0
	for k, f := range s.files {
		if k.Hour < cur && now.Sub(f.last) >= s.cfg.IdleAfter {
			s.closeKey(k)
			n++
		}
	}
	for k, t := range s.failed {
		if now.Sub(t) >= s.cfg.RetryAfter {
			delete(s.failed, k)
		}
	}
	return n
}

// IsOpen reports whether path is one of the open files (retention leaves
// those alone).
func (s *Sink) IsOpen(path string) bool {
	for _, f := range s.files {
		if f.path == path {
			return true
		}
	}
	return false
}

// OpenFiles is the number of files open now.
func (s *Sink) OpenFiles() int { return len(s.files) }

// Close flushes and closes every file.
func (s *Sink) Close() error {
	var errs []error
	for k := range s.files {
		if err := s.closeKey(k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
