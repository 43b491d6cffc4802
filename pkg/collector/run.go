package collector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gflow/gflow/pkg/clickhouse"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/netflow"
	"github.com/gflow/gflow/pkg/netflow/pcapfile"
	"github.com/gflow/gflow/pkg/site"
	"github.com/gflow/gflow/pkg/site/learn"
)

// Config is everything gflowcap's switches set.
type Config struct {
	Listen    []string // UDP addresses
	Sockets   int      // sockets per address (SO_REUSEPORT when > 1)
	RcvBuf    int      // receive buffer per socket, bytes
	ReadBatch int      // datagrams per recvmmsg
	Pcaps     []string // --read-pcap: decode these and exit
	Force     bool     // read captures the repository holds already (pcapseen.go)
	Allow     []netip.Prefix

	SiteConfig string
	GeoIPDB    string
	ASNDB      string
	DataRoot   string
	StateDir   string
	NATOutside bool

	FlushInterval time.Duration
	// Window is how far flows may start from their export time (zero:
	// no limit); the command's default is DefaultTimeWindow.
	Window         TimeWindow
	StatsInterval  time.Duration
	RetainAge      time.Duration
	RetainSize     int64
	RetainDryRun   bool
	RetainInterval time.Duration
	MetricsListen  string
	// LogFile, if set, receives the log instead of Stderr; Reload reopens it.
	LogFile string
	// Reload delivers SIGHUP: flush every file, reopen the log, read the
	// site configuration again (reload.go).
	Reload <-chan os.Signal

	// ClickHouse, when set, is the HTTP URL of a ClickHouse server that
	// gets every flow too (or only, with ClickHouseOnly).
	ClickHouse      string
	ClickHouseTable string
	ClickHouseOnly  bool
	ClickHouseBatch int

	Stderr io.Writer
	// Stats, if set, receives the counters (tests watch them); else new ones.
	Stats *Stats
	// Ready, if set, is called with the bound UDP addresses once the
	// collector receives (tests listen on port 0).
	Ready func(addrs []netip.AddrPort)
}

// collector is one run of gflowcap.
type collector struct {
	cfg     Config
	root    string // the repository root in use
	dec     *netflow.Decoder
	stats   *Stats
	engine  *Engine
	sockets []*Socket
	log     *opLog
	current atomic.Pointer[site.Config] // the site configuration in use (reload.go)
	denied  *refusals                   // exporters --allow does not list
	unknown *refusals                   // exporters of no sensor
	errLog  *logLimiter                 // see logErr
	notes   *logLimiter                 // see note
	tplPath string
	start   time.Time

	savedGen uint64 // the decoder's generation the templates file holds

	clickhouse *clickhouse.Sink              // nil without --clickhouse
	learner    *learn.Learner                // used by the writer goroutine
	learnerPub atomic.Pointer[learn.Learner] // the same, for the metrics
	learnPath  string
	learnSaved time.Time

	stateDir  string
	pcapsRead []pcapRead // captures read, recorded once their flows are stored
}

func (c *collector) logf(format string, args ...any) { c.log.printf(format, args...) }

