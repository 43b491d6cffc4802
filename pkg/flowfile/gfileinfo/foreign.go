package gfileinfo

import (
	"errors"
	"fmt"
	"io"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/silk"
)

// foreignInfo describes a flow file of another format, read through
// flowfile's foreign formats: SiLK's files, whose header pkg/silk gives.
// Their records are counted by reading them, as such files carry no block
// summaries.
type foreignInfo struct {
	format   string
	silk     *silk.Header // for a SiLK file
	records  int64
	size     int64 // -1 when unknown (a stream)
	minSTime int64
	maxETime int64
	corrupt  []*flowfile.BlockError
}

func describeForeign(src io.Reader, path string) (*foreignInfo, error) {
	r, err := flowfile.NewReader(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer r.Close()
	r.SetName(path)
	r.SetFields(flowfile.FieldTimes)
	fi := &foreignInfo{format: r.FormatName(), size: -1}
	if s, ok := r.Foreign().(*silk.Source); ok {
		fi.silk = s.Header()
	}
	first := true
	for {
		recs, err := r.NextBlock()
		if errors.Is(err, io.EOF) {
			break
		}
		var be *flowfile.BlockError
		if errors.As(err, &be) {
			fi.corrupt = append(fi.corrupt, be)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for i := range recs {
			if first || recs[i].STime < fi.minSTime {
				fi.minSTime = recs[i].STime
			}
			if first || recs[i].ETime > fi.maxETime {
				fi.maxETime = recs[i].ETime
			}
			first = false
		}
		fi.records += int64(len(recs))
	}
	return fi, nil
}
