// Package tuc turns flows written as text back into flow records: gtuc,
// gflow's rwtuc. It reads rwcut's layout (any separator, whitespace around
// values ignored, a title line naming the columns or a --fields list) and
// nfdump's CSV output (`nfdump -o csv`), with rwtuc's defaults for fields a
// line does not give and its handling of lines that do not parse.
package tuc

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

// col is what one text column holds. It is finer than fields.ID because
// nfdump's columns write some values differently (protocol names, flags
// with dots).
type col uint8

const (
	colIgnore col = iota
	colSIP
	colDIP
	colNhIP
	colSPort
	colDPort
	colProto
	colPackets
	colBytes
	colFlags
	colInitFlags
	colSessionFlags
	colAttributes
	colApplication
	colSTime
	colETime
	colDuration
	colSensor
	colClass
	colType
	colIn
	colOut
	colIType
	colICode
	// nfdump only
	colProtoName
	colTOS
	colSrcAS
	colDstAS
	colSCC
	colDCC
	numCols
)

// Fields are the columns gtuc reads: rwtuc's, and the country codes
// gflow's records carry (gcut --fields=scc,dcc prints them).
var Fields = append(append([]fields.ID{}, fields.TucFields...), fields.SCC, fields.DCC)

// colOf maps rwtuc's fields to columns.
var colOf = map[fields.ID]col{
	fields.SIP: colSIP, fields.DIP: colDIP, fields.NhIP: colNhIP,
	fields.SPort: colSPort, fields.DPort: colDPort, fields.Protocol: colProto,
	fields.Packets: colPackets, fields.Bytes: colBytes, fields.Flags: colFlags,
	fields.InitFlags: colInitFlags, fields.SessionFlags: colSessionFlags,
	fields.Attributes: colAttributes, fields.Application: colApplication,
	fields.STime: colSTime, fields.STimeMsec: colSTime,
	fields.ETime: colETime, fields.ETimeMsec: colETime,
	fields.Duration: colDuration, fields.DurMsec: colDuration,
	fields.Sensor: colSensor, fields.Class: colClass, fields.Type: colType,
	fields.In: colIn, fields.Out: colOut, fields.IType: colIType, fields.ICode: colICode,
	fields.SCC: colSCC, fields.DCC: colDCC,
	fields.Ignore: colIgnore,
	// gflow's AS numbers; the organisations' names (gcut prints them from
	// the AS database) are not stored, so their columns are skipped
	fields.SAS: colSrcAS, fields.DAS: colDstAS,
	fields.SASName: colIgnore, fields.DASName: colIgnore,
}

// colName is the field name used in messages ("Invalid sPort 'x': …").
var colName = [numCols]string{
	colIgnore: "ignore", colSIP: "sIP", colDIP: "dIP", colNhIP: "nhIP",
	colSPort: "sPort", colDPort: "dPort", colProto: "protocol",
	colPackets: "packets", colBytes: "bytes", colFlags: "flags",
	colInitFlags: "initialFlags", colSessionFlags: "sessionFlags",
	colAttributes: "attributes", colApplication: "application",
	colSTime: "sTime", colETime: "eTime", colDuration: "duration",
	colSensor: "sensor", colClass: "class", colType: "type",
	colIn: "in", colOut: "out", colIType: "iType", colICode: "iCode",
	colProtoName: "pr", colTOS: "stos", colSrcAS: "sas", colDstAS: "das",
	colSCC: "scc", colDCC: "dcc",
}

// Options configure a Parser.
type Options struct {
	// Fields are the columns of every line (--fields). Nil means that the
	// first line of each input names them (a title line).
	Fields []fields.ID
	// NoTitles parses the first line as data even when it looks like a
	// title line (only with Fields).
	NoTitles bool
	// Sep separates the columns; 0 means '|'.
	Sep byte
	// Fixed values override any column of the same field (--saddress,
	// --protocol, --stime …), written as in a column.
	Fixed map[fields.ID]string
	// SensorID resolves a sensor name; nil accepts only "S<id>" names and
	// numbers.
	SensorID func(name string) (uint16, bool)
	// Now is the start time, in ms since the epoch, of flows whose lines
	// give no time (rwtuc uses the current time).
	Now int64
}

