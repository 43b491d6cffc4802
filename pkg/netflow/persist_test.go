package netflow

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSaveLoadTemplates(t *testing.T) {
	for _, c := range captures[1:] { // v9 and IPFIX
		t.Run(c.file, func(t *testing.T) {
			pkts := capturePackets(t, c.file)
			d := newTestDecoder(nil)
			first, err := d.Decode(nil, pkts[0], exporterAddr)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := d.SaveTemplates(&buf); err != nil {
				t.Fatal(err)
			}
			// A restarted collector: templates from the file, then the rest
			// of the stream decodes at once.
			d2 := newTestDecoder(nil)
			if err := d2.LoadTemplates(bytes.NewReader(buf.Bytes())); err != nil {
				t.Fatal(err)
			}
			n := len(first)
			for _, p := range pkts[1:] {
				recs, err := d2.Decode(nil, p, exporterAddr)
				if err != nil {
					t.Fatal(err)
				}
				n += len(recs)
			}
			e := exporterStats(t, d2)
			if n != c.flows || e.DataWithoutTemplate != 0 {
				t.Errorf("%d flows (%d sets without template), want %d", n, e.DataWithoutTemplate, c.flows)
			}
			// Saving again gives the same state.
			var buf2 bytes.Buffer
			if err := d2.SaveTemplates(&buf2); err != nil {
				t.Fatal(err)
			}
			if strip(buf.String()) != strip(buf2.String()) {
				t.Errorf("state changed across save/load:\n%s\n%s", buf.String(), buf2.String())
			}
		})
	}
}

// strip drops the "saved" time line.
func strip(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, `"saved"`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestSaveLoadSamplingAndInitTime(t *testing.T) {
	d := newTestDecoder(nil)
	boot := t0.Add(-3 * time.Hour)
	opts := cat(set(3, optTmplIPFIX(400, 1, fs{302, 4, 0}, fs{160, 8, 0}, fs{305, 4, 0}, fs{306, 4, 0})),
		set(400, u32(9), u64(uint64(ms(boot))), u32(1), u32(63)))
	fields := append(v4Fields[:len(v4Fields):len(v4Fields)], fs{302, 4, 0}, fs{22, 4, 0}, fs{21, 4, 0})
	// the exporter's state is saved once it has sent flows
	decodeOne(t, d, ipfixMsg(t0s, 0, 0, opts, set(2, tmpl(300, fields...)),
		set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40), u32(9), u32(1000), u32(2000))))
	var buf bytes.Buffer
	if err := d.SaveTemplates(&buf); err != nil {
		t.Fatal(err)
	}
	d2 := newTestDecoder(nil)
	if err := d2.LoadTemplates(&buf); err != nil {
		t.Fatal(err)
	}
	recs := decodeOne(t, d2, ipfixMsg(t0s, 1, 0, set(300, v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40), u32(9), u32(1000), u32(2000))))
	if len(recs) != 1 || recs[0].SamplingRate != 64 || recs[0].Bytes != 40*64 || recs[0].STime != ms(boot)+1000 {
		t.Errorf("after reload: %+v", recs)
	}
}

func TestLoadTemplatesRefusesBadFiles(t *testing.T) {
	for name, s := range map[string]string{
		"not json":        "hello",
		"other format":    `{"format":"x","version":1}`,
		"future version":  `{"format":"gflow-netflow-templates","version":99}`,
		"bad template id": `{"format":"gflow-netflow-templates","version":1,"domains":[{"exporter":"192.0.2.1","version":9,"domain":0,"templates":[{"id":5,"fields":[{"id":8,"len":4}]}]}]}`,
		"zero length":     `{"format":"gflow-netflow-templates","version":1,"domains":[{"exporter":"192.0.2.1","version":10,"domain":0,"templates":[{"id":300,"fields":[{"id":8,"len":0}]}]}]}`,
		"bad version":     `{"format":"gflow-netflow-templates","version":1,"domains":[{"exporter":"192.0.2.1","version":5,"domain":0,"templates":[]}]}`,
	} {
		d := newTestDecoder(nil)
		if err := d.LoadTemplates(strings.NewReader(s)); err == nil {
			t.Errorf("%s: loaded", name)
		}
		if len(d.Stats().Exporters) != 0 {
			t.Errorf("%s: a refused file changed the state", name)
		}
	}
}

// FuzzLoadTemplates: a damaged template file is refused or loaded, and what
// is loaded then decodes the capture without trouble.
func FuzzLoadTemplates(f *testing.F) {
	for _, c := range captures[1:] {
		pkts := capturePackets(f, c.file)
		d := newTestDecoder(nil)
		d.Decode(nil, pkts[0], exporterAddr) //nolint:errcheck // seeds only
		var buf bytes.Buffer
		if err := d.SaveTemplates(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	pkts := capturePackets(f, "softflowd-ipfix-a-Amilli.pcap")[:4]
	f.Fuzz(func(t *testing.T, data []byte) {
		d := newTestDecoder(func(o *Options) { o.MaxTemplatesPerExporter = 64 })
		if err := d.LoadTemplates(bytes.NewReader(data)); err != nil {
			return
		}
		for _, p := range pkts {
			d.Decode(nil, p, exporterAddr) //nolint:errcheck // must only not panic
		}
		var buf bytes.Buffer
		if err := d.SaveTemplates(&buf); err != nil {
			t.Fatal(err)
		}
	})
}
