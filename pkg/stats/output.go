package stats

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"strconv"

	"github.com/gflow/gflow/pkg/fields"
)

// Layout holds rwstats' text switches.
type Layout struct {
	NoTitles     bool
	NoColumns    bool
	NoFinalDelim bool
	NoPercents   bool
	Delim        byte // column separator; 0 means '|', unless NULDelim
	NULDelim     bool // separate with NUL (--column-separator= in SiLK)
}

const pctWidth = 10

func plural(n uint64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// WriteText prints a selection in rwstats' layout.
func WriteText(out io.Writer, res *Result, sel *Selection, fm *fields.Formatter, lo Layout) error {
	w := bufio.NewWriterSize(out, 64<<10)
	spec := &res.agg.spec
	delim := lo.Delim
	if delim == 0 && !lo.NULDelim {
		delim = '|'
	}
	primary := spec.Values[0].Title()
	var buf []byte
	if !lo.NoTitles {
		buf = append(buf, "INPUT: "...)
		buf = strconv.AppendUint(buf, res.Records, 10)
		buf = append(buf, " Record"+plural(res.Records)+" for "...)
		buf = strconv.AppendUint(buf, res.Bins, 10)
		buf = append(buf, " Bin"+plural(res.Bins)...)
		if res.Total != 0 {
			buf = append(buf, " and "...)
			buf = strconv.AppendUint(buf, res.Total, 10)
			buf = append(buf, " Total "+primary...)
		}
		buf = append(buf, '\n')
		dir, ab := "Top", "above"
		if spec.Bottom {
			dir, ab = "Bottom", "below"
		}
		buf = append(buf, "OUTPUT: "...)
		none := false
		switch spec.Limit {
		case LimitCount:
			buf = append(buf, dir+" "...)
			buf = strconv.AppendUint(buf, sel.Count, 10)
			buf = append(buf, " Bin"+plural(sel.Count)+" by "+primary...)
		case LimitThreshold:
			if sel.Count < 1 {
				buf = append(buf, "No bins "+ab+" threshold of "...)
				buf = strconv.AppendUint(buf, sel.Threshold, 10)
				buf = append(buf, " "+primary...)
				none = true
			} else {
				buf = append(buf, dir+" "...)
				buf = strconv.AppendUint(buf, sel.Count, 10)
				buf = append(buf, " bins by "+primary+" (threshold "...)
				buf = strconv.AppendUint(buf, sel.Threshold, 10)
				buf = append(buf, ')')
			}
		case LimitPercentage:
			if sel.Count < 1 {
				buf = append(buf, "No bins "+ab+" threshold of "...)
				buf = strconv.AppendFloat(buf, spec.Percentage, 'f', 4, 64)
				buf = append(buf, "% ("...)
				buf = strconv.AppendUint(buf, sel.Threshold, 10)
				buf = append(buf, " "+primary+")"...)
				none = true
			} else {
				buf = append(buf, dir+" "...)
				buf = strconv.AppendUint(buf, sel.Count, 10)
				buf = append(buf, " bins by "+primary+" ("...)
				buf = strconv.AppendFloat(buf, spec.Percentage, 'f', 4, 64)
				buf = append(buf, "% == "...)
				buf = strconv.AppendUint(buf, sel.Threshold, 10)
				buf = append(buf, ')')
			}
		}
		buf = append(buf, '\n')
		if none {
			_, err := w.Write(buf)
			if err != nil {
				return err
			}
			return w.Flush()
		}
		// column titles
		first := true
		col := func(title string, width int) {
			if !first {
				buf = append(buf, delim)
			}
			first = false
			if lo.NoColumns {
				width = 0
			}
			buf = fields.AppendTitle(buf, title, width)
		}
		for _, id := range spec.Keys {
			col(fm.Title(id), fm.Width(id))
		}
		for _, v := range spec.Values {
			col(v.Title(), v.width(spec.Policy))
		}
		if !lo.NoPercents {
			col("%"+primary, pctWidth)
			col("cumul_%", pctWidth)
		}
		if !lo.NoFinalDelim {
			buf = append(buf, delim)
		}
		buf = append(buf, '\n')
	}
	if _, err := w.Write(buf); err != nil {
		return err
	}

	keyW := make([]int, len(spec.Keys))
	for i, id := range spec.Keys {
		if !lo.NoColumns {
			keyW[i] = fm.Width(id)
		}
	}
	valW := make([]int, len(spec.Values))
	for i, v := range spec.Values {
		if !lo.NoColumns {
			valW[i] = v.width(spec.Policy)
		}
	}
	pw := pctWidth
	if lo.NoColumns {
		pw = 0
	}
	distinct := spec.Values[0].Kind == Distinct
	cumul := 0.0
	row := &Row{}
	for i := range sel.Len() {
		sel.Row(i, row)
		buf = buf[:0]
		for c, id := range spec.Keys {
			if c > 0 {
				buf = append(buf, delim)
			}
			buf = fm.AppendColumn(buf, id, &row.Key, keyW[c])
		}
		for c, v := range row.Values {
			buf = append(buf, delim)
			start := len(buf)
			buf = strconv.AppendUint(buf, v, 10)
			buf = fields.PadLeft(buf, start, valW[c])
		}
		if !lo.NoPercents {
			pct := 100.0 * float64(row.Values[0]) / float64(res.Total)
			cumul += pct
			buf = append(buf, delim)
			buf = appendPct(buf, pct, 6, pw)
			buf = append(buf, delim)
			prec := 6
			if distinct {
				prec = 4
			}
			buf = appendPct(buf, cumul, prec, pw)
		}
		if !lo.NoFinalDelim {
			buf = append(buf, delim)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return w.Flush()
}

// appendPct is printf's %*.*f, including glibc's spelling of NaN and Inf.
func appendPct(dst []byte, v float64, prec, width int) []byte {
	start := len(dst)
	switch {
	case math.IsNaN(v):
		dst = append(dst, "-nan"...)
	case math.IsInf(v, 1):
		dst = append(dst, "inf"...)
	default:
		dst = strconv.AppendFloat(dst, v, 'f', prec, 64)
	}
	return fields.PadLeft(dst, start, width)
}

// JSON output: one object per run.
//
//	{"input": {"records": 10, "bins": 9, "total": 94726, "total_of": "Bytes"},
//	 "output": {"direction": "top", "limit": "count", "count": 5, "rows": 5},
//	 "fields": ["sIP", "sPort"], "values": ["Bytes"],
//	 "rows": [{"key": {"sIP": "10.0.0.5", "sPort": "22"},
//	           "values": {"Bytes": 64000}, "percent": 67.56, "cumulative": 67.56}]}
//
// Keys are the column text without padding (so addresses and times follow
// --ip-format and --timestamp-format); values are numbers. "threshold" is
// present for --threshold and --percentage, "percentage" for the latter;
// "percent" and "cumulative" are left out with --no-percents.
type jsonDoc struct {
	Input  jsonInput  `json:"input"`
	Output jsonOutput `json:"output"`
	Fields []string   `json:"fields"`
	Values []string   `json:"values"`
	Rows   []jsonRow  `json:"rows"`
}

type jsonInput struct {
	Records uint64 `json:"records"`
	Bins    uint64 `json:"bins"`
	Total   uint64 `json:"total"`
	TotalOf string `json:"total_of"`
}

type jsonOutput struct {
	Direction  string   `json:"direction"`
	Limit      string   `json:"limit"`
	Count      uint64   `json:"count"`
	Threshold  *uint64  `json:"threshold,omitempty"`
	Percentage *float64 `json:"percentage,omitempty"`
	Rows       int      `json:"rows"`
}

type jsonRow struct {
	Key        map[string]string `json:"key"`
	Values     map[string]uint64 `json:"values"`
	Percent    *float64          `json:"percent,omitempty"`
	Cumulative *float64          `json:"cumulative,omitempty"`
}

// WriteJSON prints a selection as one JSON document, indented as
// encoding/json's Encoder with SetIndent("", "  ") would print jsonDoc,
// but a row at a time: a document of millions of rows is never held.
func WriteJSON(out io.Writer, res *Result, sel *Selection, fm *fields.Formatter, noPercents bool) error {
	spec := &res.agg.spec
	doc := jsonDoc{
		Input:  jsonInput{Records: res.Records, Bins: res.Bins, Total: res.Total, TotalOf: spec.Values[0].Title()},
		Output: jsonOutput{Direction: "top", Count: sel.Count, Rows: sel.Len()},
	}
	if spec.Bottom {
		doc.Output.Direction = "bottom"
	}
	switch spec.Limit {
	case LimitCount:
		doc.Output.Limit = "count"
	case LimitThreshold:
		doc.Output.Limit = "threshold"
		doc.Output.Threshold = &sel.Threshold
	case LimitPercentage:
		doc.Output.Limit = "percentage"
		doc.Output.Threshold = &sel.Threshold
		p := spec.Percentage
		doc.Output.Percentage = &p
	}
	for _, id := range spec.Keys {
		doc.Fields = append(doc.Fields, id.Name())
	}
	for _, v := range spec.Values {
		doc.Values = append(doc.Values, v.Title())
	}
	w := bufio.NewWriterSize(out, 64<<10)
	member := func(name string, v any, last bool) error {
		b, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			return err
		}
		w.WriteString("  \"" + name + "\": ")
		w.Write(b)
		if !last {
			w.WriteByte(',')
		}
		w.WriteByte('\n')
		return nil
	}
	w.WriteString("{\n")
	for _, m := range []struct {
		name string
		v    any
	}{{"input", doc.Input}, {"output", doc.Output}, {"fields", doc.Fields}, {"values", doc.Values}} {
		if err := member(m.name, m.v, false); err != nil {
			return err
		}
	}
	if sel.Len() == 0 {
		w.WriteString("  \"rows\": []\n}\n")
		return w.Flush()
	}
	w.WriteString("  \"rows\": [\n")
	cumul := 0.0
	var buf []byte
	row := &Row{}
	jr := jsonRow{Key: map[string]string{}, Values: map[string]uint64{}}
	for i := range sel.Len() {
		sel.Row(i, row)
		for _, id := range spec.Keys {
			buf = fm.AppendValue(buf[:0], id, &row.Key)
			jr.Key[id.Name()] = string(buf)
		}
		for c, v := range spec.Values {
			jr.Values[v.Title()] = row.Values[c]
		}
		if !noPercents && res.Total != 0 {
			pct := 100.0 * float64(row.Values[0]) / float64(res.Total)
			cumul += pct
			p, c := pct, cumul
			jr.Percent, jr.Cumulative = &p, &c
		}
		b, err := json.MarshalIndent(&jr, "    ", "  ")
		if err != nil {
			return err
		}
		w.WriteString("    ")
		w.Write(b)
		if i < sel.Len()-1 {
			w.WriteByte(',')
		}
		if _, err := w.WriteString("\n"); err != nil {
			return err
		}
	}
	w.WriteString("  ]\n}\n")
	return w.Flush()
}
