package netflow

import (
	"encoding/binary"

	"github.com/gflow/gflow/pkg/flowfile"
)

const (
	v9HeaderLen    = 20
	ipfixHeaderLen = 16
)

// decodeV9 decodes a NetFlow v9 packet (RFC 3954):
//
//	header: version(2) count(2) sysUptime(4) unix_secs(4) sequence(4) source_id(4)
//	then FlowSets: id(2) length(2) body; id 0 templates, 1 options templates, >= 256 data
//
// The header's count is not trusted: sets are walked by their lengths.
func (m *msg) decodeV9(dst []flowfile.Record, pkt []byte) []flowfile.Record {
	if len(pkt) < v9HeaderLen {
		m.fail(ErrShort, 0, "v9 header needs %d bytes, have %d", v9HeaderLen, len(pkt))
		return dst
	}
	m.uptime = binary.BigEndian.Uint32(pkt[4:8])
	m.exportMs = int64(binary.BigEndian.Uint32(pkt[8:12])) * 1000
	seq := binary.BigEndian.Uint32(pkt[12:16])
	if m.dom = m.domain(binary.BigEndian.Uint32(pkt[16:20])); m.dom == nil {
		return dst
	}
	dst = m.decodeSets(dst, pkt, v9HeaderLen)
	m.checkSequence(seq) // v9 numbers export packets (some exporters records)
	return dst
}

// decodeIPFIX decodes an IPFIX message (RFC 7011):
//
//	header: version(2) length(2) exportTime(4) sequence(4) observationDomain(4)
//	then sets: id(2) length(2) body; id 2 templates, 3 options templates, >= 256 data
func (m *msg) decodeIPFIX(dst []flowfile.Record, pkt []byte) []flowfile.Record {
	if len(pkt) < ipfixHeaderLen {
		m.fail(ErrShort, 0, "IPFIX header needs %d bytes, have %d", ipfixHeaderLen, len(pkt))
		return dst
	}
	length := int(binary.BigEndian.Uint16(pkt[2:4]))
	if length < ipfixHeaderLen || length > len(pkt) {
		m.fail(ErrLength, 2, "IPFIX message length %d, packet has %d bytes", length, len(pkt))
		return dst
	}
	if length < len(pkt) {
		if !isIPFIX(pkt[length:]) {
			m.note(ErrTrailing, length, len(pkt)-length)
		}
		pkt = pkt[:length]
	}
	m.exportMs = int64(binary.BigEndian.Uint32(pkt[4:8])) * 1000
	seq := binary.BigEndian.Uint32(pkt[8:12])
	if m.dom = m.domain(binary.BigEndian.Uint32(pkt[12:16])); m.dom == nil {
		return dst
	}
	dst = m.decodeSets(dst, pkt, ipfixHeaderLen)
	m.checkSequence(seq)
	return dst
}

// isIPFIX reports whether b holds whole IPFIX messages back to back, as a
// stream or file carries them; Decode reads each in turn.
func isIPFIX(b []byte) bool {
	for len(b) > 0 {
		if len(b) < ipfixHeaderLen || binary.BigEndian.Uint16(b) != 10 {
			return false
		}
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if n < ipfixHeaderLen || n > len(b) {
			return false
		}
		b = b[n:]
	}
	return true
}

// ipfixLen is the length of the IPFIX message at the start of b, as its
// header says, at most len(b).
func ipfixLen(b []byte) int {
	if len(b) < ipfixHeaderLen {
		return len(b)
	}
	return min(len(b), max(ipfixHeaderLen, int(binary.BigEndian.Uint16(b[2:4]))))
}

