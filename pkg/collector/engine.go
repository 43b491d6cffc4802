package collector

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gflow/gflow/pkg/asn"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo"
	"github.com/gflow/gflow/pkg/site"
	"github.com/gflow/gflow/pkg/site/learn"
)

// Decoder turns one export datagram into flow records appended to dst
// (netflow.Decoder). It must be safe for concurrent use when several
// sockets feed one engine.
type Decoder interface {
	Decode(dst []flowfile.Record, pkt []byte, from netip.AddrPort) ([]flowfile.Record, error)
}

// Engine is the path from datagrams to hourly files: receive goroutines
// (Workers) decode and pick the sensor, and hand batches of records over a
// channel to one writer goroutine that classifies and enriches them and
// owns the Sink, whose files encode on goroutines of their own. A socket's
// datagrams all arrive on one receive goroutine, so the work per flow is
// spread over the stages rather than left on it. Batches are recycled, so
// a steady stream allocates nothing per flow.
type Engine struct {
	Decoder Decoder
	// Site gives each exporter's sensor (exporters of no sensor are dropped
	// and counted as Unknown) and types the flows; nil leaves sensor 0 and
	// type 0.
	Site *site.Config
	// Enricher sets the country codes; nil leaves them unset.
	Enricher *geo.Enricher
	// Learner, if set, learns each sensor's site from its flows; they are
	// typed with what it learned, and its addresses get "--".
	Learner *learn.Learner
	// ASN fills the AS numbers the exporter did not send, for the
	// addresses Enricher says are public; nil leaves them as sent.
	ASN *asn.DB
	// Allow, when not empty, lists the exporters accepted; others are
	// counted (Stats.Denied) and dropped before decoding.
	Allow []netip.Prefix
	// Sink writes the hourly files; nil keeps none (flows go to Outputs
	// only).
	Sink *Sink
	// Outputs get every record too, a batch at a time (the ClickHouse
	// sink).
	Outputs []Output
	Stats   *Stats
	// FlushInterval bounds what a crash loses: every file written to is
	// flushed at least this often. 0 means 5 s.
	FlushInterval time.Duration
	// AfterFlush runs in the writer after each periodic flush and at the end
	// (the command saves the decoder's templates there).
	AfterFlush func()
	// Logf reports problems (once per distinct error, not per record).
	Logf func(format string, args ...any)
	// OnDenied and OnUnknown, if set, see the address of each datagram
	// dropped because Allow does not list its exporter, or because the
	// exporter belongs to no sensor (the command logs them, rate-limited).
	OnDenied, OnUnknown func(exporter netip.Addr)
	// BatchRecords is the size of the record batches; 0 means 8192.
	BatchRecords int
	// Window is how far flows may start from their export time; flows
	// outside are dropped and counted. The zero value accepts all.
	Window TimeWindow

	// The tunnel-broker hint, judged once from a sample of the flows
	// written (only the writer goroutine touches these).
	hint     siteHint
	hintDone bool

	countries *countryCache // in front of Enricher, for the writer goroutine

	// site is the configuration in use: Site at Start, replaced by
	// Reconfigure (SIGHUP) while receive goroutines read it.
	site atomic.Pointer[site.Config]
	ctl  chan func() // work for the writer goroutine (reload.go)

	batches chan *batch
	free    chan *batch
	done    chan struct{}
	workers sync.WaitGroup
	errLog  *logLimiter // a line per kind of write error a minute
	notes   *logLimiter // the lines about exporters' flows (timewindow.go)
	started bool
}

type span struct {
	exp    *ExporterCounters
	sensor *site.Sensor // nil without a site configuration
	cfg    *site.Config // the configuration sensor belongs to
	n      int
}

// batch is records plus which exporter each run of them came from, so the
// writer can count records written per exporter.
type batch struct {
	recs  []flowfile.Record
	spans []span
}

const poolBatches = 16

