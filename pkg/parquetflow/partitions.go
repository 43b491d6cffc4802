package parquetflow

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Partitioned writes records into Hive-style partitions under a directory:
// DIR/date=YYYY-MM-DD/hour=HH/gflow-RUN-N.parquet, by the UTC hour of the
// start time. RUN is the time the export began, so that exports of other
// hours into the same tree add files beside each other's; N counts the
// files of one partition in this run (a partition whose file was closed
// to bound memory and that gets records again gets a new file).
type Partitioned struct {
	dir   string
	opts  Options
	run   string
	open  map[int64]*partFile // by hour since the epoch
	parts map[int64]int       // files made per hour in this run
	clock int64               // for the least recently used file
	// MaxOpen bounds the files open at once (each holds up to a row
	// group in memory); default 16.
	MaxOpen int
	err     error
}

type partFile struct {
	w    *Writer
	used int64
}

// NewPartitioned writes partitions under dir, which is created if needed.
func NewPartitioned(dir string, o Options) (*Partitioned, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &Partitioned{dir: dir, opts: o, run: time.Now().UTC().Format("20060102T150405Z"),
		open: map[int64]*partFile{}, parts: map[int64]int{}, MaxOpen: 16}, nil
}

// Write adds one record to the partition of its start hour.
func (p *Partitioned) Write(r *flowfile.Record) error {
	if p.err != nil {
		return p.err
	}
	h := r.STime / 3_600_000
	if r.STime < 0 && r.STime%3_600_000 != 0 {
		h--
	}
	f := p.open[h]
	if f == nil {
		if f, p.err = p.create(h); p.err != nil {
			return p.err
		}
	}
	p.clock++
	f.used = p.clock
	if err := f.w.Write(r); err != nil {
		p.err = err
	}
	return p.err
}

// WriteBlock adds records.
func (p *Partitioned) WriteBlock(recs []flowfile.Record) error {
	for i := range recs {
		if err := p.Write(&recs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (p *Partitioned) create(hour int64) (*partFile, error) {
	if len(p.open) >= max(1, p.MaxOpen) {
		var oldest int64
		first := true
		for h, f := range p.open {
			if first || f.used < p.open[oldest].used {
				oldest, first = h, false
			}
		}
		if err := p.open[oldest].w.Close(); err != nil {
			return nil, err
		}
		delete(p.open, oldest)
	}
	t := time.Unix(hour*3600, 0).UTC()
	dir := filepath.Join(p.dir, "date="+t.Format("2006-01-02"), "hour="+t.Format("15"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p.parts[hour]++
	path := filepath.Join(dir, fmt.Sprintf("gflow-%s-%d.parquet", p.run, p.parts[hour]))
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	f := &partFile{w: NewWriteCloser(fh, p.opts)}
	p.open[hour] = f
	return f, nil
}

// Close finishes every open file.
func (p *Partitioned) Close() error {
	err := p.err
	for h, f := range p.open {
		if cerr := f.w.Close(); err == nil {
			err = cerr
		}
		delete(p.open, h)
	}
	return err
}
