package mapjson

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium (apt-get install -y chromium); CI
// installs it, so the browser tests run there.
const chromiumPath = "/usr/bin/chromium"

// screenshotEnv names a file to which TestMapPageInBrowser saves a
// screenshot of the page with realistic data (docs/map.png):
//
//	GFLOW_MAP_SCREENSHOT=$PWD/docs/map.png go test ./pkg/mapjson -run Browser
const screenshotEnv = "GFLOW_MAP_SCREENSHOT"

func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser test skipped: %s not found (apt-get install -y chromium)", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 820),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 45*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// waitFor polls a JavaScript condition in the page.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, js, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

type bubble struct {
	Code string  `json:"code"`
	Pct  string  `json:"pct"`
	X    float64 `json:"x"`
	Y    float64 `json:"y"`
}

const bubblesJS = `Array.from(document.querySelectorAll("circle.bubble")).map(c => {
	const b = c.getBoundingClientRect();
	return {code: c.dataset.code, pct: c.dataset.pct, x: b.left + b.width / 2, y: b.top + b.height / 2};
})`

// fmtPct is the page's percentage format.
func fmtPct(p float64) string {
	if p > 0 && p < 0.01 {
		return "<0.01%"
	}
	return fmt.Sprintf("%.2f%%", p)
}

// The map page in a real browser, served over loopback HTTP: one bubble per
// country in the data, the right percentage in the tooltip, the drill-down
// command, a redraw when data.json is replaced, the last good data kept
// when a reload fails, and the page opened from file://.
func TestMapPageInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	dir := t.TempDir()
	if err := WritePage(dir); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("testdata/dcc-bytes.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc := Build(mustParse(t, string(text), ParseOptions{}), time.Date(2026, 6, 18, 14, 5, 0, 0, time.UTC))
	if err := WriteData(dir, doc); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()

	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/index.html?refresh=1")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the first data", `document.body.dataset.ready === "true"`)

	// one bubble per country, carrying its code and percentage
	bubbles := eval[[]bubble](t, ctx, bubblesJS)
	got := map[string]bubble{}
	for _, b := range bubbles {
		got[b.Code] = b
	}
	if len(bubbles) != len(doc.Rows) || len(got) != len(doc.Rows) {
		t.Errorf("%d bubbles (%d codes) for %d countries", len(bubbles), len(got), len(doc.Rows))
	}
	for _, r := range doc.Rows {
		b, ok := got[r.Code]
		if !ok {
			t.Errorf("no bubble for %s (%s)", r.Code, r.Name)
			continue
		}
		var pct float64
		fmt.Sscan(b.Pct, &pct)
		if math.Abs(pct-r.Percent) > 1e-9 {
			t.Errorf("%s bubble data-pct %s, want %v", r.Code, b.Pct, r.Percent)
		}
	}
	for _, c := range []string{"HK", "SG", "MT", "XK"} {
		if _, ok := got[c]; !ok {
			t.Errorf("%s has no bubble: traffic vanished", c)
		}
	}
	if _, ok := got["A1"]; ok {
		t.Error("legacy code A1 drawn as a bubble")
	}

	// hover Brazil (alone on its continent): the tooltip shows its name,
	// percentage and volume
	br := got["BR"]
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, br.X, br.Y)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the tooltip", `!document.getElementById("tooltip").hidden`)
	tip := eval[string](t, ctx, `document.getElementById("tooltip").textContent`)
	var brRow CountryRow
	for _, r := range doc.Rows {
		if r.Code == "BR" {
			brRow = r
		}
	}
	if !strings.Contains(tip, "Brazil") || !strings.Contains(tip, fmtPct(brRow.Percent)) || !strings.Contains(tip, "4.32 GB") {
		t.Errorf("tooltip %q, want Brazil, %s and 4.32 GB", tip, fmtPct(brRow.Percent))
	}

	// click it: the drill-down command for that country
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(br.X, br.Y)); err != nil {
		t.Fatal(err)
	}
	cmd := eval[string](t, ctx, `document.getElementById("drillcmd").textContent`)
	wantCmd := "gfilter --start-date=2026/06/18 --type=all --dcc=br --pass=stdout | gstats --top --count=10 --fields=sip,sport --values=bytes"
	if cmd != wantCmd {
		t.Errorf("drill-down command\n got %q\nwant %q", cmd, wantCmd)
	}

	// the picture for the README: Brazil hovered and selected
	if path := os.Getenv(screenshotEnv); path != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteFileAtomic(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot saved to %s", path)
	}

	// replace data.json: the page redraws by itself (refresh=1)
	next := Build(mustParse(t, "INPUT: 30 Records for 4 Bins and 1000 Total Bytes\nOUTPUT: Top 4 Bins by Bytes\ndcc|Bytes|%Bytes|cumul_%|\nnz|600|60.000000|60.000000|\n--|200|20.000000|80.000000|\nhk|150|15.000000|95.000000|\nch|50|5.000000|100.000000|\n", ParseOptions{}),
		time.Date(2026, 6, 18, 14, 10, 0, 0, time.UTC))
	if err := WriteData(dir, next); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the redraw", `document.body.dataset.generated === "2026-06-18T14:10:00Z"`)
	codes := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("circle.bubble")).map(c => c.dataset.code)`)
	sort.Strings(codes)
	if strings.Join(codes, ",") != "CH,HK,NZ" {
		t.Errorf("after the redraw bubbles are %v, want CH,HK,NZ", codes)
	}
	if s := eval[string](t, ctx, `document.getElementById("extra").textContent`); !strings.Contains(s, "20.00%") {
		t.Errorf("no-country share missing beside the map: %q", s)
	}

	// a broken data.json: the page keeps the last good data and says so
	if err := os.WriteFile(filepath.Join(dir, "data.json"), []byte(`{"rows": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the failed reload", `!!document.body.dataset.error && !document.getElementById("status").hidden`)
	if n := eval[int](t, ctx, `document.querySelectorAll("circle.bubble").length`); n != 3 {
		t.Errorf("%d bubbles after a failed reload, want the last good 3", n)
	}

	// ?data=URL names another document
	other, err := doc.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "other.json"), other, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/index.html?data=other.json&refresh=0")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the data from ?data=", `document.body.dataset.ready === "true"`)
	if n := eval[int](t, ctx, `document.querySelectorAll("circle.bubble").length`); n != len(doc.Rows) {
		t.Errorf("with ?data=other.json %d bubbles, want %d", n, len(doc.Rows))
	}

	// from file://, where fetch() is refused, the page reads data.js
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.ToSlash(dir)+"/index.html?refresh=0")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the data from file://", `document.body.dataset.ready === "true"`)
	if n := eval[int](t, ctx, `document.querySelectorAll("circle.bubble").length`); n != 3 {
		t.Errorf("from file:// %d bubbles, want 3", n)
	}
}