// Start launches the writer goroutine.
func (e *Engine) Start() {
	if e.FlushInterval <= 0 {
		e.FlushInterval = 5 * time.Second
	}
	if e.BatchRecords <= 0 {
		e.BatchRecords = 8192
	}
	if e.Stats == nil {
		e.Stats = NewStats()
	}
	if e.Enricher != nil {
		e.countries = newCountryCache(e.Enricher, e.ASN)
	}
	if e.Sink != nil {
		e.Sink.LostTo = &e.Stats.Dropped
	}
	e.notes = newLogLimiter(time.Minute, noteBurst, "lines")
	e.batches = make(chan *batch, poolBatches)
	e.free = make(chan *batch, poolBatches)
	for range poolBatches {
		e.free <- &batch{recs: make([]flowfile.Record, 0, e.BatchRecords), spans: make([]span, 0, 256)}
	}
	e.done = make(chan struct{})
	e.ctl = make(chan func())
	e.site.Store(e.Site)
	e.started = true
	go e.writeLoop()
}

// Close waits for the workers to finish (their sockets closed or inputs
// read), writes what they sent, flushes and closes every file.
func (e *Engine) Close() {
	if !e.started {
		return
	}
	e.workers.Wait()
	close(e.batches)
	<-e.done
	e.started = false
}

func (e *Engine) logf(format string, args ...any) {
	if e.Logf != nil {
		e.Logf(format, args...)
	}
}

func (e *Engine) writeLoop() {
	defer close(e.done)
	flushT := time.NewTicker(e.FlushInterval)
	defer flushT.Stop()
	idleT := time.NewTicker(time.Minute)
	defer idleT.Stop()
	for {
		select {
		case b, ok := <-e.batches:
			if !ok {
				if e.Sink != nil {
					e.noteErr(e.Sink.Close())
				}
				for _, o := range e.Outputs {
					e.noteErr(o.Close())
				}
				for _, l := range append(e.errLog.held(), e.notes.held()...) {
					e.logf("%s", l)
				}
				e.Stats.OpenFiles.Store(0)
				if e.AfterFlush != nil {
					e.AfterFlush()
				}
				return
			}
			e.write(b)
		case <-flushT.C:
			e.flush()
		case <-idleT.C:
			if e.Sink != nil {
				e.Sink.CloseIdle()
				e.Stats.OpenFiles.Store(int64(e.Sink.OpenFiles()))
			}
		case f := <-e.ctl:
			f()
		}
	}
}

func (e *Engine) write(b *batch) {
	i := 0
	for _, sp := range b.spans {
		var ok uint64
		sensor := sp.sensor
		sl := e.Learner.For(sensor)
		if e.Sink != nil {
			// the sink counts the span's records written once they are
			// flushed to their files, lost if a file fails before
			e.Sink.Source = &sp.exp.Written
		}
		for j := i; j < i+sp.n; j++ {
			if sl != nil && (j-i)%learnChunk == 0 {
				// Evidence first, a chunk at a time: a reply in the same
				// export as its connection is typed with what it taught,
				// and the chunk is still in the cache when it is typed.
				sl.Observe(b.recs[j:min(j+learnChunk, i+sp.n)])
				sensor = sl.Effective()
			}
			r := &b.recs[j]
			if sensor != nil {
				r.Sensor = sensor.ID
				sp.cfg.Classify(r, sensor)
			}
			if e.countries != nil {
				sas, das := e.countries.enrich(r)
				if e.Learner != nil && e.Learner.HasAddresses() {
					sas, das = e.learnedCountries(r, sas, das)
				}
				fillAS(r, sas, das)
			}
			if !e.hintDone {
				e.sampleHint(&b.recs[j])
			}
			if e.Sink == nil {
				ok++
				continue
			}
			if err := e.Sink.Write(&b.recs[j]); err != nil {
				e.Stats.Dropped.Add(1)
				e.noteErr(err)
				continue
			}
		}
		sp.exp.Written.Add(ok)
		i += sp.n
	}
	for _, o := range e.Outputs {
		e.noteErr(o.Write(b.recs))
	}
	if e.Sink != nil {
		e.Stats.OpenFiles.Store(int64(e.Sink.OpenFiles()))
	}
	b.recs = b.recs[:0]
	b.spans = b.spans[:0]
	e.free <- b
}

func (e *Engine) flush() {
	if e.Sink != nil {
		e.noteErr(e.Sink.Flush())
	}
	for _, o := range e.Outputs {
		e.noteErr(o.Flush())
	}
	e.Stats.Flushes.Add(1)
	if e.AfterFlush != nil {
		e.AfterFlush()
	}
}

