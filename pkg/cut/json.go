package cut

import (
	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
)

// JSON output: one object per record and line, keys the canonical field
// names (sIP, dIP, sPort, dPort, protocol, packets, bytes, flags, sTime,
// duration, eTime, sensor, in, out, nhIP, initialFlags, sessionFlags,
// attributes, application, class, type, sTime+msec, eTime+msec, dur+msec,
// iType, iCode, scc, dcc) in --fields order. Counts, ports, interfaces and
// durations (seconds) are numbers; epoch times are numbers too, other
// times strings in the --timestamp-format; addresses, flags (letters
// without the padding, or a number with --integer-tcp-flags), attributes,
// sensors (a number with --integer-sensors), class, type and countries
// are strings; iType and iCode are null for flows that are not ICMP.

type jsonKind uint8

const (
	jsonNumber  jsonKind = iota
	jsonString           // value as printed
	jsonLetters          // value as printed, spaces removed
	jsonTime             // string, or number for epoch times
	jsonNullable
)

func (p *Printer) jsonKindOf(id fields.ID) jsonKind {
	o := p.fm.Options()
	switch id {
	case fields.SIP, fields.DIP, fields.NhIP, fields.Class, fields.Type, fields.SCC, fields.DCC,
		fields.SASName, fields.DASName:
		return jsonString
	case fields.Flags, fields.InitFlags, fields.SessionFlags:
		if o.IntegerTCPFlags {
			return jsonNumber
		}
		return jsonLetters
	case fields.Attributes:
		return jsonLetters
	case fields.STime, fields.ETime, fields.STimeMsec, fields.ETimeMsec:
		if o.Time.Style == fields.TimeEpoch {
			return jsonNumber
		}
		return jsonString
	case fields.Sensor:
		if o.IntegerSensors {
			return jsonNumber
		}
		return jsonString
	case fields.IType, fields.ICode:
		return jsonNullable
	}
	return jsonNumber
}

// AppendJSON appends one record as a JSON object and a newline.
func (p *Printer) AppendJSON(dst []byte, r *flowfile.Record) []byte {
	dst = append(dst, '{')
	for i, id := range p.ids {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, id.Name()...)
		dst = append(dst, '"', ':')
		switch p.jsonKindOf(id) {
		case jsonNumber:
			dst = p.fm.AppendValue(dst, id, r)
		case jsonNullable:
			n := len(dst)
			dst = p.fm.AppendValue(dst, id, r)
			if len(dst) == n {
				dst = append(dst, "null"...)
			}
		case jsonString:
			dst = append(dst, '"')
			dst = appendEscaped(dst, p.fm, id, r)
			dst = append(dst, '"')
		case jsonLetters:
			dst = append(dst, '"')
			n := len(dst)
			dst = p.fm.AppendValue(dst, id, r)
			w := n
			for _, c := range dst[n:] {
				if c != ' ' {
					dst[w] = c
					w++
				}
			}
			dst = append(dst[:w], '"')
		}
	}
	return append(dst, '}', '\n')
}

// appendEscaped appends a value for a JSON string. Values are addresses,
// names and times; a sensor name from the site configuration is the one
// that could hold a quote or backslash, so escape anyway.
func appendEscaped(dst []byte, fm *fields.Formatter, id fields.ID, r *flowfile.Record) []byte {
	n := len(dst)
	dst = fm.AppendValue(dst, id, r)
	for i := n; i < len(dst); i++ {
		c := dst[i]
		if c == '"' || c == '\\' || c < 0x20 {
			// rare: redo the value with escapes
			val := append([]byte(nil), dst[n:]...)
			dst = dst[:n]
			for _, c := range val {
				switch {
				case c == '"' || c == '\\':
					dst = append(dst, '\\', c)
				case c < 0x20:
					const hex = "0123456789abcdef"
					dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
				default:
					dst = append(dst, c)
				}
			}
			return dst
		}
	}
	return dst
}
