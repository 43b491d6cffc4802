package collector

import (
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
)

// genDecoder turns every datagram into per records of flowgen's, all in
// one hour: an exporter without the cost of encoding packets.
type genDecoder struct {
	gen  *flowgen.Generator
	per  int
	hour int64
}

func (d *genDecoder) Decode(dst []flowfile.Record, _ []byte, _ netip.AddrPort) ([]flowfile.Record, error) {
	n := len(dst)
	dst = append(dst, make([]flowfile.Record, d.per)...)
	d.gen.Fill(dst[n:])
	for i := range dst[n:] {
		r := &dst[n+i]
		r.STime = d.hour + int64(i%3_600_000)
		r.ETime = r.STime + 10
	}
	return dst, nil
}

// disk is a disk with room for left more bytes, shared by its files.
type disk struct {
	mu   sync.Mutex
	left int
}

// quotaFile is a file on a disk: once the disk is full, writes fail with
// ENOSPC, as a full disk's do, having written what fit.
type quotaFile struct {
	f *os.File
	d *disk
}

func (q *quotaFile) Write(p []byte) (int, error) {
	q.d.mu.Lock()
	defer q.d.mu.Unlock()
	if len(p) > q.d.left {
		n, _ := q.f.Write(p[:q.d.left])
		q.d.left = 0
		return n, &os.PathError{Op: "write", Path: q.f.Name(), Err: syscall.ENOSPC}
	}
	q.d.left -= len(p)
	return q.f.Write(p)
}

// fillDisk runs records through an Engine whose files go through open and
// fill the disk part of the way; it checks that every record is counted
// as written or dropped, and that the records written are exactly those
// the files hold.
func fillDisk(t *testing.T, dir string, open OpenFunc) {
	t.Helper()
	hour := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC).UnixMilli()
	stats := NewStats()
	// no retry of a failed file within the test: the numbers stay simple
	sink := NewSink(SinkConfig{Open: open, RetryAfter: time.Hour})
	e := &Engine{Decoder: &genDecoder{gen: flowgen.New(5, flowgen.Options{}), per: 500, hour: hour},
		Sink: sink, Stats: stats, FlushInterval: 20 * time.Millisecond}
	e.Start()
	w := e.NewWorker()
	from := netip.MustParseAddrPort("192.0.2.1:2055")
	const packets = 120
	for i := range packets {
		w.Packet(nil, from)
		if i%10 == 0 {
			w.Send()
			time.Sleep(5 * time.Millisecond) // let flushes happen between
		}
	}
	w.Done()
	e.Close()

	tot := stats.Totals()
	dropped := stats.Dropped.Load()
	if tot.Flows != packets*500 {
		t.Fatalf("%d flows decoded, want %d", tot.Flows, packets*500)
	}
	if tot.Written+dropped != tot.Flows {
		t.Errorf("%d written + %d dropped != %d flows", tot.Written, dropped, tot.Flows)
	}
	if dropped == 0 || tot.Written == 0 {
		t.Fatalf("%d written, %d dropped: the disk should fill part of the way", tot.Written, dropped)
	}
	stored, _ := readRepo(t, dir)
	if uint64(len(stored)) != tot.Written {
		t.Errorf("records_written_total %d, but the files hold %d records (%d dropped)", tot.Written, len(stored), dropped)
	}
	if stats.WriteErrors.Load() == 0 {
		t.Error("no write error counted")
	}
}

// A full disk loses the blocks a flush could not write: they are counted
// as dropped, not as written (before, dropped_records_total stayed 0 and
// records_written_total counted them).
func TestDiskFullIsCountedAsDropped(t *testing.T) {
	t.Run("quota", func(t *testing.T) {
		dir := t.TempDir()
		repo := flowfile.Repo{Root: dir}
		d := &disk{left: 64 << 10}
		open := func(k FileKey) (RecordWriter, string, error) {
			path := repo.Path(k.Type, "S0", k.Time())
			os.MkdirAll(filepath.Dir(path), 0o755)
			f, err := os.Create(path)
			if err != nil {
				return nil, path, err
			}
			fw, err := flowfile.NewWriter(&quotaFile{f: f, d: d}, flowfile.Header{Kind: flowfile.KindFile, Codec: flowfile.CodecZstd,
				Type: k.Type, Sensor: "S0", Hour: k.Time()})
			if err != nil {
				f.Close()
				os.Remove(path) // no room for its header
				return nil, path, err
			}
			return inBackground(&closingWriter{fw, f}), path, nil
		}
		fillDisk(t, dir, open)
	})
	// A real file system that fills up: a small tmpfs, where mounting
	// one is allowed (root).
	t.Run("tmpfs", func(t *testing.T) {
		dir := t.TempDir()
		if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=96k"); err != nil {
			t.Skipf("cannot mount a tmpfs here (%v); the quota case covers the accounting", err)
		}
		t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
		fillDisk(t, dir, RepoOpener(dir, func(uint16) string { return "S0" }, nil))
	})
}

// closingWriter closes the file under a flowfile.Writer.
type closingWriter struct {
	*flowfile.Writer
	f *os.File
}

func (c *closingWriter) Close() error {
	err := c.Writer.Close()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	return err
}
