package netflow

import (
	"bytes"
	"fmt"
)

// varLen is the field length that announces an IPFIX variable-length field.
const varLen = 0xffff

// op says what a template field means to the decoder; it is worked out once
// when the template arrives so decoding a record is a switch per field.
type op uint8

const (
	opSkip op = iota
	opSrc4
	opDst4
	opSrc6
	opDst6
	opNextHop4
	opNextHop6
	opBGPNextHop4
	opBGPNextHop6
	opSPort
	opDPort
	opProto
	opFlags
	opTOS
	opBytes
	opPackets
	opBytesTotal
	opPacketsTotal
	opIn
	opOut
	opSrcAS
	opDstAS
	opICMPTypeCode // 32, 139: type<<8|code
	opICMPType     // 176, 178
	opICMPCode     // 177, 179
	opFirstUptime  // 22 in 4 bytes
	opLastUptime   // 21 in 4 bytes
	opStartSec     // 150
	opEndSec       // 151
	opStartMs      // 152; 22 in 8 bytes (NX-OS)
	opEndMs        // 153; 21 in 8 bytes
	opStartNTP     // 154, 156
	opEndNTP       // 155, 157
	opStartDeltaUs // 158
	opEndDeltaUs   // 159
	opDurationMs   // 161
	opDurationUs   // 162
	opSysInitMs    // 160
	opNATSrc4      // 225
	opNATDst4      // 226
	opNATSrc6      // 281
	opNATDst6      // 282
	opNATSPort     // 227
	opNATDPort     // 228
	opSamplerID    // 48 (v9 FLOW_SAMPLER_ID, IPFIX samplerId), 302 selectorId
	opSamplingInterval
	opPacketInterval   // 305
	opPacketSpace      // 306
	opSamplingSize     // 309
	opSamplingPopulace // 310
	opSamplingOther    // 35, 49, 304: announce sampling, no rate
)

// field is one field specifier of a template.
type field struct {
	id     uint16 // information element id, without the enterprise bit
	length uint16 // varLen for IPFIX variable-length fields
	pen    uint32 // enterprise number; 0 for IANA elements
	op     op
}

// template is a compiled (options) template.
type template struct {
	id         uint16
	options    bool
	scopeCount int // options templates: the first scopeCount fields are scope fields
	fields     []field
	minLen     int  // shortest record: variable-length fields count 1 byte
	fixedLen   int  // record length when there are no variable-length fields, else 0
	flow       bool // has source and destination addresses: its data records are flows
	sampling   bool // has sampling fields
	raw        []byte
}

// opFor maps an IANA information element of the given length to its op.
// Fields with a length the decoder cannot read for that element are skipped.
func opFor(id, length uint16) op {
	counter := length >= 1 && length <= 8
	switch id {
	case 8:
		return pick(length == 4, opSrc4)
	case 12:
		return pick(length == 4, opDst4)
	case 27:
		return pick(length == 16, opSrc6)
	case 28:
		return pick(length == 16, opDst6)
	case 15:
		return pick(length == 4, opNextHop4)
	case 62:
		return pick(length == 16, opNextHop6)
	case 18:
		return pick(length == 4, opBGPNextHop4)
	case 63:
		return pick(length == 16, opBGPNextHop6)
	case 7:
		return pick(counter, opSPort)
	case 11:
		return pick(counter, opDPort)
	case 4:
		return pick(counter, opProto)
	case 6:
		return pick(counter, opFlags)
	case 5:
		return pick(counter, opTOS)
	case 1:
		return pick(counter, opBytes)
	case 2:
		return pick(counter, opPackets)
	case 85:
		return pick(counter, opBytesTotal)
	case 86:
		return pick(counter, opPacketsTotal)
	case 10:
		return pick(counter, opIn)
	case 14:
		return pick(counter, opOut)
	case 16:
		return pick(counter, opSrcAS)
	case 17:
		return pick(counter, opDstAS)
	case 32, 139:
		return pick(counter, opICMPTypeCode)
	case 176, 178:
		return pick(counter, opICMPType)
	case 177, 179:
		return pick(counter, opICMPCode)
	case 22:
		if length == 8 {
			return opStartMs
		}
		return pick(length == 4, opFirstUptime)
	case 21:
		if length == 8 {
			return opEndMs
		}
		return pick(length == 4, opLastUptime)
	case 150:
		return pick(counter, opStartSec)
	case 151:
		return pick(counter, opEndSec)
	case 152:
		return pick(counter, opStartMs)
	case 153:
		return pick(counter, opEndMs)
	case 154, 156:
		return pick(length == 8, opStartNTP)
	case 155, 157:
		return pick(length == 8, opEndNTP)
	case 158:
		return pick(counter, opStartDeltaUs)
	case 159:
		return pick(counter, opEndDeltaUs)
	case 161:
		return pick(counter, opDurationMs)
	case 162:
		return pick(counter, opDurationUs)
	case 160:
		return pick(counter, opSysInitMs)
	case 225:
		return pick(length == 4, opNATSrc4)
	case 226:
		return pick(length == 4, opNATDst4)
	case 281:
		return pick(length == 16, opNATSrc6)
	case 282:
		return pick(length == 16, opNATDst6)
	case 227:
		return pick(counter, opNATSPort)
	case 228:
		return pick(counter, opNATDPort)
	case 48, 302:
		return pick(counter, opSamplerID)
	case 34, 50:
		return pick(counter, opSamplingInterval)
	case 305:
		return pick(counter, opPacketInterval)
	case 306:
		return pick(counter, opPacketSpace)
	case 309:
		return pick(counter, opSamplingSize)
	case 310:
		return pick(counter, opSamplingPopulace)
	case 35, 49, 304:
		return opSamplingOther
	}
	return opSkip
}

