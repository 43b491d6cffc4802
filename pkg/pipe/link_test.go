package pipe_test

import (
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/pipe"
)

// parquetTools are the tools that offer --output-format=parquet; they, and
// only they, link the Parquet library.
var parquetTools = []string{"gfilter", "gtuc"}

// TestOnlyParquetToolsLinkParquet keeps the Parquet library, several
// megabytes, out of the tools that never write Parquet, and in the ones
// that do: a tool without pkg/parquetflow would refuse the format.
func TestOnlyParquetToolsLinkParquet(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the tools' dependencies")
	}
	cmd := exec.Command(goTool, "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./cmd/...")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list ./cmd/...: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list ./cmd/...: %v", err)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		tool := filepath.Base(pkg)
		depList := strings.Fields(deps)
		links := slices.ContainsFunc(depList, func(d string) bool {
			return strings.HasPrefix(d, "github.com/parquet-go/")
		})
		registers := slices.Contains(depList, "github.com/gflow/gflow/pkg/parquetflow")
		seen++
		if slices.Contains(parquetTools, tool) {
			if !registers {
				t.Errorf("%s offers --output-format=parquet but does not import pkg/parquetflow, so it would refuse it", tool)
			}
			continue
		}
		if links {
			t.Errorf("%s links github.com/parquet-go but writes no Parquet: see `go list -deps ./cmd/%s | grep parquet` for the path", tool, tool)
		}
	}
	if seen < len(parquetTools)+1 {
		t.Fatalf("go list found %d tools under cmd/:\n%s", seen, out)
	}
}

// TestParquetUnregisteredIsAClearError: pipe alone (this test binary
// imports no pkg/parquetflow) refuses Parquet with a sentence, no panic.
func TestParquetUnregisteredIsAClearError(t *testing.T) {
	const want = "output-format 'parquet' is not built into this program"
	if err := pipe.CheckOutputFormat(pipe.FormatParquet); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("CheckOutputFormat(parquet) = %v, want %q", err, want)
	}
	dest := filepath.Join(t.TempDir(), "out.parquet")
	w, err := pipe.CreateFormat(dest, nil, pipe.FormatParquet)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("CreateFormat(parquet) = %v, %v, want %q", w, err, want)
	}
	if err := pipe.CheckOutputFormat(pipe.FormatSilk); err != nil {
		t.Errorf("CheckOutputFormat(silk) = %v", err)
	}
}
