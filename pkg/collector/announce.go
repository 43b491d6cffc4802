package collector

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/netflow"
)

// What gflowcap says it is doing: one line at start, one for the first
// packet of each exporter (and observation domain), one when a template
// first arrives, and the exporters it refuses, by address; each kind of
// line rate-limited (noteBurst), so that a flood of spoofed exporters or
// templates does not flood the log. Nothing per packet: a steady state is
// quiet.

// startLine is the line that says what this run does.
func (c *collector) startLine(metrics string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "gflowcap %s started: ", cli.Version())
	if len(c.cfg.Pcaps) > 0 {
		fmt.Fprintf(&b, "reading %s", strings.Join(c.cfg.Pcaps, ", "))
	} else {
		var addrs []string
		seen := map[netip.AddrPort]bool{}
		for _, s := range c.sockets {
			if a := s.LocalAddr(); !seen[a] {
				seen[a] = true
				addrs = append(addrs, a.String())
			}
		}
		fmt.Fprintf(&b, "listening on UDP %s", strings.Join(addrs, ", "))
		if n := max(c.cfg.Sockets, 1); n > 1 {
			fmt.Fprintf(&b, " (%d sockets each)", n)
		}
	}
	fmt.Fprintf(&b, "; writing to %s; site configuration %s", c.root, describeSite(c.site()))
	if len(c.cfg.Allow) > 0 {
		allow := make([]string, len(c.cfg.Allow))
		for i, p := range c.cfg.Allow {
			allow[i] = p.String()
		}
		fmt.Fprintf(&b, "; accepting exports from %s only", strings.Join(allow, ", "))
	}
	if metrics != "" {
		fmt.Fprintf(&b, "; metrics on http://%s/metrics", metrics)
	}
	return b.String()
}

// decoderEvent logs what the decoder reports once (netflow.Options.Events).
// It runs under the decoder's lock: it only formats and writes a line.
func (c *collector) decoderEvent(e netflow.Event) {
	switch e.Kind {
	case netflow.EventFirstPacket:
		c.note("an exporter's first packet", "exporter %s: first packet, %s", e.Exporter, domainName(e.Version, e.Domain))
	case netflow.EventNewTemplate:
		kind := "template"
		if e.Options {
			kind = "options template"
		}
		c.note("a new template", "exporter %s: %s: %s %d arrived (%d fields)", e.Exporter, domainName(e.Version, e.Domain), kind, e.Template, e.Fields)
	}
}

// domainName names a protocol version and its domain as the exporter's
// documentation does.
func domainName(version uint16, domain uint32) string {
	switch version {
	case 5:
		return fmt.Sprintf("NetFlow v5, engine type %d, engine id %d", domain>>8, domain&0xff)
	case 9:
		return fmt.Sprintf("NetFlow v9, source ID %d", domain)
	case 10:
		return fmt.Sprintf("IPFIX, observation domain %d", domain)
	}
	return fmt.Sprintf("version %d, domain %d", version, domain)
}

// refusalLogs wires the refused-exporter counters to the log: exporters
// --allow does not list, and exporters of no sensor.
func (c *collector) refusalLogs() {
	allow := make([]string, len(c.cfg.Allow))
	for i, p := range c.cfg.Allow {
		allow[i] = p.String()
	}
	d := c.denied
	d.first = func(a netip.Addr) {
		c.logf("refused export packets from %s: --allow=%s does not list it", a, strings.Join(allow, ","))
		c.logf("hint: if %s is your router, add it: --allow=%s,%s", a, strings.Join(allow, ","), a)
	}
	d.again = func(a netip.Addr, n uint64, since time.Duration) {
		c.logf("refused %d more export packets from %s in the last %s", n, a, since.Round(time.Second))
	}
	d.full = func() {
		c.logf("refused exports from more than %d addresses; the others are counted together (exporter=%q)", maxRefusedExporters, RefusedOther)
	}
	u := c.unknown
	u.first = func(a netip.Addr) {
		cfg := c.site()
		c.logf("dropped export packets from %s: no sensor of %s lists it as an exporter", a, cfg.Path)
		c.logf("hint: add %q to the exporters of its sensor in %s, then reload: systemctl reload gflowcap (or kill -HUP the gflowcap process)", a.String(), cfg.Path)
	}
	u.again = func(a netip.Addr, n uint64, since time.Duration) {
		c.logf("dropped %d more export packets from %s (no sensor) in the last %s", n, a, since.Round(time.Second))
	}
	u.full = func() {
		c.logf("dropped exports from more than %d addresses of no sensor; not naming the others", maxRefusedExporters)
	}
}
