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
	MaxDomainsPerExporter   = 64      // source IDs / observation domains per exporter and version
	MaxDomains              = 1 << 16 // domains of all exporters (preferred exporters may go beyond)
	MaxFieldsPerTemplate    = 512     // fields in one template
	MaxPendingSetsPerDomain = 1024    // data sets held waiting for a template, per domain
	MaxSamplersPerExporter  = 256     // sampler ids remembered from options data, per exporter
	MaxSamplers             = 1 << 16 // sampler ids of all exporters (preferred exporters may go beyond)

	// heldSetOverhead is what a held data set costs beyond its bytes; it
	// counts in the held-data bounds so that tiny sets cannot exceed them.
	heldSetOverhead = 64
)

// Options configure a Decoder. Zero numeric fields take the defaults of
// DefaultOptions; NATInside is a plain bool, so start from DefaultOptions to
// get its default (true).
type Options struct {
	// MaxTemplatesPerExporter bounds the templates (all domains together)
	// kept for one exporter address. Default 1024.
	MaxTemplatesPerExporter int
	// MaxTemplateFieldsPerExporter bounds the fields of one exporter's
	// templates, MaxTemplateFields those of all exporters (preferred
	// exporters may go beyond it). A field takes about 20 bytes. Defaults
	// 16384 and 2 million; templates beyond are refused and counted.
	MaxTemplateFieldsPerExporter int
	MaxTemplateFields            int
	// PendingTTL is how long a data set that arrived before its template is
	// held. Default 10 s.
	PendingTTL time.Duration
	// MaxHeldBytesPerExporter bounds the data one exporter holds waiting for
	// templates, MaxPendingBytes that of all exporters; when the latter is
	// full, the exporter that holds the most gives way. Defaults 1 MiB and
	// 16 MiB.
	MaxHeldBytesPerExporter int
	MaxPendingBytes         int
	// MaxExporters bounds the exporter addresses tracked (see exporters.go
	// for who gives way when it is full); packets from others are counted
	// (Stats.RefusedPackets) and dropped. Default 4096.
	MaxExporters int
	// ExporterIdle is how long an exporter that sent flows must have been
	// silent before a new exporter may take its place in a full table.
	// Default 1 minute.
	ExporterIdle time.Duration
	// Preferred, if set, tells the exporters the site names (in its
	// configuration or allow list): they are always admitted and never give
	// way to others. It is called once per new exporter address.
	Preferred func(exporter netip.Addr) bool
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
	// Notify, if set, receives notices (see Notice) as they happen: the
	// first decode error of each kind from each exporter, templates that
	// name no addresses, refused packets, forgotten exporters. It
	// is called with the decoder's lock held: it must not call the Decoder
	// and should return quickly (log, count).
	Notify func(Notice)
}

// DefaultOptions returns the defaults: 1024 templates and 16384 template
// fields per exporter, 2 million in all; data held 10 s, at most 1 MiB per
// exporter and 16 MiB in all; 4096 exporters, giving way after a minute of
// silence; NATInside true.
func DefaultOptions() Options {
	return Options{
		MaxTemplatesPerExporter:      1024,
		MaxTemplateFieldsPerExporter: 16384,
		MaxTemplateFields:            2 << 20,
		PendingTTL:                   10 * time.Second,
		MaxHeldBytesPerExporter:      1 << 20,
		MaxPendingBytes:              16 << 20,
		MaxExporters:                 4096,
		ExporterIdle:                 time.Minute,
		NATInside:                    true,
		Now:                          time.Now,
	}
}

// Decoder decodes export packets and keeps the per-exporter state they need.
// It is safe for concurrent use (see the package documentation).
type Decoder struct {
	mu               sync.Mutex
	opts             Options
	exporters        map[netip.Addr]*exporter
	unproven, proven exporterList // non-preferred exporters, most recently heard first

	x   extra           // the special fields of the record being decoded (scratch.x); under mu
	opt flowfile.Record // the record an options or address-less data record is decoded into; under mu

	// state of all exporters, against the limits
	fields, domains, samplers int
	pendingBytes              int       // bytes held over all domains (with heldSetOverhead)
	bigHolder                 *exporter // the exporter seen holding the most, to give way when the hold is full

	lastSweep time.Time // last expiry sweep of held data
	packets   uint64    // packets decoded (forgetSilent looks now and then)
	refused   uint64    // packets from exporters the full table refused
	forgotten uint64    // exporters dropped from the table
	gen       uint64    // changes of the state SaveTemplates writes
}

