package fields

import (
	"strings"

	"github.com/gflow/gflow/internal/textdist"
)

// nameError is an unknown field name, in SiLK's words, with what the user
// probably meant for the tools' hint line (pkg/cli prints Hint()).
type nameError struct {
	msg  string
	hint string
}

func (e *nameError) Error() string { return e.msg }
func (e *nameError) Hint() string  { return e.hint }

// fieldWords are words people type for --fields that name no field, and
// the fields they mean.
var fieldWords = map[string][]string{
	"country": {"scc", "dcc"}, "cc": {"scc", "dcc"},
	"src": {"sip"}, "source": {"sip"}, "srcip": {"sip"}, "saddress": {"sip"},
	"dst": {"dip"}, "destination": {"dip"}, "dstip": {"dip"}, "daddress": {"dip"},
	"ip": {"sip", "dip"}, "address": {"sip", "dip"}, "host": {"sip", "dip"},
	"port": {"sport", "dport"}, "srcport": {"sport"}, "dstport": {"dport"},
	"as": {"sas", "das"}, "asn": {"sas", "das"},
	"time": {"sTime", "eTime"}, "start": {"sTime"}, "end": {"eTime"},
}

// suggest returns the hint for name, which matches no field of r: the
// fields meant by a common word, or the field a typo away; "" when nothing
// is near, so the error stays SiLK's alone.
func (r *Registry) suggest(name string) string {
	const where = "--help lists the fields"
	ln := strings.ToLower(strings.TrimSpace(name))
	if meant, ok := fieldWords[ln]; ok {
		var have []string
		for _, m := range meant {
			if _, ok := r.exact(strings.ToLower(m)); ok {
				have = append(have, m)
			}
		}
		if len(have) > 0 {
			return "did you mean " + strings.Join(have, " or ") + "? " + where
		}
	}
	if len(ln) >= 3 {
		best, bestDist := "", 3
		for _, n := range r.names {
			if d := textdist.Distance(ln, n.lower); d < bestDist && d < len(n.lower)/2 {
				best, bestDist = table[n.id].name, d
			}
		}
		if best != "" {
			return "did you mean " + best + "? " + where
		}
	}
	return ""
}