// Run runs the collector until ctx is cancelled (SIGINT/SIGTERM in the
// command) or, with pcap inputs, until they are read; either way every
// file is flushed and closed and the templates saved before it returns.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	c := &collector{cfg: cfg, stats: cfg.Stats, start: time.Now(), denied: newRefusals(), unknown: newRefusals(),
		errLog: newLogLimiter(time.Minute, 1, "errors"), notes: newLogLimiter(time.Minute, noteBurst, "lines")}
	if c.stats == nil {
		c.stats = NewStats()
	}
	c.stats.Keep = c.preferred
	var err error
	if c.log, err = newOpLog(cfg.Stderr, cfg.LogFile); err != nil {
		return err
	}
	defer c.log.close()
	c.refusalLogs()
	// Bind first: while the site, the country tables and the templates
	// load, the kernel already queues what exporters send.
	if len(cfg.Pcaps) == 0 {
		if err := c.listen(ctx); err != nil {
			return err
		}
		defer c.closeSockets() // on early errors; closing twice is harmless
	}
	waitASN := startASN(cfg, c.logf)
	siteCfg, enr, err := loadSite(cfg.SiteConfig, cfg.DataRoot, cfg.GeoIPDB, c.logf)
	if err != nil {
		return err
	}
	c.current.Store(siteCfg)
	asdb, err := waitASN()
	if err != nil {
		return err
	}
	root := siteCfg.DataRoot
	c.root = root
	if err := os.MkdirAll(root, 0o755); err != nil {
		return fmt.Errorf("data root: %w", err)
	}
	stateDir := cfg.StateDir
	if stateDir == "" {
		stateDir = filepath.Join(root, ".gflowcap")
	}
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	c.tplPath = filepath.Join(stateDir, "templates")
	c.stateDir = stateDir

	opts := netflow.DefaultOptions()
	opts.NATInside = !cfg.NATOutside
	opts.DefaultSamplingRate = func(exporter netip.Addr) uint32 {
		if s, ok := c.site().SensorForExporter(exporter); ok {
			return s.SamplingRate
		}
		return 0
	}
	opts.Events = c.decoderEvent
	opts.Notify = newNoticeLog(c.logf).notice
	opts.Preferred = c.preferred
	c.dec = netflow.NewDecoder(opts)
	c.loadTemplates()
	c.startLearner(stateDir)

	var sink *Sink
	if !cfg.ClickHouseOnly {
		sensorName := func(id uint16) string { return c.site().SensorName(id) }
		sink = NewSink(SinkConfig{Open: RepoOpener(root, sensorName, c.movedAside)})
	}
	var outputs []Output
	if c.clickhouse, err = c.openClickHouse(stateDir); err != nil {
		return err
	} else if c.clickhouse != nil {
		outputs = append(outputs, c.clickhouse)
	}
	c.engine = &Engine{
		Decoder:       c.dec,
		Site:          siteCfg,
		Enricher:      enr,
		Learner:       c.learner,
		ASN:           asdb,
		Allow:         cfg.Allow,
		Sink:          sink,
		Outputs:       outputs,
		Stats:         c.stats,
		FlushInterval: cfg.FlushInterval,
		Window:        cfg.Window,
		AfterFlush:    c.afterFlush,
		Logf:          c.logf,
		OnDenied:      c.denied.add,
		OnUnknown:     c.unknown.add,
	}
	c.engine.Start()

	var bg sync.WaitGroup
	bgCtx, stopBg := context.WithCancel(ctx)
	defer stopBg()
	var metricsAddr string
	if cfg.MetricsListen != "" {
		srv, addr, err := c.serveMetrics(cfg.MetricsListen)
		if err != nil {
			c.closeSockets()
			c.engine.Close()
			return err
		}
		defer srv.Close()
		metricsAddr = addr
	}
	c.logf("%s", c.startLine(metricsAddr))
	if cfg.Reload != nil {
		bg.Go(func() {
			for {
				select {
				case <-bgCtx.Done():
					return
				case <-cfg.Reload:
					c.reload()
				}
			}
		})
	}
	if cfg.StatsInterval > 0 {
		bg.Go(func() { c.summaryLoop(bgCtx) })
	}
	if cfg.RetainAge > 0 || cfg.RetainSize > 0 {
		ret := &Retention{Root: root, MaxAge: cfg.RetainAge, MaxBytes: cfg.RetainSize, DryRun: cfg.RetainDryRun,
			Skip: recentHours(cfg.Window.Future + time.Hour), Ahead: cfg.Window.Future + time.Hour, Log: c.logf}
		bg.Go(func() { c.retentionLoop(bgCtx, ret) })
	}

	var runErr error
	if len(cfg.Pcaps) > 0 {
		runErr = c.readPcaps(ctx)
	} else {
		runErr = c.receive(ctx)
	}
	c.engine.Close()
	stopBg()
	bg.Wait()
	c.recordPcaps()
	for _, l := range append(c.errLog.held(), c.notes.held()...) {
		c.logf("%s", l)
	}
	if cfg.StatsInterval > 0 || len(cfg.Pcaps) > 0 {
		c.logf("%s", c.summary(time.Now(), nil))
	}
	return runErr
}

// movedAside logs a file that was in the way of an hourly file.
func (c *collector) movedAside(from, to string, why error) {
	c.stats.MovedAside.Add(1)
	c.logf("%v; moved it aside to %s (kept) and started a new file", why, filepath.Base(to))
}

// recentHours returns Retention.Skip for the collector: it keeps retention
// off the files of the previous and the current hour, which the collector
// may be writing, and of the hours up to ahead later. Files of hours past
// that (broken flow times) are not exempt, whatever their date says.
func recentHours(ahead time.Duration) func(path string) bool {
	return func(path string) bool {
		f, err := flowfile.ParseRepoPath(path)
		if err != nil {
			return false
		}
		now := time.Now().UTC()
		return !f.Hour.Before(now.Truncate(time.Hour).Add(-time.Hour)) && !f.Hour.After(now.Add(ahead))
	}
}

