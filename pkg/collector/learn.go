package collector

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gflow/gflow/pkg/site"
	"github.com/gflow/gflow/pkg/site/learn"
)

// learnChunk is how many records the learner sees before they are typed:
// several export packets, and few enough (36 KiB) to stay in the cache.
const learnChunk = 256

// learnSaveEvery bounds how stale the saved last-seen times get; facts
// that change are saved at the next flush.
const learnSaveEvery = time.Minute

// startLearner loads what was learned before (ROOT/.gflowcap/learned.json)
// and starts learning the sensors that learn.
func (c *collector) startLearner(stateDir string) {
	c.learnPath = learn.Path(stateDir)
	prior, err := learn.Load(c.learnPath)
	if err != nil {
		c.logf("%v; learning starts again", err)
		prior = nil
	}
	c.setLearner(learn.New(c.site(), prior, c.learnOptions()))
}

func (c *collector) learnOptions() learn.Options {
	return learn.Options{InsideView: !c.cfg.NATOutside, Logf: c.logf}
}

// setLearner puts l in use: the writer goroutine uses c.learner, the
// metrics read the published one.
func (c *collector) setLearner(l *learn.Learner) {
	c.learner = l
	c.learnerPub.Store(l)
}

// saveLearned writes the learned state when it changed, and at least every
// learnSaveEvery while flows arrive; it runs in the writer goroutine.
func (c *collector) saveLearned() {
	if c.learner == nil || (!c.learner.Dirty() && time.Since(c.learnSaved) < learnSaveEvery) {
		return
	}
	c.learnSaved = time.Now()
	if err := c.learner.State().Save(c.learnPath); err != nil {
		c.logErr("", err) // a read-only state directory fails at every change
	}
}

// PrintLearned writes the site configuration with what gflowcap learned
// (gflowcap --print-learned): the site configuration in effect, and the
// learned state saved in the state directory.
func PrintLearned(cfg Config, w io.Writer) error {
	sc, err := site.Open(cfg.SiteConfig, cfg.DataRoot)
	if err != nil {
		return err
	}
	stateDir := cfg.StateDir
	if stateDir == "" {
		stateDir = filepath.Join(sc.DataRoot, ".gflowcap")
	}
	st, err := learn.Load(learn.Path(stateDir))
	if err != nil {
		return err
	}
	empty := true
	for _, s := range st.Sensors {
		empty = empty && s.Empty()
	}
	if empty {
		fmt.Fprintf(cfg.Stderr, "gflowcap: nothing learned yet (no facts in %s)\n", learn.Path(stateDir))
	}
	return learn.WriteSiteConfig(w, sc, st)
}

// learnedMetrics are the learned facts and the learner's counters.
type learnedMetrics struct {
	outside, prefix, iface, byIf, changes, rewritten *prometheus.Desc
}

func newLearnedMetrics() learnedMetrics {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("gflowcap_"+name, help, labels, nil)
	}
	return learnedMetrics{
		outside:   d("learned_outside_address", "Current outside addresses learned per sensor (1 each).", "sensor", "address"),
		prefix:    d("learned_internal_prefix", "Internal IPv6 prefixes learned per sensor (1 each).", "sensor", "prefix"),
		iface:     d("learned_interface", "Interface roles learned per sensor (1 each).", "sensor", "ifindex", "role"),
		byIf:      d("learned_by_interface", "1 when the sensor types flows by learned interfaces.", "sensor"),
		changes:   d("learned_changes_total", "Facts learned or changed (one log line each).", nil...),
		rewritten: d("nat_replies_rewritten_total", "Replies to NATed connections recorded for their inside host.", nil...),
	}
}

func (m *learnedMetrics) describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.outside, m.prefix, m.iface, m.byIf, m.changes, m.rewritten} {
		ch <- d
	}
}

func (m *learnedMetrics) collect(l *learn.Learner, ch chan<- prometheus.Metric) {
	if l == nil {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, s := range l.Snapshot().Sensors {
		for _, a := range s.CurrentOutside() {
			gauge(m.outside, 1, s.Name, a.String())
		}
		for _, p := range s.PrefixList() {
			gauge(m.prefix, 1, s.Name, p.String())
		}
		for _, i := range s.Interfaces {
			gauge(m.iface, 1, s.Name, strconv.FormatUint(uint64(i.Index), 10), string(i.Role))
		}
		v := 0.0
		if !s.ByInterface.IsZero() {
			v = 1
		}
		gauge(m.byIf, v, s.Name)
	}
	ch <- prometheus.MustNewConstMetric(m.changes, prometheus.CounterValue, float64(l.Changes.Load()))
	ch <- prometheus.MustNewConstMetric(m.rewritten, prometheus.CounterValue, float64(l.Rewritten.Load()))
}