// Crafted names and codes cannot run script in the page: they are shown as
// text.
func TestMapPageEscapesData(t *testing.T) {
	ctx := newBrowser(t)
	dir := t.TempDir()
	if err := WritePage(dir); err != nil {
		t.Fatal(err)
	}
	const payload = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>`
	doc := map[string]any{
		"generated":  `2026-06-18T14:05:00Z<img src=x onerror="window.pwned=3">`,
		"key":        `dcc"><img src=x onerror="window.pwned=4">`,
		"value_name": payload,
		"unit":       "bytes",
		"total":      1000,
		"input":      map[string]any{"records": `<img src=x onerror="window.pwned=5">`, "bins": 1},
		"no_country": map[string]any{"value": 10, "percent": 1},
		"special":    []any{map[string]any{"code": payload, "name": payload, "value": 1, "percent": 0.1}},
		"rows": []any{
			map[string]any{"rank": 1, "code": "CH", "name": payload, "value": 900, "percent": 90},
			map[string]any{"rank": 2, "code": `US" onmouseover="window.pwned=6`, "name": payload, "value": 50, "percent": 5},
			map[string]any{"rank": 3, "code": `<svg onload="window.pwned=7">`, "name": payload, "value": 40, "percent": 4},
		},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?refresh=0")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the data", `document.body.dataset.ready === "true"`)

	bubbles := eval[[]bubble](t, ctx, bubblesJS)
	if len(bubbles) != 1 || bubbles[0].Code != "CH" {
		t.Fatalf("bubbles %+v, want CH alone (the other codes are not countries)", bubbles)
	}
	// hover and click the bubble, so the tooltip and drill-down show the name
	x, y := bubbles[0].X, bubbles[0].Y
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, x, y), chromedp.MouseClickXY(x, y)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the tooltip", `!document.getElementById("tooltip").hidden`)
	time.Sleep(200 * time.Millisecond) // let an injected image's onerror fire, if one was created
	if v := eval[any](t, ctx, `window.pwned === undefined ? null : window.pwned`); v != nil {
		t.Fatalf("script from the data ran: window.pwned = %v", v)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("img, script:not([src]), svg [onload], [onmouseover], [onerror]").length`); n != 0 {
		t.Errorf("%d elements built from the data's markup", n)
	}
	if tip := eval[string](t, ctx, `document.getElementById("tooltip").textContent`); !strings.Contains(tip, `<img src=x onerror=`) {
		t.Errorf("the name is not shown as text in the tooltip: %q", tip)
	}
	if list := eval[string](t, ctx, `document.getElementById("toplist").textContent`); !strings.Contains(list, "<script>window.pwned=2</script>") {
		t.Errorf("the name is not shown as text in the list: %q", list)
	}
}
