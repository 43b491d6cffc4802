//go:build ignore

// gflowcap_count reads back a gflow repository as a query would and prints
// the records it holds and the bytes its hourly files take on disk:
//
//	go run bench/gflowcap_count.go ROOT
//	records=1234567 bytes=14814804 files=3
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gflow/gflow/pkg/flowfile"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run bench/gflowcap_count.go ROOT")
		os.Exit(2)
	}
	root := os.Args[1]
	var records, size, files, bad int64
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if _, err := flowfile.ParseRepoPath(path); err != nil {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		size += info.Size()
		files++
		r, err := flowfile.Open(path)
		if err != nil {
			return err
		}
		defer r.Close()
		for {
			blk, err := r.NextBlock()
			if errors.Is(err, io.EOF) {
				return nil
			}
			var be *flowfile.BlockError
			if errors.As(err, &be) {
				bad++
				continue
			}
			if err != nil {
				return err
			}
			records += int64(len(blk))
		}
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gflowcap_count:", err)
		os.Exit(1)
	}
	fmt.Printf("records=%d bytes=%d files=%d corrupt_blocks=%d\n", records, size, files, bad)
}
