package collector

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gflow/gflow/pkg/netflow"
	"github.com/prometheus/client_golang/prometheus"
)

// What the decoder reports beyond flows: its notices in the log, its
// counters in /metrics and in the summary line.

// noticeLog writes the decoder's notices to the log. The decoder gives each
// kind of error once per exporter, so an exporter cannot flood the log by
// repeating itself; many exporters at once still could, so at most
// noticeBurst lines are written, then one every noticeEvery, and the next
// line says how many were left out.
type noticeLog struct {
	mu         sync.Mutex
	logf       func(format string, args ...any)
	now        func() time.Time
	tokens     float64
	last       time.Time
	suppressed int

	refused       int       // packets refused by the full exporter table since the last line about them
	refusedLogged time.Time // that line
}

// refusedEvery is how often refusals by the full exporter table are logged
// (with their count), however many there are.
const refusedEvery = time.Minute

const (
	noticeBurst = 20
	noticeEvery = 3 * time.Second
)

func newNoticeLog(logf func(format string, args ...any)) *noticeLog {
	return &noticeLog{logf: logf, now: time.Now, tokens: noticeBurst}
}

// notice is the decoder's Options.Notify. It is called with the decoder's
// lock held, so it only formats and writes a line.
func (l *noticeLog) notice(n netflow.Notice) {
	switch n.Kind {
	case netflow.NoticeError:
		l.line("%s (the first %s error from this exporter; all are counted in gflowcap_decode_errors_total)", n, n.Err.Kind)
	case netflow.NoticeNoAddress:
		l.line("%s in gflowcap_records_without_addresses_total", n)
	case netflow.NoticeExporterRefused:
		l.refusal(n)
	}
}

// refusal logs packets the full exporter table refused: the first at once,
// then a count at most once a minute.
func (l *noticeLog) refusal(n netflow.Notice) {
	l.mu.Lock()
	l.refused++
	now := l.now()
	if now.Sub(l.refusedLogged) < refusedEvery {
		l.mu.Unlock()
		return
	}
	count := l.refused
	l.refused, l.refusedLogged = 0, now
	l.mu.Unlock()
	l.line("%d packets refused, the last from %s: the exporter table is full of exporters that sent flows in the last minute "+
		"(list the real ones in a sensor's exporters or --allow: they always get in); counted in gflowcap_refused_packets_total", count, n.Exporter)
}

func (l *noticeLog) line(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.last.IsZero() {
		l.tokens = min(noticeBurst, l.tokens+float64(now.Sub(l.last))/float64(noticeEvery))
	}
	l.last = now
	if l.tokens < 1 {
		l.suppressed++
		return
	}
	l.tokens--
	msg := fmt.Sprintf(format, args...)
	if l.suppressed > 0 {
		msg += fmt.Sprintf(" (%d decoder notices left out before this one)", l.suppressed)
		l.suppressed = 0
	}
	l.logf("%s", msg)
}

// decoderSummary is what the summary line adds about decoding: the errors
// by kind, records that are not flows, data waiting for its template.
func (dc *decoderCounts) summary() string {
	var b strings.Builder
	if dc.events > 0 {
		fmt.Fprintf(&b, ", %d events without traffic (not stored)", dc.events)
	}
	if dc.noAddress > 0 {
		fmt.Fprintf(&b, ", %d records without addresses (not stored)", dc.noAddress)
	}
	if dc.noTemplate > 0 {
		fmt.Fprintf(&b, ", %d data sets lost without template", dc.noTemplate)
	}
	for i, w := range dc.waiting {
		if i == 3 {
			fmt.Fprintf(&b, ", data held for %d more templates", len(dc.waiting)-i)
			break
		}
		fmt.Fprintf(&b, ", %d data sets held for missing template %d from %s (v%d domain %d)", w.Sets, w.TemplateID, w.Exporter, w.Version, w.Domain)
	}
	if dc.jumps > 0 {
		fmt.Fprintf(&b, ", %d sequence jumps (not counted as lost)", dc.jumps)
	}
	if dc.refused > 0 {
		fmt.Fprintf(&b, ", %d packets refused: exporter table full", dc.refused)
	}
	return b.String()
}

