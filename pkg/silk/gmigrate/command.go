// Package gmigrate is the gmigrate command: it converts a SiLK repository
// into a gflow one, hour by hour, so that a site that moves from SiLK to
// gflow keeps its history in gflow's (smaller, faster to query) files.
// gflow's tools read SiLK repositories as they are, so converting is an
// option, not a must.
package gmigrate

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/silk"
	"github.com/spf13/cobra"
)

func init() { cli.Register("gmigrate", NewCommand) }

type options struct {
	silkRoot, dataRoot string
	startDate, endDate string
	dryRun             bool
}

// NewCommand builds the gmigrate command around the given streams.
func NewCommand(std cli.IO) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "gmigrate --silk-rootdir=SILKROOT --data-rootdir=ROOT",
		Short: "convert a SiLK repository into a gflow repository, hour by hour",
		Long: `gmigrate reads every hourly file of the SiLK repository SILKROOT
(ROOT/TYPE/YYYY/MM/DD/FLOWTYPE-SENSOR_YYYYMMDD.HH, any of SiLK's repository
formats and compressions) and writes its records into the same place of the
gflow repository ROOT, hour by hour, oldest first. The records keep what
SiLK stored; their country codes are looked up as they are converted, from
the site configuration's rule and country database, as gflowcap gives them.

It is resumable: each file is written under a temporary name and renamed
when complete, and a file already in ROOT is not converted again, so an
interrupted run (Ctrl-C, a reboot) is finished by running the same command.
A gflow file that gflowcap wrote for the same hour, type and sensor is
left alone. Progress shows on a terminal; at the end gmigrate prints the
files, records and sizes before and after.

--start-date and --end-date limit the hours converted. SILKROOT is only
read. gflow's tools read SiLK files too, so converting is optional: a root
that holds SiLK files before some day and gflow files after it is queried
as one repository.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error { return run(o, std) },
	}
	cli.Examples(cmd, `gmigrate --silk-rootdir=/data/silk --data-rootdir=/var/lib/gflow
