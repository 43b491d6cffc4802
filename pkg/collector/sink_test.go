package collector

import (
	"errors"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// memFile is an hourly file in memory: what was flushed (durable) and what
// is still in the current block.
type memFile struct {
	durable, pending []flowfile.Record
	closed           bool
	opens            int
}

type memRepo struct {
	files   map[FileKey]*memFile
	failFor map[FileKey]bool
}

func newMemRepo() *memRepo {
	return &memRepo{files: map[FileKey]*memFile{}, failFor: map[FileKey]bool{}}
}

type memWriter struct{ f *memFile }

func (w memWriter) Write(r *flowfile.Record) error { w.f.pending = append(w.f.pending, *r); return nil }
func (w memWriter) Flush() error {
	w.f.durable = append(w.f.durable, w.f.pending...)
	w.f.pending = nil
	return nil
}
func (w memWriter) Close() error { w.Flush(); w.f.closed = true; return nil }

func (m *memRepo) open(k FileKey) (RecordWriter, string, error) {
	if m.failFor[k] {
		return nil, "", errors.New("disk full")
	}
	f := m.files[k]
	if f == nil {
		f = &memFile{}
		m.files[k] = f
	}
	f.closed = false
	f.opens++
	return memWriter{f}, k.Time().Format("2006010215") + "-" + k.Type.String(), nil
}

func ms(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

func key(s string, sensor uint16, typ flowfile.FlowType) FileKey {
	return FileKey{Sensor: sensor, Type: typ, Hour: ms(s) / 3_600_000}
}

func TestSinkRoutesByStartHourSensorAndType(t *testing.T) {
	repo := newMemRepo()
	s := NewSink(SinkConfig{Open: repo.open})
	recs := []flowfile.Record{
		{STime: ms("2023-11-14T22:13:00Z"), ETime: ms("2023-11-14T23:01:00Z"), Type: flowfile.TypeIn},
		{STime: ms("2023-11-14T22:59:59Z"), Type: flowfile.TypeIn},
		{STime: ms("2023-11-14T23:00:00Z"), Type: flowfile.TypeIn},
		{STime: ms("2023-11-14T22:30:00Z"), Type: flowfile.TypeOutWeb},
		{STime: ms("2023-11-14T22:30:00Z"), Type: flowfile.TypeIn, Sensor: 3},
		// a late flow: arrives after 23:00's flows but started at 21:xx
		{STime: ms("2023-11-14T21:58:00Z"), Type: flowfile.TypeIn},
	}
	for i := range recs {
		if err := s.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	want := map[FileKey]int{
		key("2023-11-14T22:00:00Z", 0, flowfile.TypeIn):     2, // the flow crossing 23:00 stays in its start hour
		key("2023-11-14T23:00:00Z", 0, flowfile.TypeIn):     1,
		key("2023-11-14T22:00:00Z", 0, flowfile.TypeOutWeb): 1,
		key("2023-11-14T22:00:00Z", 3, flowfile.TypeIn):     1,
		key("2023-11-14T21:00:00Z", 0, flowfile.TypeIn):     1,
	}
	if len(repo.files) != len(want) {
		t.Errorf("%d files, want %d", len(repo.files), len(want))
	}
	for k, n := range want {
		f := repo.files[k]
		if f == nil {
			t.Errorf("no file for %+v", k)
			continue
		}
		if len(f.durable) != n || !f.closed {
			t.Errorf("%+v: %d records (closed %v), want %d closed", k, len(f.durable), f.closed, n)
		}
	}
	if s.Written != 6 {
		t.Errorf("Written = %d, want 6", s.Written)
	}
}

func TestSinkFlushMakesRecordsDurable(t *testing.T) {
	repo := newMemRepo()
	s := NewSink(SinkConfig{Open: repo.open})
	r := flowfile.Record{STime: ms("2023-11-14T22:13:00Z")}
	s.Write(&r)
	s.Write(&r)
	f := repo.files[KeyOf(&r)]
	if len(f.durable) != 0 {
		t.Fatalf("records durable before any flush")
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	s.Write(&r)
	// What a crash now would keep: the two flushed records, not the third.
	if len(f.durable) != 2 || len(f.pending) != 1 {
		t.Fatalf("after flush: %d durable, %d pending; want 2, 1", len(f.durable), len(f.pending))
	}
}

func TestSinkClosesIdlePastHoursAndReopensForLateFlows(t *testing.T) {
	repo := newMemRepo()
	now := time.Date(2023, 11, 14, 23, 10, 0, 0, time.UTC)
	s := NewSink(SinkConfig{Open: repo.open, IdleAfter: 5 * time.Minute})
	s.now = func() time.Time { return now }
	old := flowfile.Record{STime: ms("2023-11-14T22:50:00Z")}
	cur := flowfile.Record{STime: ms("2023-11-14T23:05:00Z")}
	s.Write(&old)
	s.Write(&cur)
	s.Flush()
	now = now.Add(6 * time.Minute)
	s.Write(&cur)
	s.Flush()
	if n := s.CloseIdle(); n != 1 {
		t.Fatalf("CloseIdle closed %d files, want 1 (the 22:00 file)", n)
	}
	if !repo.files[KeyOf(&old)].closed || repo.files[KeyOf(&cur)].closed {
		t.Fatalf("wrong file closed")
	}
	// The current hour stays open however idle it is.
	now = now.Add(time.Hour / 4)
	if n := s.CloseIdle(); n != 0 {
		t.Fatalf("CloseIdle closed the current hour's file")
	}
	s.Write(&old) // a late flow reopens (appends to) its hour's file
	s.Close()
	f := repo.files[KeyOf(&old)]
	if f.opens != 2 || len(f.durable) != 2 {
		t.Fatalf("late flow: opens %d records %d, want 2 and 2", f.opens, len(f.durable))
	}
}

func TestSinkBoundsOpenFiles(t *testing.T) {
	repo := newMemRepo()
	now := time.Date(2023, 11, 14, 23, 0, 0, 0, time.UTC)
	s := NewSink(SinkConfig{Open: repo.open, MaxOpen: 3})
	s.now = func() time.Time { now = now.Add(time.Second); return now }
	for h := range 10 {
		r := flowfile.Record{STime: ms("2023-11-14T00:00:00Z") + int64(h)*3_600_000}
		s.Write(&r)
		if s.OpenFiles() > 3 {
			t.Fatalf("%d files open, limit 3", s.OpenFiles())
		}
	}
	s.Close()
	total := 0
	for _, f := range repo.files {
		total += len(f.durable)
	}
	if total != 10 {
		t.Fatalf("%d records kept, want 10", total)
	}
}

func TestSinkOpenFailureDropsAndRetries(t *testing.T) {
	repo := newMemRepo()
	now := time.Date(2023, 11, 14, 23, 0, 0, 0, time.UTC)
	s := NewSink(SinkConfig{Open: repo.open, RetryAfter: 10 * time.Second})
	s.now = func() time.Time { return now }
	r := flowfile.Record{STime: ms("2023-11-14T22:13:00Z")}
	repo.failFor[KeyOf(&r)] = true
	for range 2 {
		if s.Write(&r) == nil {
			t.Fatal("write to an unopenable file succeeded")
		}
	}
	if s.Dropped != 2 || s.OpenErrors != 1 {
		t.Fatalf("dropped %d open errors %d; want 2, 1 (no retry storm)", s.Dropped, s.OpenErrors)
	}
	delete(repo.failFor, KeyOf(&r))
	now = now.Add(11 * time.Second)
	if err := s.Write(&r); err != nil {
		t.Fatalf("after the retry delay: %v", err)
	}
}