// Parser parses the lines of one input after another. Call Start with the
// first line of each input, then ParseLine for each of the others (and
// for the first one too when Start says it is data).
type Parser struct {
	o     Options
	reg   *fields.Registry
	l     layout
	ready bool
	// sensors caches names resolved by Options.SensorID, so that a line
	// costs no allocation.
	sensors map[string]uint16
}

// layout is what Start learns about an input: its columns and what to
// compute for fields that no column gives.
type layout struct {
	cols        []col
	base        flowfile.Record
	baseETime   int64
	baseDur     int64
	baseIType   uint8
	baseICode   uint8
	haveICMP    bool
	bytesIsPkts bool
	times       timeCalc
	sep         byte
	nfdump      bool
	done        bool // nfdump's summary has started: the rest is not flows
}

type timeCalc uint8

const (
	calcNone    timeCalc = iota // sTime and duration given (or defaulted)
	calcSTime                   // sTime = eTime - duration
	calcElapsed                 // duration = eTime - sTime
)

// NewParser checks the options. Errors are about the switches.
func NewParser(o Options) (*Parser, error) {
	if o.Sep == 0 {
		o.Sep = '|'
	}
	if o.NoTitles && o.Fields == nil {
		return nil, fmt.Errorf("May only use --no-titles when --fields is specified")
	}
	p := &Parser{o: o, reg: fields.NewRegistry(Fields), sensors: map[string]uint16{}}
	if o.Fields != nil {
		if err := checkDuplicates(o.Fields); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// ParseFieldList parses a --fields value or a title line turned into a
// comma-separated list: names (any case, unique prefixes, aliases),
// numeric ids and id ranges. Only `ignore` may repeat.
func ParseFieldList(spec string) ([]fields.ID, error) {
	reg := fields.NewRegistry(Fields)
	var out []fields.ID
	for _, tok := range strings.Split(spec, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		if tok[0] >= '0' && tok[0] <= '9' {
			ids, err := reg.Parse(tok)
			if err != nil {
				return nil, err
			}
			out = append(out, ids...)
			continue
		}
		id, err := reg.Lookup(tok)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("Field list is empty")
	}
	if err := checkDuplicates(out); err != nil {
		return nil, err
	}
	return out, nil
}

func checkDuplicates(ids []fields.ID) error {
	seen := map[fields.ID]bool{}
	for _, id := range ids {
		if id == fields.Ignore {
			continue
		}
		if _, ok := colOf[id]; !ok {
			return fmt.Errorf("The field '%s' cannot be read from text", id.Name())
		}
		if seen[id] {
			return fmt.Errorf("Duplicate name '%s'", id.Name())
		}
		seen[id] = true
	}
	return nil
}

// nfdumpHeader starts the header line of `nfdump -o csv`.
var nfdumpHeader = []byte("ts,te,td,sa,da,sp,dp,pr,")

// Start reads the first line of an input and sets the input's layout. It
// reports whether the line was a title line (to be skipped); if not, the
// caller parses it with ParseLine. An error here is fatal for the input.
func (p *Parser) Start(first []byte) (title bool, err error) {
	first = bytes.TrimRight(first, "\r\n")
	p.l = layout{sep: p.o.Sep}
	var ids []fields.ID
	switch {
	case p.o.Fields != nil:
		ids = p.o.Fields
		if !p.o.NoTitles {
			title = p.looksLikeTitle(first, ids)
		}
	case bytes.HasPrefix(first, nfdumpHeader):
		if err := p.startNfdump(first); err != nil {
			return false, err
		}
		return true, p.finishLayout(nil)
	default:
		// The title line names the columns: separators become commas,
		// whitespace goes.
		var b strings.Builder
		for _, c := range first {
			switch {
			case c == p.o.Sep:
				b.WriteByte(',')
			case isSpace(c):
			default:
				b.WriteByte(c)
			}
		}
		ids, err = ParseFieldList(b.String())
		if err != nil {
			return false, fmt.Errorf("Unable to determine fields from first line: %v", err)
		}
		title = true
	}
	p.l.cols = make([]col, len(ids))
	for i, id := range ids {
		p.l.cols[i] = colOf[id]
	}
	return title, p.finishLayout(ids)
}

// looksLikeTitle is rwtuc's test: a line is a title line if one of its
// (not ignored) values starts with a non-digit and names a field.
func (p *Parser) looksLikeTitle(line []byte, ids []fields.ID) bool {
	for i := 0; i < len(ids) && len(line) > 0; i++ {
		v := line
		if j := bytes.IndexByte(line, p.o.Sep); j >= 0 {
			v, line = line[:j], line[j+1:]
		} else {
			line = nil
		}
		if ids[i] == fields.Ignore {
			continue
		}
		v = trim(v)
		if len(v) == 0 || isDigit(v[0]) {
			continue
		}
		if _, err := p.reg.Lookup(string(v)); err == nil {
			return true
		}
	}
	return false
}

// finishLayout works out the defaults of the input, as rwtuc's
// determineFields does. ids are the columns' fields (nil for nfdump).
func (p *Parser) finishLayout(ids []fields.ID) error {
	l := &p.l
	var have [numCols]bool
	for _, c := range l.cols {
		have[c] = true
	}
	// Fixed values: their columns are not read.
	fixedCols := map[col]string{}
	for id, v := range p.o.Fixed {
		c, ok := colOf[id]
		if !ok || c == colIgnore {
			return fmt.Errorf("No fixed value can be given for %s", id.Name())
		}
		fixedCols[c] = v
		have[c] = true
	}
	for i, c := range l.cols {
		if _, ok := fixedCols[c]; ok {
			l.cols[i] = colIgnore
		}
	}
	l.base.SIP = netip.AddrFrom4([4]byte{})
	l.base.DIP = l.base.SIP
	if !have[colPackets] {
		l.base.Packets = 1
	}
	if !have[colBytes] {
		if have[colPackets] {
			l.bytesIsPkts = true // rwtuc: bytes default to the packets
		} else {
			l.base.Bytes = 1
		}
	}
	if have[colIType] != have[colICode] {
		return fmt.Errorf("Either both ICMP type and ICMP code must be present or neither may be present")
	}
	l.haveICMP = have[colIType]
	if have[colInitFlags] != have[colSessionFlags] {
		return fmt.Errorf("Either both initial- and session-flags must be present or neither may be present")
	}
	switch {
	case have[colSTime] && have[colDuration]:
		l.times = calcNone
		if have[colETime] {
			// sTime and duration win; eTime follows from them.
			for i, c := range l.cols {
				if c == colETime {
					l.cols[i] = colIgnore
				}
			}
			delete(fixedCols, colETime)
		}
	case have[colSTime] && have[colETime]:
		l.times = calcElapsed
	case have[colSTime]:
		l.times = calcNone
	case have[colETime]:
		l.times = calcSTime
	default:
		l.base.STime = p.o.Now
		l.times = calcNone
	}
	// Parse the fixed values once, in column order, into the base record.
	var st values
	st.rec = &l.base
	for c := col(0); c < numCols; c++ {
		v, ok := fixedCols[c]
		if !ok {
			continue
		}
		if reason := p.set(c, trim([]byte(v)), &st); reason != "" {
			return fmt.Errorf("Error parsing default %s value '%s': %s", colName[c], v, reason)
		}
	}
	l.baseETime, l.baseDur, l.baseIType, l.baseICode = st.eTime, st.dur, st.itype, st.icode
	p.ready = true
	return nil
}

// values are the parts of a line that do not go straight into the record.
type values struct {
	rec          *flowfile.Record
	eTime, dur   int64
	itype, icode uint8
	// noICMP: the line left iType or iCode empty, as gcut prints them for
	// flows that are not ICMP; dPort then stays as given.
	noICMP bool
}

// LineError is a line that does not parse; Msg is rwtuc's wording.
type LineError struct{ Msg string }

func (e *LineError) Error() string { return e.Msg }

// Nfdump reports whether the current input is nfdump's CSV.
func (p *Parser) Nfdump() bool { return p.l.nfdump }

// Done reports whether the rest of the input holds no flows (nfdump's
// summary lines follow).
func (p *Parser) Done() bool { return p.l.done }

// ParseLine parses one line (without its newline) into r. It returns a
// *LineError for a line that does not parse; r is then undefined. Blank
// lines are the caller's to skip.
func (p *Parser) ParseLine(line []byte, r *flowfile.Record) error {
	if !p.ready {
		return &LineError{"No field list: call Start first"}
	}
	l := &p.l
	if l.nfdump && bytes.HasPrefix(line, []byte("Summary")) {
		l.done = true
		return nil
	}
	*r = l.base
	st := values{rec: r, eTime: l.baseETime, dur: l.baseDur, itype: l.baseIType, icode: l.baseICode}
	n := len(l.cols)
	rest := line
	for i := 0; i < n; i++ {
		j := bytes.IndexByte(rest, l.sep)
		var v []byte
		if j < 0 {
			v, rest = rest, nil
			if i+1 < n {
				return &LineError{fmt.Sprintf("Too few fields on line: found %d of %d expected", i+1, n)}
			}
		} else {
			v, rest = rest[:j], rest[j+1:]
		}
		c := l.cols[i]
		if c == colIgnore {
			continue
		}
		v = trim(v)
		if reason := p.set(c, v, &st); reason != "" {
			return &LineError{fmt.Sprintf("Invalid %s '%s': %s", colName[c], v, reason)}
		}
	}
	if len(trim(rest)) != 0 {
		return &LineError{fmt.Sprintf("Too many fields on line: text follows delimiter number %d", n)}
	}
	return p.finish(&st)
}

// finish applies what rwtuc computes after the columns: ICMP type and code,
// flags from initial and session flags, bytes from packets, the times, and
// one address family for the record.
func (p *Parser) finish(st *values) error {
	l, r := &p.l, st.rec
	if l.haveICMP && !st.noICMP && (r.Proto == 1 || r.Proto == 58) {
		r.DPort = uint16(st.itype)<<8 | uint16(st.icode)
	}
	if r.InitFlags|r.SessionFlags != 0 {
		if r.Proto == 6 {
			r.Flags = r.InitFlags | r.SessionFlags
		} else {
			r.InitFlags, r.SessionFlags = 0, 0
		}
	}
	if l.bytesIsPkts {
		r.Bytes = r.Packets
	}
	switch l.times {
	case calcSTime:
		r.STime = st.eTime - st.dur
	case calcElapsed:
		if r.STime > st.eTime {
			return &LineError{"End time less than start time"}
		}
		if st.eTime-r.STime > maxDurationMs {
			return &LineError{"Computed duration too large"}
		}
		st.dur = st.eTime - r.STime
	}
	r.ETime = r.STime + st.dur
	oneFamily(r)
	return nil
}

// oneFamily gives the record's addresses one family: IPv6 (IPv4 addresses
// mapped) if any of them is a real IPv6 address, else IPv4, the way a SiLK
// record becomes IPv6 when an IPv6 address is set.
func oneFamily(r *flowfile.Record) {
	v6 := isV6(r.SIP) || isV6(r.DIP) || isV6(r.NhIP)
	fix := func(a netip.Addr) netip.Addr {
		if !a.IsValid() {
			return a
		}
		if v6 {
			return netip.AddrFrom16(a.As16())
		}
		return a.Unmap()
	}
	r.SIP, r.DIP, r.NhIP = fix(r.SIP), fix(r.DIP), fix(r.NhIP)
	if v6 && !r.NhIP.IsValid() {
		// SiLK's next hop is the IPv4 0.0.0.0 until one is given; the
		// record made IPv6 maps it, as rwtuc does
		r.NhIP = netip.AddrFrom16(netip.AddrFrom4([4]byte{}).As16())
	}
}

func isV6(a netip.Addr) bool { return a.Is6() && !a.Is4In6() }

// set parses one value of column c and stores it. It returns the reason
// when the value does not parse.
func (p *Parser) set(c col, v []byte, st *values) string {
	r := st.rec
	var u uint64
	var reason string
	switch c {
	case colSIP, colDIP, colNhIP:
		var a netip.Addr
		if a, reason = parseIP(v); reason == "" {
			switch c {
			case colSIP:
				r.SIP = a
			case colDIP:
				r.DIP = a
			default:
				r.NhIP = a
			}
		}
	case colSPort:
		u, reason = parseUint(v, 0, 65535)
		r.SPort = uint16(u)
	case colDPort:
		u, reason = parseUint(v, 0, 65535)
		r.DPort = uint16(u)
	case colProto:
		u, reason = parseUint(v, 0, 255)
		r.Proto = uint8(u)
	case colProtoName:
		r.Proto, reason = parseProtoName(v)
	case colPackets:
		r.Packets, reason = parseUint(v, 1, ^uint64(0))
	case colBytes:
		r.Bytes, reason = parseUint(v, 1, ^uint64(0))
	case colFlags:
		r.Flags, reason = parseTCPFlags(v)
	case colInitFlags:
		r.InitFlags, reason = parseTCPFlags(v)
	case colSessionFlags:
		r.SessionFlags, reason = parseTCPFlags(v)
	case colAttributes:
		r.Attributes, reason = parseAttributes(v)
	case colApplication:
		u, reason = parseUint(v, 0, 65535)
		r.Application = uint16(u)
	case colSTime:
		r.STime, reason = parseTime(v)
	case colETime:
		st.eTime, reason = parseTime(v)
	case colDuration:
		st.dur, reason = parseDuration(v)
	case colSensor:
		r.Sensor, reason = p.sensor(v)
	case colClass:
		if !bytes.EqualFold(v, []byte(flowfile.ClassName)) {
			reason = "No such class"
		}
	case colType:
		r.Type, reason = parseType(v)
	case colIn:
		u, reason = parseUint(v, 0, 1<<32-1)
		r.In = uint32(u)
	case colOut:
		u, reason = parseUint(v, 0, 1<<32-1)
		r.Out = uint32(u)
	case colIType, colICode:
		if len(v) == 0 {
			st.noICMP = true
			break
		}
		u, reason = parseUint(v, 0, 255)
		if c == colIType {
			st.itype = uint8(u)
		} else {
			st.icode = uint8(u)
		}
	case colTOS:
		u, reason = parseUint(v, 0, 255)
		r.TOS = uint8(u)
	case colSrcAS:
		u, reason = parseUint(v, 0, 1<<32-1)
		r.SrcAS = uint32(u)
	case colDstAS:
		u, reason = parseUint(v, 0, 1<<32-1)
		r.DstAS = uint32(u)
	case colSCC:
		r.SCC, reason = parseCountry(v)
	case colDCC:
		r.DCC, reason = parseCountry(v)
	}
	return reason
}

// sensor resolves a sensor column: a number, a name the site knows, or
// "S<id>", the name gflow prints for sensors a site does not name.
func (p *Parser) sensor(v []byte) (uint16, string) {
	if len(v) > 0 && isDigit(v[0]) {
		u, reason := parseUint(v, 0, 65534)
		return uint16(u), reason
	}
	if id, ok := p.sensors[string(v)]; ok {
		return id, ""
	}
	if p.o.SensorID != nil {
		if id, ok := p.o.SensorID(string(v)); ok {
			if len(p.sensors) < 1024 {
				p.sensors[string(v)] = id
			}
			return id, ""
		}
	}
	if len(v) > 1 && v[0] == 'S' {
		if u, reason := parseUint(v[1:], 0, 65534); reason == "" {
			return uint16(u), ""
		}
	}
	if len(v) == 0 {
		return 0, errEmpty
	}
	return 0, "No such sensor"
}

// parseType accepts a flow type's name ("inweb"), its file name ("iw") or
// its id, in any case.
func parseType(v []byte) (flowfile.FlowType, string) {
	for t := flowfile.FlowType(0); t < flowfile.NumTypes; t++ {
		if bytes.EqualFold(v, []byte(t.String())) || bytes.EqualFold(v, []byte(t.FileName())) {
			return t, ""
		}
	}
	if u, reason := parseUint(v, 0, flowfile.NumTypes-1); reason == "" {
		return flowfile.FlowType(u), ""
	}
	return 0, "No such type"
}

// parseCountry reads a two-letter country code ("ch", "CH") or "--".
func parseCountry(v []byte) (flowfile.Country, string) {
	if len(v) != 2 {
		if len(v) == 0 {
			return 0, errEmpty
		}
		return 0, "Not a two-letter country code"
	}
	if v[0] == '-' && v[1] == '-' {
		return flowfile.NoCountry, ""
	}
	c1, c2 := v[0]|0x20, v[1]|0x20
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	if !alnum(c1) || !alnum(c2) {
		return 0, "Not a two-letter country code"
	}
	return flowfile.Country(uint16(c1)<<8 | uint16(c2)), ""
}
