package collector

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/cli"
)

// TestMain lets the kill test run gflowcap as a real child process: the
// test binary re-executed with GFLOWCAP_AS_CHILD=1 is gflowcap.
func TestMain(m *testing.M) {
	if os.Getenv("GFLOWCAP_AS_CHILD") == "1" {
		os.Exit(cli.Main(NewCommand))
	}
	os.Exit(m.Run())
}

func freePort(t *testing.T, network string) int {
	t.Helper()
	switch network {
	case "udp":
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	default:
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
}

type child struct {
	cmd     *exec.Cmd
	udp     netip.AddrPort
	metrics string
	stderr  *lockedBuffer
	exited  chan struct{} // closed when the process has ended
	err     error         // cmd.Wait's, once exited is closed
}

func startChild(t *testing.T, root string, flush time.Duration, extra ...string) *child {
	t.Helper()
	up, mp := freePort(t, "udp"), freePort(t, "tcp")
	c := &child{
		udp:     netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(up)),
		metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", mp),
		stderr:  &lockedBuffer{},
		exited:  make(chan struct{}),
	}
	c.cmd = exec.Command(os.Args[0], "--listen", c.udp.String(), "--data-rootdir", root,
		"--flush-interval", flush.String(), "--stats-interval", "0", "--rcvbuf", "4M",
		"--metrics-listen", fmt.Sprintf("127.0.0.1:%d", mp))
	c.cmd.Args = append(c.cmd.Args, extra...)
	c.cmd.Env = append(os.Environ(), "GFLOWCAP_AS_CHILD=1", "GFLOW_SITE_CONFIG=")
	c.cmd.Stderr = c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() { c.cmd.Process.Kill(); <-c.exited })
	// The start line comes once the metrics endpoint is served and the
	// collector decodes: under the race detector on a busy machine that
	// has taken over a minute (loading the country tables).
	log := c.stderr.String
	for i, a := range extra {
		if a == "--log-file" && i+1 < len(extra) {
			log = func() string { b, _ := os.ReadFile(extra[i+1]); return c.stderr.String() + string(b) }
		}
	}
	waitStarted(t, log, c.exited, func() { c.cmd.Process.Kill() })
	return c
}

// wait waits for the process to end and returns how it ended.
func (c *child) wait() error {
	<-c.exited
	return c.err
}

// metric sums the samples of one metric from the child's /metrics.
func (c *child) metric(name string) (float64, error) {
	resp, err := http.Get(c.metrics)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var total float64
	found := false
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+" ") && !strings.HasPrefix(line, name+"{") {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, err
		}
		total += v
		found = true
	}
	if !found {
		return 0, fmt.Errorf("no metric %s", name)
	}
	return total, sc.Err()
}

func (c *child) waitMetric(t *testing.T, name string, atLeast float64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%s ≥ %g", name, atLeast), func() bool {
		v, err := c.metric(name)
		return err == nil && v >= atLeast
	})
}

// ports returns the set of source ports stored: sendV5 gives every flow a
// distinct one.
func storedPorts(t *testing.T, root string) map[uint16]bool {
	recs, _ := readRepo(t, root)
	m := map[uint16]bool{}
	for i := range recs {
		if m[recs[i].SPort] {
			t.Fatalf("flow with source port %d stored twice", recs[i].SPort)
		}
		m[recs[i].SPort] = true
	}
	return m
}

// A killed collector loses at most its last flush interval; a restarted one
// appends to the same files after cutting the torn tail.
func TestKilledCollectorLosesAtMostItsLastFlushInterval(t *testing.T) {
	if testing.Short() {
		t.Skip("starts gflowcap as a child process")
	}
	root := t.TempDir()
	c := startChild(t, root, 100*time.Millisecond)
	base := time.Now().UTC()
	first := sendV5(t, c.udp, 0, 100, base) // 3,000 flows, ports 1024–4023
	c.waitMetric(t, "gflowcap_records_written_total", float64(first.flows))
	f0, _ := c.metric("gflowcap_flushes_total")
	c.waitMetric(t, "gflowcap_flushes_total", f0+2) // a whole flush after the last record was written
	// More flows, then SIGKILL while they are in flight: these may be lost.
	sendV5(t, c.udp, 3000, 100, base)
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.wait()

	got := storedPorts(t, root)
	for k := range int(first.flows) {
		if !got[uint16(1024+k)] {
			t.Fatalf("flow %d, sent and flushed before the kill, is not in the repository", k)
		}
	}
	t.Logf("after SIGKILL: %d of the 3000 flows sent in the last interval were stored", len(got)-3000)

	// Restart on the same repository: the torn tail is cut and new blocks appended.
	c2 := startChild(t, root, 100*time.Millisecond)
	third := sendV5(t, c2.udp, 6000, 50, base)
	c2.waitMetric(t, "gflowcap_records_written_total", float64(third.flows))
	if err := c2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c2.wait(); err != nil {
		t.Fatalf("gflowcap after SIGTERM: %v (stderr %q)", err, c2.stderr.String())
	}
	got = storedPorts(t, root)
	for k := range int(first.flows) {
		if !got[uint16(1024+k)] {
			t.Fatalf("flow %d lost by the restart", k)
		}
	}
	for k := 6000; k < 6000+int(third.flows); k++ {
		if !got[uint16(1024+k)] {
			t.Fatalf("flow %d, sent to the restarted collector before SIGTERM, is missing", k)
		}
	}
}
