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

	opBytesPost   // 23 postOctetDeltaCount, 171 postOctetTotalCount (egress records)
	opPacketsPost // 24, 172
	opBytesInit   // 231 initiatorOctets (NSEL: forward bytes)
	opPacketsInit // 298 initiatorPackets
	opRespBytes   // 232 responderOctets (NSEL: reverse bytes)
	opRespPackets // 299 responderPackets
	opRevBytes    // RFC 5103 reverse 1/85; Ixia 3054/176
	opRevPackets  // RFC 5103 reverse 2/86; Ixia 3054/177
	opRevFlags    // RFC 5103 reverse 6
	opRevStartMs  // RFC 5103 reverse 152
	opRevEndMs    // RFC 5103 reverse 153
	opRevStartNTP // RFC 5103 reverse 154, 156
	opRevEndNTP   // RFC 5103 reverse 155, 157
	opRevDeltaMs  // YAF reverseFlowDeltaMilliseconds (CERT 6871/21)
	opRevICMPTypeCode
	opInPhys   // 252 ingressPhysicalInterface
	opOutPhys  // 253 egressPhysicalInterface
	opObsSec   // 322 observationTimeSeconds (NSEL event time)
	opObsMs    // 323
	opObsUs    // 324 (NTP format)
	opObsNs    // 325 (NTP format)
	opFwEvent  // 233 firewallEvent, v9 40005 NF_F_FW_EVENT
	opDataLink // 315 dataLinkFrameSection, 104 layer2packetSectionData
	opIPHeader // 313 ipHeaderPacketSection
)

// Enterprise numbers whose elements the decoder reads.
const (
	penReverse = 29305 // RFC 5103: the reverse direction of IANA element N
	penCERT    = 6871  // YAF
	penIxia    = 3054
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
	flow       bool // its data records are flows: it has source and destination addresses, or a frame to read them from
	special    bool // it has fields only some vendors send: frames, egress or NSEL counters, biflows, events, physical interfaces
	noAddress  bool // it counts traffic but names no addresses (Cisco WLC per-client records): its records cannot be flows
	noticed    bool // NoticeNoAddress was given for it
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
	case 23, 171:
		return pick(counter, opBytesPost)
	case 24, 172:
		return pick(counter, opPacketsPost)
	case 231:
		return pick(counter, opBytesInit)
	case 298:
		return pick(counter, opPacketsInit)
	case 232:
		return pick(counter, opRespBytes)
	case 299:
		return pick(counter, opRespPackets)
	case 252:
		return pick(counter, opInPhys)
	case 253:
		return pick(counter, opOutPhys)
	case 322:
		return pick(counter, opObsSec)
	case 323:
		return pick(counter, opObsMs)
	case 324:
		return pick(length == 8, opObsUs)
	case 325:
		return pick(length == 8, opObsNs)
	case 233, 40005:
		return pick(counter, opFwEvent)
	case 315, 104:
		return opDataLink
	case 313:
		return opIPHeader
	}
	return opSkip
}

