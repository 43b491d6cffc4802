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
)

// OutputFormats lists the values --output-format takes.
var OutputFormats = []string{FormatGflow, FormatSilk}

// AddOutputFormat registers --output-format on fs, stored in p.
func AddOutputFormat(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "output-format", FormatGflow, "write flows in `FORMAT`: "+FormatGflow+
		" (gflow's stream, the default) or "+FormatSilk+" (SiLK's FT_RWIPV6ROUTING, for rwcut, rwstats and SiLK's other tools)")
}

// CheckOutputFormat returns an error naming the values accepted when
// format is not one of them.
func CheckOutputFormat(format string) error {
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
	}
	return nil, CheckOutputFormat(format)
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
