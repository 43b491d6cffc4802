package collector

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/site/learn"
)

func writeSite(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// SIGHUP flushes every file, then puts the site configuration as it is
// now in use for the flows received from then on; a configuration with an
// error is reported and the one in use kept.
func TestReloadAppliesTheNewSiteConfiguration(t *testing.T) {
	root := t.TempDir()
	conf := filepath.Join(root, "gflow.toml")
	// sendV5's flows go from 192.168.1.x to 8.8.x.x:443.
	writeSite(t, conf, "internal = [\"192.168.0.0/16\"]\n[[sensors]]\nname = \"edge\"\nid = 1\nexporters = [\"127.0.0.1\"]\n")
	var stderr lockedBuffer
	reload := make(chan os.Signal, 1)
	addr, stats, stop := startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour, Stderr: &stderr, Reload: reload})
	base := time.Now().UTC().Truncate(time.Second)
	first := sendV5(t, addr, 0, 20, base)
	waitFor(t, "the first flows decoded", func() bool { return stats.Totals().Flows == first.flows })

	// The sensor renamed, the internal network now the other side.
	writeSite(t, conf, "internal = [\"8.8.0.0/16\"]\n[[sensors]]\nname = \"edge2\"\nid = 1\nexporters = [\"127.0.0.1\"]\n")
	reload <- syscall.SIGHUP
	waitFor(t, "the reload line", func() bool { return strings.Contains(stderr.String(), "site configuration reloaded") })
	// The flush interval is an hour: only the reload can have written these.
	if recs, _ := readRepo(t, root); sum(recs) != first {
		t.Fatalf("after SIGHUP the repository holds %+v, want the %+v received before it", sum(recs), first)
	}
	if l := logLines(stderr.String(), "site configuration reloaded"); !strings.Contains(l[0], conf+" (sensor edge2, learning from the traffic)") {
		t.Errorf("reload line: %q", l)
	}
	second := sendV5(t, addr, 600, 20, base)
	waitFor(t, "the second flows decoded", func() bool { return stats.Totals().Flows == first.flows+second.flows })

	// A broken file: said, and the configuration in use kept.
	writeSite(t, conf, "internal = [\"8.8.0.0/33\"]\n")
	reload <- syscall.SIGHUP
	waitFor(t, "the refusal", func() bool { return strings.Contains(stderr.String(), "not reloaded") })
	if l := logLines(stderr.String(), "not reloaded"); !strings.Contains(l[0], "site configuration not reloaded, the one in use is kept: "+conf+":1: internal:") {
		t.Errorf("refusal line: %q", l)
	}
	third := sendV5(t, addr, 1200, 20, base)
	waitFor(t, "the third flows decoded", func() bool { return stats.Totals().Flows == first.flows+second.flows+third.flows })
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	recs, files := readRepo(t, root)
	byType := map[string]uint64{}
	for i := range recs {
		r := &recs[i]
		if r.Sensor != 1 {
			t.Fatalf("flow of sensor %d", r.Sensor)
		}
		k := int(r.SPort) - 1024
		want := flowfile.TypeInWeb // typed by the second configuration
		if k < 600 {
			want = flowfile.TypeOutWeb
		}
		if r.Type != want {
			t.Fatalf("flow %d typed %s, want %s", k, r.Type, want)
		}
		byType[r.Type.String()]++
	}
	if byType["outweb"] != first.flows || byType["inweb"] != second.flows+third.flows {
		t.Errorf("stored %v, sent %d before the reload and %d after", byType, first.flows, second.flows+third.flows)
	}
	for _, f := range files {
		name := filepath.Base(f)
		if strings.HasPrefix(name, "ow-") != strings.HasPrefix(name, "ow-edge_") || strings.HasPrefix(name, "iw-") != strings.HasPrefix(name, "iw-edge2_") {
			t.Errorf("file %s not named after the sensor of its configuration", f)
		}
	}
}

