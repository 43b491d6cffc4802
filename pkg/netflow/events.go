package netflow

import "net/netip"

// EventKind says what an Event reports.
type EventKind uint8

const (
	// EventFirstPacket: the first packet of a domain (exporter, version,
	// source ID or observation domain) since the decoder was made. A
	// collector logs it once per exporter and domain, so an operator sees
	// which routers export, in which protocol version.
	EventFirstPacket EventKind = iota + 1
	// EventNewTemplate: a template (or options template) ID arrived for
	// the first time in its domain. Templates loaded with LoadTemplates are
	// known already; identical re-sends are not new.
	EventNewTemplate
)

// Event is something an operator wants to see once, not per packet: a
// new exporter domain, a new template. Options.Events receives them.
type Event struct {
	Kind     EventKind
	Exporter netip.AddrPort
	Version  uint16 // 5, 9 or 10 (IPFIX)
	// Domain is the v9 source ID, the IPFIX observation domain, or for v5
	// engine_type<<8 | engine_id.
	Domain uint32
	// Template, Options and Fields describe the template of an
	// EventNewTemplate.
	Template uint16
	Options  bool
	Fields   int
}

// event hands an event to Options.Events, if set. It runs with the
// decoder's lock held, so the callback must be quick and must not call
// the Decoder.
func (m *msg) event(e Event) {
	if f := m.d.opts.Events; f != nil && m.from.IsValid() {
		e.Exporter, e.Version = m.from, m.version
		f(e)
	}
}