func (c *collector) listen(ctx context.Context) error {
	n := max(c.cfg.Sockets, 1)
	warned := false
	for _, addr := range c.cfg.Listen {
		for range n {
			s, err := ListenUDP(ctx, addr, c.cfg.RcvBuf, n > 1)
			if err != nil {
				c.closeSockets()
				return err
			}
			c.sockets = append(c.sockets, s)
			if s.Short() && !warned {
				warned = true
				c.logf("the kernel granted a %s receive buffer on %s instead of %s; bursts may be dropped. Raise the limit with: %s",
					FormatSize(int64(s.Granted)), addr, FormatSize(int64(s.Requested)), RmemSysctlHint)
			}
		}
	}
	if c.cfg.Ready != nil {
		var addrs []netip.AddrPort
		for _, s := range c.sockets {
			addrs = append(addrs, s.LocalAddr())
		}
		c.cfg.Ready(addrs)
	}
	return nil
}

func (c *collector) closeSockets() {
	for _, s := range c.sockets {
		s.Close()
	}
}

func (c *collector) receive(ctx context.Context) error {
	batch := c.cfg.ReadBatch
	if batch <= 0 {
		batch = 64
	}
	errs := make(chan error, len(c.sockets))
	for _, s := range c.sockets {
		go func() { errs <- c.engine.Receive(s, batch) }()
	}
	var first error
	pending := len(c.sockets)
	select {
	case <-ctx.Done():
	case first = <-errs:
		pending--
	}
	c.closeSockets()
	// Wait for every receive goroutine, so none outlives Run; Receive
	// returns nil for a socket closed on purpose.
	for range pending {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first == nil && ctx.Err() == nil {
		first = errors.New("receive stopped")
	}
	return first
}

func (c *collector) readPcaps(ctx context.Context) error {
	w := c.engine.NewWorker()
	defer w.Done()
	if err := c.checkPcaps(); err != nil {
		return err
	}
	for _, path := range c.cfg.Pcaps {
		if err := c.readPcap(ctx, w, path); err != nil {
			return err
		}
	}
	return nil
}

func (c *collector) readPcap(ctx context.Context, w *Worker, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	hr := newHashingReader(f)
	r, err := pcapfile.NewReader(hr)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for n := 0; ; n++ {
		p, err := r.Next()
		if err == io.EOF {
			c.pcapsRead = append(c.pcapsRead, hr.entry(path, n, false))
			break
		}
		if err != nil {
			c.pcapsRead = append(c.pcapsRead, hr.entry(path, n, true))
			return fmt.Errorf("%s: %w", path, err)
		}
		w.Packet(p.Payload, p.Src)
		if n%1024 == 0 && ctx.Err() != nil {
			c.pcapsRead = append(c.pcapsRead, hr.entry(path, n+1, true))
			return nil
		}
	}
	w.Send()
	if s := r.Skipped(); s.NotUDP+s.Fragment+s.Truncated > 0 {
		c.logf("%s: skipped %d packets that are not UDP, %d fragments, %d truncated",
			path, s.NotUDP, s.Fragment, s.Truncated)
	}
	return nil
}

func (c *collector) loadTemplates() {
	f, err := os.Open(c.tplPath)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		c.logf("templates: %v", err)
		return
	}
	defer f.Close()
	if err := c.dec.LoadTemplates(f); err != nil {
		c.logf("templates from %s not all loaded (the rest will be learnt again): %v", c.tplPath, err)
	}
	c.savedGen = c.dec.Generation()
}

// afterFlush saves the decoder's templates and what was learned.
func (c *collector) afterFlush() {
	c.saveTemplates()
	c.saveLearned()
}

// saveTemplates writes the templates when they changed since the last
// save, to a temporary file that it syncs and renames, so a crash never
// leaves half a file.
func (c *collector) saveTemplates() {
	gen := c.dec.Generation()
	if gen == c.savedGen {
		return
	}
	tmp := c.tplPath + ".tmp"
	f, err := os.Create(tmp)
	if err == nil {
		err = c.dec.SaveTemplates(f)
		if serr := f.Sync(); err == nil {
			err = serr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Rename(tmp, c.tplPath)
	}
	if err != nil {
		c.logErr("save templates", err)
		return
	}
	c.savedGen = gen
}

func (c *collector) retentionLoop(ctx context.Context, ret *Retention) {
	every := c.cfg.RetainInterval
	if every <= 0 {
		every = 10 * time.Minute
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := ret.Run(time.Now()); err != nil {
				c.logErr("", err)
			}
			t.Reset(every)
		}
	}
}

// serveMetrics serves /metrics on addr and returns the address bound.
func (c *collector) serveMetrics(addr string) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("metrics: %w", err)
	}
	srv := &http.Server{Handler: c.metricsHandler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return srv, ln.Addr().String(), nil
}

// FormatSize prints a byte count the way --rcvbuf and --retain-size take it.
func FormatSize(n int64) string {
	units := []string{"", "K", "M", "G", "T"}
	i := 0
	for n >= 1024 && n%1024 == 0 && i < len(units)-1 {
		n /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d %siB", n, strings.TrimSpace(units[i]))
}
