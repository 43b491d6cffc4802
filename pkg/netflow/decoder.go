package netflow

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Limits that are not options: they only keep a misbehaving or hostile
// exporter from growing the decoder's memory.
const (
	MaxDomainsPerExporter   = 256  // source IDs / observation domains per exporter and version
	MaxFieldsPerTemplate    = 512  // fields in one template
	MaxPendingSetsPerDomain = 1024 // data sets held waiting for a template, per domain
	MaxSamplersPerDomain    = 1024 // sampler ids remembered from options data, per domain
)

// Options configure a Decoder. Zero numeric fields take the defaults of
// DefaultOptions; NATInside is a plain bool, so start from DefaultOptions to
// get its default (true).
type Options struct {
	// MaxTemplatesPerExporter bounds the templates (all domains together)
	// kept for one exporter address. Default 4096.
	MaxTemplatesPerExporter int
	// PendingTTL is how long a data set that arrived before its template is
	// held. Default 10 s.
	PendingTTL time.Duration
	// MaxPendingBytes bounds the held data of all exporters. Default 4 MiB.
	MaxPendingBytes int
	// MaxExporters bounds the exporter addresses tracked; packets from more
	// are counted (Stats.RefusedPackets) and dropped. Default 4096.
	MaxExporters int
	// DefaultSamplingRate, if set, gives the rate for flows whose exporter
	// gives none (0 = none). It is called at most once per packet.
	DefaultSamplingRate func(exporter netip.Addr) uint32
	// NATInside records the inside host of NATed flows (see the package
	// documentation). Default true.
	NATInside bool
	// Events, if set, receives the events an operator wants to see once
	// (events.go). It is called with the decoder's lock held.
	Events func(Event)
	// Now returns the current time; tests set it. Default time.Now.
	Now func() time.Time
}

// DefaultOptions returns the defaults: 4096 templates per exporter, data
// held 10 s and at most 4 MiB, 4096 exporters, NATInside true.
func DefaultOptions() Options {
	return Options{
		MaxTemplatesPerExporter: 4096,
		PendingTTL:              10 * time.Second,
		MaxPendingBytes:         4 << 20,
		MaxExporters:            4096,
		NATInside:               true,
		Now:                     time.Now,
	}
}

// Decoder decodes export packets and keeps the per-exporter state they need.
// It is safe for concurrent use (see the package documentation).
type Decoder struct {
	mu        sync.Mutex
	opts      Options
	exporters map[netip.Addr]*exporter

	x   extra           // the special fields of the record being decoded (scratch.x); under mu
	opt flowfile.Record // the record an options or address-less data record is decoded into; under mu

	pendingBytes int       // bytes held over all domains
	lastSweep    time.Time // last expiry sweep of held data
	refused      uint64    // packets from exporters beyond MaxExporters
}

