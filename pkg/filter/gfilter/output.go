package gfilter

import (
	"fmt"
	"io"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/pipe"
)

// flowOut is a destination: a gflow stream (*flowfile.Writer), which also
// takes stored blocks as they are, or a stream of another format, which
// takes records only (wants.records keeps blocks from it).
type flowOut interface {
	WriteBlock([]flowfile.Record) error
	WriteRaw(blk []byte) error
	WriteSelected(blk []byte, sel []uint64, n int) error
	Close() error
}

// createOut opens a destination in the output format.
func createOut(dest string, stdout io.Writer, format string) (flowOut, error) {
	if format == pipe.FormatGflow {
		return pipe.Create(dest, stdout)
	}
	w, err := pipe.CreateFormat(dest, stdout, format)
	if err != nil {
		return nil, err
	}
	return recordsOnly{w, format}, nil
}

// recordsOnly is a destination of another format than gflow's.
type recordsOnly struct {
	pipe.FlowWriter
	format string
}

func (r recordsOnly) WriteRaw([]byte) error {
	return fmt.Errorf("internal error: a stored gflow block for a %s output", r.format)
}

func (r recordsOnly) WriteSelected([]byte, []uint64, int) error {
	return fmt.Errorf("internal error: a stored gflow block for a %s output", r.format)
}
