package site

import (
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary files to the loader: it must return a
// configuration or an *Error naming the file, never panic.
func FuzzParse(f *testing.F) {
	f.Add(Example)
	f.Add(classifyConf)
	f.Add("internal = [\n\"10.0.0.0/8\",\n\"10.1.0.0/16\"]\n[countries]\n\"1.2.3.0/24\" = \"x\"\n")
	f.Add("[[sensors]]\nname = \"S0\"\n[[sensors]]\ncolour = 'red' # ]\n")
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := Parse("f.toml", []byte(text))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.toml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, s := range cfg.Sensors {
			if got, ok := cfg.SensorByName(s.Name); !ok || got != s {
				t.Fatalf("sensor %q not found by name", s.Name)
			}
		}
	})
}
