package parquetflow

import (
	"io"

	"github.com/gflow/gflow/pkg/pipe"
	"github.com/gflow/gflow/pkg/site"
)

// Importing parquetflow gives pipe's --output-format=parquet its writer;
// the tools that offer the format import it, the others stay free of the
// Parquet library.
func init() {
	pipe.RegisterParquet(pipe.ParquetWriters{
		New: func(w io.Writer, c io.WriteCloser) pipe.FlowWriter {
			if c == nil {
				return NewWriter(w, siteOptions())
			}
			return NewWriteCloser(c, siteOptions())
		},
		NewPartitioned: func(dir string) (pipe.FlowWriter, error) {
			p, err := NewPartitioned(dir, siteOptions())
			if err != nil {
				return nil, err // not a typed nil in the interface
			}
			return p, nil
		},
	})
}

// siteOptions names sensors as gcut prints them: from the site
// configuration in effect, S<id> without one.
func siteOptions() Options {
	var o Options
	if cfg, err := site.Open("", ""); err == nil {
		o.SensorName = cfg.SensorName
	}
	return o
}