// decodeSets walks the sets of a v9 or IPFIX packet from off. A set whose
// length does not fit ends the walk (everything after it is unreliable); a
// bad record inside a set ends only that set.
func (m *msg) decodeSets(dst []flowfile.Record, pkt []byte, off int) []flowfile.Record {
	tmplSet, optSet := uint16(0), uint16(1)
	if m.version == 10 {
		tmplSet, optSet = 2, 3
	}
	for off < len(pkt) {
		if len(pkt)-off < 4 {
			// v9 exporters pad the packet; IPFIX has no room for this.
			if m.version == 10 {
				m.note(ErrTrailing, off, len(pkt)-off)
			}
			break
		}
		id := binary.BigEndian.Uint16(pkt[off:])
		length := int(binary.BigEndian.Uint16(pkt[off+2:]))
		m.tid = id
		if length < 4 {
			if allZero(pkt[off:]) {
				break // zero padding after the last set (Palo Alto, Cisco ACI)
			}
			m.fail(ErrSetLength, off+2, "set %d with length %d", id, length)
			break
		}
		if off+length > len(pkt) {
			m.fail(ErrLength, off+2, "set %d of %d bytes, %d left in packet", id, length, len(pkt)-off)
			break
		}
		body := pkt[off+4 : off+length]
		switch {
		case id == tmplSet:
			dst = m.templateSet(dst, body, off+4)
		case id == optSet:
			dst = m.optionsTemplateSet(dst, body, off+4)
		case id >= 256:
			if t := m.dom.templates[id]; t != nil {
				dst = m.dataSet(dst, t, body, off+4)
			} else {
				m.hold(id, body)
			}
		default:
			m.fail(ErrSetID, off, "reserved set ID %d", id)
		}
		off += length
	}
	m.tid = 0
	return dst
}

// allZero reports whether b holds only zero bytes.
func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// templateSet reads the template records of a set.
//
//	v9:    id(2) count(2) then count × [type(2) length(2)]
//	IPFIX: id(2) count(2) then count × [id(2) length(2) (PEN(4) if id has bit 15)]
//	       count 0 withdraws template id (id 2: all templates of the domain)
func (m *msg) templateSet(dst []flowfile.Record, body []byte, off int) []flowfile.Record {
	for len(body) >= 4 {
		id := binary.BigEndian.Uint16(body)
		count := int(binary.BigEndian.Uint16(body[2:]))
		if id == 0 && count == 0 {
			break // padding
		}
		m.tid = id
		if m.version == 10 && count == 0 {
			switch {
			case id == 2:
				m.withdraw(0, true, false)
			case id >= 256:
				m.withdraw(id, false, false)
			default:
				m.fail(ErrTemplate, off, "withdrawal of template ID %d", id)
			}
			body, off = body[4:], off+4
			continue
		}
		n, ok := m.fieldsLen(body[4:], count, off)
		if !ok {
			return dst
		}
		raw := body[:4+n]
		body, off = body[4+n:], off+4+n
		if id < 256 {
			m.fail(ErrTemplate, off, "template ID %d", id)
			continue
		}
		dst = m.addTemplate(dst, id, raw, 4, count, false, 0, off)
	}
	return dst
}

// optionsTemplateSet reads the options template records of a set.
//
//	v9:    id(2) scopeLength(2) optionLength(2) then fields of 4 bytes (scope first);
//	       lengths in bytes
//	IPFIX: id(2) count(2) scopeCount(2) then field specifiers (scope first);
//	       a 4-byte record with count 0 withdraws (id 3: all options templates)
func (m *msg) optionsTemplateSet(dst []flowfile.Record, body []byte, off int) []flowfile.Record {
	for len(body) >= 4 {
		id := binary.BigEndian.Uint16(body)
		m.tid = id
		if m.version == 10 {
			count := int(binary.BigEndian.Uint16(body[2:]))
			if id == 0 && count == 0 {
				break
			}
			if count == 0 {
				switch {
				case id == 3:
					m.withdraw(0, true, true)
				case id >= 256:
					m.withdraw(id, false, true)
				default:
					m.fail(ErrTemplate, off, "withdrawal of options template ID %d", id)
				}
				body, off = body[4:], off+4
				continue
			}
			if len(body) < 6 {
				m.fail(ErrTemplate, off, "options template header cut short")
				return dst
			}
			scope := int(binary.BigEndian.Uint16(body[4:]))
			n, ok := m.fieldsLen(body[6:], count, off)
			if !ok {
				return dst
			}
			raw := body[:6+n]
			body, off = body[6+n:], off+6+n
			if id < 256 || scope == 0 || scope > count {
				m.fail(ErrTemplate, off, "options template ID %d with %d scope fields of %d", id, scope, count)
				continue
			}
			dst = m.addTemplate(dst, id, raw, 6, count, true, scope, off)
			continue
		}
		if len(body) < 6 {
			break // padding
		}
		scopeLen := int(binary.BigEndian.Uint16(body[2:]))
		optLen := int(binary.BigEndian.Uint16(body[4:]))
		if id == 0 && scopeLen == 0 && optLen == 0 {
			break
		}
		if scopeLen%4 != 0 || optLen%4 != 0 || 6+scopeLen+optLen > len(body) || scopeLen+optLen == 0 {
			m.fail(ErrTemplate, off, "options template ID %d: scope %d and option %d bytes in %d", id, scopeLen, optLen, len(body))
			return dst
		}
		raw := body[:6+scopeLen+optLen]
		body, off = body[6+scopeLen+optLen:], off+6+scopeLen+optLen
		if id < 256 {
			m.fail(ErrTemplate, off, "options template ID %d", id)
			continue
		}
		dst = m.addTemplate(dst, id, raw, 6, (scopeLen+optLen)/4, true, scopeLen/4, off)
	}
	return dst
}