// errorsByKind is "" or " (record 2, trailing 1)".
func (dc *decoderCounts) errorsByKind() string {
	var parts []string
	for k, n := range dc.kinds {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", netflow.ErrorKind(k), n))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// decoderMetrics are the decoder's counters in /metrics, beside the ones
// metricsCollector has always given.
type decoderMetrics struct {
	c *collector

	events, noAddress, unanchored, far *prometheus.Desc
	held, released, heldNow, heldBytes *prometheus.Desc
	jumps, restarts, refused           *prometheus.Desc
}

func newDecoderMetrics(c *collector) *decoderMetrics {
	exp := []string{"exporter"}
	d := func(name, help string, labels []string) *prometheus.Desc {
		return prometheus.NewDesc("gflowcap_"+name, help, labels, nil)
	}
	return &decoderMetrics{
		c:          c,
		events:     d("events_total", "Data records that carry no traffic (NAT and firewall events, NSEL create/update/denied): counted, not stored.", exp),
		noAddress:  d("records_without_addresses_total", "Data records that count traffic but name no source and destination (Cisco WLC per-client records): counted, not stored.", exp),
		unanchored: d("time_unanchored_total", "IPFIX flows with uptime times and no system init time: their end was put at the export time.", exp),
		far:        d("far_from_export_time_total", "Flows ending more than a day from their packet's export time.", exp),
		held:       d("held_data_sets_total", "Data sets that arrived before their template and were held for it.", exp),
		released:   d("released_data_sets_total", "Held data sets decoded once their template came.", exp),
		heldNow:    d("held_data_sets", "Data sets held now, waiting for their template.", exp),
		heldBytes:  d("held_data_bytes", "Bytes of the data sets held now, all exporters.", nil),
		jumps:      d("sequence_jumps_total", "Sequence numbers that moved further than the exporter could have sent: renumbering, not loss.", exp),
		restarts:   d("exporter_restarts_total", "Exporter restarts seen in sequence numbers or uptime.", exp),
		refused:    d("refused_packets_total", "Datagrams refused because the exporter table was full.", nil),
	}
}

func (m *decoderMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.events, m.noAddress, m.unanchored, m.far, m.held, m.released, m.heldNow, m.heldBytes,
		m.jumps, m.restarts, m.refused} {
		ch <- d
	}
}

func (m *decoderMetrics) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	dc := m.c.decoderCounts()
	dc.bound(m.c.preferred)
	for _, e := range dc.exporters {
		a := exporterLabel(e.addr)
		counter(m.events, e.events, a)
		counter(m.noAddress, e.noAddress, a)
		counter(m.unanchored, e.timeUnanchored, a)
		counter(m.far, e.farFromExport, a)
		counter(m.held, e.held, a)
		counter(m.released, e.released, a)
		ch <- prometheus.MustNewConstMetric(m.heldNow, prometheus.GaugeValue, float64(e.heldNow), a)
		counter(m.jumps, e.jumps, a)
		counter(m.restarts, e.restarts, a)
	}
	ch <- prometheus.MustNewConstMetric(m.heldBytes, prometheus.GaugeValue, float64(dc.heldBytes))
	counter(m.refused, dc.refused)
}

