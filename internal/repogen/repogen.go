// Package repogen writes synthetic repositories of hourly flow files, laid
// out as gflowcap lays them out: what the tests of gsiteinfo and gfileinfo
// read, and the year of files gsiteinfo's speed is measured on
// (bench/gsiteinfo.sh).
package repogen

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
)

// Sensor is a sensor of the made repository.
type Sensor struct {
	Name string
	ID   uint16
}

// Options say what to write.
type Options struct {
	Start   time.Time // first hour (truncated to the hour)
	Hours   int
	Sensors []Sensor
	Types   []flowfile.FlowType
	// Blocks is the blocks per file: the collector ends a block at every
	// flush (5 s by default), so a busy hour has hundreds.
	Blocks int
	// Records is the records per block.
	Records int
	Seed    int64
	// Skip, if set, leaves out the files it returns true for (a sensor
	// that was down, a type without traffic).
	Skip func(s Sensor, t flowfile.FlowType, hour time.Time) bool
}

// Totals are what was written, per sensor and type.
type Totals struct {
	Files, Records, Bytes int64
	First, Last           time.Time // hours of the first and last file
}

// Key names a sensor and type.
type Key struct {
	Sensor string
	Type   flowfile.FlowType
}

// Write writes the repository under root and returns its totals.
func Write(root string, o Options) (map[Key]*Totals, error) {
	if o.Blocks <= 0 {
		o.Blocks = 1
	}
	if o.Records <= 0 {
		o.Records = 100
	}
	start := o.Start.UTC().Truncate(time.Hour)
	gen := flowgen.New(o.Seed, flowgen.Options{Hosts: 2000, Start: start})
	recs := make([]flowfile.Record, o.Records)
	repo := flowfile.Repo{Root: root}
	out := map[Key]*Totals{}
	for h := range o.Hours {
		hour := start.Add(time.Duration(h) * time.Hour)
		for _, s := range o.Sensors {
			for _, t := range o.Types {
				if o.Skip != nil && o.Skip(s, t, hour) {
					continue
				}
				path := repo.Path(t, s.Name, hour)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					return nil, err
				}
				w, err := flowfile.Create(path, flowfile.Header{Kind: flowfile.KindFile, Codec: flowfile.CodecZstd,
					Type: t, SensorID: s.ID, Sensor: s.Name, Hour: hour, Writer: "repogen"})
				if err != nil {
					return nil, err
				}
				for b := range o.Blocks {
					gen.Fill(recs)
					// Starts spread over the hour, block after block, as a
					// collector flushing every few seconds writes them.
					span := int64(time.Hour/time.Millisecond) / int64(o.Blocks)
					for i := range recs {
						r := &recs[i]
						r.Type, r.Sensor = t, s.ID
						r.STime = hour.UnixMilli() + int64(b)*span + int64(i)*span/int64(len(recs))
						r.ETime = r.STime + int64(i%5000)
					}
					if err := w.WriteBlock(recs); err != nil {
						w.Close()
						return nil, err
					}
					if err := w.Flush(); err != nil {
						w.Close()
						return nil, err
					}
				}
				if err := w.Close(); err != nil {
					return nil, fmt.Errorf("%s: %w", path, err)
				}
				fi, err := os.Stat(path)
				if err != nil {
					return nil, err
				}
				k := Key{s.Name, t}
				tot := out[k]
				if tot == nil {
					tot = &Totals{First: hour}
					out[k] = tot
				}
				tot.Files++
				tot.Records += int64(o.Blocks * o.Records)
				tot.Bytes += fi.Size()
				tot.Last = hour
			}
		}
	}
	return out, nil
}
