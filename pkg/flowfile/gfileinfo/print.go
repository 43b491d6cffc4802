package gfileinfo

import (
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"strings"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/silk"
)

// field is one line of a file's description. ids 1-18 are rwfileinfo's,
// so that --fields=7 means count-records as it does in SiLK; gflow's own
// fields start at 30.
type field struct {
	id   int
	name string
}

// fieldList is the order lines are printed in.
var fieldList = []field{
	{1, "format"},
	{2, "version"},
	{30, "kind"},
	{4, "compression"},
	{5, "header-length"},
	{12, "packed-file-info"},
	{31, "writer"},
	{32, "count-blocks"},
	{7, "count-records"},
	{33, "time-span"},
	{8, "file-size"},
	{34, "bytes-per-record"},
	{35, "corrupt-blocks"},
	{36, "incomplete-tail"},
}

// silkOnly are rwfileinfo's fields that describe only SiLK files; they are
// accepted and print nothing for gflow's.
var silkOnly = []field{
	{3, "byte-order"}, {6, "record-length"}, {9, "command-lines"}, {10, "record-version"},
	{11, "silk-version"}, {13, "probe-name"}, {14, "annotations"}, {15, "prefix-map"},
	{16, "ipset"}, {17, "bag"}, {18, "aggregate-bag"},
}

// parseFields reads --fields: names (or unique prefixes) and numbers.
// The result is the set of ids to print; nil means all.
func parseFields(s string) (map[int]bool, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	all := append(append([]field{}, fieldList...), silkOnly...)
	sel := map[int]bool{}
	for tok := range strings.SplitSeq(s, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		if n, err := strconv.Atoi(tok); err == nil {
			found := false
			for _, f := range all {
				if f.id == n {
					sel[n], found = true, true
				}
			}
			if !found {
				return nil, fmt.Errorf("Invalid fields '%s': no field has the number %d", s, n)
			}
			continue
		}
		var match []field
		for _, f := range all {
			if f.name == strings.ToLower(tok) {
				match = []field{f}
				break
			}
			if strings.HasPrefix(f.name, strings.ToLower(tok)) {
				match = append(match, f)
			}
		}
		switch len(match) {
		case 0:
			return nil, fmt.Errorf("Invalid fields '%s': no field is named '%s'", s, tok)
		case 1:
			sel[match[0].id] = true
		default:
			return nil, fmt.Errorf("Invalid fields '%s': '%s' matches several fields", s, tok)
		}
	}
	return sel, nil
}

type printer struct {
	w      io.Writer
	sel    map[int]bool
	blocks bool
	tf     *fields.Formatter
	// sensorName names the sensor ids of SiLK files (from the site
	// configuration, S<id> without one).
	sensorName func(uint32) string
}

func (p *printer) line(id int, name, value string) {
	if p.sel != nil && !p.sel[id] {
		return
	}
	fmt.Fprintf(p.w, "  %-20s%s\n", name, value)
}

func (p *printer) time(ms int64) string { return string(p.tf.AppendTime(nil, ms, true)) }

func (p *printer) file(d *described) {
	fmt.Fprintf(p.w, "%s:\n", d.path)
	if d.foreign != nil {
		p.foreignFile(d)
		return
	}
	info := d.info
	h := info.Header
	for _, f := range fieldList {
		var v string
		switch f.id {
		case 1:
			v = "gflow"
		case 2:
			v = strconv.Itoa(int(h.Version))
		case 30:
			v = h.Kind.String()
		case 4:
			v = codecs(h.Codec, info.Codecs)
		case 5:
			v = strconv.Itoa(info.HeaderLen)
		case 12:
			if h.Kind != flowfile.KindFile {
				continue
			}
			v = fmt.Sprintf("%sZ %s %s", strings.TrimSuffix(p.time(h.Hour.UnixMilli()), ".000"), h.Type, h.Sensor)
			if h.Sensor == "" || h.SensorID != 0 {
				v += fmt.Sprintf(" (sensor id %d)", h.SensorID)
			}
		case 31:
			v = h.Writer
		case 32:
			v = strconv.Itoa(info.Blocks)
		case 7:
			v = strconv.FormatInt(info.Records, 10)
			if info.Stored != info.Records {
				v += fmt.Sprintf(" (of %d stored; the others not selected)", info.Stored)
			}
		case 33:
			if info.Blocks == 0 {
				continue
			}
			v = p.time(info.MinSTime) + " " + p.time(info.MaxETime)
		case 8:
			v = strconv.FormatInt(info.Size, 10)
		case 34:
			if info.Records == 0 {
				continue
			}
			v = strconv.FormatFloat(float64(info.Size-int64(info.HeaderLen))/float64(info.Records), 'f', 2, 64)
		case 35:
			v = strconv.Itoa(len(info.Corrupt))
		case 36:
			v = strconv.FormatInt(info.Tail, 10)
			if info.Tail > 0 {
				v += " bytes (a block being written, or torn by a crash)"
			}
		}
		p.line(f.id, f.name, v)
		if f.id == 35 && (p.sel == nil || p.sel[35]) {
			for _, be := range info.Corrupt {
				fmt.Fprintf(p.w, "  %20sblock %d at byte offset %d: %v\n", "", be.Block, be.Offset, be.Err)
			}
		}
	}
	if p.blocks {
		for i := range d.blocks {
			b := &d.blocks[i]
			fmt.Fprintf(p.w, "  block %-6d offset %-10d records %-6d %-4s %s %s\n", b.Index, b.Offset, b.Records, b.Codec,
				p.time(b.MinSTime), p.time(b.MaxETime))
		}
	}
}