// A real SIGHUP, again and again while exports arrive, with the log file
// moved away each time as logrotate does: nothing is lost, the log goes on
// in a new file, and SIGTERM still ends the collector with status 0.
func TestHangupLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts gflowcap as a child process")
	}
	root := t.TempDir()
	logPath := filepath.Join(t.TempDir(), "gflowcap.log")
	c := startChild(t, root, time.Hour, "--log-file", logPath)
	base := time.Now().UTC().Truncate(time.Second)
	var sent totals
	const rounds = 5
	for i := range rounds {
		tot := sendV5(t, c.udp, uint32(i*3000), 100, base) // 3,000 flows
		sent.flows += tot.flows
		if err := os.Rename(logPath, fmt.Sprintf("%s.%d", logPath, i)); err != nil {
			t.Fatal(err)
		}
		if err := c.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the log reopened", func() bool {
			b, _ := os.ReadFile(logPath)
			return strings.Contains(string(b), "site configuration reloaded")
		})
	}
	// Wait until every flow is decoded, not written: records_written counts a
	// record once its block is flushed, and flows that arrive after the last
	// SIGHUP's flush wait for SIGTERM's (the flush interval is an hour).
	c.waitMetric(t, "gflowcap_flows_total", float64(sent.flows))
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c.wait(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("gflowcap exited with status %d after SIGHUP and SIGTERM (stderr %q)", ee.ExitCode(), c.stderr.String())
		}
		t.Fatal(err)
	}
	got := storedPorts(t, root)
	if uint64(len(got)) != sent.flows {
		t.Fatalf("stored %d flows, sent %d around %d SIGHUPs", len(got), sent.flows, rounds)
	}
	if s := c.stderr.String(); s != "" {
		t.Errorf("with --log-file, stderr has %q", s)
	}
	first, _ := os.ReadFile(logPath + ".0")
	if !strings.Contains(string(first), " started: listening on UDP") {
		t.Errorf("the first log file lacks the start line: %q", first)
	}
}

// What was learned survives a reload: the learner learns the sensors of
// the new configuration starting from it.
func TestReloadKeepsWhatWasLearned(t *testing.T) {
	root := t.TempDir()
	conf := filepath.Join(root, "gflow.toml")
	writeSite(t, conf, "[[sensors]]\nname = \"edge\"\nid = 1\nexporters = [\"127.0.0.1\"]\n")
	since := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	st := &learn.State{Version: 1, Sensors: []*learn.SensorState{{ID: 1, Name: "edge",
		Outside:  []learn.Outside{{Addr: netip.MustParseAddr("203.0.113.9"), From: since, LastSeen: since}},
		Prefixes: []learn.Seen{{Prefix: netip.MustParsePrefix("2001:470:7a5e::/48"), Since: since, LastSeen: since}}}}}
	os.MkdirAll(filepath.Join(root, ".gflowcap"), 0o755)
	if err := st.Save(learn.Path(filepath.Join(root, ".gflowcap"))); err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	reload := make(chan os.Signal, 1)
	_, _, stop := startUDP(t, Config{DataRoot: root, FlushInterval: time.Hour, Stderr: &stderr, Reload: reload, MetricsListen: "127.0.0.1:0"})
	defer stop()
	m := metricsLineRE.FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no metrics address in %q", stderr.String())
	}
	learned := func() (outside, prefix bool) {
		resp, err := http.Get("http://" + m[1] + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		for _, l := range strings.Split(string(body), "\n") {
			if strings.HasPrefix(l, "gflowcap_learned_outside_address{") && strings.Contains(l, `address="203.0.113.9"`) && strings.Contains(l, `sensor="edge"`) {
				outside = true
			}
			if strings.HasPrefix(l, "gflowcap_learned_internal_prefix{") && strings.Contains(l, `prefix="2001:470:7a5e::/48"`) {
				prefix = true
			}
		}
		return outside, prefix
	}
	if o, p := learned(); !o || !p {
		t.Fatalf("before the reload: outside address %v, prefix %v; want both from learned.json", o, p)
	}
	writeSite(t, conf, "[[sensors]]\nname = \"edge\"\nid = 1\ndescription = \"home router\"\nexporters = [\"127.0.0.1\", \"::1\"]\n")
	reload <- syscall.SIGHUP
	waitFor(t, "the reload line", func() bool { return strings.Contains(stderr.String(), "site configuration reloaded") })
	if o, p := learned(); !o || !p {
		t.Fatalf("after the reload: outside address %v, prefix %v; what was learned was lost", o, p)
	}
}
