// Package fields is gflow's registry of SiLK's text fields: their numeric
// ids, names and aliases, column titles and widths, and how a record's value
// prints in each of them. gstats (rwstats), gcut (rwcut) and gtuc (rwtuc)
// share it, so a column looks the same in every tool.
//
// The ids and names are SiLK's (rwascii.h, rwcut --help-fields): `1,3-5`
// means sIP,sPort,dPort,protocol. Names match case-insensitively, and any
// unique prefix of a name is accepted, as in SiLK (`proto` is protocol).
package fields

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gflow/gflow/pkg/flowfile"
)

// ID identifies a field. Values 1–29 are SiLK's numeric field ids; IType and
// ICode have no number in SiLK and are given ids above that range.
type ID uint8

// SiLK's field ids.
const (
	SIP          ID = 1
	DIP          ID = 2
	SPort        ID = 3
	DPort        ID = 4
	Protocol     ID = 5
	Packets      ID = 6
	Bytes        ID = 7
	Flags        ID = 8
	STime        ID = 9
	Duration     ID = 10
	ETime        ID = 11
	Sensor       ID = 12
	In           ID = 13
	Out          ID = 14
	NhIP         ID = 15
	SCC          ID = 18
	DCC          ID = 19
	Class        ID = 20
	Type         ID = 21
	STimeMsec    ID = 22
	ETimeMsec    ID = 23
	DurMsec      ID = 24
	InitFlags    ID = 26
	SessionFlags ID = 27
	Attributes   ID = 28
	Application  ID = 29
	IType        ID = 30 // no numeric id in SiLK
	ICode        ID = 31 // no numeric id in SiLK
	// Ignore is rwtuc's "ignore" column: a text column that is skipped.
	Ignore ID = 32

	// maxID is one past the last id, gflow's own fields included (as.go).
	maxID = 37
)

type info struct {
	name    string   // canonical name, also the full title
	aliases []string // other accepted names
	numeric bool     // the numeric id is accepted as a name
}

var table = [maxID]info{
	SIP:          {name: "sIP", numeric: true},
	DIP:          {name: "dIP", numeric: true},
	SPort:        {name: "sPort", numeric: true},
	DPort:        {name: "dPort", numeric: true},
	Protocol:     {name: "protocol", numeric: true},
	Packets:      {name: "packets", aliases: []string{"pkts"}, numeric: true},
	Bytes:        {name: "bytes", numeric: true},
	Flags:        {name: "flags", numeric: true},
	STime:        {name: "sTime", numeric: true},
	Duration:     {name: "duration", aliases: []string{"dur"}, numeric: true},
	ETime:        {name: "eTime", numeric: true},
	Sensor:       {name: "sensor", numeric: true},
	In:           {name: "in", numeric: true},
	Out:          {name: "out", numeric: true},
	NhIP:         {name: "nhIP", numeric: true},
	SCC:          {name: "scc", numeric: true},
	DCC:          {name: "dcc", numeric: true},
	Class:        {name: "class", numeric: true},
	Type:         {name: "type", numeric: true},
	STimeMsec:    {name: "sTime+msec", numeric: true},
	ETimeMsec:    {name: "eTime+msec", numeric: true},
	DurMsec:      {name: "dur+msec", numeric: true},
	InitFlags:    {name: "initialFlags", numeric: true},
	SessionFlags: {name: "sessionFlags", numeric: true},
	Attributes:   {name: "attributes", numeric: true},
	Application:  {name: "application", numeric: true},
	IType:        {name: "iType"},
	ICode:        {name: "iCode"},
	Ignore:       {name: "ignore"},
}

// Name returns the field's canonical name ("sIP", "protocol").
func (id ID) Name() string {
	if int(id) < maxID && table[id].name != "" {
		return table[id].name
	}
	return "field" + strconv.Itoa(int(id))
}

// String is Name.
func (id ID) String() string { return id.Name() }

// IsIP reports whether the field holds an address (sIP, dIP, nhIP).
func (id ID) IsIP() bool { return id == SIP || id == DIP || id == NhIP }

// IsTime reports whether the field is one of sTime, duration, eTime (with or
// without milliseconds).
func (id ID) IsTime() bool {
	switch id {
	case STime, Duration, ETime, STimeMsec, ETimeMsec, DurMsec:
		return true
	}
	return false
}

// Needs returns the record fields a reader must build for the field to
// be right (flowfile.Reader.SetFields).
func (id ID) Needs() flowfile.Fields {
	switch id {
	case SIP, SCC, SAS, SASName:
		return flowfile.FieldSrc
	case DIP, DCC, DAS, DASName:
		return flowfile.FieldDst
	case SPort, DPort:
		return flowfile.FieldPorts
	case IType, ICode:
		return flowfile.FieldPorts | flowfile.FieldClass // in dPort for ICMP only
	case Packets:
		return flowfile.FieldPackets
	case Bytes:
		return flowfile.FieldBytes
	case STime, Duration, ETime, STimeMsec, ETimeMsec, DurMsec:
		return flowfile.FieldTimes
	case NhIP:
		// a missing next hop prints as 0.0.0.0 or :: by the flow's family
		return flowfile.FieldClass | flowfile.FieldFamily
	case Ignore:
		return 0
	}
	return flowfile.FieldClass
}

// StatsKeys are the fields gstats (rwstats, rwuniq) can bin by, in id order.
var StatsKeys = []ID{SIP, DIP, SPort, DPort, Protocol, Packets, Bytes, Flags,
	STime, Duration, ETime, Sensor, In, Out, NhIP, SCC, DCC, Class, Type,
	InitFlags, SessionFlags, Attributes, Application, IType, ICode}