// opForEnterprise maps the enterprise elements the decoder reads: RFC 5103
// reverse counters, flags and times, and two vendors' own reverse fields.
func opForEnterprise(pen uint32, id, length uint16) op {
	counter := length >= 1 && length <= 8
	switch pen {
	case penReverse:
		switch id {
		case 1, 85:
			return pick(counter, opRevBytes)
		case 2, 86:
			return pick(counter, opRevPackets)
		case 6:
			return pick(counter, opRevFlags)
		case 152:
			return pick(counter, opRevStartMs)
		case 153:
			return pick(counter, opRevEndMs)
		case 154, 156:
			return pick(length == 8, opRevStartNTP)
		case 155, 157:
			return pick(length == 8, opRevEndNTP)
		case 32, 139:
			return pick(counter, opRevICMPTypeCode)
		}
	case penCERT:
		if id == 21 {
			return pick(counter, opRevDeltaMs)
		}
	case penIxia:
		switch id {
		case 176:
			return pick(counter, opRevBytes)
		case 177:
			return pick(counter, opRevPackets)
		}
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
// v9 options templates' scope fields are scope types (system, interface, …),
// not information elements, and may be 0 bytes long (Juniper's "system"
// scope). Fields of length 0 take no room in the records and are skipped
// (some v9 exporters pad templates with them); v9's length 65535 is read as
// IPFIX's variable length (H3C).
func compile(t *template, version uint16) error {
	if len(t.fields) == 0 {
		return errTemplate("template with no fields")
	}
	if len(t.fields) > MaxFieldsPerTemplate {
		return errTemplate(fmt.Sprintf("template with %d fields (at most %d)", len(t.fields), MaxFieldsPerTemplate))
	}
	var src, dst, frame, counters bool
	t.minLen, t.fixedLen = 0, 0
	variable := false
	for i := range t.fields {
		f := &t.fields[i]
		if f.length == varLen {
			variable = true
			t.minLen++
		} else {
			t.minLen += int(f.length)
		}
		f.op = opSkip
		if f.length == 0 || (version != 10 && i < t.scopeCount) {
			continue
		}
		if f.pen == 0 {
			f.op = opFor(f.id, f.length)
		} else {
			f.op = opForEnterprise(f.pen, f.id, f.length)
		}
		switch f.op {
		case opSrc4, opSrc6:
			src = true
		case opDst4, opDst6:
			dst = true
		case opDataLink, opIPHeader:
			frame = true
		}
		switch f.op {
		case opDataLink, opIPHeader, opBytesPost, opPacketsPost, opBytesInit, opPacketsInit, opRespBytes, opRespPackets,
			opRevBytes, opRevPackets, opRevFlags, opRevStartMs, opRevEndMs, opRevStartNTP, opRevEndNTP, opRevDeltaMs,
			opRevICMPTypeCode, opFwEvent, opInPhys, opOutPhys, opObsSec, opObsMs, opObsUs, opObsNs:
			// these ops keep their values in scratch.x
			t.special = true
		}
		switch f.op {
		case opBytes, opPackets, opBytesTotal, opPacketsTotal, opBytesPost, opPacketsPost,
			opBytesInit, opPacketsInit, opRespBytes, opRespPackets, opRevBytes, opRevPackets:
			counters = true
		case opSamplerID, opSamplingInterval, opPacketInterval, opPacketSpace, opSamplingSize, opSamplingPopulace, opSamplingOther:
			t.sampling = true
		}
	}
	if t.minLen == 0 {
		return errTemplate("template whose fields all have length 0")
	}
	if t.minLen > 0xffff {
		return errTemplate(fmt.Sprintf("template records of %d bytes do not fit a set", t.minLen))
	}
	if !variable {
		t.fixedLen = t.minLen
	}
	t.flow = !t.options && ((src && dst) || frame)
	t.noAddress = !t.options && !t.flow && counters
	return nil
}

// addTemplate installs t in the message's domain, replacing a template with
// the same ID, and decodes data held for it into dst. A re-sent identical
// template changes nothing and allocates nothing.
func (m *msg) sameTemplate(id uint16, raw []byte) bool {
	old, ok := m.dom.templates[id]
	return ok && bytes.Equal(old.raw, raw)
}

// installTemplate puts t (already compiled) into the domain. It returns ""
// or, when the exporter or all exporters have too many templates or template
// fields, why it refused.
func (m *msg) installTemplate(t *template) string {
	d, e := m.d, m.exp
	if why := m.templateRoom(t.id, len(t.fields)); why != "" {
		return why
	}
	old, replaced := m.dom.templates[t.id]
	delta := len(t.fields)
	if replaced {
		delta -= len(old.fields)
	}
	if !replaced {
		e.nTemplates++
	}
	e.fields += delta
	d.fields += delta
	t.raw = bytes.Clone(t.raw)
	if m.dom.templates == nil {
		m.dom.templates = make(map[uint16]*template)
	}
	m.dom.templates[t.id] = t
	d.gen++
	return ""
}

// templateRoom returns "" when a template of n fields with this ID fits the
// bounds, else why not.
func (m *msg) templateRoom(id uint16, n int) string {
	d, e := m.d, m.exp
	old, replaced := m.dom.templates[id]
	delta := n
	if replaced {
		delta -= len(old.fields)
	}
	switch {
	case !replaced && e.nTemplates >= d.opts.MaxTemplatesPerExporter:
		return fmt.Sprintf("the exporter has %d templates", e.nTemplates)
	case delta > 0 && e.fields+delta > d.opts.MaxTemplateFieldsPerExporter:
		return fmt.Sprintf("the exporter's templates have %d fields, at most %d", e.fields, d.opts.MaxTemplateFieldsPerExporter)
	case delta > 0 && d.fields+delta > d.opts.MaxTemplateFields && !e.preferred:
		return fmt.Sprintf("the templates of all exporters have %d fields, at most %d", d.fields, d.opts.MaxTemplateFields)
	}
	return ""
}

// withdraw removes templates of the domain: one ID, or all (options or not).
func (m *msg) withdraw(id uint16, all, options bool) {
	for tid, t := range m.dom.templates {
		if (!all && tid == id) || (all && t.options == options) {
			delete(m.dom.templates, tid)
			m.exp.nTemplates--
			m.exp.fields -= len(t.fields)
			m.d.fields -= len(t.fields)
			m.d.gen++
		}
	}
}
