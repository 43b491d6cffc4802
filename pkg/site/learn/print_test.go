package learn

import (
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/site"
)

// What --print-learned writes must load back, and the loaded file must
// type every flow and decide every "--" exactly as the learner does.
func TestPrintedConfigurationRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name  string
		noIfs bool
		file  string
	}{
		{"by interface", false, ""},
		{"by address", true, ""},
		{"double NAT by address", true, "double"},
		{"existing file", true, "[countries]\n\"198.51.100.0/24\" = \"CH\"\n[[sensors]]\nname = \"home\"\nid = 3\ndescription = \"the router\"\nnull-interfaces = [0]\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := site.Default()
			if c.file != "" && c.file != "double" {
				var err error
				if cfg, err = site.Parse("gflow.toml", []byte(c.file)); err != nil {
					t.Fatal(err)
				}
			}
			l, _ := newLearner(t, cfg, nil)
			h := newHome(11)
			h.noIfs = c.noIfs
			if c.file == "double" {
				h.outside = netip.MustParseAddr("192.168.1.50")
				h.v6Share = 0.2
			}
			feed(l, cfg, h.flows(3000))
			st := l.State()
			if st.Sensor(cfg.Sensors[0].ID).Empty() {
				t.Fatal("nothing learned")
			}
			var b strings.Builder
			if err := WriteSiteConfig(&b, cfg, st); err != nil {
				t.Fatal(err)
			}
			printed, err := site.Parse("learned.toml", []byte(b.String()))
			if err != nil {
				t.Fatalf("the printed configuration does not load: %v\n%s", err, b.String())
			}
			if printed.Sensors[0].Name != cfg.Sensors[0].Name || printed.Sensors[0].Description != cfg.Sensors[0].Description {
				t.Errorf("sensor %+v lost its name or description", printed.Sensors[0])
			}
			learned := l.For(cfg.Sensors[0]).Effective()
			recs := h.flows(2000)
			// Traffic the router keeps (output interface 0), and a new VLAN.
			recs = append(recs,
				flowfile.Record{SIP: h.inside4(), DIP: netip.MustParseAddr("192.168.88.1"), SPort: 5353, DPort: 53, Proto: 17, In: 2},
				flowfile.Record{SIP: h.remote4(), DIP: h.outside, SPort: 40000, DPort: 22, Proto: 6, In: 1},
				flowfile.Record{SIP: netip.MustParseAddr("192.168.89.7"), DIP: h.remote4(), SPort: 40000, DPort: 443, Proto: 6, In: 7, Out: 1})
			l.For(cfg.Sensors[0]).Observe(slices.Clone(recs)) // keep learning, as the collector does
			for i := range recs {
				r := &recs[i]
				if lt, pt := learned.FlowType(r), printed.Sensors[0].FlowType(r); lt != pt {
					t.Fatalf("flow %v → %v in=%d out=%d: learned %v, printed file %v\n%s", r.SIP, r.DIP, r.In, r.Out, lt, pt, b.String())
				}
				for _, a := range []netip.Addr{r.SIP, r.DIP} {
					if want, got := l.NoCountry(a) || cfg.IsInternal(a), noCountry(printed, a); want != got {
						t.Fatalf("%v: learner says no country %v, printed file %v\n%s", a, want, got, b.String())
					}
				}
			}
		})
	}
}

// noCountry is whether the file makes a "--": internal, or "--" override.
func noCountry(cfg *site.Config, a netip.Addr) bool {
	if cfg.IsInternal(a) {
		return true
	}
	c, ok := cfg.CountryOverride(a)
	return ok && c == flowfile.NoCountry
}

// The state survives a restart: saved, loaded and given to a new learner,
// it types flows as before without any new evidence.
func TestStateSurvivesRestart(t *testing.T) {
	cfg := site.Default()
	l, _ := newLearner(t, cfg, nil)
	h := newHome(12)
	feed(l, cfg, h.flows(400))
	path := filepath.Join(t.TempDir(), FileName)
	if err := l.State().Save(path); err != nil {
		t.Fatal(err)
	}
	prior, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	l2, lg := newLearner(t, cfg, prior)
	if len(lg.lines) != 0 {
		t.Errorf("loading logged %q", lg.lines)
	}
	recs := h.flows(300)
	a := feed(l, cfg, slices.Clone(recs))
	b := feed(l2, cfg, slices.Clone(recs))
	if !slices.Equal(a, b) {
		t.Errorf("the restarted learner types flows differently: %v vs %v", countTypes(a), countTypes(b))
	}
	if !l2.NoCountry(h.outside) {
		t.Errorf("the outside address was forgotten across the restart")
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.json")); err != nil {
		t.Errorf("a missing file: %v, want an empty state", err)
	}
	for _, bad := range []string{`{"version": 9}`, `{"version": 1, "sensors": [{"id": 0, "interfaces": [{"index": 1, "role": "sideways"}]}]}`,
		`{"version": 1, "sensors": [{"id": 0, "prefixes": [{"prefix": "2001::/16"}]}]}`, `not json`} {
		if _, err := Parse("learned.json", []byte(bad)); err == nil {
			t.Errorf("Parse(%s) accepted it", bad)
		}
	}
}