// preferred tells the decoder which exporters the site names — in a
// sensor's exporters (of the configuration in use: a reload may change it)
// or in --allow — so that a flood from other addresses never takes their
// place in its exporter table. It is called once per new exporter.
func (c *collector) preferred(a netip.Addr) bool {
	if s := c.site(); s != nil {
		for _, sn := range s.Sensors {
			for _, p := range sn.Exporters {
				if p.Contains(a) {
					return true
				}
			}
		}
	}
	for _, p := range c.cfg.Allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// maxExporterSeries bounds the exporters /metrics names one by one: the
// busiest (by datagrams) and those the site names; the others are summed
// under exporter="other", so that a flood of addresses cannot inflate the
// metrics.
const maxExporterSeries = 256

// otherExporters is the label of the exporters summed together.
const otherExporters = "other"

// exporterLabel is the exporter label of an address; the zero address
// stands for the exporters summed together.
func exporterLabel(a netip.Addr) string {
	if !a.IsValid() {
		return otherExporters
	}
	return a.String()
}

// namedExporters picks the addresses /metrics names one by one among n
// exporters: those preferred, then the busiest, at most maxExporterSeries.
func namedExporters(n int, addr func(i int) netip.Addr, busy func(i int) uint64, preferred func(netip.Addr) bool) map[netip.Addr]bool {
	named := make(map[netip.Addr]bool, min(n, maxExporterSeries))
	if n <= maxExporterSeries {
		for i := range n {
			named[addr(i)] = true
		}
		return named
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	rank := func(i int) (bool, uint64) { return preferred != nil && preferred(addr(i)), busy(i) }
	slices.SortFunc(idx, func(a, b int) int {
		pa, ba := rank(a)
		pb, bb := rank(b)
		switch {
		case pa != pb && pa:
			return -1
		case pa != pb:
			return 1
		case ba > bb:
			return -1
		case ba < bb:
			return 1
		}
		return addr(a).Compare(addr(b))
	})
	for _, i := range idx[:maxExporterSeries] {
		named[addr(i)] = true
	}
	return named
}

// bound sums the exporters /metrics does not name under the zero address.
func (dc *decoderCounts) bound(preferred func(netip.Addr) bool) {
	ex := dc.exporters
	named := namedExporters(len(ex), func(i int) netip.Addr { return ex[i].addr }, func(i int) uint64 { return ex[i].packets }, preferred)
	if len(named) == len(ex) {
		return
	}
	kept := ex[:0]
	var other decoderExporter
	for _, e := range ex {
		if named[e.addr] {
			kept = append(kept, e)
			continue
		}
		other.add(&e)
	}
	dc.exporters = append(kept, other)
}

// add sums another exporter's counts into e.
func (e *decoderExporter) add(o *decoderExporter) {
	for k := range e.errors {
		e.errors[k] += o.errors[k]
	}
	e.packets += o.packets
	e.noTemplate += o.noTemplate
	e.held += o.held
	e.released += o.released
	e.heldNow += o.heldNow
	e.lost += o.lost
	e.nonConformant += o.nonConformant
	e.jumps += o.jumps
	e.restarts += o.restarts
	e.flowPackets += o.flowPackets
	e.flowBytes += o.flowBytes
	e.samplingMissing += o.samplingMissing
	e.events += o.events
	e.noAddress += o.noAddress
	e.timeUnanchored += o.timeUnanchored
	e.farFromExport += o.farFromExport
}

// receiveRow is one exporter's receive-path counters, for /metrics.
type receiveRow struct {
	addr                                            netip.Addr // zero: the others, summed
	packets, bytes, flows, written, unknown, errors uint64
	outOfWindow                                     uint64 // flows outside the time window
}

// receiveRows are the receive-path counters, bounded as the decoder's are.
func (c *collector) receiveRows() []receiveRow {
	exps := c.stats.Exporters()
	rows := make([]receiveRow, len(exps))
	for i, e := range exps {
		rows[i] = receiveRow{e.Addr, e.Packets.Load(), e.Bytes.Load(), e.Flows.Load(), e.Written.Load(), e.Unknown.Load(), e.Errors.Load(), e.OutOfWindow.Load()}
	}
	named := namedExporters(len(rows), func(i int) netip.Addr { return rows[i].addr }, func(i int) uint64 { return rows[i].packets }, c.preferred)
	if len(named) == len(rows) {
		return rows
	}
	kept := rows[:0]
	var other receiveRow
	for _, r := range rows {
		if named[r.addr] {
			kept = append(kept, r)
			continue
		}
		other.packets += r.packets
		other.bytes += r.bytes
		other.flows += r.flows
		other.written += r.written
		other.unknown += r.unknown
		other.errors += r.errors
		other.outOfWindow += r.outOfWindow
	}
	return append(kept, other)
}
