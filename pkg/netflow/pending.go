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

// hold keeps a copy of a data set whose template is not known yet, within
// the bounds; what does not fit is dropped and counted.
func (m *msg) hold(templateID uint16, body []byte) {
	m.exp.st.noTemplate++
	m.held = true
	dom := m.dom
	if len(dom.pending) >= MaxPendingSetsPerDomain || m.d.pendingBytes+len(body) > m.d.opts.MaxPendingBytes {
		m.exp.st.heldDropped++
		return
	}
	dom.pending = append(dom.pending, heldSet{
		templateID: templateID,
		at:         m.now,
		uptime:     m.uptime,
		exportMs:   m.exportMs,
		data:       bytes.Clone(body),
	})
	m.d.pendingBytes += len(body)
	m.exp.st.held++
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
		m.d.pendingBytes -= len(h.data)
		if m.now.Sub(h.at) > m.d.opts.PendingTTL {
			m.exp.st.heldDropped++
			continue
		}
		m.uptime, m.exportMs = h.uptime, h.exportMs
		before := m.flows
		dst = m.dataSet(dst, t, h.data, 0)
		m.exp.st.released += uint64(m.flows - before)
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
		for _, dom := range e.domains {
			if len(dom.pending) == 0 {
				continue
			}
			keep := dom.pending[:0]
			for _, h := range dom.pending {
				if now.Sub(h.at) > d.opts.PendingTTL {
					d.pendingBytes -= len(h.data)
					e.st.heldDropped++
					continue
				}
				keep = append(keep, h)
			}
			clear(dom.pending[len(keep):])
			dom.pending = keep
		}
	}
}
