package collector

import (
	"context"
	"fmt"
	"time"
)

// summaryState remembers the previous summary's flow count for the rate.
type summaryState struct {
	at    time.Time
	flows uint64
}

// summary is the one-line report printed every --stats-interval (the log
// adds the time): "3 exporters, 1234567 flows (20577/s), 0 decode errors, 0 lost
// exports, 0 kernel drops, 45 files open".
func (c *collector) summary(now time.Time, prev *summaryState) string {
	t := c.stats.Totals()
	dc := c.decoderCounts()
	var drops uint64
	for _, s := range c.sockets {
		if d, ok := s.KernelDrops(); ok {
			drops += d
		}
	}
	since, base := c.start, uint64(0)
	if prev != nil && !prev.at.IsZero() {
		since, base = prev.at, prev.flows
	}
	rate := 0.0
	if dt := now.Sub(since).Seconds(); dt > 0 {
		rate = float64(t.Flows-base) / dt
	}
	if prev != nil {
		prev.at, prev.flows = now, t.Flows
	}
	line := fmt.Sprintf("%d exporters, %d flows (%.0f/s), %d decode errors%s, %d lost exports, %d kernel drops, %d files open",
		t.Exporters, t.Flows, rate, dc.errors, dc.errorsByKind(), dc.lost, drops, c.stats.OpenFiles.Load())
	if n := c.stats.Denied.Load(); n > 0 {
		line += fmt.Sprintf(", %d packets refused by --allow", n)
	}
	if t.Unknown > 0 {
		line += fmt.Sprintf(", %d packets from exporters of no sensor", t.Unknown)
	}
	line += dc.summary()
	if t.OutOfWindow > 0 {
		line += fmt.Sprintf(", %d flows outside the time window", t.OutOfWindow)
	}
	if n := c.stats.Dropped.Load(); n > 0 {
		line += fmt.Sprintf(", %d flows not written", n)
	}
	return line + c.clickhouseSummary()
}

func (c *collector) summaryLoop(ctx context.Context) {
	t := time.NewTicker(c.cfg.StatsInterval)
	defer t.Stop()
	var prev summaryState
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			c.logf("%s", c.summary(now, &prev))
		}
	}
}
