package netflow

import (
	"bytes"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// heldSet is a data set that arrived before its template, with what its
// packet's header said (its times are relative to that header).
type heldSet struct {
	templateID uint16
	at         time.Time
	uptime     uint32
	exportMs   int64
	data       []byte
}

// cost is what a held set counts against the bounds.
func (h *heldSet) cost() int { return len(h.data) + heldSetOverhead }

// hold keeps a copy of a data set whose template is not known yet, within
// the bounds: Options.MaxHeldBytesPerExporter for the exporter, and
// Options.MaxPendingBytes for all, where the exporter that holds the most
// gives way (its oldest set) to one that holds less. What does not fit is
// lost for want of its template, and counted.
func (m *msg) hold(templateID uint16, body []byte) {
	m.held = true
	d, e, dom := m.d, m.exp, m.dom
	cost := len(body) + heldSetOverhead
	if len(dom.pending) >= MaxPendingSetsPerDomain || e.held+cost > d.opts.MaxHeldBytesPerExporter || cost > d.opts.MaxPendingBytes {
		e.st.noTemplate++
		return
	}
	for d.pendingBytes+cost > d.opts.MaxPendingBytes {
		big := d.biggestHolder()
		if big == nil || big == e || big.held <= e.held+cost {
			e.st.noTemplate++
			return
		}
		d.dropOldest(big)
	}
	dom.pending = append(dom.pending, heldSet{
		templateID: templateID,
		at:         m.now,
		uptime:     m.uptime,
		exportMs:   m.exportMs,
		data:       bytes.Clone(body),
	})
	e.held += cost
	d.pendingBytes += cost
	if d.bigHolder == nil || e.held > d.bigHolder.held {
		d.bigHolder = e
	}
	e.st.held++
}

// biggestHolder returns the exporter that holds the most data, looking
// through the table only when the one remembered no longer holds any.
func (d *Decoder) biggestHolder() *exporter {
	if d.bigHolder != nil && d.bigHolder.held > 0 {
		return d.bigHolder
	}
	d.bigHolder = nil
	for _, e := range d.exporters {
		if e.held > 0 && (d.bigHolder == nil || e.held > d.bigHolder.held) {
			d.bigHolder = e
		}
	}
	return d.bigHolder
}

// dropOldest drops the oldest set an exporter holds: lost, and counted.
func (d *Decoder) dropOldest(e *exporter) {
	var oldest *domain
	for _, dom := range e.domains {
		if len(dom.pending) > 0 && (oldest == nil || dom.pending[0].at.Before(oldest.pending[0].at)) {
			oldest = dom
		}
	}
	if oldest == nil {
		return
	}
	d.unhold(e, &oldest.pending[0])
	e.st.noTemplate++
	copy(oldest.pending, oldest.pending[1:])
	oldest.pending[len(oldest.pending)-1] = heldSet{}
	oldest.pending = oldest.pending[:len(oldest.pending)-1]
}

// unhold gives back what a held set counted.
func (d *Decoder) unhold(e *exporter, h *heldSet) {
	e.held -= h.cost()
	d.pendingBytes -= h.cost()
}

// releaseHeld decodes the held data sets of template t into dst.
func (m *msg) releaseHeld(dst []flowfile.Record, t *template) []flowfile.Record {
	dom := m.dom
	if len(dom.pending) == 0 {
		return dst
	}
	uptime, exportMs, units, flows := m.uptime, m.exportMs, m.units, m.flows
	keep := dom.pending[:0]
	for _, h := range dom.pending {
		if h.templateID != t.id {
			keep = append(keep, h)
			continue
		}
		m.d.unhold(m.exp, &h)
		if m.now.Sub(h.at) > m.d.opts.PendingTTL {
			m.exp.st.noTemplate++
			continue
		}
		m.uptime, m.exportMs = h.uptime, h.exportMs
		before := m.flows
		dst = m.dataSet(dst, t, h.data, 0)
		m.exp.st.released++
		m.exp.st.releasedFlows += uint64(m.flows - before)
	}
	clear(dom.pending[len(keep):])
	dom.pending = keep
	// Released records belong to earlier packets: they do not count for
	// this packet's sequence number.
	m.uptime, m.exportMs, m.units, m.flows = uptime, exportMs, units, flows
	return dst
}

// expireHeld drops held sets older than PendingTTL, looking at most once a
// second.
func (d *Decoder) expireHeld(now time.Time) {
	if d.pendingBytes == 0 || now.Sub(d.lastSweep) < time.Second {
		return
	}
	d.lastSweep = now
	for _, e := range d.exporters {
		if e.held == 0 {
			continue
		}
		for _, dom := range e.domains {
			if len(dom.pending) == 0 {
				continue
			}
			keep := dom.pending[:0]
			for _, h := range dom.pending {
				if now.Sub(h.at) > d.opts.PendingTTL {
					d.unhold(e, &h)
					e.st.noTemplate++
					continue
				}
				keep = append(keep, h)
			}
			clear(dom.pending[len(keep):])
			dom.pending = keep
		}
	}
}
