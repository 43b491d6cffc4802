package pipe

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/silk"
	"github.com/spf13/pflag"
)

// Importing silk registers SiLK's file format with flowfile: every tool
// that reads its inputs here reads SiLK files and streams as well.

// Output formats of --output-format, the switch of every tool that writes
// flows.
const (
	// FormatGflow is gflow's own stream format (docs/FORMAT.md), the
	// default: every gflow tool reads it, and it keeps every field.
	FormatGflow = "gflow"
	// FormatSilk is SiLK's FT_RWIPV6ROUTING, for SiLK's tools
	// (gfilter ... | rwstats ...).
	FormatSilk = "silk"
	// FormatParquet is Parquet with the ClickHouse table's column names,
	// for DuckDB, Spark and the like; a destination that is a directory
	// (an existing one, or a name ending in /) gets Hive-style partitions
	// date=YYYY-MM-DD/hour=HH/*.parquet.
	FormatParquet = "parquet"
)

// OutputFormats lists the values --output-format takes.
var OutputFormats = []string{FormatGflow, FormatSilk, FormatParquet}

// AddOutputFormat registers --output-format on fs, stored in p.
func AddOutputFormat(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "output-format", FormatGflow, "write flows in `FORMAT`: "+FormatGflow+
		" (gflow's stream, the default), "+FormatSilk+" (SiLK's FT_RWIPV6ROUTING, for rwcut, rwstats and SiLK's other tools) or "+
		FormatParquet+" (for DuckDB, Spark, ClickHouse; into a DIR/, Hive-style partitions date=…/hour=…)")
}

// ParquetWriters open Parquet outputs. Package parquetflow registers them
// with RegisterParquet when it is imported, so that only the tools that
// offer --output-format=parquet (gfilter, gtuc) link the Parquet library,
// several megabytes that the other tools would carry for nothing.
type ParquetWriters struct {
	// New writes one Parquet file to w; Close closes c unless c is nil
	// (stdout and stderr stay open).
	New func(w io.Writer, c io.WriteCloser) FlowWriter
	// NewPartitioned writes Hive-style partitions under dir.
	NewPartitioned func(dir string) (FlowWriter, error)
}

var parquetWriters *ParquetWriters

// RegisterParquet makes --output-format=parquet write with p.
func RegisterParquet(p ParquetWriters) { parquetWriters = &p }

// errNoParquet is the answer of a program built without the Parquet
// writer; none of gflow's tools that offer the format is.
var errNoParquet = errors.New("output-format 'parquet' is not built into this program: write the flows with gfilter --output-format=parquet")

// CheckOutputFormat returns an error naming the values accepted when
// format is not one of them.
func CheckOutputFormat(format string) error {
	if format == FormatParquet && parquetWriters == nil {
		return errNoParquet
	}
	for _, f := range OutputFormats {
		if f == format {
			return nil
		}
	}
	//lint:ignore ST1005 SiLK's wording for a bad switch value
	return fmt.Errorf("Invalid output-format '%s': choose one of %s", format, strings.Join(OutputFormats, ", "))
}

// FlowWriter writes records to a flow output in some format.
// *flowfile.Writer is one.
type FlowWriter interface {
	Write(*flowfile.Record) error
	WriteBlock([]flowfile.Record) error
	Close() error
}

// CreateFormat is Create for an output in the given format (one of
// OutputFormats): the same destinations, the same refusals.
func CreateFormat(dest string, stdout io.Writer, format string) (FlowWriter, error) {
	switch format {
	case FormatGflow, "":
		return Create(dest, stdout)
	case FormatSilk:
		w, c, err := openDest(dest, stdout)
		if err != nil {
			return nil, err
		}
		if c == nil {
			return silk.NewWriter(w, silk.WriterOptions{})
		}
		sw, err := silk.NewWriteCloser(c, silk.WriterOptions{})
		if err != nil {
			c.Close()
			return nil, err
		}
		return sw, nil
	case FormatParquet:
		return createParquet(dest, stdout)
	}
	return nil, CheckOutputFormat(format)
}

// createParquet opens a Parquet file, or Hive-style partitions when dest
// is a directory: an existing one or a name that ends in a slash.
func createParquet(dest string, stdout io.Writer) (FlowWriter, error) {
	if parquetWriters == nil {
		return nil, errNoParquet
	}
	if fi, err := os.Stat(dest); strings.HasSuffix(dest, "/") || (err == nil && fi.IsDir()) {
		return parquetWriters.NewPartitioned(dest)
	}
	w, c, err := openDest(dest, stdout)
	if err != nil {
		return nil, err
	}
	return parquetWriters.New(w, c), nil
}

// openDest opens dest as Create does: stdout or stderr (nothing to
// close), a device or named pipe, or a new regular file (an existing one
// only with GFLOW_CLOBBER set). A file opened here is returned as the
// WriteCloser.
func openDest(dest string, stdout io.Writer) (io.Writer, io.WriteCloser, error) {
	if err := CheckNotTerminal(dest, stdout); err != nil {
		return nil, nil, err
	}
	switch dest {
	case "stdout", "-":
		return stdout, nil, nil
	case "stderr":
		return os.Stderr, nil, nil
	case "":
		return nil, nil, errors.New("no output named")
	}
	if fi, err := os.Stat(dest); err == nil && !fi.Mode().IsRegular() {
		f, err := os.OpenFile(dest, os.O_WRONLY, 0)
		if err != nil {
			return nil, nil, err
		}
		return f, f, nil
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if os.Getenv(ClobberEnv) != "" {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(dest, flags, 0o644)
	if err != nil {
		return nil, nil, err
	}
	return f, f, nil
}
