package flowfile_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
)

// blockRecords returns the records of test block i: reproducible, so a
// reader can check any block without keeping what was written.
func blockRecords(i, n int) []flowfile.Record {
	recs := make([]flowfile.Record, n)
	flowgen.New(int64(1000+i), flowgen.Options{Hosts: 500}).Fill(recs)
	for j := range recs {
		recs[j].Type = flowfile.TypeInWeb
		recs[j].Sensor = 3
	}
	return recs
}

// writeBlocks writes blocks 0..nblocks-1 of blockRecords(i, per) to a new
// file and returns the byte offset at which each block starts.
func writeBlocks(t *testing.T, path string, nblocks, per int) []int64 {
	t.Helper()
	w, err := flowfile.Create(path, fileHeader())
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	for i := range nblocks {
		offs = append(offs, w.Offset())
		if err := w.WriteBlock(blockRecords(i, per)); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return offs
}

// readBlocks reads a file block by block, returning the blocks and the
// BlockErrors met.
func readBlocks(t *testing.T, path string) ([][]flowfile.Record, []*flowfile.BlockError) {
	t.Helper()
	r, err := flowfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var blocks [][]flowfile.Record
	var bad []*flowfile.BlockError
	for range 10000 {
		blk, err := r.NextBlock()
		var be *flowfile.BlockError
		switch {
		case errors.Is(err, io.EOF):
			return blocks, bad
		case errors.As(err, &be):
			bad = append(bad, be)
		case err != nil:
			t.Fatalf("read %s: %v", path, err)
		default:
			blocks = append(blocks, append([]flowfile.Record(nil), blk...))
		}
	}
	t.Fatal("reader does not end")
	return nil, nil
}

func checkBlock(t *testing.T, got []flowfile.Record, i, per int) {
	t.Helper()
	want := blockRecords(i, per)
	if len(got) != len(want) {
		t.Fatalf("block %d: %d records, want %d", i, len(got), len(want))
	}
	for j := range want {
		if got[j] != want[j] {
			t.Fatalf("block %d record %d:\n got %+v\nwant %+v", i, j, got[j], want[j])
		}
	}
}

func TestTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iw-S3_20151009.00")
	offs := writeBlocks(t, path, 4, 300)
	// Cut the last block in its middle, as a crash during its write would.
	fi, _ := os.Stat(path)
	cut := offs[3] + (fi.Size()-offs[3])/2
	if err := os.Truncate(path, cut); err != nil {
		t.Fatal(err)
	}
	// No writer holds the file: the torn block is reported, once, with
	// where it is and what was read before it.
	blocks, bad := readBlocks(t, path)
	if len(blocks) != 3 || len(bad) != 1 {
		t.Fatalf("torn file: %d blocks, errors %v; want 3 blocks and one error", len(blocks), bad)
	}
	var te *flowfile.TruncatedError
	if !errors.As(bad[0], &te) || bad[0].Offset != offs[3] || bad[0].Block != 3 || te.Have != int(cut-offs[3]) || te.Records != 900 {
		t.Errorf("torn tail reported as %v, want a TruncatedError at offset %d, block 3, %d bytes, 900 records before", bad[0], offs[3], cut-offs[3])
	}
	if msg := bad[0].Error(); !strings.Contains(msg, "truncated") || !strings.Contains(msg, "after 900 records") {
		t.Errorf("message %q", msg)
	}

	// While a writer holds it, the torn block is one being written: the
	// reader stops quietly before it and waits for the rest.
	wf, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := flowfile.LockWriting(wf); err != nil {
		t.Fatal(err)
	}
	blocks, bad = readBlocks(t, path)
	if len(bad) != 0 || len(blocks) != 3 {
		t.Fatalf("file being written: %d blocks, errors %v; want 3 blocks and no error", len(blocks), bad)
	}
	r, _ := flowfile.Open(path)
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	if got, want := int64(r.Pending()), cut-offs[3]; got != want {
		t.Errorf("Pending = %d, want the %d bytes of the torn block", got, want)
	}
	r.Close()
	wf.Close()

	// On restart the writer cuts the tail and appends after block 2.
	w, err := flowfile.OpenAppend(path, fileHeader())
	if err != nil {
		t.Fatal(err)
	}
	if w.Offset() != offs[3] {
		t.Errorf("OpenAppend continues at %d, want %d (end of the last intact block)", w.Offset(), offs[3])
	}
	if err := w.WriteBlock(blockRecords(7, 300)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	blocks, bad = readBlocks(t, path)
	if len(bad) != 0 || len(blocks) != 4 {
		t.Fatalf("repaired file: %d blocks, errors %v", len(blocks), bad)
	}
	for i, want := range []int{0, 1, 2, 7} {
		checkBlock(t, blocks[i], want, 300)
	}
}

func TestOpenAppend(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "inweb", "2015", "10", "09", "iw-S3_20151009.00")
	// A missing file is created, and its directories.
	w, err := flowfile.OpenAppend(path, fileHeader())
	if err != nil {
		t.Fatal(err)
	}
	w.WriteBlock(blockRecords(0, 10))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// An intact file is appended to.
	w, err = flowfile.OpenAppend(path, fileHeader())
	if err != nil {
		t.Fatal(err)
	}
	w.WriteBlock(blockRecords(1, 10))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	blocks, bad := readBlocks(t, path)
	if len(blocks) != 2 || len(bad) != 0 {
		t.Fatalf("%d blocks, errors %v", len(blocks), bad)
	}
	checkBlock(t, blocks[1], 1, 10)

	// A header for another sensor, type or hour is refused.
	for name, mod := range map[string]func(*flowfile.Header){
		"sensor": func(h *flowfile.Header) { h.Sensor, h.SensorID = "S4", 4 },
		"type":   func(h *flowfile.Header) { h.Type = flowfile.TypeOut },
		"hour":   func(h *flowfile.Header) { h.Hour = h.Hour.Add(time.Hour) },
	} {
		h := fileHeader()
		mod(&h)
		if _, err := flowfile.OpenAppend(path, h); !errors.Is(err, flowfile.ErrWrongFile) || !strings.Contains(err.Error(), "not") {
			t.Errorf("OpenAppend with another %s: %v, want a refusal", name, err)
		}
	}
	// So is a file that is not flows, and left alone.
	notes := filepath.Join(dir, "iw-S3_20151009.02")
	os.WriteFile(notes, []byte("these are notes, not flows\n"), 0o644)
	h0 := fileHeader()
	h0.Hour = h0.Hour.Add(2 * time.Hour)
	if _, err := flowfile.OpenAppend(notes, h0); !errors.Is(err, flowfile.ErrWrongFile) {
		t.Errorf("OpenAppend on a text file: %v, want ErrWrongFile", err)
	}
	if b, _ := os.ReadFile(notes); string(b) != "these are notes, not flows\n" {
		t.Errorf("the text file was changed: %q", b)
	}
	// A file killed while writing its header starts over.
	torn := filepath.Join(dir, "iw-S3_20151009.01")
	os.WriteFile(torn, []byte("GFLW\x01\x01"), 0o644)
	h := fileHeader()
	h.Hour = h.Hour.Add(time.Hour)
	w, err = flowfile.OpenAppend(torn, h)
	if err != nil {
		t.Fatalf("OpenAppend on a torn header: %v", err)
	}
	w.WriteBlock(blockRecords(2, 10))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	blocks, bad = readBlocks(t, torn)
	if len(blocks) != 1 || len(bad) != 0 {
		t.Fatalf("rewritten file: %d blocks, errors %v", len(blocks), bad)
	}
}