// NewDecoder returns a Decoder with the given options; zero numeric options
// take their defaults.
func NewDecoder(opts Options) *Decoder {
	def := DefaultOptions()
	setDefault(&opts.MaxTemplatesPerExporter, def.MaxTemplatesPerExporter)
	setDefault(&opts.MaxTemplateFieldsPerExporter, def.MaxTemplateFieldsPerExporter)
	setDefault(&opts.MaxTemplateFields, def.MaxTemplateFields)
	setDefault(&opts.MaxHeldBytesPerExporter, def.MaxHeldBytesPerExporter)
	setDefault(&opts.MaxPendingBytes, def.MaxPendingBytes)
	setDefault(&opts.MaxExporters, def.MaxExporters)
	setDefault(&opts.PendingTTL, def.PendingTTL)
	setDefault(&opts.ExporterIdle, def.ExporterIdle)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Decoder{opts: opts, exporters: make(map[netip.Addr]*exporter)}
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// exporter is the state of one exporter address.
type exporter struct {
	addr       netip.Addr
	domains    map[domainKey]*domain
	nTemplates int
	fields     int // fields of its templates
	samplers   int // samplers of its domains
	held       int // bytes of its held data (with heldSetOverhead)
	st         counters
	reported   uint32 // error kinds already given to Options.Notify

	lastSeen   int64         // time of its last packet, Unix seconds
	proven     bool          // it sent flows (or a run where it did saved its state)
	preferred  bool          // the site names it (Options.Preferred)
	list       *exporterList // the list it is on; nil for preferred exporters
	prev, next *exporter
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
	domainRate        rate  // of sampler 0 (options data that named none), else of the only sampler
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

// fail counts an error of the given kind and keeps the first one for the
// caller; the first of its kind from the exporter is also a notice.
func (m *msg) fail(kind ErrorKind, off int, format string, args ...any) {
	if m.exp != nil {
		m.exp.st.errors[kind]++
	}
	if m.err == nil || m.unreported(kind) {
		err := m.decodeError(kind, off, fmt.Sprintf(format, args...))
		if m.err == nil {
			m.err = err
		}
		m.firstError(kind, err)
	}
}

// note counts n bytes at off that are not what they should be but did not
// stop decoding (a notice the first time).
func (m *msg) note(kind ErrorKind, off, n int) {
	if m.exp != nil {
		m.exp.st.errors[kind]++
	}
	if m.unreported(kind) {
		m.firstError(kind, m.decodeError(kind, off, fmt.Sprintf("%d bytes that are neither records nor padding", n)))
	}
}

func (m *msg) unreported(kind ErrorKind) bool {
	return m.exp != nil && m.d.opts.Notify != nil && m.exp.reported&(1<<kind) == 0
}

func (m *msg) decodeError(kind ErrorKind, off int, detail string) *DecodeError {
	err := &DecodeError{Kind: kind, Exporter: m.from, Version: m.version, TemplateID: m.tid, Offset: off, Detail: detail}
	if m.dom != nil {
		err.Domain = m.dom.key.id
	}
	return err
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
	d.forgetSilent(m.now)
	addr := from.Addr().Unmap()
	if len(pkt) >= 2 {
		m.version = binary.BigEndian.Uint16(pkt)
	}
	if e, ok := d.exporters[addr]; ok { // the common case, inline
		m.exp = e
		e.lastSeen = m.now.Unix()
		if l := e.list; l != nil && l.front != e {
			l.remove(e)
			l.pushFront(e)
		}
	} else if m.exp = d.newExporter(addr, m.now); m.exp == nil {
		d.refused++
		d.notify(Notice{Kind: NoticeExporterRefused, Exporter: from, Version: m.version})
		return dst, &DecodeError{Kind: ErrExporterLimit, Exporter: from, Version: m.version, Detail: fmt.Sprintf("more than %d exporters", d.opts.MaxExporters)}
	}
	if len(pkt) < 2 {
		m.exp.st.packets++
		m.exp.st.bytes += uint64(len(pkt))
		m.fail(ErrShort, 0, "%d-byte packet", len(pkt))
		return dst, m.err
	}
	m.exp.st.packets++
	m.exp.st.bytes += uint64(len(pkt))
	switch m.version {
	case 5:
		dst = m.decodeV5(dst, pkt)
		if n := v5Len(pkt); n < len(pkt) && m.err == nil {
			dst = m.moreV5(dst, pkt[n:], n)
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
	if !m.exp.proven && m.exp.st.flows > 0 {
		d.prove(m.exp)
	}
	if m.err != nil {
		return dst, m.err
	}
	return dst, nil
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
		if m.d.domains >= MaxDomains && !m.exp.preferred {
			m.fail(ErrTemplateLimit, 0, "more than %d domains over all exporters", MaxDomains)
			return nil
		}
		dom = &domain{key: k} // maps made on first use: most domains have few templates, no samplers
		m.exp.domains[k] = dom
		m.d.domains++
	}
	if !dom.seen && m.from.IsValid() { // not for templates loaded from a file
		dom.seen = true
		m.event(Event{Kind: EventFirstPacket, Domain: id})
	}
	return dom
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
