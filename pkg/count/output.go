package count

import (
	"io"
	"iter"
	"strconv"

	"github.com/gflow/gflow/pkg/fields"
)

// Layout is rwcount's text layout switches.
type Layout struct {
	NoTitles     bool
	NoColumns    bool
	NoFinalDelim bool
	Delim        byte // 0 means '|', unless NULDelim
	NULDelim     bool // separate with NUL (--column-separator= in SiLK)
	BinSlots     bool // label rows with the bin index instead of the date
	// Time prints the dates (its Style, and Local); milliseconds print
	// when the bin size is not whole seconds.
	Time fields.TimeFormat
}

// rwcount's column widths: Date (19, or 23 with milliseconds), Records,
// Bytes, Packets.
var widths = [4]int{19, 15, 20, 17}

// WriteText prints the rows in rwcount's layout:
//
//	               Date|        Records|               Bytes|          Packets|
//	2015/10/09T00:00:00|           6.00|            21170.00|            49.00|
func WriteText(w io.Writer, rows iter.Seq[Row], binSize int64, lo Layout) error {
	if lo.Delim == 0 && !lo.NULDelim {
		lo.Delim = '|'
	}
	wd := widths
	msec := binSize%1000 != 0
	if msec {
		wd[0] += 4
	}
	if lo.NoColumns {
		wd = [4]int{}
	}
	fm := fields.NewFormatter(fields.Options{Time: lo.Time})
	var b []byte
	end := func(b []byte, col int) []byte {
		if col < 3 || !lo.NoFinalDelim {
			b = append(b, lo.Delim)
		}
		return b
	}
	if !lo.NoTitles {
		for i, t := range [4]string{"Date", "Records", "Bytes", "Packets"} {
			b = fields.AppendTitle(b, t, wd[i])
			b = end(b, i)
		}
		b = append(b, '\n')
	}
	for r := range rows {
		start := len(b)
		if lo.BinSlots {
			b = strconv.AppendInt(b, r.Slot, 10)
		} else {
			b = fm.AppendTime(b, r.Start, msec)
		}
		b = fields.PadLeft(b, start, wd[0])
		b = end(b, 0)
		for i, v := range [3]float64{r.Records, r.Bytes, r.Packets} {
			start := len(b)
			b = strconv.AppendFloat(b, v, 'f', 2, 64)
			b = fields.PadLeft(b, start, wd[i+1])
			b = end(b, i+1)
		}
		b = append(b, '\n')
		if len(b) > 32<<10 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	_, err := w.Write(b)
	return err
}

// WriteJSON prints one JSON object per row and line:
//
//	{"date":"2015/10/09T00:00:00","epoch":1444348800,"slot":5760,"records":6,"bytes":21170,"packets":49}
//
// date is as in the text (--timestamp-format), epoch the bin's start in
// seconds (with a fraction for sub-second bins), slot rwcount's bin index;
// the values are exact (not rounded to two decimals).
func WriteJSON(w io.Writer, rows iter.Seq[Row], binSize int64, tf fields.TimeFormat) error {
	fm := fields.NewFormatter(fields.Options{Time: tf})
	msec := binSize%1000 != 0
	var b []byte
	for r := range rows {
		b = append(b, `{"date":"`...)
		b = fm.AppendTime(b, r.Start, msec)
		b = append(b, `","epoch":`...)
		b = strconv.AppendFloat(b, float64(r.Start)/1000, 'f', -1, 64)
		b = append(b, `,"slot":`...)
		b = strconv.AppendInt(b, r.Slot, 10)
		b = append(b, `,"records":`...)
		b = strconv.AppendFloat(b, r.Records, 'f', -1, 64)
		b = append(b, `,"bytes":`...)
		b = strconv.AppendFloat(b, r.Bytes, 'f', -1, 64)
		b = append(b, `,"packets":`...)
		b = strconv.AppendFloat(b, r.Packets, 'f', -1, 64)
		b = append(b, "}\n"...)
		if len(b) > 32<<10 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	_, err := w.Write(b)
	return err
}
