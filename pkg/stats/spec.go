// Package stats is gstats' engine: it bins flow records by key fields,
// computes values per bin (bytes, packets, records, distinct counts) and
// prints top-N or bottom-N tables in rwstats' exact layout, plus rwstats'
// protocol-statistics mode.
//
// Aggregation runs in parallel inside the flow file decoders' goroutines
// (flowfile.Process): each packs its records' keys into fixed-width binary
// words and inserts them, sub-table by sub-table, into 64 open-addressing
// hash tables chosen by key hash, each behind its own lock. A slot holds
// the key and its values side by side; the tables live outside the Go heap
// and give their memory back as soon as they grow, so memory stays close to
// what the bins need (153 MB for 6.5 M sip,sport bins).
package stats

import (
	"fmt"
	"strings"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

// ValueKind is what a value column computes per bin.
type ValueKind uint8

const (
	Bytes    ValueKind = iota // sum of bytes
	Packets                   // sum of packets
	Records                   // number of records (alias flows)
	Distinct                  // number of distinct values of a field
)

// Value is one value column.
type Value struct {
	Kind  ValueKind
	Field fields.ID // the counted field, for Distinct
}

// Title is the column title as rwstats prints it ("Bytes", "sIP-Distinct").
func (v Value) Title() string {
	switch v.Kind {
	case Bytes:
		return "Bytes"
	case Packets:
		return "Packets"
	case Records:
		return "Records"
	}
	return v.Field.Name() + "-Distinct"
}

// width is the column width: SiLK's widths for sums and counts, and for a
// distinct count the width that fits the counted field's binary size.
func (v Value) width(p fields.Policy) int {
	switch v.Kind {
	case Bytes:
		return 20
	case Packets:
		return 15
	case Records:
		return 10
	}
	switch silkOctets(v.Field, p) {
	case 1:
		return 3
	case 2:
		return 5
	case 3, 4:
		return 10
	}
	return 20
}

// silkOctets is the size of a field in SiLK's binary keys, which sets the
// width of a distinct count over it.
func silkOctets(id fields.ID, p fields.Policy) int {
	switch id {
	case fields.SIP, fields.DIP, fields.NhIP:
		if p.AllowsIPv6() {
			return 16
		}
		return 4
	case fields.SPort, fields.DPort, fields.Sensor, fields.In, fields.Out,
		fields.Application, fields.SCC, fields.DCC:
		return 2
	case fields.Protocol, fields.Flags, fields.InitFlags, fields.SessionFlags,
		fields.Attributes, fields.Class, fields.Type, fields.IType, fields.ICode:
		return 1
	}
	return 4
}

// LimitKind is how N is chosen.
type LimitKind uint8

const (
	LimitCount      LimitKind = iota // --count=N (0 = all bins)
	LimitThreshold                   // --threshold=N
	LimitPercentage                  // --percentage=P
)

// Spec is a complete top-N request.
type Spec struct {
	Keys   []fields.ID
	Values []Value // the first one ranks the bins
	Bottom bool    // --bottom instead of --top

	Limit      LimitKind
	Count      uint64
	Threshold  uint64
	Percentage float64

	// BinTime is --bin-time in milliseconds; 0 bins times to the second.
	BinTime int64

	Policy fields.Policy
}

// Needs returns the record fields the keys and values read, for the
// reader to build only those (flowfile.Reader.SetFields). The family of
// each record (its layout, the IPv6 policy) is always needed.
func (s *Spec) Needs() flowfile.Fields {
	f := flowfile.FieldFamily
	for _, k := range s.Keys {
		f |= k.Needs()
	}
	for _, v := range s.Values {
		switch v.Kind {
		case Bytes:
			f |= flowfile.FieldBytes
		case Packets:
			f |= flowfile.FieldPackets
		case Distinct:
			f |= v.Field.Needs()
		}
	}
	return f
}

var valueNames = []struct {
	name string
	v    Value
}{
	{"Bytes", Value{Kind: Bytes}},
	{"Packets", Value{Kind: Packets}},
	{"Records", Value{Kind: Records}},
	{"sIP-Distinct", Value{Kind: Distinct, Field: fields.SIP}},
	{"dIP-Distinct", Value{Kind: Distinct, Field: fields.DIP}},
	{"Distinct", Value{Kind: Distinct}},
	{"Flows", Value{Kind: Records}},
}

// ParseValues reads a --values list: bytes, packets, records (flows),
// sip-distinct, dip-distinct, distinct:FIELD; names in any case or a unique
// prefix. keyReg resolves the FIELD of distinct:FIELD.
func ParseValues(spec string, keyReg *fields.Registry) ([]Value, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("Invalid values: Field list is empty")
	}
	var out []Value
	for _, tok := range strings.Split(spec, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		name, attr, hasAttr := strings.Cut(tok, ":")
		lname := strings.ToLower(name)
		var found []Value
		var foundName string
		for _, vn := range valueNames {
			ln := strings.ToLower(vn.name)
			if ln == lname {
				found, foundName = []Value{vn.v}, vn.name
				break
			}
			if strings.HasPrefix(ln, lname) {
				found, foundName = append(found, vn.v), vn.name
			}
		}
		switch {
		case len(found) == 0:
			return nil, fmt.Errorf("Invalid values: No match was found for the field '%s'", name)
		case len(found) > 1:
			return nil, fmt.Errorf("Invalid values: The field '%s' matches multiple keys", name)
		}
		v := found[0]
		if v.Kind == Distinct && v.Field == 0 {
			if !hasAttr || attr == "" {
				return nil, fmt.Errorf("Invalid values: Must provide a field name for distinct")
			}
			id, err := keyReg.Lookup(attr)
			if err != nil {
				return nil, fmt.Errorf("Invalid values: Bad distinct field '%s': %v", attr, err)
			}
			v.Field = id
		} else if hasAttr {
			return nil, fmt.Errorf("Invalid values: Extra text after field name ':%s'", attr)
		}
		for _, o := range out {
			if o == v {
				if v.Kind == Distinct {
					return nil, fmt.Errorf("Invalid values: Duplicate distinct '%s'", v.Field.Name())
				}
				return nil, fmt.Errorf("Invalid values: Duplicate name '%s'", foundName)
			}
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("Invalid values: Field list is empty")
	}
	return out, nil
}

// check validates a spec's combinations.
func (s *Spec) check() error {
	if len(s.Keys) == 0 {
		return fmt.Errorf("The --fields switch is required")
	}
	if len(s.Values) == 0 {
		s.Values = []Value{{Kind: Records}}
	}
	for _, v := range s.Values {
		if v.Kind != Distinct {
			continue
		}
		for _, k := range s.Keys {
			if k == v.Field {
				return fmt.Errorf("Invalid values: Cannot count distinct '%s' when it is also a key field", k.Name())
			}
		}
	}
	return nil
}
