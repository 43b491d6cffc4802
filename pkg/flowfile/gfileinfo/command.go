// Package gfileinfo is the gfileinfo command (SiLK's rwfileinfo): what a
// flow file is and holds, read from its header and its blocks' headers,
// and with --check a verification of every block, for cron.
package gfileinfo

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cut/textout"
	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/pipe"
	"github.com/gflow/gflow/pkg/site"
)

func init() { cli.Register("gfileinfo", NewCommand) }

type options struct {
	fields          string
	summary         bool
	check           bool
	blocks          bool
	timestampFormat string
	outputPath      string
	pager           string
	site            site.Flags
}

// NewCommand builds gfileinfo around the given streams.
func NewCommand(std cli.IO) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "gfileinfo [SWITCHES] FILES...",
		Short: "Describe flow files: format, codec, header, blocks, records, time span, damage (SiLK's rwfileinfo)",
		Long: `gfileinfo prints what each flow file is and holds, in rwfileinfo's layout:
its format and version, kind (hourly file or stream), compression, header
fields (the hour, flow type and sensor of an hourly file, the program that
wrote it), the number of blocks and records, the time span of its flows
(earliest start to latest end), its size and bytes per record, and the
blocks whose header is damaged, with their byte offsets. It reads only
the file header and the 88-byte header of each block, seeking over the
compressed data, so it is quick on any file.

A FILE may be a directory: its repository files, at any depth (hidden
directories such as .gflowcap skipped). "-" or "stdin" reads a stream
from standard input.

--check reads every block whole, verifying its checksums and decoding
its records, prints nothing but the damage it finds (on standard error:
the file, the block and its byte offset) and exits with status 1 if it
found any: a cron job that mails its output stays quiet while the
repository is sound. An incomplete last block (a file being written, or
torn by a crash) is reported as a warning, not as damage.

Fields (--fields, names or SiLK's numbers): format(1), version(2),
compression(4), header-length(5), count-records(7), file-size(8),
packed-file-info(12), and gflow's own kind(30), writer(31),
count-blocks(32), time-span(33), bytes-per-record(34), corrupt-blocks(35),
incomplete-tail(36). SiLK's other fields (byte-order(3), record-length(6),
command-lines(9), record-version(10), silk-version(11), probe-name(13),
annotations(14)) describe SiLK files only.

A SiLK file is described exactly as rwfileinfo describes it, its sensor
named from the site configuration; its records are read to be counted.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return run(o, args, std)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.fields, "fields", "", "print only these `FIELDS`: names or numbers, comma-separated (default all)")
	f.BoolVar(&o.summary, "summary", false, "after the files, print their number, total records and total size")
	f.BoolVar(&o.check, "check", false, "verify every block's checksums and records; print only the damage found and exit 1 if there is any")
	f.BoolVar(&o.blocks, "blocks", false, "also list every block: offset, records, codec, time span")
	f.StringVar(&o.timestampFormat, "timestamp-format", "", "print times as default, iso or epoch, optionally with ,utc or ,local")
	f.StringVar(&o.outputPath, "output-path", "", "write the text to this `FILE` (or stdout, stderr) instead of standard output through the pager")
	f.StringVar(&o.pager, "pager", "", "page output on a terminal with this `PROGRAM` (default $GFLOW_PAGER, $PAGER, less)")
	o.site.Register(f)
	cli.Examples(cmd, `
		# What is this file?
		gfileinfo /var/lib/gflow/inweb/2026/11/26/iw-S0_20261126.14

		# Records held today, all types, with a total
		gfileinfo --fields=count-records --summary /var/lib/gflow/*/2026/11/26

		# Cron: verify the whole repository every night, mail only damage
		gfileinfo --check /var/lib/gflow

		# What does a query pass on?
		gfilter --start-date=2026/11/26 --scc=ch --pass=stdout | gfileinfo -`)
	cli.ManSection(cmd, cli.ManExitStatus,
		cli.ManItem{Term: "1", Text: "A file could not be read or is not a flow file; with --check, damage was found in some file. The other files are still described or checked."},
	)
	cli.ManSection(cmd, cli.ManSeeAlso, cli.ManItem{Term: "rwfileinfo(1)"})
	return cmd
}

func run(o *options, args []string, std cli.IO) error {
	if len(args) == 0 {
		return cli.Hint(cli.Usagef("No files were named"), "name flow files or a directory, e.g. gfileinfo /var/lib/gflow/in/2026/11/26 (\"-\" reads standard input)")
	}
	sel, err := parseFields(o.fields)
	if err != nil {
		return cli.UsageError(err)
	}
	fo := fields.Options{}
	if o.timestampFormat != "" {
		if fo.Time, err = fields.ParseTimeFormat(o.timestampFormat, false); err != nil {
			return cli.UsageError(err)
		}
	}
	p := &printer{sel: sel, blocks: o.blocks, tf: fields.NewFormatter(fo), sensorName: sensorNames(&o.site, std)}

	var out *textout.Writer
	if !o.check {
		if out, err = textout.Open(o.outputPath, o.pager, std); err != nil {
			return err
		}
		p.w = out
	}
	failed, damaged, n := 0, 0, 0
	var total summary
	visit := func(path string, open func() (io.ReadCloser, int64, error)) {
		n++
		d, err := describe(path, open, o.check)
		if err != nil {
			failed++
			fmt.Fprintf(std.Err, "gfileinfo: %v\n", err)
			return
		}
		total.add(d)
		if o.check {
			for _, be := range d.corrupt() {
				fmt.Fprintf(std.Err, "gfileinfo: %v\n", be)
			}
			if len(d.corrupt()) > 0 {
				damaged++
			}
			if d.tail() > 0 {
				cli.Warnf(std.Err, "gfileinfo", "%s: incomplete last block of %d bytes at byte offset %d (a file being written, or torn by a crash)", path, d.tail(), d.size()-d.tail())
			}
			return
		}
		p.file(d)
	}
	for _, arg := range args {
		if err := inputs(arg, std.In, visit); err != nil {
			failed++
			fmt.Fprintf(std.Err, "gfileinfo: %v\n", err)
		}
	}
	if out != nil {
		if o.summary {
			p.summary(&total)
		}
		if err := out.Close(); err != nil {
			return err
		}
	}
	if o.check && (damaged > 0 || failed > 0) {
		fmt.Fprintf(std.Err, "gfileinfo: %d of %d files damaged, %d unreadable\n", damaged, n, failed)
	}
	if failed > 0 || damaged > 0 {
		return cli.Exit(1)
	}
	return nil
}

// sensorNames names the sensor ids of SiLK files' packed-file-info from
// the site configuration, read when the first SiLK file needs it; without
// one (or with a broken one, said once) a sensor is S<id>, as in SiLK's
// twoway site.
func sensorNames(f *site.Flags, std cli.IO) func(uint32) string {
	var cfg *site.Config
	loaded := false
	return func(id uint32) string {
		if !loaded {
			loaded = true
			var err error
			if cfg, err = f.Open(); err != nil {
				cli.Warnf(std.Err, "gfileinfo", "%v; naming sensors S<id>", err)
			}
		}
		if cfg == nil || id > 0xffff {
			return fmt.Sprintf("S%d", id)
		}
		return cfg.SensorName(uint16(id))
	}
}

// inputs calls visit for arg: a file, standard input, or the repository
// files of a directory.
func inputs(arg string, stdin io.Reader, visit func(string, func() (io.ReadCloser, int64, error))) error {
	if arg == "-" || arg == "stdin" {
		visit("stdin", func() (io.ReadCloser, int64, error) {
			br := bufio.NewReader(stdin)
			if _, err := br.Peek(1); err == io.EOF {
				// not "truncated file header": the command before failed
				return nil, 0, fmt.Errorf("stdin: %w", pipe.ErrEmptyStdin)
			}
			return io.NopCloser(br), -1, nil
		})
		return nil
	}
	fi, err := os.Stat(arg)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		visit(arg, openFile(arg))
		return nil
	}
	found := 0
	err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != arg && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if _, err := flowfile.ParseRepoPath(path); err != nil || !d.Type().IsRegular() {
			return nil // the site configuration, notes: not flow files
		}
		found++
		visit(path, openFile(path))
		return nil
	})
	if err == nil && found == 0 {
		err = fmt.Errorf("%s: no repository files (FLOWTYPE-SENSOR_YYYYMMDD.HH) in this directory", arg)
	}
	return err
}

func openFile(path string) func() (io.ReadCloser, int64, error) {
	return func() (io.ReadCloser, int64, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, 0, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		return f, fi.Size(), nil
	}
}

// described is what gfileinfo learnt of one file.
type described struct {
	path    string
	info    *flowfile.Info // a gflow file
	blocks  []flowfile.BlockSummary
	foreign *foreignInfo // a file in another format (SiLK)
	checked []*flowfile.BlockError
	check   bool
	tailLen int64 // --check: bytes of an incomplete last block
}

func (d *described) corrupt() []*flowfile.BlockError {
	if d.check {
		return d.checked
	}
	if d.info != nil {
		return d.info.Corrupt
	}
	return d.foreign.corrupt
}

func (d *described) tail() int64 {
	if d.check {
		return d.tailLen
	}
	if d.info != nil {
		return d.info.Tail
	}
	return 0
}

func (d *described) size() int64 {
	if d.info != nil {
		return d.info.Size
	}
	return d.foreign.size
}

func (d *described) records() int64 {
	if d.info != nil {
		return d.info.Records
	}
	return d.foreign.records
}

// describe reads what it needs of one file: the block headers, or with
// check every block.
func describe(path string, open func() (io.ReadCloser, int64, error), check bool) (*described, error) {
	rc, size, err := open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	d := &described{path: path, check: check}
	if check {
		return d, d.verify(rc, size)
	}
	// A stream can be read only once: keep what the scan consumes, in
	// case the input is not gflow's and must be read again by Open.
	var rec *recorder
	src := io.Reader(rc)
	if size < 0 {
		// The scan's buffer reads up to 64 KiB at a time.
		rec = &recorder{r: rc, limit: 256 << 10}
		src = rec
	}
	d.info, err = flowfile.ScanInfo(src, size, path, func(s *flowfile.BlockSummary) { d.blocks = append(d.blocks, *s) })
	if errors.Is(err, flowfile.ErrNotFlowFile) {
		d.info = nil
		if size >= 0 {
			if s, ok := rc.(io.Seeker); ok {
				if _, err := s.Seek(0, io.SeekStart); err != nil {
					return nil, err
				}
			}
			src = rc
		} else {
			src = io.MultiReader(strings.NewReader(string(rec.kept)), rc)
		}
		d.foreign, err = describeForeign(src, path)
		if err != nil {
			return nil, err
		}
		if size >= 0 {
			d.foreign.size = size
		}
		return d, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// verify reads every block of the file with the Reader, which checks each
// block's checksums and decodes its records, and keeps the corrupt blocks
// it meets.
func (d *described) verify(src io.Reader, size int64) error {
	r, err := flowfile.NewReader(src)
	if err != nil {
		return fmt.Errorf("%s: %w", d.path, err)
	}
	defer r.Close()
	r.SetName(d.path)
	var records int64
	for {
		recs, err := r.NextBlock()
		records += int64(len(recs))
		if errors.Is(err, io.EOF) {
			break
		}
		var be *flowfile.BlockError
		var te *flowfile.TruncatedError
		if errors.As(err, &te) {
			d.tailLen = int64(te.Have) // the torn tail, as the scan reports it
			continue
		}
		if errors.As(err, &be) {
			d.checked = append(d.checked, be)
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", d.path, err)
		}
	}
	d.tailLen += int64(r.Pending())
	d.info = &flowfile.Info{Size: size, Records: records}
	return nil
}

// recorder keeps the first bytes read through it (up to limit).
type recorder struct {
	r     io.Reader
	kept  []byte
	limit int
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if len(r.kept) < r.limit {
		r.kept = append(r.kept, p[:min(n, r.limit-len(r.kept))]...)
	}
	return n, err
}
