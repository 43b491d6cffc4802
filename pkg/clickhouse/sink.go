package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Config sets up a Sink.
type Config struct {
	URL   string // http://host:8123/ (see NewClient)
	Table string // TABLE or DATABASE.TABLE; default "flows"
	// SpoolDir keeps the batches the server cannot take until it can.
	SpoolDir string
	// SensorName names a sensor id for the sensor column; nil gives "S<id>".
	SensorName func(id uint16) string
	// BatchRows is the most rows one insert carries (default 50000, at
	// most 1000000: the server then writes each day of an insert as one
	// part, all or nothing). The collector's flush also sends a batch.
	BatchRows int
	// NoCreate leaves a missing table an error instead of creating it.
	NoCreate bool
	// RetryMin and RetryMax bound the back-off between attempts while the
	// server does not answer (default 1 s and 30 s).
	RetryMin, RetryMax time.Duration
	// Timeout bounds one request (default 60 s).
	Timeout time.Duration
	Logf    func(format string, args ...any)
}

// Counters are what the Sink counts, for metrics and the summary line.
type Counters struct {
	Rows       uint64 // rows the server took (live and from the spool)
	Inserts    uint64 // successful insert requests
	Failures   uint64 // failed attempts (each retry counts)
	Spooled    uint64 // rows written to the spool
	Replayed   uint64 // rows sent from the spool
	Present    uint64 // rows of a batch sent again that the server had already
	Lost       uint64 // rows neither sent nor spooled (the spool could not be written)
	SpoolFiles int
	SpoolBytes int64
	Up         bool // the last attempt reached the server
}

type counters struct {
	rows, inserts, failures, spooled, replayed, present, lost atomic.Uint64
	down                                                      atomic.Bool
}

// batch is one insert: records and the id they carry in batch_id.
type batch struct {
	id   uint64
	recs []flowfile.Record
}

// Sink sends flow records to a ClickHouse table. Write, Flush and Close
// are called from one goroutine (the collector's writer); a goroutine of
// the Sink's own does the inserts, so a slow or absent server never holds
// the collector: when it falls behind, batches go to the spool.
type Sink struct {
	cfg    Config
	client *Client
	spool  *spool
	c      counters

	cur  *batch // filled by Write
	in   chan *batch
	free chan *batch
	done chan struct{}

	// owned by the sending goroutine
	tbl      *table
	buf      []byte
	replay   []flowfile.Record
	backoff  time.Duration
	lastErr  string
	draining bool
}

