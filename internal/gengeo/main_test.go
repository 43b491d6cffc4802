package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// The committed table must be what the generator makes from the iso-codes
// version named in its header. Runs only where that version is installed.
func TestCommittedTableIsGenerated(t *testing.T) {
	const in = "/usr/share/iso-codes/json/iso_3166-1.json"
	committed, err := os.ReadFile("../../pkg/geo/country/names_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`from Debian iso-codes (\S+) `).FindSubmatch(committed)
	if m == nil {
		t.Fatal("names_gen.go header does not name the iso-codes version")
	}
	if _, err := os.Stat(in); err != nil {
		t.Skipf("iso-codes not installed (%v): apt-get install iso-codes", err)
	}
	v, err := exec.Command("dpkg-query", "-W", "-f=${Version}", "iso-codes").Output()
	if err != nil || string(v) != string(m[1]) {
		t.Skipf("installed iso-codes %q, names_gen.go was made from %s", v, m[1])
	}
	out := filepath.Join(t.TempDir(), "names_gen.go")
	if err := run(in, out, string(m[1])); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Error("pkg/geo/country/names_gen.go differs from the generator's output: run go generate ./pkg/geo/country")
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"notjson.json": "{",
		"few.json":     `{"3166-1": [{"alpha_2": "CH", "alpha_3": "CHE", "numeric": "756", "name": "Switzerland"}]}`,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := run(p, filepath.Join(dir, "out.go"), "test"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
