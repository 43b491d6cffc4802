package gsiteinfo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/silk"
)

// holding is what the repository holds for one sensor and flow type.
type holding struct {
	first, last time.Time // hours of the first and last file
	files       int64
	records     int64
	bytes       int64
}

func (h *holding) add(o *holding) {
	if o.files == 0 {
		return
	}
	if h.files == 0 || o.first.Before(h.first) {
		h.first = o.first
	}
	if h.files == 0 || o.last.After(h.last) {
		h.last = o.last
	}
	h.files += o.files
	h.records += o.records
	h.bytes += o.bytes
}

type holdingKey struct {
	sensor string
	t      flowfile.FlowType
}

// scanned is the repository's content by sensor and type, with the files
// that could not be read.
type scanned struct {
	by      map[holdingKey]*holding
	sensors []string // sensor names found in file names, sorted
	bad     []error  // unreadable files (their size and hour still count)
}

// scanRepo lists the hourly files under root, of the types and sensors
// wanted (nil: all), and sums them per sensor and type (the sensors are
// those of every type): hours and count
// from the file names (as rwsiteinfo does), bytes from the directory
// entries, and, when records is set, records from the block headers of
// each file (flowfile.ScanInfo), read by one goroutine per core.
func scanRepo(root string, types map[flowfile.FlowType]bool, sensors map[string]bool, records bool) (*scanned, error) {
	sc := &scanned{by: map[holdingKey]*holding{}}
	type file struct {
		key  holdingKey
		hour time.Time
		path string
		size int64
	}
	var files []file
	seen := map[string]bool{}
	for _, t := range flowfile.AllTypes() {
		// Every type's directory is listed, for the sensors it names; the
		// files of the types wanted are summed.
		wanted := types == nil || types[t]
		// ROOT/TYPE/YYYY/MM/DD/FLOWTYPE-SENSOR_YYYYMMDD.HH: walk the
		// date directories only, never anything else of the root (the
		// collector's state, a ClickHouse spool).
		top := filepath.Join(root, t.String())
		err := walkDays(top, func(dir string) error {
			ents, err := os.ReadDir(dir)
			if err != nil {
				return err
			}
			for _, e := range ents {
				if !e.Type().IsRegular() {
					continue
				}
				rf, err := flowfile.ParseRepoPath(e.Name())
				if err != nil || rf.Type != t {
					continue
				}
				if sensors != nil && !sensors[rf.Sensor] {
					continue
				}
				seen[rf.Sensor] = true
				if !wanted {
					continue
				}
				fi, err := e.Info()
				if err != nil {
					if errors.Is(err, fs.ErrNotExist) {
						continue // removed by retention meanwhile
					}
					return err
				}
				files = append(files, file{holdingKey{rf.Sensor, t}, rf.Hour, filepath.Join(dir, e.Name()), fi.Size()})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("repository %s: %w", root, err)
		}
	}
	for s := range seen {
		sc.sensors = append(sc.sensors, s)
	}
	slices.Sort(sc.sensors)

	counts := make([]int64, len(files))
	if records && len(files) > 0 {
		var mu sync.Mutex
		var wg sync.WaitGroup
		next := make(chan int)
		for range min(runtime.GOMAXPROCS(0), len(files)) {
			wg.Go(func() {
				for i := range next {
					n, err := countRecords(files[i].path, files[i].size)
					if err != nil {
						mu.Lock()
						sc.bad = append(sc.bad, err)
						mu.Unlock()
					}
					counts[i] = n
				}
			})
		}
		for i := range files {
			next <- i
		}
		close(next)
		wg.Wait()
		slices.SortFunc(sc.bad, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	}
	for i, f := range files {
		h := sc.by[f.key]
		if h == nil {
			h = &holding{}
			sc.by[f.key] = h
		}
		h.add(&holding{first: f.hour, last: f.hour, files: 1, records: counts[i], bytes: f.size})
	}
	return sc, nil
}

// walkDays calls fn for every YYYY/MM/DD directory under top.
func walkDays(top string, fn func(dir string) error) error {
	years, err := os.ReadDir(top)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, y := range years {
		if !y.IsDir() || !digits(y.Name(), 4) {
			continue
		}
		months, err := os.ReadDir(filepath.Join(top, y.Name()))
		if err != nil {
			return err
		}
		for _, m := range months {
			if !m.IsDir() || !digits(m.Name(), 2) {
				continue
			}
			days, err := os.ReadDir(filepath.Join(top, y.Name(), m.Name()))
			if err != nil {
				return err
			}
			for _, d := range days {
				if d.IsDir() && digits(d.Name(), 2) {
					if err := fn(filepath.Join(top, y.Name(), m.Name(), d.Name())); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	_, err := strconv.Atoi(s)
	return err == nil
}

// countRecords reads the records a file holds from its block headers. A
// file in another format (a SiLK repository's) has no block summaries: its
// records are read to be counted.
func countRecords(path string, size int64) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	info, err := flowfile.ScanInfo(f, size, path, nil)
	if errors.Is(err, flowfile.ErrNotFlowFile) {
		// A SiLK repository's file: its length or its blocks' sizes
		// give the records, as rwfileinfo counts them.
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return 0, err
		}
		if _, n, err := silk.Count(f); err == nil {
			return int64(n), nil
		}
		return countByReading(path)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return info.Records, nil
}

func countByReading(path string) (int64, error) {
	r, err := flowfile.Open(path)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	r.SetFields(flowfile.FieldTimes)
	var n int64
	for {
		recs, err := r.NextBlock()
		n += int64(len(recs))
		var be *flowfile.BlockError
		switch {
		case err == nil, errors.As(err, &be):
		default:
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, fmt.Errorf("%s: %w", path, err)
		}
	}
}
