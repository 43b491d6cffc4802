package collector

import (
	"bufio"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The systemd unit sets UMask=0027, and the collector's files and
// directories follow the umask: under it, flows are readable by the
// group, not by every account.
func TestFilesFollowTheUnitsUmask(t *testing.T) {
	f, err := os.Open("../../contrib/gflowcap.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	umask := ""
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if v, ok := strings.CutPrefix(sc.Text(), "UMask="); ok {
			umask = v
		}
	}
	if umask != "0027" {
		t.Fatalf("contrib/gflowcap.service sets UMask=%q, want 0027", umask)
	}
	old := syscall.Umask(0o027) // process-wide: no test of this package runs in parallel
	defer syscall.Umask(old)
	root := t.TempDir()
	cfg := Config{Pcaps: []string{"testdata/softflowd-v9-a.pcap"}, DataRoot: root, Stderr: &lockedBuffer{}, FlushInterval: time.Second}
	if err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	n := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		info, _ := d.Info()
		want := fs.FileMode(0o640)
		if d.IsDir() {
			want = 0o750
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, info.Mode().Perm(), want)
		}
		n++
		return nil
	})
	if n == 0 {
		t.Fatal("nothing written")
	}
}
