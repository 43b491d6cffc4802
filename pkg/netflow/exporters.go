package netflow

import (
	"net/netip"
	"time"
)

// The exporter table. It holds at most Options.MaxExporters addresses. A
// flood of packets from spoofed addresses must not lock out real exporters,
// so when the table is full a new address takes the place of:
//
//  1. the least recently heard exporter that never sent a flow (spoofed
//     addresses send junk, not flows);
//  2. else the least recently heard exporter that sent flows, if it has been
//     silent for Options.ExporterIdle;
//  3. else, for an exporter the site names (Options.Preferred), the least
//     recently heard one that it does not name.
//
// Otherwise the packet is refused and counted (Stats.RefusedPackets, a
// NoticeExporterRefused). Preferred exporters never give way to others.
// Exporters that never sent a flow are also forgotten after an hour of
// silence, table full or not. Two lists, each most recently heard first,
// make every choice O(1).

// exporterList is a list of exporters, most recently heard first.
type exporterList struct {
	front, back *exporter
	n           int
}

func (l *exporterList) pushFront(e *exporter) {
	e.list, e.prev, e.next = l, nil, l.front
	if l.front != nil {
		l.front.prev = e
	} else {
		l.back = e
	}
	l.front = e
	l.n++
}

func (l *exporterList) remove(e *exporter) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		l.front = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		l.back = e.prev
	}
	e.list, e.prev, e.next = nil, nil, nil
	l.n--
}

// forgetUnprovenAfter is how long an exporter that never sent a flow is
// kept while it is silent.
const forgetUnprovenAfter = time.Hour

// exporter returns the state of addr, creating it; nil when the table is
// full and no exporter can give way. (Decode has the known case inline.)
func (d *Decoder) exporter(addr netip.Addr, now time.Time) *exporter {
	if e, ok := d.exporters[addr]; ok {
		e.lastSeen = now.Unix()
		if l := e.list; l != nil && l.front != e {
			l.remove(e)
			l.pushFront(e)
		}
		return e
	}
	return d.newExporter(addr, now)
}

// newExporter admits a new exporter address, if there is room or some
// exporter gives way.
func (d *Decoder) newExporter(addr netip.Addr, now time.Time) *exporter {
	preferred := d.opts.Preferred != nil && d.opts.Preferred(addr)
	if len(d.exporters) >= d.opts.MaxExporters && !d.makeRoom(preferred, now) {
		return nil
	}
	e := &exporter{addr: addr, domains: make(map[domainKey]*domain), lastSeen: now.Unix(), preferred: preferred}
	d.exporters[addr] = e
	if !preferred {
		d.unproven.pushFront(e)
	}
	return e
}

// makeRoom forgets one exporter for a newcomer (see above) and reports
// whether it could.
func (d *Decoder) makeRoom(preferred bool, now time.Time) bool {
	if v := d.unproven.back; v != nil {
		d.forget(v)
		return true
	}
	if v := d.proven.back; v != nil && (preferred || now.Unix()-v.lastSeen >= int64(d.opts.ExporterIdle/time.Second)) {
		d.forget(v)
		return true
	}
	return false
}

// prove marks an exporter that sent flows: from now on it gives way only
// when idle.
func (d *Decoder) prove(e *exporter) {
	e.proven = true
	if e.list == &d.unproven {
		d.unproven.remove(e)
		d.proven.pushFront(e)
	}
	d.gen++ // its state is saved from now on
}

// forget drops an exporter and everything it holds.
func (d *Decoder) forget(e *exporter) {
	if e.list != nil {
		e.list.remove(e)
	}
	delete(d.exporters, e.addr)
	d.fields -= e.fields
	d.domains -= len(e.domains)
	d.samplers -= e.samplers
	d.pendingBytes -= e.held
	if d.bigHolder == e {
		d.bigHolder = nil
	}
	d.forgotten++
	if e.proven {
		d.gen++
	}
	d.notify(Notice{Kind: NoticeExporterForgotten, Exporter: netip.AddrPortFrom(e.addr, 0)})
}

// forgetSilent forgets the exporters that never sent a flow and have been
// silent for forgetUnprovenAfter; it looks every 1024 packets.
func (d *Decoder) forgetSilent(now time.Time) {
	if d.packets++; d.packets%1024 != 0 || d.unproven.back == nil {
		return
	}
	for e := d.unproven.back; e != nil && now.Unix()-e.lastSeen > int64(forgetUnprovenAfter/time.Second); e = d.unproven.back {
		d.forget(e)
	}
}