// TestCorruptBlock damages the middle one of five blocks in several ways;
// the four others must still be read and the damage reported with its
// offset and block number.
func TestCorruptBlock(t *testing.T) {
	cases := map[string]func(data []byte, start, end int64){
		"flipped payload bit": func(d []byte, s, e int64) { d[s+88+(e-s-88)/2] ^= 0x10 },
		"flipped header bit":  func(d []byte, s, e int64) { d[s+30] ^= 0x01 },
		"lying length": func(d []byte, s, e int64) {
			binary.BigEndian.PutUint32(d[s+4:], 0xFFFFFFF0)
		},
		"lying length, header checksum fixed": func(d []byte, s, e int64) {
			binary.BigEndian.PutUint32(d[s+4:], 0xFFFFFFF0)
			fixHeaderCRC(d[s : s+88])
		},
		"lying record count, checksums fixed": func(d []byte, s, e int64) {
			binary.BigEndian.PutUint32(d[s+12:], 1)
			fixHeaderCRC(d[s : s+88])
		},
		"bad magic": func(d []byte, s, e int64) { d[s] = 'X' },
		"truncated block": func(d []byte, s, e int64) {
			// Cut 100 bytes out of the middle block's payload: the
			// blocks after it move up.
			copy(d[s+200:], d[s+300:])
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "iw-S3_20151009.00")
			offs := writeBlocks(t, path, 5, 200)
			data, _ := os.ReadFile(path)
			damage(data, offs[2], offs[3])
			if name == "truncated block" {
				data = data[:len(data)-100]
			}
			os.WriteFile(path, data, 0o644)
			blocks, bad := readBlocks(t, path)
			if len(blocks) != 4 {
				t.Fatalf("%d intact blocks read, want 4 (errors %v)", len(blocks), bad)
			}
			for i, want := range []int{0, 1, 3, 4} {
				checkBlock(t, blocks[i], want, 200)
			}
			if len(bad) == 0 {
				t.Fatal("no BlockError for the damaged block")
			}
			be := bad[0]
			if be.Offset != offs[2] || be.Block != 2 || be.File != path {
				t.Errorf("BlockError %+v, want file %s offset %d block 2", be, path, offs[2])
			}
			if !strings.Contains(be.Error(), fmt.Sprintf("offset %d", offs[2])) {
				t.Errorf("message %q does not name the offset", be.Error())
			}
		})
	}
}

