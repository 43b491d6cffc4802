package collector

import (
	"errors"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// failingWriter accepts okWrites records, then fails every write.
type failingWriter struct {
	memWriter
	okWrites int
}

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(r *flowfile.Record) error {
	if w.okWrites == 0 {
		return errDiskFull
	}
	w.okWrites--
	return w.memWriter.Write(r)
}

func TestBackgroundWriterKeepsOrderAndFlushes(t *testing.T) {
	f := &memFile{}
	b := inBackground(memWriter{f})
	n := 3*chunkRecords + 17 // full chunks and a partial one
	for i := range n {
		if err := b.Write(&flowfile.Record{Packets: uint64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	// Flush returns once everything is written: the file is read here
	// without racing the writer's goroutine (go test -race checks that).
	if len(f.durable) != n || len(f.pending) != 0 {
		t.Fatalf("after Flush: %d durable, %d pending records; want %d, 0", len(f.durable), len(f.pending), n)
	}
	for i, r := range f.durable {
		if r.Packets != uint64(i) {
			t.Fatalf("record %d has Packets %d: order lost", i, r.Packets)
		}
	}

	// StartFlush then Flush, as the Sink does.
	b.Write(&flowfile.Record{Packets: 1e6})
	b.StartFlush()
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(f.durable) != n+1 || f.durable[n].Packets != 1e6 {
		t.Fatalf("after StartFlush and Flush: %d durable records, want %d", len(f.durable), n+1)
	}

	b.Write(&flowfile.Record{Packets: 2e6})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if !f.closed || len(f.durable) != n+2 || f.durable[n+1].Packets != 2e6 {
		t.Fatalf("after Close: closed %v, %d durable records, want true, %d", f.closed, len(f.durable), n+2)
	}
	if err := b.Write(&flowfile.Record{}); err == nil {
		t.Fatal("Write after Close succeeded")
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestBackgroundWriterReportsWriteErrors(t *testing.T) {
	f := &memFile{}
	b := inBackground(&failingWriter{memWriter: memWriter{f}, okWrites: 10})
	for range chunkRecords / 2 {
		if err := b.Write(&flowfile.Record{}); err != nil {
			t.Fatalf("error before any chunk was handed over: %v", err)
		}
	}
	if err := b.Flush(); !errors.Is(err, errDiskFull) {
		t.Fatalf("Flush: %v, want the write error", err)
	}
	if err := b.Write(&flowfile.Record{}); !errors.Is(err, errDiskFull) {
		t.Fatalf("Write after a failed Flush: %v, want the write error", err)
	}
	if err := b.Close(); !errors.Is(err, errDiskFull) {
		t.Fatalf("Close: %v, want the write error", err)
	}
	if !f.closed {
		t.Fatal("the file was not closed")
	}
}

func TestBackgroundWriterWriteSeesErrorsWithoutFlush(t *testing.T) {
	f := &memFile{}
	b := inBackground(&failingWriter{memWriter: memWriter{f}, okWrites: 0})
	var err error
	// The first chunk fails in the background; Write notices at a later
	// chunk boundary, once the goroutine has got to it.
	for i := 0; err == nil && i < 100*chunksPerFile*chunkRecords; i++ {
		err = b.Write(&flowfile.Record{})
	}
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("Write never reported the background error: %v", err)
	}
	b.Close()
}
