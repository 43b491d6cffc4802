package learn

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/gflow/gflow/pkg/site"
)

// WriteSiteConfig writes cfg with what st learned as a site configuration
// file (gflow.toml) that types flows and gives countries exactly as the
// collector does with the learned state: learned interfaces become
// external-interfaces and null-interfaces, outside addresses and learned
// prefixes join the sensor's internal networks (or, for sensors typed by
// interface, get "--" under [countries]). Comments give each fact's time
// line. site.Parse reads it back.
func WriteSiteConfig(w io.Writer, cfg *site.Config, st *State) error {
	var b strings.Builder
	b.WriteString("# Site configuration with what gflowcap learned from the traffic. Save it as\n" +
		"# ROOT/gflow.toml, or copy the parts you want into yours: what the file says\n" +
		"# wins over learning, sensor by sensor and item by item, and \"learn = false\"\n" +
		"# (site-wide or in a sensor) turns learning off.\n\n")
	if cfg.DataRoot != "" {
		fmt.Fprintf(&b, "# data-rootdir = %s\n\n", strconv.Quote(cfg.DataRoot))
	}
	if cfg.GeoIPDB != "" {
		fmt.Fprintf(&b, "geoip-db = %s\n", strconv.Quote(cfg.GeoIPDB))
	}
	if cfg.ICMPSplit {
		b.WriteString("icmp-split = true\n")
	}
	if cfg.NoLearn {
		b.WriteString("learn = false\n")
	}
	if cfg.InternalConfigured {
		writeList(&b, "internal", prefixStrings(cfg.Internal))
	}

	// Countries: the file's, then "--" for what sensors typed by interface
	// learned (sensors typed by address list it as internal instead).
	countries := map[netip.Prefix]string{}
	var order []netip.Prefix
	for _, o := range cfg.Countries {
		countries[o.Prefix] = o.Country.Upper()
		order = append(order, o.Prefix)
	}
	var learnedCountries []string
	for _, s := range cfg.Sensors {
		ss := st.Sensor(s.ID)
		if s.NoLearn || ss == nil || ss.Name != s.Name || !byInterface(s, ss) {
			continue
		}
		for _, p := range learnedNets(s, ss) {
			if slices.ContainsFunc(order, func(o netip.Prefix) bool { return o.Overlaps(p) }) {
				continue
			}
			countries[p] = "--"
			order = append(order, p)
			learnedCountries = append(learnedCountries, prefixStrings([]netip.Prefix{p})[0])
		}
	}

	for _, s := range cfg.Sensors {
		b.WriteString("\n[[sensors]]\n")
		fmt.Fprintf(&b, "name = %s\nid = %d\n", strconv.Quote(s.Name), s.ID)
		if s.Description != "" {
			fmt.Fprintf(&b, "description = %s\n", strconv.Quote(s.Description))
		}
		if len(s.Exporters) > 0 {
			writeList(&b, "exporters", prefixStrings(s.Exporters))
		}
		ss := st.Sensor(s.ID)
		if ss != nil && ss.Name != s.Name {
			ss = nil
		}
		learning := !s.NoLearn && ss != nil
		if learning {
			writeTimeline(&b, ss)
		}
		switch {
		case learning && byInterface(s, ss):
			writeUints(&b, "external-interfaces", externalIfs(s, ss))
			null := s.NullInterfaces
			if len(null) == 0 {
				null = []uint32{0}
			}
			writeUints(&b, "null-interfaces", null)
		case s.ByInterface():
			if len(s.InternalInterfaces) > 0 {
				writeUints(&b, "internal-interfaces", s.InternalInterfaces)
			}
			if len(s.ExternalInterfaces) > 0 {
				writeUints(&b, "external-interfaces", s.ExternalInterfaces)
			}
			if len(s.NullInterfaces) > 0 {
				writeUints(&b, "null-interfaces", s.NullInterfaces)
			}
		default:
			internal := s.Internal
			var extra []netip.Prefix
			if learning {
				extra = learnedNets(s, ss)
			}
			own := s.InternalConfigured && !(cfg.InternalConfigured && slices.Equal(s.Internal, cfg.Internal))
			if own || len(extra) > 0 {
				writeList(&b, "internal", prefixStrings(merge(internal, extra)))
			}
			if len(s.External) > 0 {
				writeList(&b, "external", prefixStrings(s.External))
			}
			if len(s.Null) > 0 {
				writeList(&b, "null", prefixStrings(s.Null))
			}
			if len(s.NullInterfaces) > 0 {
				writeUints(&b, "null-interfaces", s.NullInterfaces)
			}
		}
		if s.SamplingRate != 0 {
			fmt.Fprintf(&b, "sampling-rate = %d\n", s.SamplingRate)
		}
		if s.NoLearn != cfg.NoLearn {
			fmt.Fprintf(&b, "learn = %t\n", !s.NoLearn)
		}
	}

	if len(order) > 0 {
		b.WriteString("\n")
		if len(learnedCountries) > 0 {
			fmt.Fprintf(&b, "# Learned addresses of the site get no country: %s\n"+
				"# (an outside address changes with the ISP; learning follows it).\n", strings.Join(learnedCountries, ", "))
		}
		b.WriteString("[countries]\n")
		for _, p := range order {
			fmt.Fprintf(&b, "%s = %s\n", strconv.Quote(prefixStrings([]netip.Prefix{p})[0]), strconv.Quote(countries[p]))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// byInterface reports whether the learned state types s by interface.
func byInterface(s *site.Sensor, ss *SensorState) bool {
	return s.AppliesInterfaces() && !ss.ByInterface.IsZero() && len(externalIfs(s, ss)) > 0
}

// externalIfs are the learned external interfaces that the sensor's
// null-interfaces do not claim.
func externalIfs(s *site.Sensor, ss *SensorState) []uint32 {
	return slices.DeleteFunc(ss.InterfacesWith(External), func(x uint32) bool {
		return x == 0 || slices.Contains(s.NullInterfaces, x)
	})
}

// learnedNets are the networks the learner adds for s: its current
// outside addresses and, unless its internal networks are configured, its
// learned prefixes.
func learnedNets(s *site.Sensor, ss *SensorState) []netip.Prefix {
	var out []netip.Prefix
	for _, a := range ss.CurrentOutside() {
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	if !s.InternalConfigured {
		out = append(out, ss.PrefixList()...)
	}
	return out
}

// merge adds extra to base, leaving out what another entry already covers
// (the file refuses overlapping prefixes).
func merge(base, extra []netip.Prefix) []netip.Prefix {
	out := slices.Clone(base)
	for _, p := range extra {
		if slices.ContainsFunc(out, func(o netip.Prefix) bool { return o.Bits() <= p.Bits() && o.Contains(p.Addr()) }) {
			continue
		}
		out = slices.DeleteFunc(out, func(o netip.Prefix) bool { return p.Bits() < o.Bits() && p.Contains(o.Addr()) })
		out = append(out, p)
	}
	return out
}

func writeTimeline(b *strings.Builder, ss *SensorState) {
	if !ss.ByInterface.IsZero() {
		fmt.Fprintf(b, "# learned: typed by interface since %s (internal %s, external %s)\n", day(ss.ByInterface.UnixMilli()),
			joinUints(ss.InterfacesWith(Internal)), joinUints(ss.InterfacesWith(External)))
	}
	for _, o := range ss.Outside {
		if o.Current() {
			fmt.Fprintf(b, "# learned: outside address %s since %s (last seen %s)\n", o.Addr, day(o.From.UnixMilli()), day(o.LastSeen.UnixMilli()))
		} else {
			fmt.Fprintf(b, "# learned: outside address %s from %s until %s\n", o.Addr, day(o.From.UnixMilli()), day(o.Until.UnixMilli()))
		}
	}
	for _, p := range ss.Prefixes {
		fmt.Fprintf(b, "# learned: internal prefix %s since %s\n", p.Prefix, day(p.Since.UnixMilli()))
	}
}

func day(ms int64) string { return stamp(ms) }

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		if p.IsSingleIP() {
			out[i] = p.Addr().String()
		} else {
			out[i] = p.String()
		}
	}
	return out
}

func writeList(b *strings.Builder, key string, vals []string) {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = strconv.Quote(v)
	}
	fmt.Fprintf(b, "%s = [%s]\n", key, strings.Join(q, ", "))
}

func writeUints(b *strings.Builder, key string, vals []uint32) {
	fmt.Fprintf(b, "%s = [%s]\n", key, joinUints(vals))
}