// fixHeaderCRC recomputes a block header's own checksum after a test
// changed it, as a buggy or malicious writer would.
func fixHeaderCRC(h []byte) {
	binary.BigEndian.PutUint32(h[84:], crc32c(h[4:84]))
}

func TestTruncatedHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iw-S3_20151009.00")
	writeBlocks(t, path, 1, 10)
	data, _ := os.ReadFile(path)
	for _, n := range []int{0, 3, 10, 25, 30} {
		os.WriteFile(path, data[:n], 0o644)
		_, err := flowfile.Open(path)
		if !errors.Is(err, flowfile.ErrTruncatedHeader) {
			t.Errorf("%d bytes: %v, want ErrTruncatedHeader", n, err)
		} else if !strings.Contains(err.Error(), path) {
			t.Errorf("%d bytes: %v does not name the file", n, err)
		}
	}
	os.WriteFile(path, []byte("this is a text file, not flows\n"), 0o644)
	if _, err := flowfile.Open(path); !errors.Is(err, flowfile.ErrNotFlowFile) {
		t.Errorf("text file: %v, want ErrNotFlowFile", err)
	}
}

// slowWriter splits every write in two with a pause between, so that a
// concurrent reader sees blocks half written.
type slowWriter struct{ f *os.File }

func (s slowWriter) Write(p []byte) (int, error) {
	h := len(p) / 2
	n, err := s.f.Write(p[:h])
	if err != nil {
		return n, err
	}
	time.Sleep(time.Millisecond)
	m, err := s.f.Write(p[h:])
	return n + m, err
}

func TestConcurrentReaderDuringWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iw-S3_20151009.00")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := flowfile.LockWriting(f); err != nil {
		t.Fatal(err)
	}
	const nblocks, per = 40, 150
	w, err := flowfile.NewWriter(slowWriter{f}, fileHeader())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := range nblocks {
			w.WriteBlock(blockRecords(i, per))
			if err := w.Flush(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	r, err := flowfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := 0
	finished := false
	for got < nblocks {
		blk, err := r.NextBlock()
		switch {
		case err == nil:
			checkBlock(t, blk, got, per)
			got++
		case errors.Is(err, io.EOF):
			if finished {
				t.Fatalf("writer done but only %d of %d blocks read (pending %d)", got, nblocks, r.Pending())
			}
			select {
			case <-done:
				finished = true // one more pass reads what is left
			case <-time.After(200 * time.Microsecond):
			}
		default:
			t.Fatalf("after %d blocks: %v", got, err)
		}
	}
	wg.Wait()
}

// TestKilledWriter really kills a writing process with SIGKILL, then checks
// that every block the child reported flushed reads back and that
// OpenAppend repairs the file and appends.
func TestKilledWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "iw-S3_20151009.00")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriterChild$")
	cmd.Env = append(os.Environ(), "GFLOW_FLOWFILE_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	flushed := 0
	for sc.Scan() {
		if n, ok := strings.CutPrefix(sc.Text(), "flushed "); ok {
			flushed, _ = strconv.Atoi(n)
			if flushed >= 8 {
				break
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if flushed < 8 {
		t.Fatalf("child reported only %d flushed blocks", flushed)
	}
	blocks, bad := readBlocks(t, path)
	var te *flowfile.TruncatedError
	if len(bad) == 1 && errors.As(bad[0], &te) {
		bad = nil // killed in the middle of a write: a torn last block
	}
	if len(bad) != 0 {
		t.Errorf("killed writer's file has corrupt blocks: %v", bad)
	}
	if len(blocks) < flushed {
		t.Fatalf("%d blocks read back, the child had flushed %d", len(blocks), flushed)
	}
	for i, b := range blocks {
		checkBlock(t, b, i, childPer)
	}
	w, err := flowfile.OpenAppend(path, fileHeader())
	if err != nil {
		t.Fatal(err)
	}
	w.WriteBlock(blockRecords(999, childPer))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	again, bad := readBlocks(t, path)
	if len(bad) != 0 || len(again) != len(blocks)+1 {
		t.Fatalf("after OpenAppend: %d blocks, errors %v; want %d blocks", len(again), bad, len(blocks)+1)
	}
	checkBlock(t, again[len(blocks)], 999, childPer)
}

const childPer = 2000

// TestKilledWriterChild is the child of TestKilledWriter: it appends
// blocks to the file named by GFLOW_FLOWFILE_CHILD until it is killed.
func TestKilledWriterChild(t *testing.T) {
	path := os.Getenv("GFLOW_FLOWFILE_CHILD")
	if path == "" {
		t.Skip("run by TestKilledWriter")
	}
	w, err := flowfile.OpenAppend(path, fileHeader())
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		w.WriteBlock(blockRecords(i, childPer))
		if err := w.Flush(); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		fmt.Printf("flushed %d\n", i+1)
	}
}

func TestRandomRecordsThroughFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stream.gf")
	recs := randomRecords(rand.New(rand.NewSource(9)), 20000)
	w, err := flowfile.Create(path, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecZstd})
	if err != nil {
		t.Fatal(err)
	}
	w.SetBlockRecords(3000)
	if err := w.WriteBlock(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := flowfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sameRecords(t, readAll(t, r), recs)
}

func crc32c(b []byte) uint32 { return crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)) }

func TestWriteRaw(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "iw-S3_20151009.00")
	writeBlocks(t, src, 4, 300)
	r, err := flowfile.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	dst := filepath.Join(dir, "stream.gf")
	w, err := flowfile.Create(dst, flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecS2})
	if err != nil {
		t.Fatal(err)
	}
	extra := blockRecords(9, 50)
	// Blocks 0 and 2 copied raw, block 1 re-encoded, then records of our own.
	for i := range 3 {
		blk, err := r.NextBlock()
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			w.WriteBlock(blk)
			continue
		}
		if err := w.WriteRaw(r.RawBlock()); err != nil {
			t.Fatal(err)
		}
	}
	w.WriteBlock(extra)
	bad := append([]byte(nil), r.RawBlock()...)
	bad[len(bad)-1] ^= 1
	if err := w.WriteRaw(bad); err == nil {
		t.Error("a damaged raw block was accepted")
	}
	if err := w.WriteRaw([]byte("short")); err == nil {
		t.Error("a short raw block was accepted")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	blocks, errs := readBlocks(t, dst)
	if len(errs) != 0 || len(blocks) != 4 {
		t.Fatalf("%d blocks, errors %v", len(blocks), errs)
	}
	for i := range 3 {
		checkBlock(t, blocks[i], i, 300)
	}
	for j := range extra {
		if blocks[3][j] != extra[j] {
			t.Fatalf("record %d after the raw blocks differs", j)
		}
	}
}

