package collector

import (
	"net/http"

	"github.com/gflow/gflow/pkg/netflow"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsCollector exposes the counters at scrape time, reading the atomics
// the receive path updates, so counting costs nothing extra per packet.
type metricsCollector struct {
	c *collector

	packets, bytes, flows, written, unknown *prometheus.Desc
	outOfWindow                             *prometheus.Desc
	decodeErrors, noTemplate, lost          *prometheus.Desc
	nonConformant, sampMissing              *prometheus.Desc
	flowPackets, flowBytes                  *prometheus.Desc
	kernelDrops, rcvbuf                     *prometheus.Desc
	denied, openFiles, dropped, writeErrors *prometheus.Desc
	flushes, movedAside                     *prometheus.Desc
	learned                                 learnedMetrics
}

func newMetricsCollector(c *collector) *metricsCollector {
	exp := []string{"exporter"}
	d := func(name, help string, labels []string) *prometheus.Desc {
		return prometheus.NewDesc("gflowcap_"+name, help, labels, nil)
	}
	return &metricsCollector{
		c:             c,
		packets:       d("packets_total", "Export datagrams received.", exp),
		bytes:         d("received_bytes_total", "Export datagram payload bytes received.", exp),
		flows:         d("flows_total", "Flow records decoded and accepted.", exp),
		written:       d("records_written_total", "Flow records written to hourly files (counted when flushed).", exp),
		unknown:       d("unknown_exporter_packets_total", "Datagrams dropped because the exporter belongs to no sensor.", exp),
		decodeErrors:  d("decode_errors_total", "Malformed export packets and parts, by exporter and kind (the first of each is logged).", []string{"exporter", "kind"}),
		noTemplate:    d("data_without_template_total", "Data sets never decoded for want of their template: the hold was full, or the template did not come in time.", exp),
		outOfWindow:   d("flows_outside_window_total", "Flows dropped because they start outside the window around their export time (--reject-hours-past, --reject-hours-future).", exp),
		lost:          d("lost_exports_total", "Exports lost by sequence number (v5 flows, v9 packets, IPFIX records).", exp),
		nonConformant: d("nonconformant_sequence_total", "Messages numbered otherwise (IPFIX off by one as softflowd, v9 by records); not losses.", exp),
		sampMissing:   d("sampling_rate_missing_total", "Flows left unscaled although their exporter said it samples.", exp),
		flowPackets:   d("flow_packets_total", "Packets the decoded flows carry (after sampling scaling).", exp),
		flowBytes:     d("flow_bytes_total", "Bytes the decoded flows carry (after sampling scaling).", exp),
		kernelDrops:   d("kernel_drops_total", "Datagrams the kernel dropped on a full socket receive buffer.", []string{"socket"}),
		rcvbuf:        d("socket_receive_buffer_bytes", "Receive buffer granted by the kernel.", []string{"socket"}),
		denied:        d("denied_packets_total", "Datagrams from exporters --allow does not list, by exporter address (\""+RefusedOther+"\" beyond 64 addresses).", exp),
		openFiles:     d("open_files", "Hourly files open for writing.", nil),
		dropped:       d("dropped_records_total", "Records lost because their hourly file could not be opened, written or flushed (a full disk).", nil),
		flushes:       d("flushes_total", "Periodic flushes of the open hourly files.", nil),
		movedAside:    d("files_moved_aside_total", "Files found where an hourly file belongs that were not one (not flows, damaged header), renamed .bad-TIME and kept.", nil),
		writeErrors:   d("write_errors_total", "Errors opening, writing or flushing hourly files.", nil),
		learned:       newLearnedMetrics(),
	}
}

func (m *metricsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.packets, m.bytes, m.flows, m.written, m.unknown, m.decodeErrors,
		m.noTemplate, m.lost, m.nonConformant, m.sampMissing, m.flowPackets, m.flowBytes, m.kernelDrops, m.rcvbuf, m.denied, m.openFiles, m.dropped, m.writeErrors, m.flushes, m.movedAside, m.outOfWindow} {
		ch <- d
	}
	m.learned.describe(ch)
}

func (m *metricsCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	// At most maxExporterSeries exporters by name, the others summed.
	for _, e := range m.c.receiveRows() {
		a := exporterLabel(e.addr)
		counter(m.packets, e.packets, a)
		counter(m.bytes, e.bytes, a)
		counter(m.flows, e.flows, a)
		counter(m.written, e.written, a)
		counter(m.unknown, e.unknown, a)
		counter(m.outOfWindow, e.outOfWindow, a)
	}
	dc := m.c.decoderCounts()
	dc.bound(m.c.preferred)
	for _, e := range dc.exporters {
		a := exporterLabel(e.addr)
		for kind, n := range e.errors {
			if n > 0 { // kinds that never happened are not series
				counter(m.decodeErrors, n, a, netflow.ErrorKind(kind).String())
			}
		}
		counter(m.noTemplate, e.noTemplate, a)
		counter(m.lost, e.lost, a)
		counter(m.nonConformant, e.nonConformant, a)
		counter(m.sampMissing, e.samplingMissing, a)
		counter(m.flowPackets, e.flowPackets, a)
		counter(m.flowBytes, e.flowBytes, a)
	}
	for _, s := range m.c.sockets {
		name := s.LocalAddr().String()
		if d, ok := s.KernelDrops(); ok {
			counter(m.kernelDrops, d, name)
		}
		ch <- prometheus.MustNewConstMetric(m.rcvbuf, prometheus.GaugeValue, float64(s.Granted), name)
	}
	for _, r := range m.c.denied.snapshot() {
		counter(m.denied, r.Packets, r.Label())
	}
	ch <- prometheus.MustNewConstMetric(m.openFiles, prometheus.GaugeValue, float64(m.c.stats.OpenFiles.Load()))
	counter(m.dropped, m.c.stats.Dropped.Load())
	counter(m.writeErrors, m.c.stats.WriteErrors.Load())
	counter(m.flushes, m.c.stats.Flushes.Load())
	counter(m.movedAside, m.c.stats.MovedAside.Load())
	m.learned.collect(m.c.learnerPub.Load(), ch)
}

func (c *collector) metricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newMetricsCollector(c), newDecoderMetrics(c))
	if c.clickhouse != nil {
		reg.MustRegister(newClickHouseMetrics(c.clickhouse))
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}
