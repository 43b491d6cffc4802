// Command genman writes the manual pages of gflow: a section-1 page for
// every tool, from the same cobra commands the tools run, and
// gflow.toml(5), the site configuration, from pkg/site's key table:
//
//	go run ./internal/genman -dir man
//
// A tool is included once its command constructor registers itself with
// cli.Register and tools.go imports its package; its page then has every
// section (see pkg/cli/man.go). The date in the pages is
// SOURCE_DATE_EPOCH when set (reproducible builds), else today.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

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
	fmt.Fprintf(os.Stderr, "genman: %d tools and gflow.toml(5), pages in %s\n", n, *dir)
}

// generate writes NAME.1 for each tool and gflow.toml.5 into dir and
// returns how many tools it wrote.
func generate(tools []cli.Tool, dir string) (int, error) {
	if len(tools) == 0 {
		return 0, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	h := header{date: pageDate().Format("2006-01-02"), version: cli.Version()}
	var names []string
	for _, t := range tools {
		names = append(names, t.Name)
	}
	for _, t := range tools {
		cmd := t.NewCommand(cli.IO{In: nil, Out: io.Discard, Err: io.Discard})
		cli.Prepare(cmd, cli.IO{Out: io.Discard, Err: io.Discard})
		page := toolPage(cmd, h, names)
		if err := checkPage(t.Name, page); err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, t.Name+".1"), []byte(page), 0o644); err != nil {
			return 0, fmt.Errorf("man page of %s: %w", t.Name, err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "gflow.toml.5"), []byte(configPage(h, names)), 0o644); err != nil {
		return 0, fmt.Errorf("man page of gflow.toml: %w", err)
	}
	return len(tools), nil
}

// pageDate is SOURCE_DATE_EPOCH if set, so that rebuilt pages are
// identical; else today.
func pageDate() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now().UTC()
}
