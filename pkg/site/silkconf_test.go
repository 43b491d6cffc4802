package site

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A SiLK repository without gflow.toml: the sensors are silk.conf's.
func TestOpenSilkRepository(t *testing.T) {
	t.Setenv("GFLOW_SITE_CONFIG", "")
	root := t.TempDir()
	conf := "# a site\nversion 2\nsensor 0 edge \"the edge router\"\nsensor 3 dc1   # data centre\n\nclass all\n    sensors edge dc1\nend class\n"
	if err := os.WriteFile(filepath.Join(root, SilkConfName), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Open("", root)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := cfg.SensorByName("dc1"); !ok || s.ID != 3 || cfg.SensorName(0) != "edge" || cfg.Path != "" {
		t.Errorf("sensors %v, path %q: want edge (0) and dc1 (3) from silk.conf", cfg.Sensors, cfg.Path)
	}
	// the real fixture's silk.conf
	if fixture := "../silk/testdata/repo"; true {
		cfg, err := Open("", fixture)
		if err != nil {
			t.Fatal(err)
		}
		if s, ok := cfg.SensorByName("S1"); !ok || s.ID != 1 {
			t.Errorf("fixture silk.conf: sensors %v", cfg.Sensors)
		}
	}
	// a bad sensor line is an error that says where
	if err := os.WriteFile(filepath.Join(root, SilkConfName), []byte("sensor x S0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open("", root); err == nil || !strings.Contains(err.Error(), "silk.conf:1: bad sensor line") {
		t.Errorf("bad silk.conf: %v", err)
	}
	// gflow.toml wins when there is one
	if err := os.WriteFile(filepath.Join(root, FileName), []byte("[[sensors]]\nname = \"S7\"\nid = 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if cfg, err := Open("", root); err != nil || cfg.SensorName(7) != "S7" {
		t.Errorf("with gflow.toml: %v, %v", cfg, err)
	}
}
