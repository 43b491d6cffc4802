package mapjson

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

// A reader polling the file while it is replaced again and again sees one
// whole version or the other, never a mix or a truncated file.
func TestWriteFileAtomicConcurrentReader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.json")
	a := bytes.Repeat([]byte("a"), 256*1024)
	b := bytes.Repeat([]byte("b"), 300*1024)
	if err := WriteFileAtomic(path, a, 0o644); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var reads, bad atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			got, err := os.ReadFile(path)
			if err != nil {
				bad.Add(1)
				continue
			}
			reads.Add(1)
			if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
				bad.Add(1)
			}
		}
	}()
	for i := 0; i < 60; i++ {
		data := a
		if i%2 == 0 {
			data = b
		}
		if err := WriteFileAtomic(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if bad.Load() != 0 {
		t.Errorf("%d of %d reads saw a missing or partial file", bad.Load(), reads.Load()+bad.Load())
	}
	if reads.Load() == 0 {
		t.Error("the reader never read the file")
	}
	assertNoTemp(t, filepath.Dir(path), 1)
}

// When the replacement fails (here: rename onto a folder that is not
// empty) the temporary file is removed and what was there stays.
func TestWriteFileAtomicErrorKeepsOld(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "data.json")
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(target, []byte("new"), 0o644); err == nil {
		t.Fatal("replacing a folder succeeded")
	}
	if fi, err := os.Stat(filepath.Join(target, "x")); err != nil || !fi.IsDir() {
		t.Errorf("the folder was touched: %v", err)
	}
	assertNoTemp(t, dir, 1)

	// a folder that does not exist: nothing written anywhere
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "data.json"), []byte("x"), 0o644); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
}

// Replacing keeps the old file's mode (a page served by a web server that
// needs o+r keeps it).
func TestWriteFileAtomicKeepsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.json")
	if err := os.WriteFile(path, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Errorf("content %q", got)
	}
}

func assertNoTemp(t *testing.T, dir string, want int) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != want {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want %d entries (temporary file left behind?)", names, want)
	}
}
