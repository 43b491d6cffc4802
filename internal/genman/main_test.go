package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/site"
)

func demoCommand(io cli.IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gdemo [switches] FILES...",
		Short: "Demonstrate a man page",
		Long:  "gdemo reads flow files and demonstrates a man page.\n\nA table:\n  a  one\n  b  two",
		RunE:  func(*cobra.Command, []string) error { return nil },
	}
	cmd.Flags().String("protocol", "", "pass flows whose protocol is in `LIST`")
	cmd.Flags().String("key", "", "a key")
	cmd.Flags().StringSlice("stime", nil, "start times")
	cmd.Flags().Int("count", 10, "how many")
	cmd.Flags().String("data-rootdir", "", "repository root")
	cli.Examples(cmd, "gdemo --proto=6 data.rw")
	cli.ManSection(cmd, cli.ManExitStatus, cli.ManItem{Term: "2", Text: "Damage was found."})
	cli.ManSection(cmd, cli.ManSeeAlso, cli.ManItem{Term: "rwfilter(1)"})
	return cmd
}

func TestGenerate(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1444348800")
	dir := t.TempDir()
	n, err := generate([]cli.Tool{{Name: "gdemo", NewCommand: demoCommand}, {Name: "gother", NewCommand: demoCommand}}, dir)
	if err != nil || n != 2 {
		t.Fatalf("generate: %d, %v", n, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "gdemo.1"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{
		`.TH "GDEMO" 1 "2015\-10\-09" "gflow `,
		`\fB\-\-protocol\fR=\fILIST\fR`, `\fB\-\-version\fR`, `\fB\-\-help\fR`,
		`\fB\-\-count\fR=\fIN\fR`, "How many. Default: 10.",
		"gdemo reads flow files", `.SH "EXAMPLES"`, `gdemo \-\-proto=6 data.rw`,
		`.SH "ENVIRONMENT"`, "GFLOW_DATA_ROOTDIR", `.SH "FILES"`, "FLOWTYPE\\-SENSOR_YYYYMMDD.HH",
		`.SH "EXIT STATUS"`, "Damage was found.",
		`.SH "SEE ALSO"`, ".BR gother (1),", ".BR gflow.toml (5),", ".BR rwfilter (1)\n",
		".nf\n\\&a  one\n\\&b  two\n.fi",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("man page lacks %q:\n%s", want, page)
		}
	}
	// The generator's noise that cobra's pages had: values of empty
	// defaults, "[=false]" on boolean switches, a -h the tools do not have.
	for _, noise := range []string{`[=false]`, `=""`, `=[]`, `\fB\-h\fR`, ".BR gdemo (1)"} {
		if strings.Contains(page, noise) {
			t.Errorf("man page has %q:\n%s", noise, page)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "gflow.toml.5")); err != nil {
		t.Error(err)
	}
}

func TestGenerateNothingRegistered(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man")
	if n, err := generate(nil, dir); n != 0 || err != nil {
		t.Fatalf("%d %v", n, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Error("directory made with no tools")
	}
}

// A tool without examples gets no page: --help must end with examples.
func TestGenerateRefusesAToolWithoutExamples(t *testing.T) {
	bare := func(cli.IO) *cobra.Command {
		return &cobra.Command{Use: "gbare", Short: "no examples", RunE: func(*cobra.Command, []string) error { return nil }}
	}
	if _, err := generate([]cli.Tool{{Name: "gbare", NewCommand: bare}}, t.TempDir()); err == nil || !strings.Contains(err.Error(), "EXAMPLES") {
		t.Fatalf("want an error naming EXAMPLES, got %v", err)
	}
}

// The pages of every registered tool and gflow.toml(5) format without a
// warning from groff (man --warnings), show every section, and
// gflow.toml(5) describes every key of the file.
func TestPagesLint(t *testing.T) {
	manPath, err := exec.LookPath("man")
	if err != nil {
		t.Skip("man (man-db) is not installed: apt-get install man-db groff")
	}
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("groff is not installed: apt-get install groff")
	}
	dir := t.TempDir()
	tools := cli.Tools()
	if _, err := generate(tools, dir); err != nil {
		t.Fatal(err)
	}
	pages := []string{"gflow.toml.5"}
	for _, tool := range tools {
		pages = append(pages, tool.Name+".1")
	}
	for _, p := range pages {
		cmd := exec.Command(manPath, "--warnings", "-E", "UTF-8", "-l", filepath.Join(dir, p))
		cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat", "LC_ALL=C.UTF-8")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Errorf("man -l %s: %v\n%s", p, err, errb.String())
			continue
		}
		if errb.Len() > 0 {
			t.Errorf("man --warnings -l %s:\n%s", p, errb.String())
		}
		text := out.String()
		sections := []string{"NAME", "SYNOPSIS", "DESCRIPTION", "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"}
		if strings.HasSuffix(p, ".1") {
			sections = append(sections, "OPTIONS", "EXIT STATUS")
		} else {
			sections = append(sections, "KEYS")
		}
		for _, s := range sections {
			if !strings.Contains(text, "\n"+s+"\n") {
				t.Errorf("%s: no %s section in the formatted page", p, s)
			}
		}
		if p == "gflow.toml.5" {
			for _, k := range site.Keys {
				if !strings.Contains(text, k.Name+" (") {
					t.Errorf("gflow.toml(5) does not describe the key %s", k.Name)
				}
			}
		}
	}
}
