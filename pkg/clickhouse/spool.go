package clickhouse

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gflow/gflow/pkg/flowfile"
)

// spool keeps the batches the server could not take, one flow file each,
// named SEQUENCE-BATCHID.gf so that they are sent in order and each under
// the id of its first attempt. A file is written under a temporary name,
// synced and renamed, so a crash leaves whole batches or none; gfilter
// and gcut read them like any flow file.
type spool struct {
	dir string

	mu    sync.Mutex
	seq   uint64
	files []spoolFile // oldest first
	bytes int64
}

type spoolFile struct {
	seq   uint64
	batch uint64
	size  int64
}

func (f spoolFile) name() string { return fmt.Sprintf("%016d-%016x.gf", f.seq, f.batch) }

// openSpool reads the files a previous run left in dir.
func openSpool(dir string) (*spool, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &spool{dir: dir}
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".tmp-") {
			os.Remove(filepath.Join(dir, name)) // a crash in the middle of a write
			continue
		}
		f, ok := parseSpoolName(name)
		if !ok {
			continue
		}
		if fi, err := e.Info(); err == nil {
			f.size = fi.Size()
		}
		s.files = append(s.files, f)
		s.bytes += f.size
		s.seq = max(s.seq, f.seq)
	}
	slices.SortFunc(s.files, func(a, b spoolFile) int { return int64Cmp(a.seq, b.seq) })
	return s, nil
}

func int64Cmp(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func parseSpoolName(name string) (spoolFile, bool) {
	base, ok := strings.CutSuffix(name, ".gf")
	if !ok {
		return spoolFile{}, false
	}
	seqS, idS, ok := strings.Cut(base, "-")
	if !ok {
		return spoolFile{}, false
	}
	seq, err1 := strconv.ParseUint(seqS, 10, 64)
	id, err2 := strconv.ParseUint(idS, 16, 64)
	if err1 != nil || err2 != nil {
		return spoolFile{}, false
	}
	return spoolFile{seq: seq, batch: id}, true
}

// put writes a batch to the spool.
func (s *spool) put(b *batch) error {
	s.mu.Lock()
	s.seq++
	f := spoolFile{seq: s.seq, batch: b.id}
	s.mu.Unlock()
	tmp := filepath.Join(s.dir, ".tmp-"+f.name())
	size, err := writeSpoolFile(tmp, b.recs)
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.dir, f.name()))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("spool: %w", err)
	}
	f.size = size
	s.mu.Lock()
	// batches come from two goroutines: keep the list in sequence order
	i, _ := slices.BinarySearchFunc(s.files, f, func(a, b spoolFile) int { return int64Cmp(a.seq, b.seq) })
	s.files = slices.Insert(s.files, i, f)
	s.bytes += size
	s.mu.Unlock()
	return nil
}

func writeSpoolFile(path string, recs []flowfile.Record) (int64, error) {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return 0, err
	}
	w, err := flowfile.NewWriter(fh, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecZstd, Writer: "gflowcap"})
	if err == nil {
		err = w.WriteBlock(recs)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = fh.Sync()
	}
	var size int64
	if err == nil {
		size, err = fh.Seek(0, io.SeekCurrent)
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return size, err
}

// oldest returns the first batch in the spool.
func (s *spool) oldest() (spoolFile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.files) == 0 {
		return spoolFile{}, false
	}
	return s.files[0], true
}

// read returns the records of a spooled batch. A damaged file gives the
// records of its intact blocks and the error.
func (s *spool) read(f spoolFile, dst []flowfile.Record) ([]flowfile.Record, error) {
	r, err := flowfile.Open(filepath.Join(s.dir, f.name()))
	if err != nil {
		return dst, err
	}
	defer r.Close()
	var bad error
	for {
		blk, err := r.NextBlock()
		if errors.Is(err, io.EOF) {
			return dst, bad
		}
		var be *flowfile.BlockError
		if errors.As(err, &be) {
			bad = err
			continue
		}
		if err != nil {
			return dst, errors.Join(bad, err)
		}
		dst = append(dst, blk...)
	}
}

// remove deletes a batch that reached the server.
func (s *spool) remove(f spoolFile) error {
	err := os.Remove(filepath.Join(s.dir, f.name()))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.IndexFunc(s.files, func(g spoolFile) bool { return g.seq == f.seq }); i >= 0 {
		s.bytes -= s.files[i].size
		s.files = slices.Delete(s.files, i, i+1)
	}
	return nil
}

// size returns the files and bytes waiting.
func (s *spool) size() (files int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.files), s.bytes
}
