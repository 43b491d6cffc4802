// Package fieldstest builds flow records from rwtuc-style text for tests:
// a title line naming the columns, then one `|`-separated flow per line, as
// in the SiLK fixtures (../shared/fixtures/silk/flows.txt).
package fieldstest

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// ParseFlows parses the text. It understands the columns the fixtures use:
// sIP dIP sPort dPort protocol packets bytes flags initialFlags
// sessionFlags attributes application sTime duration sensor class type in
// out nhIP.
func ParseFlows(text string) ([]flowfile.Record, error) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) == 0 {
		return nil, nil
	}
	cols := strings.Split(lines[0], "|")
	var out []flowfile.Record
	for n, line := range lines[1:] {
		if strings.TrimSpace(line) == "" {
			continue
		}
		vals := strings.Split(line, "|")
		if len(vals) < len(cols) {
			return nil, fmt.Errorf("line %d: %d columns, want %d", n+2, len(vals), len(cols))
		}
		var r flowfile.Record
		var dur int64
		for i, c := range cols {
			v := strings.TrimSpace(vals[i])
			if err := set(&r, &dur, strings.ToLower(strings.TrimSpace(c)), v); err != nil {
				return nil, fmt.Errorf("line %d column %s: %v", n+2, c, err)
			}
		}
		if r.InitFlags|r.SessionFlags != 0 {
			// rwtuc: with initial/session flags, flags is their union
			r.Flags = r.InitFlags | r.SessionFlags
		}
		r.ETime = r.STime + dur
		out = append(out, r)
	}
	return out, nil
}

func set(r *flowfile.Record, dur *int64, col, v string) error {
	num := func(bits int) (uint64, error) {
		if v == "" {
			return 0, nil
		}
		return strconv.ParseUint(v, 10, bits)
	}
	var err error
	var u uint64
	switch col {
	case "sip", "dip", "nhip":
		var a netip.Addr
		if a, err = netip.ParseAddr(v); err != nil {
			return err
		}
		switch col {
		case "sip":
			r.SIP = a
		case "dip":
			r.DIP = a
		default:
			r.NhIP = a
		}
	case "sport":
		u, err = num(16)
		r.SPort = uint16(u)
	case "dport":
		u, err = num(16)
		r.DPort = uint16(u)
	case "protocol":
		u, err = num(8)
		r.Proto = uint8(u)
	case "packets":
		r.Packets, err = num(64)
	case "bytes":
		r.Bytes, err = num(64)
	case "flags":
		r.Flags, err = flags(v)
	case "initialflags":
		r.InitFlags, err = flags(v)
	case "sessionflags":
		r.SessionFlags, err = flags(v)
	case "attributes":
		for _, c := range v {
			switch c {
			case 'T':
				r.Attributes |= flowfile.AttrTimeoutKilled
			case 'C':
				r.Attributes |= flowfile.AttrTimeoutStarted
			case 'F':
				r.Attributes |= flowfile.AttrFinNoAck
			case 'S':
				r.Attributes |= flowfile.AttrUniformSize
			case ' ':
			default:
				return fmt.Errorf("bad attribute %q", c)
			}
		}
	case "application":
		u, err = num(16)
		r.Application = uint16(u)
	case "stime":
		var t time.Time
		if t, err = time.Parse("2006/01/02T15:04:05.000", v); err != nil {
			return err
		}
		r.STime = t.UnixMilli()
	case "duration":
		var f float64
		if f, err = strconv.ParseFloat(v, 64); err != nil {
			return err
		}
		*dur = int64(f*1000 + 0.5)
	case "sensor":
		u, err = strconv.ParseUint(strings.TrimPrefix(v, "S"), 10, 16)
		r.Sensor = uint16(u)
	case "class":
	case "type":
		r.Type, err = flowfile.ParseFlowType(v)
	case "in":
		u, err = num(32)
		r.In = uint32(u)
	case "out":
		u, err = num(32)
		r.Out = uint32(u)
	default:
		return fmt.Errorf("unknown column")
	}
	return err
}

func flags(v string) (uint8, error) {
	var f uint8
	for _, c := range v {
		i := strings.IndexRune("FSRPAUEC", c)
		if c == ' ' {
			continue
		}
		if i < 0 {
			return 0, fmt.Errorf("bad flag %q", c)
		}
		f |= 1 << i
	}
	return f, nil
}