// Open prepares a Sink: it reads what the spool holds and, if the server
// answers, finds or creates the table. A server that does not answer is
// not an error (the collector must start anyway): batches wait in the
// spool until it does. A table the server refuses is.
func Open(cfg Config) (*Sink, error) {
	if cfg.Table == "" {
		cfg.Table = "flows"
	}
	if err := CheckTableName(cfg.Table); err != nil {
		return nil, err
	}
	if cfg.BatchRows <= 0 {
		cfg.BatchRows = 50000
	}
	cfg.BatchRows = min(cfg.BatchRows, 1_000_000)
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = time.Second
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(30*time.Second, cfg.RetryMin)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	if cfg.SensorName == nil {
		cfg.SensorName = func(id uint16) string { return "S" + strconv.Itoa(int(id)) }
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	client, err := NewClient(cfg.URL)
	if err != nil {
		return nil, err
	}
	sp, err := openSpool(cfg.SpoolDir)
	if err != nil {
		return nil, err
	}
	s := &Sink{cfg: cfg, client: client, spool: sp,
		in:   make(chan *batch, 8),
		free: make(chan *batch, 10),
		done: make(chan struct{}),
	}
	if err := s.setup(); err != nil {
		if !Unavailable(err) {
			return nil, fmt.Errorf("ClickHouse at %s: %w", client, err)
		}
		s.c.down.Store(true)
		s.noteErr(err)
	}
	if n, size := sp.size(); n > 0 {
		cfg.Logf("ClickHouse: %d batches (%s) from an earlier run wait in %s; they are sent first",
			n, formatBytes(size), sp.dir)
	}
	go s.run()
	return s, nil
}

// setup finds the table (creating it when allowed).
func (s *Sink) setup() error {
	if s.tbl != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
	defer cancel()
	t, err := setupTable(ctx, s.client, s.cfg.Table, !s.cfg.NoCreate)
	if err != nil {
		return err
	}
	s.tbl = t
	how := "found"
	if t.created {
		how = "created"
	}
	s.cfg.Logf("ClickHouse %s at %s: table %s %s (%s layout)", t.version, s.client, t.name, how, t.layout)
	if !t.hasBatch {
		s.cfg.Logf("ClickHouse: warning: table %s has no batch_id column; a batch sent again after a failure may arrive twice", t.name)
	}
	return nil
}

// Write copies records into the current batch; a full batch goes to the
// sender.
func (s *Sink) Write(recs []flowfile.Record) error {
	var errs []error
	for len(recs) > 0 {
		if s.cur == nil {
			s.cur = s.newBatch()
		}
		n := min(len(recs), s.cfg.BatchRows-len(s.cur.recs))
		s.cur.recs = append(s.cur.recs, recs[:n]...)
		recs = recs[n:]
		if len(s.cur.recs) >= s.cfg.BatchRows {
			errs = append(errs, s.handOff())
		}
	}
	return errors.Join(errs...)
}

// Flush sends the current batch, so that no record waits longer than the
// collector's flush interval.
func (s *Sink) Flush() error { return s.handOff() }

// Close sends what is left, and what waits in the spool while the server
// takes it (for up to 20 s), then stops the sender. Batches still in the spool then (the
// server is down) are sent by the next run.
func (s *Sink) Close() error {
	err := s.handOff()
	close(s.in)
	<-s.done
	if n, size := s.spool.size(); n > 0 {
		s.cfg.Logf("ClickHouse: %d batches (%s) wait in %s; the next start sends them", n, formatBytes(size), s.spool.dir)
	}
	return err
}

// Counters returns a snapshot of the counts.
func (s *Sink) Counters() Counters {
	files, size := s.spool.size()
	return Counters{
		Rows: s.c.rows.Load(), Inserts: s.c.inserts.Load(), Failures: s.c.failures.Load(),
		Spooled: s.c.spooled.Load(), Replayed: s.c.replayed.Load(), Present: s.c.present.Load(),
		Lost: s.c.lost.Load(), SpoolFiles: files, SpoolBytes: size, Up: !s.c.down.Load(),
	}
}

func (s *Sink) newBatch() *batch {
	select {
	case b := <-s.free:
		b.id = newBatchID()
		return b
	default:
		return &batch{id: newBatchID(), recs: make([]flowfile.Record, 0, s.cfg.BatchRows)}
	}
}

func (s *Sink) recycle(b *batch) {
	b.recs = b.recs[:0]
	select {
	case s.free <- b:
	default:
	}
}

// newBatchID is random, so that collectors feeding one cluster never
// share one; zero is left out.
func newBatchID() uint64 {
	for {
		if id := rand.Uint64(); id != 0 {
			return id
		}
	}
}

// handOff gives the current batch to the sender, or writes it to the
// spool when the sender is busy retrying: the collector is never held.
func (s *Sink) handOff() error {
	b := s.cur
	s.cur = nil
	if b == nil || len(b.recs) == 0 {
		if b != nil {
			s.recycle(b)
		}
		return nil
	}
	select {
	case s.in <- b:
		return nil
	default:
		return s.spill(b)
	}
}

// spill writes a batch to the spool; goroutine-safe.
func (s *Sink) spill(b *batch) error {
	n := uint64(len(b.recs))
	err := s.spool.put(b)
	if err != nil {
		s.c.lost.Add(n)
		err = fmt.Errorf("ClickHouse: %d flows lost: %w", n, err)
	} else {
		s.c.spooled.Add(n)
	}
	s.recycle(b)
	return err
}

// closeDrain bounds how long Close goes on sending the spool; the rest
// waits for the next start.
const closeDrain = 20 * time.Second

// idlePoll is how often the sender looks at the spool when nothing
// else wakes it (batches the collector spilled while it was busy).
const idlePoll = time.Second

func (s *Sink) run() {
	defer close(s.done)
	t := time.NewTimer(0) // batches of an earlier run go first
	defer t.Stop()
	for {
		select {
		case b, ok := <-s.in:
			if !ok {
				// the end: send the spool while the server takes it, for
				// a while (a service manager waits only so long)
				end := time.Now().Add(closeDrain)
				for !s.c.down.Load() && time.Now().Before(end) && s.catchUp() == 0 {
				}
				return
			}
			if s.deliver(b) {
				// now down: try again after the back-off
				t.Reset(s.backoff)
			}
		case <-t.C:
			t.Reset(s.catchUp())
		}
	}
}

// deliver sends a batch now, retrying a few times quickly for a server
// that hiccups, or spools it. It reports whether the server went down.
func (s *Sink) deliver(b *batch) (wentDown bool) {
	if s.c.down.Load() {
		// the back-off decides when to try again, with the spool
		s.noteErr(s.spill(b))
		return false
	}
	quick := []time.Duration{0, 200 * time.Millisecond, time.Second}
	var err error
	for i, d := range quick {
		time.Sleep(d)
		// an attempt after a failure may repeat one that landed
		if err = s.send(b, i > 0); err == nil {
			s.lastErr = ""
			s.recycle(b)
			return false
		}
		s.c.failures.Add(1)
		if !Unavailable(err) {
			break // the server refused it: retrying at once will not help
		}
	}
	s.goDown(err)
	s.noteErr(s.spill(b))
	return true
}

// catchUp sends the oldest spooled batch and returns when to come back:
// at once while more wait, after the back-off when the server is still
// down.
func (s *Sink) catchUp() time.Duration {
	f, ok := s.spool.oldest()
	if !ok {
		if s.draining {
			s.draining = false
			s.cfg.Logf("ClickHouse: caught up; every spooled flow is in table %s", s.cfg.Table)
		}
		return idlePoll
	}
	recs, rerr := s.spool.read(f, s.replay[:0])
	s.replay = recs[:0]
	if rerr != nil {
		s.cfg.Logf("ClickHouse: spool file %s: %v (the intact blocks are sent)", f.name(), rerr)
		if len(recs) == 0 && errors.Is(rerr, os.ErrNotExist) {
			s.spool.remove(f)
			return 0
		}
	}
	b := &batch{id: f.batch, recs: recs}
	if err := s.send(b, true); err != nil {
		s.c.failures.Add(1)
		s.goDown(err)
		return s.backoff
	}
	if !s.draining {
		s.draining = true
		n, size := s.spool.size()
		s.cfg.Logf("ClickHouse at %s takes flows again; sending the %d spooled batches (%s)", s.client, n, formatBytes(size))
	}
	s.c.replayed.Add(uint64(len(recs)))
	s.c.down.Store(false)
	s.backoff = 0
	s.lastErr = ""
	if err := s.spool.remove(f); err != nil {
		s.noteErr(err)
		return s.cfg.RetryMax // the same file again would be found present
	}
	return 0
}

// goDown records a failure and lengthens the back-off.
func (s *Sink) goDown(err error) {
	s.c.down.Store(true)
	switch {
	case s.backoff == 0:
		s.backoff = s.cfg.RetryMin
	default:
		s.backoff = min(2*s.backoff, s.cfg.RetryMax)
	}
	// ±20 % so that collectors restarted together do not retry together
	s.backoff = time.Duration(float64(s.backoff) * (0.8 + 0.4*rand.Float64()))
	s.noteErr(err)
}

// noteErr logs an error once until a different one, or a success, comes.
func (s *Sink) noteErr(err error) {
	if err == nil {
		return
	}
	msg := err.Error()
	if msg == s.lastErr {
		return
	}
	s.lastErr = msg
	if Unavailable(err) || isServerErr(err) {
		s.cfg.Logf("ClickHouse at %s: %v; flows wait in %s until it takes them", s.client, err, s.spool.dir)
		return
	}
	s.cfg.Logf("%v", err)
}

func isServerErr(err error) bool {
	var se *ServerError
	return errors.As(err, &se)
}

// send inserts a batch, one request per day of start time: each is then
// one part of one partition, which the server writes whole or not at all.
// With check, the days the server has already (an earlier attempt that
// landed although its answer was lost) are not sent again.
func (s *Sink) send(b *batch, check bool) error {
	if err := s.setup(); err != nil {
		return err
	}
	days := splitDays(b.recs)
	var have map[uint32]uint64
	if check && s.tbl.hasBatch {
		var err error
		if have, err = s.present(b); err != nil {
			return err
		}
	}
	env := rowEnv{sensorName: s.cfg.SensorName, batch: b.id}
	for _, d := range days {
		if n, ok := have[d.day]; ok {
			if n != uint64(len(d.recs)) {
				s.cfg.Logf("ClickHouse: warning: batch %016x day %s: the server has %d of its %d flows; not sent again",
					b.id, dayString(d.day), n, len(d.recs))
			}
			s.c.present.Add(uint64(len(d.recs)))
			continue
		}
		s.buf = s.tbl.appendRows(s.buf[:0], d.recs, &env)
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
		err := s.client.Insert(ctx, s.tbl.insert, s.buf)
		cancel()
		if err != nil {
			return fmt.Errorf("insert into %s: %w", s.tbl.name, err)
		}
		s.c.inserts.Add(1)
		s.c.rows.Add(uint64(len(d.recs)))
	}
	return nil
}

// present asks which days of a batch the server has, and how many rows.
func (s *Sink) present(b *batch) (map[uint32]uint64, error) {
	lo, hi := b.recs[0].STime, b.recs[0].STime
	for i := range b.recs {
		lo, hi = min(lo, b.recs[i].STime), max(hi, b.recs[i].STime)
	}
	q := fmt.Sprintf("SELECT toUInt32(toDate(stime)) AS day, count() FROM %s WHERE stime >= toDateTime(%d) AND stime < toDateTime(%d) + 1 AND batch_id = %d GROUP BY day FORMAT TSV",
		s.tbl.name, Seconds(lo), Seconds(hi), b.id)
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
	defer cancel()
	out, err := s.client.Query(ctx, q)
	if err != nil {
		if Unavailable(err) {
			return nil, err // one message for every batch while the server is away
		}
		return nil, fmt.Errorf("checking batch %016x: %w", b.id, err)
	}
	have := map[uint32]uint64{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		dayS, nS, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		day, err1 := strconv.ParseUint(dayS, 10, 32)
		n, err2 := strconv.ParseUint(nS, 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("checking batch %016x: unexpected answer %q", b.id, line)
		}
		have[uint32(day)] = n
	}
	return have, nil
}

type dayRecs struct {
	day  uint32 // days since 1970-01-01 (UTC), as toDate counts them
	recs []flowfile.Record
}

func dayOf(r *flowfile.Record) uint32 { return Seconds(r.STime) / 86400 }

// splitDays cuts records by the day of their start time. Almost every
// batch has one day, which costs one pass and no copy.
func splitDays(recs []flowfile.Record) []dayRecs {
	if len(recs) == 0 {
		return nil
	}
	first := dayOf(&recs[0])
	one := true
	for i := range recs {
		if dayOf(&recs[i]) != first {
			one = false
			break
		}
	}
	if one {
		return []dayRecs{{first, recs}}
	}
	sorted := slices.Clone(recs)
	slices.SortStableFunc(sorted, func(a, b flowfile.Record) int { return int(dayOf(&a)) - int(dayOf(&b)) })
	var out []dayRecs
	for i := 0; i < len(sorted); {
		d := dayOf(&sorted[i])
		j := i
		for j < len(sorted) && dayOf(&sorted[j]) == d {
			j++
		}
		out = append(out, dayRecs{d, sorted[i:j]})
		i = j
	}
	return out
}

func dayString(day uint32) string {
	return time.Unix(int64(day)*86400, 0).UTC().Format("2006-01-02")
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
