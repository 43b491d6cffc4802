package fields_test

import (
	"testing"

	"github.com/gflow/gflow/pkg/fields"
)

// An unknown field keeps SiLK's message; the hint names the fields a common
// word or a typo meant, among those the tool takes.
func TestUnknownFieldHint(t *testing.T) {
	stats := fields.NewRegistry(fields.StatsKeys)
	tuc := fields.NewRegistry(fields.TucFields)
	cases := []struct {
		reg       *fields.Registry
		spec, msg string
		hint      string
	}{
		{stats, "country", "No match was found for the field 'country'", "did you mean scc or dcc? --help lists the fields"},
		{stats, "sip,spotr", "No match was found for the field 'spotr'", "did you mean sPort? --help lists the fields"},
		{stats, "port", "No match was found for the field 'port'", "did you mean sport or dport? --help lists the fields"},
		{stats, "src,dst", "No match was found for the field 'src'", "did you mean sip? --help lists the fields"},
		{stats, "Country", "No match was found for the field 'Country'", "did you mean scc or dcc? --help lists the fields"},
		// rwtuc has no country columns, and foo is far from every name:
		// SiLK's line alone
		{tuc, "country", "No match was found for the field 'country'", ""},
		{stats, "foo", "No match was found for the field 'foo'", ""},
	}
	for _, c := range cases {
		_, err := c.reg.Parse(c.spec)
		h, ok := err.(interface{ Hint() string })
		if err == nil || err.Error() != c.msg || !ok || h.Hint() != c.hint {
			t.Errorf("%s: %v (hint %v), want %q, hint %q", c.spec, err, h, c.msg, c.hint)
		}
	}
}