// CutFields are the fields rwcut prints, in id order.
var CutFields = []ID{SIP, DIP, SPort, DPort, Protocol, Packets, Bytes, Flags,
	STime, Duration, ETime, Sensor, In, Out, NhIP, SCC, DCC, Class, Type,
	STimeMsec, ETimeMsec, DurMsec, InitFlags, SessionFlags, Attributes,
	Application, IType, ICode}

// CutDefault is rwcut's default field list (ids 1–12).
var CutDefault = []ID{SIP, DIP, SPort, DPort, Protocol, Packets, Bytes, Flags,
	STime, Duration, ETime, Sensor}

// TucFields are the fields rwtuc accepts as text columns.
var TucFields = []ID{SIP, DIP, SPort, DPort, Protocol, Packets, Bytes, Flags,
	STime, Duration, ETime, Sensor, In, Out, NhIP, Class, Type,
	STimeMsec, ETimeMsec, DurMsec, InitFlags, SessionFlags, Attributes,
	Application, IType, ICode, Ignore}

// Registry is a set of fields that a tool accepts, with SiLK's name
// matching: exact names (any case) first, then unique prefixes.
type Registry struct {
	names []regName
}

type regName struct {
	lower string
	id    ID
}

// NewRegistry returns a registry of the given fields.
func NewRegistry(ids []ID) *Registry {
	r := &Registry{}
	for _, id := range ids {
		if int(id) >= maxID || table[id].name == "" {
			continue
		}
		in := table[id]
		r.names = append(r.names, regName{strings.ToLower(in.name), id})
		for _, a := range in.aliases {
			r.names = append(r.names, regName{strings.ToLower(a), id})
		}
		if in.numeric {
			r.names = append(r.names, regName{strconv.Itoa(int(id)), id})
		}
	}
	return r
}

// Lookup finds one field by name, alias, numeric id or unique prefix. The
// error is SiLK's wording ("No match was found for the field 'x'").
func (r *Registry) Lookup(name string) (ID, error) {
	ln := strings.ToLower(strings.TrimSpace(name))
	if ln == "" {
		return 0, fmt.Errorf("No match was found for the field '%s'", name)
	}
	if id, ok := r.exact(ln); ok {
		return id, nil
	}
	var found ID
	matches := 0
	for _, n := range r.names {
		if strings.HasPrefix(n.lower, ln) && (matches == 0 || n.id != found) {
			matches++
			found = n.id
		}
	}
	switch matches {
	case 0:
		return 0, &nameError{fmt.Sprintf("No match was found for the field '%s'", name), r.suggest(name)}
	case 1:
		return found, nil
	}
	return 0, fmt.Errorf("The field '%s' matches multiple keys", name)
}

// Parse reads a comma-separated field list of names, numeric ids and id
// ranges (`sip,sport`, `1,3-5`). Each field may appear once. Errors use
// SiLK's wording; tools print them as "Invalid fields: <error>".
func (r *Registry) Parse(spec string) ([]ID, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("Field list is empty")
	}
	var out []ID
	seen := make(map[ID]bool)
	add := func(id ID, token string) error {
		if seen[id] {
			return fmt.Errorf("Duplicate name '%s'", token)
		}
		seen[id] = true
		out = append(out, id)
		return nil
	}
	// SiLK's field 25, icmpTypeCode, stands for the two fields iType and
	// iCode (rwcut prints iTy|iCo)
	addICMPTypeCode := func(tok string) error {
		if err := add(IType, tok); err != nil {
			return err
		}
		return add(ICode, tok)
	}
	for _, tok := range strings.Split(spec, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue // SiLK skips doubled commas
		}
		if lo, hi, ok := strings.Cut(tok, "-"); ok && isDigits(lo) {
			a, err1 := strconv.ParseUint(lo, 10, 32)
			if err1 != nil {
				return nil, fmt.Errorf("Cannot parse start of numeric range '%s'", tok)
			}
			b, err2 := strconv.ParseUint(hi, 10, 32)
			if err2 != nil {
				return nil, fmt.Errorf("Cannot parse end of numeric range '%s'", tok)
			}
			if b < a {
				return nil, fmt.Errorf("Invalid numeric range '%s'", tok)
			}
			for n := a; n <= b; n++ {
				s := strconv.FormatUint(n, 10)
				if r.isICMPTypeCode(s) {
					if err := addICMPTypeCode(s); err != nil {
						return nil, err
					}
					continue
				}
				id, ok := r.exact(s)
				if !ok {
					return nil, fmt.Errorf("No match was found for the value '%s'", s)
				}
				if err := add(id, s); err != nil {
					return nil, err
				}
			}
			continue
		}
		if r.isICMPTypeCode(tok) {
			if err := addICMPTypeCode(tok); err != nil {
				return nil, err
			}
			continue
		}
		id, err := r.Lookup(tok)
		if err != nil {
			return nil, err
		}
		if err := add(id, tok); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("Field list is empty")
	}
	return out, nil
}

// isICMPTypeCode reports whether tok names SiLK's field 25, icmpTypeCode,
// and the registry has the two fields it stands for.
func (r *Registry) isICMPTypeCode(tok string) bool {
	if tok != "25" && !strings.EqualFold(tok, "icmpTypeCode") {
		return false
	}
	_, t := r.exact("itype")
	_, c := r.exact("icode")
	return t && c
}

func (r *Registry) exact(ln string) (ID, bool) {
	for _, n := range r.names {
		if n.lower == ln {
			return n.id, true
		}
	}
	return 0, false
}

// Names lists the canonical names of the registry's fields, for help text.
func (r *Registry) Names() []string {
	var out []string
	seen := map[ID]bool{}
	for _, n := range r.names {
		if !seen[n.id] {
			seen[n.id] = true
			out = append(out, n.id.Name())
		}
	}
	return out
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