gmigrate --silk-rootdir=/data/silk --data-rootdir=/var/lib/gflow --start-date=2015/01/01 --end-date=2015/12/31
gmigrate --silk-rootdir=/data/silk --data-rootdir=/var/lib/gflow --dry-run`)
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.StringVar(&o.silkRoot, "silk-rootdir", "", "the SiLK repository to read, `DIR`")
	fl.StringVar(&o.dataRoot, "data-rootdir", "", "the gflow repository to write, `DIR` (default $"+cli.EnvDataRoot+", then "+cli.DefaultDataRoot+")")
	fl.StringVar(&o.startDate, "start-date", "", "first hour or day to convert, `DATE` YYYY/MM/DD[:HH] (default the oldest)")
	fl.StringVar(&o.endDate, "end-date", "", "last hour or day to convert, `DATE` (default the newest)")
	fl.BoolVar(&o.dryRun, "dry-run", false, "print the files that would be converted, one per line, and stop")
	return cmd
}

// job is one hourly file to convert.
type job struct {
	src, dst string
	file     flowfile.RepoFile
}

func run(o *options, std cli.IO) error {
	if o.silkRoot == "" {
		return errors.New("No SiLK repository named; use --silk-rootdir=DIR")
	}
	root := cli.DataRootFromEnv(o.dataRoot)
	if root == "" {
		root = cli.DefaultDataRoot
	}
	if st, err := os.Stat(o.silkRoot); err != nil || !st.IsDir() {
		return fmt.Errorf("SiLK repository '%s' is not a directory", o.silkRoot)
	}
	if same(o.silkRoot, root) {
		return fmt.Errorf("The SiLK repository and the gflow repository are both '%s'; convert into another directory", root)
	}
	first, last, err := dateRange(o.startDate, o.endDate)
	if err != nil {
		return err
	}
	jobs, err := list(o.silkRoot, root, first, last)
	if err != nil {
		return err
	}
	if o.dryRun {
		for _, j := range jobs {
			fmt.Fprintln(std.Out, j.src)
		}
		return nil
	}
	var st stats
	progress := cli.NewProgress(std.Err)
	start := time.Now()
	for i, j := range jobs {
		progress.Update("gmigrate: %s  file %d/%d  %s", j.file.Hour.Format("2006/01/02:15"), i+1, len(jobs), bar(i, len(jobs)))
		if err := convert(j, &st); err != nil {
			progress.Done()
			return err
		}
	}
	progress.Done()
	fmt.Fprintf(std.Out, "Files %d converted, %d already in %s.  Records %d.\nSiLK %d bytes, gflow %d bytes (%.1f%%) in %s.\n",
		st.converted, st.skipped, root, st.records, st.silkBytes, st.gflowBytes, percent(st.gflowBytes, st.silkBytes), time.Since(start).Round(time.Second))
	return nil
}

type stats struct {
	converted, skipped    int
	records               uint64
	silkBytes, gflowBytes int64
}

func percent(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// bar draws a 20-character progress bar.
func bar(done, total int) string {
	const width = 20
	n := 0
	if total > 0 {
		n = done * width / total
	}
	b := make([]byte, width)
	for i := range b {
		if i < n {
			b[i] = '#'
		} else {
			b[i] = '.'
		}
	}
	return "[" + string(b) + "]"
}

func same(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// list finds the SiLK repository's hourly files in [first, last], oldest
// hour first.
func list(silkRoot, root string, first, last time.Time) ([]job, error) {
	var jobs []job
	dst := flowfile.Repo{Root: root}
	err := filepath.WalkDir(silkRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		f, err := flowfile.ParseRepoPath(path)
		if err != nil {
			return nil // silk.conf, notes, anything that is not an hourly file
		}
		if (!first.IsZero() && f.Hour.Before(first)) || (!last.IsZero() && f.Hour.After(last)) {
			return nil
		}
		jobs = append(jobs, job{src: path, dst: dst.Path(f.Type, f.Sensor, f.Hour), file: f})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("SiLK repository: %w", err)
	}
	slices.SortStableFunc(jobs, func(a, b job) int {
		if c := a.file.Hour.Compare(b.file.Hour); c != 0 {
			return c
		}
		if a.file.Type != b.file.Type {
			return int(a.file.Type) - int(b.file.Type)
		}
		if a.file.Sensor < b.file.Sensor {
			return -1
		}
		if a.file.Sensor > b.file.Sensor {
			return 1
		}
		return 0
	})
	return jobs, nil
}

// convert writes one hourly file, unless it is there already.
func convert(j job, st *stats) error {
	si, err := os.Stat(j.src)
	if err != nil {
		return err
	}
	if di, err := os.Stat(j.dst); err == nil {
		st.skipped++
		st.silkBytes += si.Size()
		st.gflowBytes += di.Size()
		return nil
	}
	r, err := flowfile.Open(j.src)
	if err != nil {
		return err
	}
	defer r.Close()
	if r.FormatName() == "gflow" {
		// a gflow file in the SiLK root (a root used by both): copy as is
		r.Close()
		return copyFile(j, si.Size(), st)
	}
	var sensorID uint16
	if s, ok := r.Foreign().(*silk.Source); ok {
		if pf, ok := s.Header().PackedFile(); ok {
			sensorID = uint16(pf.Sensor)
		}
	}
	if err := os.MkdirAll(filepath.Dir(j.dst), 0o755); err != nil {
		return err
	}
	tmp := j.dst + ".gmigrate-tmp"
	os.Remove(tmp) // a previous run's, interrupted
	w, err := flowfile.Create(tmp, flowfile.Header{
		Kind: flowfile.KindFile, Codec: flowfile.CodecZstd, Type: j.file.Type,
		SensorID: sensorID, Sensor: j.file.Sensor, Hour: j.file.Hour, Writer: "gmigrate",
	})
	if err != nil {
		return err
	}
	fail := func(err error) error {
		w.Close()
		os.Remove(tmp)
		return err
	}
	var n uint64
	for {
		recs, err := r.NextBlock()
		if errors.Is(err, io.EOF) {
			break
		}
		var be *flowfile.BlockError
		if errors.As(err, &be) {
			return fail(fmt.Errorf("%w; the file is not converted (gflow's tools still read its intact blocks)", err))
		}
		if err != nil {
			return fail(fmt.Errorf("%s: %w", j.src, err))
		}
		if err := w.WriteBlock(recs); err != nil {
			return fail(err)
		}
		n += uint64(len(recs))
	}
	if err := w.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, j.dst); err != nil {
		os.Remove(tmp)
		return err
	}
	di, err := os.Stat(j.dst)
	if err != nil {
		return err
	}
	st.converted++
	st.records += n
	st.silkBytes += si.Size()
	st.gflowBytes += di.Size()
	return nil
}

// copyFile copies a gflow file met in the SiLK root.
func copyFile(j job, size int64, st *stats) error {
	b, err := os.ReadFile(j.src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(j.dst), 0o755); err != nil {
		return err
	}
	tmp := j.dst + ".gmigrate-tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, j.dst); err != nil {
		return err
	}
	st.converted++
	st.silkBytes += size
	st.gflowBytes += size
	return nil
}

// dateRange parses --start-date and --end-date (YYYY/MM/DD[:HH]); a day
// covers its 24 hours. Zero times mean no limit.
func dateRange(start, end string) (time.Time, time.Time, error) {
	parse := func(s string, last bool) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		if t, err := time.Parse("2006/01/02:15", s); err == nil {
			return t, nil
		}
		t, err := time.Parse("2006/01/02", s)
		if err != nil {
			return time.Time{}, fmt.Errorf("Invalid date '%s': use YYYY/MM/DD or YYYY/MM/DD:HH", s)
		}
		if last {
			t = t.Add(23 * time.Hour)
		}
		return t, nil
	}
	first, err := parse(start, false)
	if err != nil {
		return first, first, err
	}
	last, err := parse(end, true)
	if err != nil {
		return first, last, err
	}
	if !first.IsZero() && !last.IsZero() && last.Before(first) {
		return first, last, fmt.Errorf("The end date %s is before the start date %s", end, start)
	}
	return first, last, nil
}
