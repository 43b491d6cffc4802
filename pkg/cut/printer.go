// Package cut prints flow records as text: gcut, gflow's rwcut. One line
// per record in input order, in rwcut's columns (package fields has every
// field's title, width and value format), or one JSON object per line.
package cut

import (
	"strconv"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

// AllFields is rwcut's --all-fields list, in the order rwcut prints it.
// Country codes are left out as rwcut leaves them out without its
// country-code plug-in.
var AllFields = []fields.ID{
	fields.SIP, fields.DIP, fields.SPort, fields.DPort, fields.Protocol,
	fields.Packets, fields.Bytes, fields.Flags, fields.STime, fields.Duration,
	fields.ETime, fields.Sensor, fields.In, fields.Out, fields.NhIP,
	fields.InitFlags, fields.SessionFlags, fields.Attributes, fields.Application,
	fields.Class, fields.Type, fields.STimeMsec, fields.ETimeMsec, fields.DurMsec,
	fields.IType, fields.ICode,
}

// Layout is how columns are joined.
type Layout struct {
	NoTitles     bool
	NoColumns    bool // no padding
	NoFinalDelim bool // no separator after the last column
	Delim        byte // 0 means '|', unless NULDelim
	NULDelim     bool // separate with NUL (--column-separator= in SiLK)
	// ICMPTypeAndCode prints an ICMP flow's type in the sPort column and
	// its code in the dPort column (rwcut's deprecated switch).
	ICMPTypeAndCode bool
}

// Printer formats records in rwcut's text layout. It is not safe for
// concurrent use; AppendRow allocates nothing.
type Printer struct {
	fm     *fields.Formatter
	ids    []fields.ID
	widths []int
	lo     Layout
}

// NewPrinter returns a Printer of the given fields.
func NewPrinter(fm *fields.Formatter, ids []fields.ID, lo Layout) *Printer {
	if lo.Delim == 0 && !lo.NULDelim {
		lo.Delim = '|'
	}
	p := &Printer{fm: fm, ids: ids, lo: lo, widths: make([]int, len(ids))}
	if !lo.NoColumns {
		for i, id := range ids {
			p.widths[i] = fm.Width(id)
		}
	}
	return p
}

// Fields returns the printed fields.
func (p *Printer) Fields() []fields.ID { return p.ids }

// AppendTitles appends the title line (with its newline); nothing with
// NoTitles.
func (p *Printer) AppendTitles(dst []byte) []byte {
	if p.lo.NoTitles {
		return dst
	}
	for i, id := range p.ids {
		dst = fields.AppendTitle(dst, p.fm.Title(id), p.widths[i])
		dst = p.sep(dst, i)
	}
	return append(dst, '\n')
}

func (p *Printer) sep(dst []byte, i int) []byte {
	if i+1 < len(p.ids) || !p.lo.NoFinalDelim {
		dst = append(dst, p.lo.Delim)
	}
	return dst
}

// AppendRow appends one record's line (with its newline).
func (p *Printer) AppendRow(dst []byte, r *flowfile.Record) []byte {
	for i, id := range p.ids {
		if p.lo.ICMPTypeAndCode && (id == fields.SPort || id == fields.DPort) && r.IsICMP() {
			start := len(dst)
			v := r.ICMPType()
			if id == fields.DPort {
				v = r.ICMPCode()
			}
			dst = strconv.AppendUint(dst, uint64(v), 10)
			dst = fields.PadLeft(dst, start, p.widths[i])
		} else {
			dst = p.fm.AppendColumn(dst, id, r, p.widths[i])
		}
		dst = p.sep(dst, i)
	}
	return append(dst, '\n')
}
