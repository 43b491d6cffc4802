package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gflow/gflow/pkg/asn"
	"github.com/gflow/gflow/pkg/flowfile"
)

// TestQuickStartDemo runs the README's demo (scripts/demo.sh, what `make demo`
// runs) with freshly built tools and checks what a newcomer would look at:
// the repository's hourly files hold exactly the traffic that was sent, the
// country table and its JSON agree, and the map page draws a bubble per
// country in a real browser.
func TestQuickStartDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo builds every tool and sends 41,000 flows; skipped with -short")
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+string(os.PathSeparator), "./cmd/...")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/...: %v\n%s", err, out)
	}
	out := t.TempDir()
	demo := exec.Command("bash", filepath.Join(repo, "scripts", "demo.sh"))
	demo.Env = append(os.Environ(), "BIN="+bin, "DEMO_OUT="+out, "DEMO_PORT="+strconv.Itoa(freeUDPPort(t)))
	text, err := demo.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/demo.sh: %v\n%s", err, text)
	}
	t.Logf("demo output:\n%s", text)

	// 1. The repository holds every flow, packet and byte that was sent.
	var sent struct{ Flows, Packets, Bytes uint64 }
	readJSON(t, filepath.Join(out, "sent.json"), &sent)
	if sent.Flows == 0 {
		t.Fatal("the demo sent no flows")
	}
	var got struct{ flows, packets, bytes uint64 }
	types := map[string]bool{}
	root := filepath.Join(out, "flows")
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(d.Name(), "_") {
			return err
		}
		rf, err := flowfile.ParseRepoPath(path)
		if err != nil {
			return nil // not a flow file (the collector's state, the site configuration)
		}
		types[rf.Type.String()] = true
		r, err := flowfile.Open(path)
		if err != nil {
			return err
		}
		defer r.Close()
		for {
			rec, err := r.Next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			got.flows++
			got.packets += rec.Packets
			got.bytes += rec.Bytes
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.flows != sent.Flows || got.packets != sent.Packets || got.bytes != sent.Bytes {
		t.Errorf("repository holds %d flows, %d packets, %d bytes; the demo sent %d, %d, %d",
			got.flows, got.packets, got.bytes, sent.Flows, sent.Packets, sent.Bytes)
	}
	for _, want := range []string{"in", "out", "inweb", "outweb"} {
		if !types[want] {
			t.Errorf("no %s files in the repository (have %v): classification by the demo site failed", want, types)
		}
	}
	// The demo's site configuration names no internal networks: gflowcap
	// learns the NATed router's outside address, its LAN interface and the
	// tunnel broker's prefix, so no flow is left between two "external" ends.
	if types["ext2ext"] || types["other"] {
		t.Errorf("the repository has ext2ext or other flows (%v): learning the site failed", types)
	}
	for _, want := range []string{"S0: outside address 203.0.113.5", "S0: interfaces: internal 2, external 1", "S0: internal IPv6 prefix 2001:470:7a5e:",
		`external-interfaces = [1]`, `"2001:470:7a5e:1::/64" = "--"`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the demo does not show what was learned: no %q in its output", want)
		}
	}

	// 1b. What the README's "Collecting" shows: gflowcap's start line,
	// gsiteinfo's records per sensor and type (from block headers) adding
	// up to what was sent, gfileinfo --check quiet on a sound repository.
	caplog, _ := os.ReadFile(filepath.Join(out, "gflowcap.log"))
	if !strings.Contains(string(caplog), " started: listening on UDP 127.0.0.1:") || !strings.Contains(string(caplog), ": first packet, IPFIX, observation domain") {
		t.Errorf("gflowcap's log lacks the start line or the exporter lines:\n%s", caplog)
	}
	site := exec.Command(filepath.Join(bin, "gsiteinfo"), "--data-rootdir="+root, "--fields=sensor,describe-sensor,repo-record-count", "--no-titles", "--delimited")
	siteOut, err := site.Output()
	if err != nil {
		t.Fatalf("gsiteinfo: %v", err)
	}
	if want := fmt.Sprintf("S0|demo router|%d\n", sent.Flows); string(siteOut) != want {
		t.Errorf("gsiteinfo says %q, want %q", siteOut, want)
	}
	learned, err := exec.Command(filepath.Join(bin, "gsiteinfo"), "--data-rootdir="+root, "--fields=learned", "--no-titles", "--delimited").Output()
	if err != nil || !strings.Contains(string(learned), "outside:") {
		t.Errorf("gsiteinfo shows no learned outside address: %q, %v", learned, err)
	}
	check := exec.Command(filepath.Join(bin, "gfileinfo"), "--check", root)
	if b, err := check.CombinedOutput(); err != nil || len(b) != 0 {
		t.Errorf("gfileinfo --check of the demo repository: %v %q", err, b)
	}

	// 2. The country table's INPUT total equals the incoming bytes, and gjson agrees with it.
	table, err := os.ReadFile(filepath.Join(out, "top-countries.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(table), "INPUT: ") || !strings.Contains(string(table), "scc|") {
		t.Fatalf("unexpected country table:\n%s", table)
	}
	var doc struct {
		Total uint64 `json:"total"`
		Rows  []struct {
			Code    string  `json:"code"`
			Name    string  `json:"name"`
			Value   uint64  `json:"value"`
			Percent float64 `json:"percent"`
			// the largest networks, for the tooltip
			Networks []struct {
				AS   uint32 `json:"as"`
				Name string `json:"name"`
			} `json:"networks"`
		} `json:"rows"`
	}
	readJSON(t, filepath.Join(out, "map", "data.json"), &doc)
	if len(doc.Rows) < 20 {
		t.Fatalf("the map has %d countries, want every country (the top 20 table's and more)", len(doc.Rows))
	}
	var records, bins, total uint64
	if _, err := fmt.Sscanf(string(table), "INPUT: %d Records for %d Bins and %d Total Bytes", &records, &bins, &total); err != nil {
		t.Fatalf("INPUT line of the country table: %v\n%s", err, table)
	}
	if doc.Total != total {
		t.Errorf("data.json total %d is not the table's total %d", doc.Total, total)
	}
	if doc.Total > sent.Bytes || doc.Total < sent.Bytes/4 {
		t.Errorf("incoming bytes %d implausible against %d bytes sent", doc.Total, sent.Bytes)
	}
	if nets := doc.Rows[0].Networks; len(nets) == 0 || nets[0].AS == 0 || nets[0].Name == "" {
		t.Errorf("the top country %s lists no named network for its tooltip: %+v", doc.Rows[0].Code, nets)
	}
	if !strings.Contains(string(text), "drill down") || !strings.Contains(string(text), "sIP|sPort|") {
		t.Errorf("the demo printed no drill-down table")
	}
	// and the networks behind it: AS numbers the collector filled, named
	// from the AS database
	checkNetworks(t, filepath.Join(out, "top-networks.txt"))

	// 3. The page, served over HTTP, draws one bubble per country in Chromium.
	ctx := browser(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(out, "map"))))
	defer srv.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/index.html?refresh=0")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.hasAttribute('data-ready')`, chromedp.WithPollingTimeout(waitLimit))); err != nil {
		t.Fatalf("the page never became ready: %v", err)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('circle.bubble').length`))
	if err != nil {
		t.Fatal(err)
	}
	if n != len(doc.Rows) {
		t.Errorf("the page draws %d bubbles for %d countries", n, len(doc.Rows))
	}
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('circle.bubble[data-code="`+doc.Rows[0].Code+`"]')||{}).getAttribute?.('data-pct') || ''`))
	if err != nil {
		t.Fatal(err)
	}
	if first == "" {
		t.Errorf("no bubble for the top country %s", doc.Rows[0].Code)
	}
}

func browser(t *testing.T) context.Context {
	t.Helper()
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("browser part skipped: %s not found (apt-get install -y chromium)", chromium)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 820))
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancel := context.WithTimeout(ctx, startLimit) // hang protection only: Chromium starts slowly on a loaded machine
	t.Cleanup(func() { cancel(); cancelCtx(); cancelAlloc() })
	return ctx
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// checkNetworks reads the demo's gstats --fields=sas,sasname --no-columns
// table: most bytes come from networks the AS database names, each row's
// name being the database's for its number.
func checkNetworks(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := asn.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	named := 0
	for _, line := range strings.Split(string(b), "\n")[3:] {
		f := strings.Split(line, "|")
		if len(f) < 3 {
			continue
		}
		as, err := strconv.ParseUint(f[0], 10, 32)
		if err != nil {
			t.Fatalf("%s: %q: %v", path, line, err)
		}
		if db.Name(uint32(as)) != f[1] {
			t.Errorf("%s: AS %d printed as %q, the database says %q", path, as, f[1], db.Name(uint32(as)))
		}
		if as != 0 && f[1] != "" {
			named++
		}
	}
	if named == 0 {
		t.Errorf("%s: no named network among the top ones:\n%s", path, b)
	}
}
