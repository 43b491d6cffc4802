package learn

import (
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/site"
)

// FuzzParse: a learned state file, however damaged, gives an error or a
// state that a learner takes and that prints as a configuration site.Parse
// loads.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version": 1, "sensors": [{"id": 0, "name": "S0", "interfaces": [{"index": 1, "role": "external", "since": "2026-12-01T13:00:00Z"}, {"index": 2, "role": "internal", "since": "2026-12-01T13:00:00Z"}], "by_interface": "2026-12-01T13:00:00Z", "outside": [{"address": "203.0.113.5", "from": "2026-12-01T13:00:00Z", "last_seen": "2026-12-01T14:00:00Z"}], "subnets": [{"prefix": "2001:470:7a5e:1::/64", "since": "2026-12-01T13:00:00Z", "last_seen": "2026-12-01T13:00:00Z"}], "prefixes": [{"prefix": "2001:470:7a5e:1::/64", "since": "2026-12-01T13:00:00Z", "last_seen": "2026-12-01T13:00:00Z"}]}]}`))
	f.Add([]byte(`{"version": 1, "sensors": [{"id": 0, "name": "S0", "outside": [{"address": "192.168.0.50", "from": "2026-12-01T13:00:00Z", "last_seen": "2026-12-01T14:00:00Z"}]}]}`))
	f.Add([]byte(`{"version": 1, "sensors": [null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := Parse("learned.json", data)
		if err != nil {
			return
		}
		cfg := site.Default()
		l := New(cfg, st, Options{})
		var b strings.Builder
		if err := WriteSiteConfig(&b, cfg, l.State()); err != nil {
			t.Fatal(err)
		}
		if _, err := site.Parse("learned.toml", []byte(b.String())); err != nil {
			t.Fatalf("printed configuration does not load: %v\n%s", err, b.String())
		}
	})
}