// fieldsLen returns the bytes taken by count field specifiers at the start
// of b, checking that they fit.
func (m *msg) fieldsLen(b []byte, count, off int) (int, bool) {
	if count > MaxFieldsPerTemplate || count*4 > len(b) {
		m.fail(ErrTemplate, off, "template with %d fields in %d bytes", count, len(b))
		return 0, false
	}
	if m.version != 10 {
		return count * 4, true
	}
	n := 0
	for range count {
		if n+4 > len(b) {
			m.fail(ErrTemplate, off, "template fields run past the set")
			return 0, false
		}
		if b[n]&0x80 != 0 {
			n += 8
		} else {
			n += 4
		}
		if n > len(b) {
			m.fail(ErrTemplate, off, "enterprise field runs past the set")
			return 0, false
		}
	}
	return n, true
}

// addTemplate builds a template from its raw record (hdr bytes of header,
// then count field specifiers), installs it and decodes data held for it.
func (m *msg) addTemplate(dst []flowfile.Record, id uint16, raw []byte, hdr, count int, options bool, scope, off int) []flowfile.Record {
	if m.sameTemplate(id, raw) {
		return dst
	}
	// Refuse what cannot fit before building it: a flood of templates
	// costs little.
	if why := m.templateRoom(id, count); why != "" {
		m.fail(ErrTemplateLimit, off, "template %d refused: %s", id, why)
		return dst
	}
	t := &template{id: id, options: options, scopeCount: scope, raw: raw}
	specs := raw[hdr:]
	step := 4
	t.fields = make([]field, 0, len(specs)/4)
	for len(specs) >= 4 {
		f := field{id: binary.BigEndian.Uint16(specs), length: binary.BigEndian.Uint16(specs[2:])}
		step = 4
		if m.version == 10 && f.id&0x8000 != 0 {
			f.id &= 0x7fff
			f.pen = binary.BigEndian.Uint32(specs[4:])
			step = 8
		}
		t.fields = append(t.fields, f)
		specs = specs[step:]
	}
	if err := compile(t, m.version); err != nil {
		m.fail(ErrTemplate, off, "template %d: %v", id, err)
		return dst
	}
	_, known := m.dom.templates[id]
	if why := m.installTemplate(t); why != "" {
		m.fail(ErrTemplateLimit, off, "template %d refused: %s", id, why)
		return dst
	}
	if !known {
		m.event(Event{Kind: EventNewTemplate, Domain: m.dom.key.id, Template: id, Options: options, Fields: len(t.fields)})
	}
	if t.options && t.sampling {
		m.dom.samplingAnnounced = true
	}
	return m.releaseHeld(dst, t)
}

// dataSet decodes the records of a data set with template t. What is left
// after the last whole record is padding when it is shorter than the
// shortest record (RFC 7011 §3.3.1); v9 exporters pad the same way.
func (m *msg) dataSet(dst []flowfile.Record, t *template, body []byte, off int) []flowfile.Record {
	if t.fixedLen > 0 {
		n := len(body) / t.fixedLen
		for i := range n {
			dst, _ = m.record(dst, t, body[i*t.fixedLen:(i+1)*t.fixedLen])
		}
		return dst
	}
	for len(body) >= t.minLen {
		var n int
		dst, n = m.record(dst, t, body)
		if n < 0 {
			m.fail(ErrRecord, off, "record of template %d runs past its set", t.id)
			return dst
		}
		body, off = body[n:], off+n
	}
	return dst
}
