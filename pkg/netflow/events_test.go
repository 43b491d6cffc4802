package netflow

import (
	"bytes"
	"testing"
)

// Events come once: one EventFirstPacket per exporter domain, one
// EventNewTemplate per template ID, however often the exporter sends its
// templates again; templates loaded from a saved file are not new, but
// the first packet of a restarted collector is reported again.
func TestEventsOncePerDomainAndTemplate(t *testing.T) {
	for _, c := range []struct {
		file      string
		version   uint16
		templates int // distinct template IDs the exporter sends
	}{
		{"softflowd-v9-a.pcap", 9, 5}, // IPv4 and IPv6 flow templates, twice, and an options template
		{"pmacct-nfprobe-ipfix.pcap", 10, -1},
		{"softflowd-v5-a.pcap", 5, 0},
	} {
		t.Run(c.file, func(t *testing.T) {
			var events []Event
			opts := DefaultOptions()
			opts.Events = func(e Event) { events = append(events, e) }
			d := NewDecoder(opts)
			decodeCapture(t, d, c.file)
			first, tmpl := count(events)
			if first != 1 {
				t.Errorf("%d first-packet events, want 1 (one exporter, one domain): %+v", first, events)
			}
			if c.templates >= 0 && tmpl != c.templates {
				t.Errorf("%d new-template events, want %d: %+v", tmpl, c.templates, events)
			}
			if c.templates < 0 && tmpl == 0 {
				t.Errorf("no new-template event for an IPFIX export")
			}
			for _, e := range events {
				if e.Version != c.version || !e.Exporter.IsValid() {
					t.Errorf("event %+v: want version %d and the exporter's address", e, c.version)
				}
			}
			seen := map[uint16]bool{}
			for _, e := range events {
				if e.Kind == EventNewTemplate {
					if seen[e.Template] || e.Template < 256 || e.Fields == 0 {
						t.Errorf("template event %+v repeated or malformed", e)
					}
					seen[e.Template] = true
				}
			}

			// A restarted collector: templates loaded, the same export again.
			var saved bytes.Buffer
			if err := d.SaveTemplates(&saved); err != nil {
				t.Fatal(err)
			}
			events = nil
			d2 := NewDecoder(opts)
			if err := d2.LoadTemplates(&saved); err != nil {
				t.Fatal(err)
			}
			if len(events) != 0 {
				t.Errorf("loading templates gave events: %+v", events)
			}
			decodeCapture(t, d2, c.file)
			first, tmpl = count(events)
			if first != 1 || (c.version != 5 && tmpl != 0) {
				t.Errorf("after a restart: %d first-packet and %d new-template events, want 1 and 0: %+v", first, tmpl, events)
			}
		})
	}
}

func count(events []Event) (first, tmpl int) {
	for _, e := range events {
		switch e.Kind {
		case EventFirstPacket:
			first++
		case EventNewTemplate:
			tmpl++
		}
	}
	return first, tmpl
}