// NewDecoder returns a Decoder with the given options; zero numeric options
// take their defaults.
func NewDecoder(opts Options) *Decoder {
	def := DefaultOptions()
	if opts.MaxTemplatesPerExporter <= 0 {
		opts.MaxTemplatesPerExporter = def.MaxTemplatesPerExporter
	}
	if opts.PendingTTL <= 0 {
		opts.PendingTTL = def.PendingTTL
	}
	if opts.MaxPendingBytes <= 0 {
		opts.MaxPendingBytes = def.MaxPendingBytes
	}
	if opts.MaxExporters <= 0 {
		opts.MaxExporters = def.MaxExporters
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Decoder{opts: opts, exporters: make(map[netip.Addr]*exporter)}
}

// exporter is the state of one exporter address.
type exporter struct {
	addr       netip.Addr
	domains    map[domainKey]*domain
	nTemplates int
	st         counters
}

type domainKey struct {
	version uint16
	id      uint32
}

// domain is the state of one (exporter, version, source ID/observation
// domain): templates, samplers, held data and sequence numbers.
type domain struct {
	key       domainKey
	templates map[uint16]*template
	// samplers maps a sampler/selector id to its rate; id 0 holds the rate of
	// options data that named no sampler.
	samplers          map[uint64]rate
	samplingAnnounced bool  // an options template with sampling fields was seen
	seen              bool  // a packet arrived (EventFirstPacket was sent)
	sysInitMs         int64 // systemInitTimeMilliseconds from options data; 0 = unknown
	pending           []heldSet
	seq               seqState
}

// ErrorKind classifies what was wrong with a packet.
type ErrorKind uint8

// The kinds of decode errors, counted per exporter.
const (
	ErrShort         ErrorKind = iota // packet shorter than its header
	ErrVersion                        // not NetFlow v5, v9 or IPFIX
	ErrLength                         // a header or set length claims more bytes than the packet has
	ErrSetLength                      // a set shorter than its own header (zero-length set)
	ErrSetID                          // a reserved set ID
	ErrTemplate                       // malformed template: zero-length field, absurd field count, bad ID
	ErrTemplateLimit                  // template or domain refused: the exporter has too many
	ErrRecord                         // a data record cut short (e.g. a variable-length field running past its set)
	ErrTrailing                       // bytes after the last set or record that are not padding (decoding went on)
	ErrExporterLimit                  // packet refused: MaxExporters exporters are known (counted in Stats.RefusedPackets)
	ErrAddressFamily                  // a flow record whose source and destination are of different address families
	NumErrorKinds
)

var errorKindNames = [NumErrorKinds]string{
	"short", "version", "length", "set_length", "set_id", "template", "template_limit", "record", "trailing", "exporter_limit", "address_family",
}

// String returns the kind's name as used in metrics labels ("short", "length", …).
func (k ErrorKind) String() string {
	if k < NumErrorKinds {
		return errorKindNames[k]
	}
	return fmt.Sprintf("kind%d", uint8(k))
}

// DecodeError describes the first problem found in a packet.
type DecodeError struct {
	Kind       ErrorKind
	Exporter   netip.AddrPort
	Version    uint16 // 5, 9, 10, or what the packet claimed
	Domain     uint32 // v9 source ID, IPFIX observation domain
	TemplateID uint16 // the set or template being read; 0 outside sets
	Offset     int    // byte offset in the packet
	Detail     string
}

func (e *DecodeError) Error() string {
	if e.TemplateID != 0 {
		return fmt.Sprintf("netflow v%d from %s: %s at byte %d (template %d): %s", e.Version, e.Exporter, e.Kind, e.Offset, e.TemplateID, e.Detail)
	}
	return fmt.Sprintf("netflow v%d from %s: %s at byte %d: %s", e.Version, e.Exporter, e.Kind, e.Offset, e.Detail)
}

// msg is the context of the export packet being decoded.
type msg struct {
	d        *Decoder
	from     netip.AddrPort
	exp      *exporter
	dom      *domain
	version  uint16
	uptime   uint32 // v5/v9 header sysUptime, ms
	exportMs int64  // header export time, ms since the epoch
	now      time.Time

	defaultRate    uint32
	defaultRateSet bool

	tid   uint16       // ID of the set or template being read, for errors
	err   *DecodeError // first error
	units uint32       // data records decoded (options included), for sequence numbers
	flows uint32       // flow records decoded
	held  bool         // some data was held: the record count is unknown
}

// fail counts an error of the given kind and keeps the first one for the caller.
func (m *msg) fail(kind ErrorKind, off int, format string, args ...any) {
	if m.exp != nil {
		m.exp.st.errors[kind]++
	}
	if m.err == nil {
		m.err = &DecodeError{Kind: kind, Exporter: m.from, Version: m.version, TemplateID: m.tid, Offset: off, Detail: fmt.Sprintf(format, args...)}
		if m.dom != nil {
			m.err.Domain = m.dom.key.id
		}
	}
}

// note counts an irregularity that did not stop decoding.
func (m *msg) note(kind ErrorKind) {
	if m.exp != nil {
		m.exp.st.errors[kind]++
	}
}

// Decode decodes one export packet (a UDP payload) from exporter `from` and
// appends its flows — and any flows released from held data — to dst. A
// malformed packet is counted and gives a *DecodeError; the flows decoded
// before the problem are still appended.
func (d *Decoder) Decode(dst []flowfile.Record, pkt []byte, from netip.AddrPort) ([]flowfile.Record, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := msg{d: d, from: from, now: d.opts.Now()}
	d.expireHeld(m.now)
	addr := from.Addr().Unmap()
	if len(pkt) < 2 {
		m.exp = d.exporter(addr)
		if m.exp != nil {
			m.exp.st.packets++
			m.exp.st.bytes += uint64(len(pkt))
		}
		m.fail(ErrShort, 0, "%d-byte packet", len(pkt))
		return dst, m.err
	}
	m.version = binary.BigEndian.Uint16(pkt)
	m.exp = d.exporter(addr)
	if m.exp == nil {
		d.refused++
		return dst, &DecodeError{Kind: ErrExporterLimit, Exporter: from, Version: m.version, Detail: fmt.Sprintf("more than %d exporters", d.opts.MaxExporters)}
	}
	m.exp.st.packets++
	m.exp.st.bytes += uint64(len(pkt))
	switch m.version {
	case 5:
		dst = m.decodeV5(dst, pkt)
		if rest := pkt[v5Len(pkt):]; len(rest) > 0 && m.err == nil {
			dst = m.moreV5(dst, rest)
		}
	case 9:
		dst = m.decodeV9(dst, pkt)
	case 10:
		dst = m.decodeIPFIX(dst, pkt)
		for rest := pkt[ipfixLen(pkt):]; m.err == nil && len(rest) > 0 && isIPFIX(rest); rest = rest[ipfixLen(rest):] {
			m.units, m.flows, m.held = 0, 0, false
			dst = m.decodeIPFIX(dst, rest)
		}
	default:
		m.fail(ErrVersion, 0, "unknown version %d", m.version)
	}
	if m.err != nil {
		return dst, m.err
	}
	return dst, nil
}

// exporter returns the state of addr, creating it; nil when there are too many.
func (d *Decoder) exporter(addr netip.Addr) *exporter {
	if e, ok := d.exporters[addr]; ok {
		return e
	}
	if len(d.exporters) >= d.opts.MaxExporters {
		return nil
	}
	e := &exporter{addr: addr, domains: make(map[domainKey]*domain)}
	d.exporters[addr] = e
	return e
}

// domain returns the state of (version, id) of the message's exporter,
// creating it; nil (and counted) when the exporter has too many.
func (m *msg) domain(id uint32) *domain {
	k := domainKey{m.version, id}
	dom, ok := m.exp.domains[k]
	if !ok {
		if len(m.exp.domains) >= MaxDomainsPerExporter {
			m.fail(ErrTemplateLimit, 0, "more than %d domains", MaxDomainsPerExporter)
			return nil
		}
		dom = newDomain(k)
		m.exp.domains[k] = dom
	}
	if !dom.seen && m.from.IsValid() { // not for templates loaded from a file
		dom.seen = true
		m.event(Event{Kind: EventFirstPacket, Domain: id})
	}
	return dom
}

func newDomain(k domainKey) *domain {
	return &domain{key: k, templates: make(map[uint16]*template), samplers: make(map[uint64]rate)}
}

// defaultSamplingRate calls Options.DefaultSamplingRate once per packet.
func (m *msg) defaultSamplingRate() uint32 {
	if !m.defaultRateSet {
		m.defaultRateSet = true
		if f := m.d.opts.DefaultSamplingRate; f != nil {
			m.defaultRate = f(m.exp.addr)
		}
	}
	return m.defaultRate
}