func pick(ok bool, o op) op {
	if ok {
		return o
	}
	return opSkip
}

// errTemplate is a template that cannot be used; its text goes into the
// DecodeError.
type errTemplate string

func (e errTemplate) Error() string { return string(e) }

// compile checks a template's fields and works out how to decode them.
// scopeAreIEs is false for v9 options templates, whose scope fields are
// scope types (system, interface, …), not information elements.
func compile(t *template, scopeAreIEs bool) error {
	if len(t.fields) == 0 {
		return errTemplate("template with no fields")
	}
	if len(t.fields) > MaxFieldsPerTemplate {
		return errTemplate(fmt.Sprintf("template with %d fields (at most %d)", len(t.fields), MaxFieldsPerTemplate))
	}
	var src, dst bool
	t.minLen, t.fixedLen = 0, 0
	variable := false
	for i := range t.fields {
		f := &t.fields[i]
		if f.length == 0 {
			return errTemplate(fmt.Sprintf("field %d (IE %d) has length 0", i, f.id))
		}
		if f.length == varLen {
			variable = true
			t.minLen++
		} else {
			t.minLen += int(f.length)
		}
		f.op = opSkip
		if f.pen == 0 && f.length != varLen && (scopeAreIEs || i >= t.scopeCount) {
			f.op = opFor(f.id, f.length)
		}
		switch f.op {
		case opSrc4, opSrc6:
			src = true
		case opDst4, opDst6:
			dst = true
		case opSamplerID, opSamplingInterval, opPacketInterval, opPacketSpace, opSamplingSize, opSamplingPopulace, opSamplingOther:
			t.sampling = true
		}
	}
	if t.minLen > 0xffff {
		return errTemplate(fmt.Sprintf("template records of %d bytes do not fit a set", t.minLen))
	}
	if !variable {
		t.fixedLen = t.minLen
	}
	t.flow = src && dst && !t.options
	return nil
}

// addTemplate installs t in the message's domain, replacing a template with
// the same ID, and decodes data held for it into dst. A re-sent identical
// template changes nothing and allocates nothing.
func (m *msg) sameTemplate(id uint16, raw []byte) bool {
	old, ok := m.dom.templates[id]
	return ok && bytes.Equal(old.raw, raw)
}

// installTemplate puts t (already compiled) into the domain. It reports false
// when the exporter has too many templates.
func (m *msg) installTemplate(t *template) bool {
	if _, ok := m.dom.templates[t.id]; !ok {
		if m.exp.nTemplates >= m.d.opts.MaxTemplatesPerExporter {
			return false
		}
		m.exp.nTemplates++
	}
	t.raw = bytes.Clone(t.raw)
	m.dom.templates[t.id] = t
	return true
}

// withdraw removes templates of the domain: one ID, or all (options or not).
func (m *msg) withdraw(id uint16, all, options bool) {
	if !all {
		if _, ok := m.dom.templates[id]; ok {
			delete(m.dom.templates, id)
			m.exp.nTemplates--
		}
		return
	}
	for tid, t := range m.dom.templates {
		if t.options == options {
			delete(m.dom.templates, tid)
			m.exp.nTemplates--
		}
	}
}