func (p *printer) foreignFile(d *described) {
	fi := d.foreign
	if fi.silk != nil {
		p.silkFile(fi)
		return
	}
	p.line(1, "format", fi.format)
	p.line(7, "count-records", strconv.FormatInt(fi.records, 10))
	if fi.records > 0 {
		p.line(33, "time-span", p.time(fi.minSTime)+" "+p.time(fi.maxETime))
	}
	if fi.size >= 0 {
		p.line(8, "file-size", strconv.FormatInt(fi.size, 10))
	}
	p.corruptLines(fi.corrupt)
}

// silkFile describes a SiLK file exactly as rwfileinfo does, so that what
// a SiLK user's scripts read of rwfileinfo they read of gfileinfo; damage
// rwfileinfo would not see is added at the end.
func (p *printer) silkFile(fi *foreignInfo) {
	h := fi.silk
	p.line(1, "format(id)", h.Format.String())
	p.line(2, "version", strconv.Itoa(int(h.Version)))
	p.line(3, "byte-order", h.ByteOrder())
	p.line(4, "compression(id)", h.Compression.String())
	p.line(5, "header-length", strconv.Itoa(h.Length))
	p.line(6, "record-length", strconv.Itoa(int(h.RecordSize)))
	p.line(10, "record-version", strconv.Itoa(int(h.RecordVersion)))
	p.line(11, "silk-version", h.SilkVersionString())
	p.line(7, "count-records", strconv.FormatInt(fi.records, 10))
	if fi.size >= 0 {
		p.line(8, "file-size", strconv.FormatInt(fi.size, 10))
	}
	if pf, ok := h.PackedFile(); ok {
		t := pf.Hour.Format("2006/01/02T15:04:05") + "Z"
		p.line(12, "packed-file-info", fmt.Sprintf("%s %s %s", t, silkFlowtypeName(pf.FlowType), p.sensorName(pf.Sensor)))
	}
	for _, e := range []struct {
		id    int
		name  string
		entry uint32
	}{{13, "probe-name", silk.EntryProbeName}, {14, "annotations", silk.EntryAnnotation}, {9, "command-lines", silk.EntryInvocation}} {
		lines := h.Strings(e.entry)
		if len(lines) == 0 || (p.sel != nil && !p.sel[e.id]) {
			continue
		}
		if e.entry == silk.EntryProbeName {
			p.line(e.id, e.name, lines[0])
			continue
		}
		p.line(e.id, e.name, "")
		for i, l := range lines {
			fmt.Fprintf(p.w, "%20d  %s\n", i+1, l)
		}
	}
	if len(fi.corrupt) > 0 {
		p.corruptLines(fi.corrupt)
	}
}

// silkFlowtypeName is the file name of a SiLK flowtype id of the twoway
// site ("iw" for inweb), as packed-file-info prints it.
func silkFlowtypeName(id uint32) string {
	if id < uint32(flowfile.NumTypes) {
		return flowfile.FlowType(id).FileName()
	}
	return strconv.Itoa(int(id))
}

func (p *printer) corruptLines(bad []*flowfile.BlockError) {
	p.line(35, "corrupt-blocks", strconv.Itoa(len(bad)))
	if p.sel == nil || p.sel[35] {
		for _, be := range bad {
			fmt.Fprintf(p.w, "  %20sblock %d at byte offset %d: %v\n", "", be.Block, be.Offset, be.Err)
		}
	}
}

// codecs names the header's codec, and the others the blocks use if any
// (a file appended to by another writer may mix them).
func codecs(hdr flowfile.Codec, used uint8) string {
	s := hdr.String()
	for rest := used &^ (1 << hdr); rest != 0; rest &= rest - 1 {
		s += "+" + flowfile.Codec(bits.TrailingZeros8(rest)).String()
	}
	return s
}

// summary sums the files described.
type summary struct {
	files, corrupt int
	records, bytes int64
}

func (s *summary) add(d *described) {
	s.files++
	s.records += d.records()
	if sz := d.size(); sz > 0 {
		s.bytes += sz
	}
	s.corrupt += len(d.corrupt())
}

func (p *printer) summary(s *summary) {
	fmt.Fprintf(p.w, "**SUMMARY**:\n")
	fmt.Fprintf(p.w, "  %-20s%d\n", "number-files", s.files)
	fmt.Fprintf(p.w, "  %-20s%d\n", "total-records", s.records)
	fmt.Fprintf(p.w, "  %-20s%d\n", "all-file-sizes", s.bytes)
	fmt.Fprintf(p.w, "  %-20s%d\n", "corrupt-blocks", s.corrupt)
}