// TestLyingLength gives the middle one of five blocks a header, checksum
// fixed, that claims a payload longer than the rest of the file, as a
// buggy or malicious writer could: the blocks after it must still be
// read, the lie reported, and OpenAppend must keep them.
func TestLyingLength(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iw-S3_20151009.00")
	offs := writeBlocks(t, path, 5, 200)
	data, _ := os.ReadFile(path)
	h := data[offs[2] : offs[2]+88]
	binary.BigEndian.PutUint32(h[4:], flowfile.MaxBlockBytes)
	fixHeaderCRC(h)
	os.WriteFile(path, data, 0o644)

	blocks, bad := readBlocks(t, path)
	if len(blocks) != 4 || len(bad) != 1 || bad[0].Offset != offs[2] {
		t.Fatalf("%d blocks, errors %v; want 4 blocks and block 2 at %d reported", len(blocks), bad, offs[2])
	}
	for i, want := range []int{0, 1, 3, 4} {
		checkBlock(t, blocks[i], want, 200)
	}

	// The collector restarting on this file appends after block 4,
	// keeping blocks 3 and 4.
	w, err := flowfile.OpenAppend(path, fileHeader())
	if err != nil {
		t.Fatal(err)
	}
	if w.Offset() != int64(len(data)) {
		t.Errorf("OpenAppend continues at %d, want the end of the file %d", w.Offset(), len(data))
	}
	w.WriteBlock(blockRecords(5, 200))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	blocks, _ = readBlocks(t, path)
	if len(blocks) != 5 {
		t.Fatalf("after OpenAppend: %d intact blocks, want 5", len(blocks))
	}
	for i, want := range []int{0, 1, 3, 4, 5} {
		checkBlock(t, blocks[i], want, 200)
	}
}

// TestTruncatedStream cuts a stream in the middle of a block, as head -c
// or a dying writer upstream would: the reader reads every complete block
// and then says where the stream ends and how many records it read.
func TestTruncatedStream(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iw-S3_20151009.00")
	offs := writeBlocks(t, path, 4, 250)
	data, _ := os.ReadFile(path)
	for _, cut := range []int64{offs[2] + 10, offs[2] + 88 + 5, offs[3] - 1} {
		r, err := flowfile.NewReader(bytes.NewReader(data[:cut]))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		var got []error
		for {
			blk, err := r.NextBlock()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				got = append(got, err)
				continue
			}
			n += len(blk)
		}
		var te *flowfile.TruncatedError
		if n != 500 || len(got) != 1 || !errors.As(got[0], &te) || te.Records != 500 {
			t.Errorf("cut at %d: %d records, errors %v; want 500 and one truncation after 500 records", cut, n, got)
		}
	}
}

// TestBlocksAcrossBufferRefills reads blocks of many sizes, so that the
// Reader's buffer is refilled and its unread bytes moved while a block is
// being read: every block must come back intact, none reported corrupt.
func TestBlocksAcrossBufferRefills(t *testing.T) {
	var buf bytes.Buffer
	hdr := fileHeader()
	hdr.Codec = flowfile.CodecNone
	w, err := flowfile.NewWriter(&buf, hdr)
	if err != nil {
		t.Fatal(err)
	}
	// Blocks of one size, larger than the buffer the Reader starts with,
	// end a few bytes short of the end of the buffer it grows to, which
	// then moves its unread bytes while it looks for the next header;
	// blocks of many sizes end anywhere.
	type blk struct{ seed, n int }
	var blocks []blk
	for range 4 {
		blocks = append(blocks, blk{0, 40000})
	}
	for i := range 40 {
		blocks = append(blocks, blk{i, 500 + (i*2377)%6000})
	}
	for _, b := range blocks {
		if err := w.WriteBlock(blockRecords(b.seed, b.n)); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := flowfile.NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range blocks {
		got, err := r.NextBlock()
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		checkBlock(t, got, b.seed, b.n)
	}
	if _, err := r.NextBlock(); err != io.EOF {
		t.Fatalf("after the last block: %v, want EOF", err)
	}
}
