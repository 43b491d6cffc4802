package collector

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/cli"
)

const testPcap = "testdata/softflowd-v9-a.pcap"

// pcapPrefix returns the capture's file header and its first n records.
func pcapPrefix(t *testing.T, data []byte, n int) []byte {
	t.Helper()
	off := 24
	for range n {
		caplen := int(binary.LittleEndian.Uint32(data[off+8:]))
		off += 16 + caplen
		if off > len(data) {
			t.Fatal("capture shorter than asked")
		}
	}
	return data[:off]
}

func readPcapInto(root string, force bool, pcaps ...string) (string, error) {
	var stderr lockedBuffer
	err := Run(context.Background(), Config{Pcaps: pcaps, DataRoot: root, Stderr: &stderr, FlushInterval: time.Second, Force: force})
	return stderr.String(), err
}

// A capture read into the repository is refused the second time, under
// any name, and nothing is stored twice; --force reads it anyway.
func TestReadingACaptureTwiceIsRefused(t *testing.T) {
	root := t.TempDir()
	if _, err := readPcapInto(root, false, testPcap); err != nil {
		t.Fatal(err)
	}
	once, _ := readRepo(t, root)
	if len(once) != 1000 {
		t.Fatalf("first read stored %d flows, want 1000", len(once))
	}

	data, err := os.ReadFile(testPcap)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(t.TempDir(), "renamed.pcap")
	if err := os.WriteFile(copyPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{testPcap, copyPath} {
		_, err := readPcapInto(root, false, p)
		if err == nil {
			t.Fatalf("%s read again without --force", p)
		}
		abs, _ := filepath.Abs(testPcap)
		for _, want := range []string{p + ": read into this repository on ", "as " + abs, "its flows are stored already"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		if h := cli.HintOf(err); h != "to store its flows again anyway, add --force" {
			t.Errorf("hint %q", h)
		}
		if recs, _ := readRepo(t, root); len(recs) != 1000 {
			t.Fatalf("after the refusal the repository holds %d flows, want 1000", len(recs))
		}
	}

	if _, err := readPcapInto(root, true, copyPath); err != nil {
		t.Fatalf("--force: %v", err)
	}
	if recs, _ := readRepo(t, root); len(recs) != 2000 {
		t.Fatalf("--force stored %d flows in all, want 2000", len(recs))
	}
}

// A capture that grew since it was read (tcpdump went on) is refused with
// the number of packets stored; one that is the same capture named twice
// on one command line too; a different capture is read.
func TestReadingAGrownCaptureIsRefused(t *testing.T) {
	data, err := os.ReadFile(testPcap)
	if err != nil {
		t.Fatal(err)
	}
	dir, root := t.TempDir(), t.TempDir()
	first := filepath.Join(dir, "exports.pcap")
	if err := os.WriteFile(first, pcapPrefix(t, data, 20), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readPcapInto(root, false, first); err != nil {
		t.Fatal(err)
	}
	stored, _ := readRepo(t, root)
	if err := os.WriteFile(first, data, 0o644); err != nil { // the capture grew
		t.Fatal(err)
	}
	_, err = readPcapInto(root, false, first)
	if err == nil || !strings.Contains(err.Error(), "its first 20 packets are stored already (it has grown since)") {
		t.Fatalf("grown capture: %v", err)
	}
	if recs, _ := readRepo(t, root); len(recs) != len(stored) {
		t.Fatalf("the refused capture stored flows: %d, then %d", len(stored), len(recs))
	}

	other := filepath.Join(dir, "other.pcap")
	if err := os.WriteFile(other, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = readPcapInto(t.TempDir(), false, other, filepath.Join(dir, ".")+"/./other.pcap")
	if err == nil || !strings.Contains(err.Error(), "named twice") {
		t.Fatalf("one capture named twice: %v", err)
	}

	// The same packets in another capture are not the same capture: only
	// the bytes from the start of the file count.
	shifted := append(pcapPrefix(t, data, 0), data[len(pcapPrefix(t, data, 1)):]...)
	if err := os.WriteFile(other, shifted, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readPcapInto(root, false, other); err != nil {
		t.Fatalf("a different capture was refused: %v", err)
	}
}

// A read cut short by SIGTERM is recorded as the part read.
func TestInterruptedReadIsRecorded(t *testing.T) {
	root := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // stopped at once: after the first packet
	var stderr lockedBuffer
	if err := Run(ctx, Config{Pcaps: []string{testPcap}, DataRoot: root, Stderr: &stderr, FlushInterval: time.Second}); err != nil {
		t.Fatal(err)
	}
	_, err := readPcapInto(root, false, testPcap)
	if err == nil || !strings.Contains(err.Error(), "its first 1 packets are stored already (that read was interrupted)") {
		t.Fatalf("re-reading an interrupted capture: %v", err)
	}
}
