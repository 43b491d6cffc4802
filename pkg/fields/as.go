package fields

import (
	"strconv"
	"unicode/utf8"
)

// gflow's additions to SiLK's fields: the source and destination AS
// numbers that the collector stores (the exporter's BGP numbers, else the
// AS database's), and the organisations running them, looked up by number
// when printed. They have no numeric ids.
const (
	SAS     ID = 33
	DAS     ID = 34
	SASName ID = 35
	DASName ID = 36
)

// ASFields are gflow's AS fields, which gstats and gcut take; gtuc reads
// the numbers and skips the names.
var ASFields = []ID{SAS, DAS, SASName, DASName}

func init() {
	table[SAS] = info{name: "sAS"}
	table[DAS] = info{name: "dAS"}
	table[SASName] = info{name: "sASName"}
	table[DASName] = info{name: "dASName"}
	StatsKeys = append(StatsKeys, ASFields...)
	CutFields = append(CutFields, ASFields...)
	TucFields = append(TucFields, ASFields...)
}

// IsASName reports whether the field prints an organisation's name, which
// the tool looks up in the AS database (Options.ASName).
func (id ID) IsASName() bool { return id == SASName || id == DASName }

// asNumberWidth is the width of an AS number column: a 32-bit number has
// up to ten digits, and SiLK sizes a number's column by its largest value.
const asNumberWidth = 10

// defaultASNameWidth is the width of a name column when the tool gives
// none (Options.ASNameWidth).
const defaultASNameWidth = 32

func (f *Formatter) asWidth(id ID) int {
	if id == SAS || id == DAS {
		return asNumberWidth
	}
	if f.o.ASNameWidth > 0 {
		return f.o.ASNameWidth
	}
	return defaultASNameWidth
}

// appendAS appends an AS field's value of r: the number, or the name of
// the organisation ("" for AS 0, for a number the database does not
// know, and when the tool set no ASName).
func (f *Formatter) appendAS(dst []byte, id ID, as uint32) []byte {
	if id == SAS || id == DAS {
		return strconv.AppendUint(dst, uint64(as), 10)
	}
	if as == 0 || f.o.ASName == nil {
		return dst
	}
	return append(dst, f.o.ASName(as)...)
}

// padRunes right-aligns dst[start:] in width characters: names are UTF-8,
// and a column of them lines up on a terminal only when counted by
// character.
func padRunes(dst []byte, start, width int) []byte {
	n := utf8.RuneCount(dst[start:])
	if n >= width {
		return dst
	}
	return PadLeft(dst, start, width-n+len(dst)-start)
}