// noteErr counts an error and logs it, at most one line of each kind a
// minute, so a full disk or a read-only repository gives a line a minute,
// not one per record or file.
func (e *Engine) noteErr(err error) {
	if err == nil {
		return
	}
	e.Stats.WriteErrors.Add(1)
	if e.errLog == nil {
		e.errLog = newLogLimiter(time.Minute, 1, "errors")
	}
	e.errLog.printf(e.logf, errKind(err), "%s", err)
}

// Worker decodes datagrams into its current batch. Each receive goroutine
// has its own; Done hands over what is left.
type Worker struct {
	e   *Engine
	cur *batch
}

// NewWorker returns a worker; call Done when its input ends.
func (e *Engine) NewWorker() *Worker {
	e.workers.Add(1)
	return &Worker{e: e}
}

func (e *Engine) allowed(a netip.Addr) bool {
	if len(e.Allow) == 0 {
		return true
	}
	for _, p := range e.Allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Packet processes one datagram from an exporter.
func (w *Worker) Packet(data []byte, from netip.AddrPort) {
	e := w.e
	addr := from.Addr().Unmap()
	if !e.allowed(addr) {
		e.Stats.Denied.Add(1)
		if e.OnDenied != nil {
			e.OnDenied(addr)
		}
		return
	}
	exp := e.Stats.Exporter(addr)
	exp.Packets.Add(1)
	exp.Bytes.Add(uint64(len(data)))
	var sensor *site.Sensor
	cfg := e.site.Load()
	if cfg != nil {
		var ok bool
		if sensor, ok = cfg.SensorForExporter(addr); !ok {
			exp.Unknown.Add(1)
			if e.OnUnknown != nil {
				e.OnUnknown(addr)
			}
			return
		}
	}
	if w.cur == nil {
		w.cur = <-e.free
	}
	start := len(w.cur.recs)
	recs, err := e.Decoder.Decode(w.cur.recs, data, from)
	if err != nil {
		exp.Errors.Add(1) // the flows of the well-formed part are still kept
	}
	if e.Window.set() {
		var out int
		var first flowfile.Record
		if recs, out, first = e.Window.keep(recs, start, data); out > 0 {
			e.outOfWindow(exp, out, &first, data)
		}
	}
	w.cur.recs = recs
	if n := len(recs) - start; n > 0 {
		exp.Flows.Add(uint64(n))
		if k := len(w.cur.spans); k > 0 && w.cur.spans[k-1].exp == exp && w.cur.spans[k-1].sensor == sensor {
			w.cur.spans[k-1].n += n
		} else {
			w.cur.spans = append(w.cur.spans, span{exp: exp, sensor: sensor, cfg: cfg, n: n})
		}
	}
	// Leave room for one more big packet so that Decode's append rarely
	// has to grow the batch.
	if len(w.cur.recs) >= cap(w.cur.recs)/2 {
		w.Send()
	}
}

// Send hands the current batch to the writer (receive loops call it after
// each read so that records do not wait for a full batch).
func (w *Worker) Send() {
	if w.cur == nil {
		return
	}
	if len(w.cur.recs) == 0 {
		return // keep the empty batch for the next datagram
	}
	w.e.batches <- w.cur
	w.cur = nil
}

// Done sends what is left; the worker must not be used afterwards.
func (w *Worker) Done() {
	w.Send()
	if w.cur != nil {
		w.e.free <- w.cur
		w.cur = nil
	}
	w.e.workers.Done()
}

// Receive reads datagrams from s in batches until s is closed, then calls
// Done. It returns nil when the socket was closed on purpose.
func (e *Engine) Receive(s *Socket, batchSize int) error {
	w := e.NewWorker()
	defer w.Done()
	br, err := NewBatchReader(s, batchSize)
	if err != nil {
		return err
	}
	pkts := make([]Packet, batchSize)
	for {
		n, err := br.ReadBatch(pkts)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		for i := range pkts[:n] {
			w.Packet(pkts[i].Data, pkts[i].From)
		}
		w.Send()
	}
}
