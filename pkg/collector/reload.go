package collector

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gflow/gflow/pkg/geo"
	"github.com/gflow/gflow/pkg/site"
	"github.com/gflow/gflow/pkg/site/learn"
)

// errEngineClosed is returned by work asked of an engine whose writer has
// ended.
var errEngineClosed = errors.New("collector engine closed")

// inWriter runs f on the writer goroutine, between two batches, and waits
// for it: what f changes is then seen by every batch written after it.
func (e *Engine) inWriter(f func()) error {
	done := make(chan struct{})
	select {
	case e.ctl <- func() { f(); close(done) }:
	case <-e.done:
		return errEngineClosed
	}
	<-done
	return nil
}

// CurrentSite returns the site configuration in use.
func (e *Engine) CurrentSite() *site.Config { return e.site.Load() }

// Sync flushes every open file: what was received so far is on disk.
func (e *Engine) Sync() error {
	return e.inWriter(e.flush)
}

// Reconfigure flushes every open file, then puts cfg and enr in use:
// datagrams are given sensors by cfg from now on, and records written
// after it are typed and given countries by it. Files of sensors that cfg
// names differently, or not at all, are closed (the next flows open files
// under the new names); the others stay open. Receive goroutines go on
// meanwhile, so nothing sent is lost. also, if not nil, runs on the
// writer goroutine once cfg is in use (the collector rebuilds its learner
// there, keeping what was learned).
func (e *Engine) Reconfigure(cfg *site.Config, enr *geo.Enricher, also func()) error {
	return e.inWriter(func() {
		e.flush()
		old := e.site.Load()
		renamed := func(k FileKey) bool {
			return old == nil || cfg == nil || old.SensorName(k.Sensor) != cfg.SensorName(k.Sensor)
		}
		if e.Sink != nil {
			e.noteErr(e.Sink.closeWhere(renamed))
			e.Stats.OpenFiles.Store(int64(e.Sink.OpenFiles()))
		}
		e.Site, e.Enricher = cfg, enr
		e.countries = nil
		if enr != nil {
			e.countries = newCountryCache(enr, e.ASN)
		}
		e.site.Store(cfg)
		if also != nil {
			also()
		}
	})
}

// closeWhere closes the open files whose key f accepts.
func (s *Sink) closeWhere(f func(FileKey) bool) error {
	var errs []error
	for k := range s.files {
		if f(k) {
			if err := s.closeKey(k); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// reload is what SIGHUP does: flush every file, reopen the log, read the
// site configuration again and put it in use. A configuration with an
// error is reported and the one in use kept.
func (c *collector) reload() {
	c.logf("SIGHUP: flushing, reopening the log and reading the site configuration again")
	if err := c.engine.Sync(); err != nil {
		return // shutting down
	}
	if err := c.log.reopen(); err != nil {
		c.logf("%v; logging on where it was", err)
	}
	// The reload line says which configuration is in use; the start's
	// "no site configuration" notice need not be repeated.
	quiet := func(format string, args ...any) {
		if !strings.HasPrefix(format, "no site configuration") {
			c.logf(format, args...)
		}
	}
	cfg, enr, err := loadSite(c.cfg.SiteConfig, c.cfg.DataRoot, c.cfg.GeoIPDB, quiet)
	if err != nil {
		c.logf("site configuration not reloaded, the one in use is kept: %v", err)
		return
	}
	if cfg.DataRoot != c.root {
		c.logf("warning: the repository root would now be %s; gflowcap keeps writing to %s until it is restarted", cfg.DataRoot, c.root)
		cfg.DataRoot = c.root
	}
	// The learner learns the sensors of the new configuration, starting
	// from everything learned so far.
	relearn := func() {
		if c.learner != nil {
			l := learn.New(cfg, c.learner.State(), c.learnOptions())
			c.setLearner(l)
			c.engine.Learner = l
		}
	}
	if err := c.engine.Reconfigure(cfg, enr, relearn); err != nil {
		return
	}
	c.current.Store(cfg)
	c.logf("site configuration reloaded: %s", describeSite(cfg))
}

// site returns the site configuration in use.
func (c *collector) site() *site.Config { return c.current.Load() }

// describeSite says in a few words which configuration is in use, and
// which sensors learn their site from the traffic, for the start line and
// the reload line.
func describeSite(cfg *site.Config) string {
	var names, learning []string
	for _, s := range cfg.Sensors {
		names = append(names, s.Name)
		if !s.NoLearn {
			learning = append(learning, s.Name)
		}
	}
	var b strings.Builder
	if cfg.Path == "" {
		b.WriteString("none (one sensor S0")
	} else {
		noun := "sensors"
		if len(names) == 1 {
			noun = "sensor"
		}
		fmt.Fprintf(&b, "%s (%s %s", cfg.Path, noun, strings.Join(names, ", "))
	}
	switch {
	case len(learning) == 0:
		b.WriteString(", learning nothing")
	case len(learning) == len(names):
		b.WriteString(", learning from the traffic")
	default:
		fmt.Fprintf(&b, ", learning %s from the traffic", strings.Join(learning, ", "))
	}
	b.WriteString(")")
	return b.String()
}
