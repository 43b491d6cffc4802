package collector

import (
	"fmt"
	"path/filepath"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/clickhouse"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func addClickHouseFlags(f *pflag.FlagSet, cfg *Config) {
	f.StringVar(&cfg.ClickHouse, "clickhouse", "", "also insert every flow into ClickHouse at this HTTP `URL` (http://HOST:8123/, with ?database=… and settings)")
	f.StringVar(&cfg.ClickHouseTable, "clickhouse-table", "flows", "ClickHouse `TABLE` or DATABASE.TABLE; created with the layout of docs/clickhouse.sql when missing")
	f.BoolVar(&cfg.ClickHouseOnly, "clickhouse-only", false, "keep no hourly files: flows go to ClickHouse only (batches it cannot take wait in STATE/clickhouse-spool)")
	f.IntVar(&cfg.ClickHouseBatch, "clickhouse-batch", 50000, "at most `N` flows per insert; a batch also leaves every --flush-interval")
}

func checkClickHouseFlags(cmd *cobra.Command, cfg *Config) error {
	f := cmd.Flags()
	if cfg.ClickHouse == "" {
		for _, name := range []string{"clickhouse-only", "clickhouse-table", "clickhouse-batch"} {
			if f.Changed(name) {
				return cli.Usagef("--%s needs --clickhouse=URL", name)
			}
		}
		return nil
	}
	if _, err := clickhouse.NewClient(cfg.ClickHouse); err != nil {
		return cli.Usagef("--clickhouse: %v", err)
	}
	if err := clickhouse.CheckTableName(cfg.ClickHouseTable); err != nil {
		return cli.Usagef("--clickhouse-table: %v", err)
	}
	if cfg.ClickHouseBatch < 1 || cfg.ClickHouseBatch > 1_000_000 {
		return cli.Usagef("--clickhouse-batch must be between 1 and 1000000")
	}
	return nil
}

// openClickHouse starts the ClickHouse sink of --clickhouse. Batches the
// server cannot take wait as flow files in STATE/clickhouse-spool.
func (c *collector) openClickHouse(stateDir string) (*clickhouse.Sink, error) {
	if c.cfg.ClickHouse == "" {
		return nil, nil
	}
	s, err := clickhouse.Open(clickhouse.Config{
		URL:        c.cfg.ClickHouse,
		Table:      c.cfg.ClickHouseTable,
		SpoolDir:   filepath.Join(stateDir, "clickhouse-spool"),
		SensorName: func(id uint16) string { return c.site().SensorName(id) },
		BatchRows:  c.cfg.ClickHouseBatch,
		Logf:       c.logf,
	})
	if err != nil {
		return nil, fmt.Errorf("--clickhouse: %w", err)
	}
	return s, nil
}

// clickhouseSummary is the ClickHouse part of the summary line.
func (c *collector) clickhouseSummary() string {
	if c.clickhouse == nil {
		return ""
	}
	n := c.clickhouse.Counters()
	s := fmt.Sprintf(", %d flows into ClickHouse", n.Rows)
	if n.SpoolFiles > 0 {
		s += fmt.Sprintf(", %d batches waiting in the spool", n.SpoolFiles)
	}
	if n.Lost > 0 {
		s += fmt.Sprintf(", %d flows lost for ClickHouse", n.Lost)
	}
	return s
}

// clickhouseMetrics exposes the sink's counters at scrape time.
type clickhouseMetrics struct {
	s                                                   *clickhouse.Sink
	rows, inserts, failures, spooled, replayed, present *prometheus.Desc
	lost, spoolFiles, spoolBytes, up                    *prometheus.Desc
}

func newClickHouseMetrics(s *clickhouse.Sink) *clickhouseMetrics {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("gflowcap_clickhouse_"+name, help, nil, nil)
	}
	return &clickhouseMetrics{s: s,
		rows:       d("rows_total", "Flows ClickHouse took, live and from the spool."),
		inserts:    d("inserts_total", "Successful insert requests."),
		failures:   d("failed_attempts_total", "Insert attempts that failed (each retry counts)."),
		spooled:    d("spooled_rows_total", "Flows written to the spool while ClickHouse could not take them."),
		replayed:   d("replayed_rows_total", "Flows sent from the spool once ClickHouse answered again."),
		present:    d("present_rows_total", "Flows of a batch sent again that ClickHouse had already (not sent twice)."),
		lost:       d("lost_rows_total", "Flows neither sent nor spooled (the spool could not be written)."),
		spoolFiles: d("spool_files", "Batches waiting in the spool."),
		spoolBytes: d("spool_bytes", "Bytes waiting in the spool."),
		up:         d("up", "1 when the last attempt reached ClickHouse."),
	}
}

func (m *clickhouseMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.rows, m.inserts, m.failures, m.spooled, m.replayed, m.present,
		m.lost, m.spoolFiles, m.spoolBytes, m.up} {
		ch <- d
	}
}

func (m *clickhouseMetrics) Collect(ch chan<- prometheus.Metric) {
	n := m.s.Counters()
	counter := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	counter(m.rows, n.Rows)
	counter(m.inserts, n.Inserts)
	counter(m.failures, n.Failures)
	counter(m.spooled, n.Spooled)
	counter(m.replayed, n.Replayed)
	counter(m.present, n.Present)
	counter(m.lost, n.Lost)
	gauge(m.spoolFiles, float64(n.SpoolFiles))
	gauge(m.spoolBytes, float64(n.SpoolBytes))
	up := 0.0
	if n.Up {
		up = 1
	}
	gauge(m.up, up)
}
