package netflow

import (
	"fmt"
	"net/netip"
)

// NoticeKind says what a Notice reports.
type NoticeKind uint8

// The kinds of notices. Each is given once per exporter (and template,
// where it names one), so an exporter cannot make a log grow by repeating
// itself; only NoticeExporterRefused comes with every refused packet. (New
// domains and templates are Events.)
const (
	// NoticeError is the first decode error of its kind (ErrorKind) from an
	// exporter; Err says what and where.
	NoticeError NoticeKind = iota
	// NoticeNoAddress is the first record of a template that counts traffic
	// but names no source and destination (Cisco WLC per-client records):
	// its records are counted in ExporterStats.NoAddressRecords, not stored.
	NoticeNoAddress
	// NoticeExporterRefused is a packet refused because the exporter table
	// is full and no exporter could give way (see Options.MaxExporters).
	NoticeExporterRefused
	// NoticeExporterForgotten is an exporter dropped from the table: idle
	// while the table was full, or never heard from since a long time.
	NoticeExporterForgotten
)

// Notice reports something the operator may want to know, as it happens.
// Options.Notify receives them.
type Notice struct {
	Kind       NoticeKind
	Exporter   netip.AddrPort // the exporter (port 0 where no packet is at hand)
	Version    uint16         // 5, 9 or 10; 0 where no packet is at hand
	Domain     uint32         // v9 source ID / IPFIX observation domain
	TemplateID uint16
	Err        *DecodeError // NoticeError
}

func (n Notice) String() string {
	switch n.Kind {
	case NoticeError:
		return n.Err.Error()
	case NoticeNoAddress:
		return fmt.Sprintf("netflow v%d from %s: template %d (domain %d) counts traffic but names no source and destination addresses: its records are counted, not stored",
			n.Version, n.Exporter, n.TemplateID, n.Domain)
	case NoticeExporterRefused:
		return fmt.Sprintf("netflow from %s refused: the exporter table is full", n.Exporter)
	case NoticeExporterForgotten:
		return fmt.Sprintf("netflow exporter %s forgotten (idle)", n.Exporter.Addr())
	}
	return fmt.Sprintf("netflow notice %d from %s", n.Kind, n.Exporter)
}

// notify hands a notice to Options.Notify, if set.
func (d *Decoder) notify(n Notice) {
	if d.opts.Notify != nil {
		d.opts.Notify(n)
	}
}

// firstError reports the first error of each kind from an exporter.
func (m *msg) firstError(kind ErrorKind, err *DecodeError) {
	if m.exp == nil || m.exp.reported&(1<<kind) != 0 || m.d.opts.Notify == nil {
		return
	}
	m.exp.reported |= 1 << kind
	m.d.notify(Notice{Kind: NoticeError, Exporter: m.from, Version: m.version, Domain: err.Domain, TemplateID: err.TemplateID, Err: err})
}
