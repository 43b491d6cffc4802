package fields

import (
	"bytes"
	"strings"
	"testing"
)

// Every field a tool takes is described by --help-fields: a field added
// without a description would print a bare name.
func TestHelpDescribesEveryField(t *testing.T) {
	for name, ids := range map[string][]ID{"CutFields": CutFields, "StatsKeys": StatsKeys} {
		var b bytes.Buffer
		if err := WriteHelp(&b, ids, true); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if want := len(ids) + 3; len(lines) != want { // two lines of text, icmpTypeCode
			t.Errorf("%s: %d lines, want %d:\n%s", name, len(lines), want, b.String())
		}
		for _, l := range lines[2:] {
			if len(l) < 30 || strings.TrimSpace(l[29:]) == "" {
				t.Errorf("%s: no description in %q", name, l)
			}
		}
	}
}
