// Command genman writes a man page for every gflow tool, from the same cobra
// commands the tools run:
//
//	go run ./internal/genman -dir man
//
// A tool is included once its command constructor registers itself with
// cli.Register and tools.go imports its package. The date in the pages is
// SOURCE_DATE_EPOCH when set (reproducible builds), else today.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra/doc"

	"github.com/gflow/gflow/pkg/cli"
)

func main() {
	dir := flag.String("dir", "man", "write the pages into `DIR`")
	flag.Parse()
	n, err := generate(cli.Tools(), *dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "genman: %v\n", err)
		os.Exit(1)
	}
	if n == 0 {
		fmt.Fprintln(os.Stderr, "genman: no tool is registered yet; nothing written")
		return
	}
	fmt.Fprintf(os.Stderr, "genman: %d tools, pages in %s\n", n, *dir)
}

// generate writes section-1 pages for tools into dir and returns how many
// tools it wrote.
func generate(tools []cli.Tool, dir string) (int, error) {
	if len(tools) == 0 {
		return 0, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	for _, t := range tools {
		cmd := t.NewCommand(cli.IO{In: nil, Out: io.Discard, Err: io.Discard})
		cli.Prepare(cmd, cli.IO{Out: io.Discard, Err: io.Discard})
		cmd.DisableAutoGenTag = true
		header := &doc.GenManHeader{
			Title:   "",
			Section: "1",
			Source:  "gflow " + cli.Version(),
			Manual:  "gflow manual",
		}
		if err := doc.GenManTree(cmd, header, dir); err != nil {
			return 0, fmt.Errorf("man page of %s: %w", t.Name, err)
		}
	}
	return len(tools), nil
}
