package mapjson

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// WriteFileAtomic replaces path with data so that a reader (a web server
// while cron regenerates the map) sees either the old file or the new one,
// never a part: it writes a temporary file in the same folder, syncs it,
// renames it over path and syncs the folder. On any error the temporary
// file is removed and path is left as it was. A new file is created with
// perm less the umask, as any Unix tool creates files (pass 0o666 to let
// the umask decide); an existing one keeps its mode.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	var keep *fs.FileMode // the existing file's mode, kept
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("replace %s: not a regular file", path)
		}
		m := fi.Mode().Perm()
		keep = &m
	}
	tmp, err := createTemp(dir, "."+base+".tmp-", perm)
	if err != nil {
		if fi, serr := os.Stat(dir); serr != nil || !fi.IsDir() {
			return fmt.Errorf("replace %s: the folder %s does not exist", path, dir)
		}
		return fmt.Errorf("replace %s: %w", path, err)
	}
	renamed := false
	defer func() {
		if err != nil && !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("replace %s: write %s: %w", path, tmp.Name(), err)
	}
	if keep != nil {
		if err = tmp.Chmod(*keep); err != nil {
			return fmt.Errorf("replace %s: %w", path, err)
		}
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("replace %s: sync %s: %w", path, tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("replace %s: close %s: %w", path, tmp.Name(), err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	renamed = true
	// The rename is durable only once the folder is synced; the new file is
	// in place already, so a failure here is reported but nothing is undone.
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("replace %s: sync folder: %w", path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("replace %s: sync folder %s: %w", path, dir, err)
	}
	return nil
}

// createTemp creates a new file dir/prefix<random> with perm less the
// umask. os.CreateTemp would make it 0600 whatever the umask says, and a
// chmod afterwards would have to guess the umask.
func createTemp(dir, prefix string, perm fs.FileMode) (*os.File, error) {
	var err error
	for range 100 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 36))
		var f *os.File
		f, err = os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, err
}
