package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
)

func TestGenerate(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1444348800")
	newCmd := func(io cli.IO) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "gdemo [switches] FILES...",
			Short: "Demonstrate a man page",
			Long:  "gdemo reads flow files and demonstrates a man page.",
			RunE:  func(*cobra.Command, []string) error { return nil },
		}
		cmd.Flags().String("protocol", "", "pass flows whose protocol is in `LIST`")
		cli.Examples(cmd, "gdemo --proto=6 data.rw")
		return cmd
	}
	dir := t.TempDir()
	n, err := generate([]cli.Tool{{Name: "gdemo", NewCommand: newCmd}}, dir)
	if err != nil || n != 1 {
		t.Fatalf("generate: %d, %v", n, err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "gdemo.1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`.TH "GDEMO" "1" "Oct 2015" "gflow `, `\fB--protocol\fP`, `\fB--version\fP`, `\fB--help\fP`,
		"gdemo reads flow files", "EXAMPLE", "gdemo --proto=6 data.rw"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("man page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(string(page), `\fB-h\fP`) {
		t.Errorf("man page shows a -h short switch the tools do not have:\n%s", page)
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
