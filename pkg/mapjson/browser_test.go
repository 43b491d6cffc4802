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

	"github.com/chromedp/cdproto/input"
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
	wantCmd := "gfilter --start-date=2026/06/18 --type=all --dcc=br | gstats --fields=dip,dport --values=bytes"
	if cmd != wantCmd {
		t.Errorf("drill-down command\n got %q\nwant %q", cmd, wantCmd)
	}

	if eval[bool](t, ctx, `document.getElementById("tooltip").hidden`) {
		t.Error("the tooltip went away with the click")
	}

	// the picture for the README: Brazil selected, Switzerland hovered
	// amid Europe's bubbles
	if path := os.Getenv(screenshotEnv); path != "" {
		ch := got["CH"]
		if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, ch.X+3, ch.Y+6)); err != nil {
			t.Fatal(err)
		}
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

// loadPage writes the page and the document into a fresh folder, serves it
// over loopback HTTP and opens it in the browser.
func loadPage(t *testing.T, ctx context.Context, doc *Document) string {
	t.Helper()
	dir := t.TempDir()
	if err := WritePage(dir); err != nil {
		t.Fatal(err)
	}
	if err := WriteData(dir, doc); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/index.html?refresh=0")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the data", `document.body.dataset.ready === "true"`)
	return dir
}

func testDoc(t *testing.T, key string) *Document {
	t.Helper()
	text, err := os.ReadFile("testdata/dcc-bytes.txt")
	if err != nil {
		t.Fatal(err)
	}
	s := string(text)
	if key == "scc" {
		s = strings.Replace(s, "dcc|", "scc|", 1)
	}
	return Build(mustParse(t, s, ParseOptions{}), time.Date(2026, 6, 18, 14, 5, 0, 0, time.UTC))
}

// hover moves the mouse to x, y and returns the code of the country the
// tooltip shows ("" when it is hidden).
func hover(t *testing.T, ctx context.Context, x, y float64) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseMoved, x, y)); err != nil {
		t.Fatal(err)
	}
	return eval[string](t, ctx, `(t => t.hidden ? "" : t.dataset.code)(document.getElementById("tooltip"))`)
}

type disc struct {
	X, Y, R float64
}

func bubbleDisc(t *testing.T, ctx context.Context, code string) disc {
	t.Helper()
	return eval[disc](t, ctx, `(b => ({X: b.left + b.width / 2, Y: b.top + b.height / 2, R: b.width / 2}))(
		document.querySelector('circle.bubble[data-code="`+code+`"]').getBoundingClientRect())`)
}

// share returns the part of code's bubble (sampled on a grid of about 120
// points) where the tooltip shows code.
func share(t *testing.T, ctx context.Context, code string) float64 {
	t.Helper()
	b := bubbleDisc(t, ctx, code)
	hits, n := 0, 0
	for i := -6; i <= 6; i++ {
		for j := -6; j <= 6; j++ {
			dx, dy := float64(i)/6.5, float64(j)/6.5
			if dx*dx+dy*dy > 1 {
				continue
			}
			n++
			if hover(t, ctx, b.X+dx*b.R, b.Y+dy*b.R) == code {
				hits++
			}
		}
	}
	return float64(hits) / float64(n)
}

// Where bubbles overlap (Europe), the pointer picks the bubble whose centre
// is nearest: every country can be hovered at its centre, Europe's most
// crowded bubbles show their own country over a third of them (drawn
// largest first and hovered by the topmost, Germany's showed Germany over
// a quarter of it), and zooming in, which keeps bubbles their size on
// screen, gives Switzerland most of its own.
func TestMapPagePicksOverlappingBubbles(t *testing.T) {
	ctx := newBrowser(t)
	loadPage(t, ctx, testDoc(t, "dcc"))
	for _, b := range eval[[]bubble](t, ctx, bubblesJS) {
		if got := hover(t, ctx, b.X, b.Y); got != b.Code {
			t.Errorf("the pointer at the centre of %s shows %q", b.Code, got)
		}
	}
	for _, code := range []string{"DE", "CH"} {
		f := share(t, ctx, code)
		t.Logf("%s shown over %.0f%% of its bubble", code, 100*f)
		if f < 0.3 {
			t.Errorf("%s shown over only %.0f%% of its bubble", code, 100*f)
		}
	}
	// a click picks the same way
	ch := bubbleDisc(t, ctx, "CH")
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(ch.X, ch.Y)); err != nil {
		t.Fatal(err)
	}
	if cmd := eval[string](t, ctx, `document.getElementById("drillcmd").textContent`); !strings.Contains(cmd, "--dcc=ch ") {
		t.Errorf("clicking Switzerland's centre: %q", cmd)
	}
	// away from every bubble, nothing
	if got := hover(t, ctx, 5, 5); got != "" {
		t.Errorf("the page's corner shows %q", got)
	}
	// zoomed in 4 times on Switzerland (the wheel zooms by e^(0.0015·Δ)),
	// most of its bubble is its own
	if _, err := chromedp.Call(ctx, input.DispatchMouseEvent, input.DispatchMouseEventParams{
		Type: input.DispatchMouseEventTypeMouseWheel, X: ch.X, Y: ch.Y, DeltaX: 1e-6, DeltaY: -math.Log(4) / 0.0015}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the zoom", `Math.abs(Number(document.body.dataset.zoom) - 4) < 0.01`)
	if f := share(t, ctx, "CH"); f < 0.75 {
		t.Errorf("zoomed in 4 times, Switzerland shown over only %.0f%% of its bubble", 100*f)
	} else {
		t.Logf("zoomed in 4 times, Switzerland shown over %.0f%% of its bubble", 100*f)
	}
}

// The drill-down fits the map: who in the country sends (scc: sip,sport),
// or whom we reach there (dcc: dip,dport); the side list holds every
// country, scrolling, and a click on one drills down too.
func TestMapPageSideListAndDrillDown(t *testing.T) {
	ctx := newBrowser(t)
	doc := testDoc(t, "scc")
	loadPage(t, ctx, doc)
	n := eval[int](t, ctx, `document.querySelectorAll("#toplist li").length`)
	if n != len(doc.Rows) {
		t.Errorf("the side list shows %d countries, want all %d", n, len(doc.Rows))
	}
	if title := eval[string](t, ctx, `document.getElementById("toptitle").textContent`); title != fmt.Sprintf("%d countries", len(doc.Rows)) {
		t.Errorf("side list title %q", title)
	}
	if !eval[bool](t, ctx, `(l => l.scrollHeight > l.clientHeight && getComputedStyle(l).overflowY === "auto")(document.getElementById("toplist"))`) {
		t.Error("the side list does not scroll")
	}
	last := doc.Rows[len(doc.Rows)-1]
	eval[any](t, ctx, `document.querySelector('#toplist li[data-code="`+last.Code+`"]').scrollIntoView(), null`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#toplist li[data-code="`+last.Code+`"]`))); err != nil {
		t.Fatal(err)
	}
	want := "gfilter --start-date=2026/06/18 --type=all --scc=" + strings.ToLower(last.Code) + " | gstats --fields=sip,sport --values=bytes"
	if cmd := eval[string](t, ctx, `document.getElementById("drillcmd").textContent`); cmd != want {
		t.Errorf("drill-down from the list\n got %q\nwant %q", cmd, want)
	}
}

// Wheel, drag, double-click, pinch and the buttons zoom and pan; bubbles
// keep their size on screen, so zooming pulls Europe's apart.
func TestMapPageZoomAndPan(t *testing.T) {
	ctx := newBrowser(t)
	loadPage(t, ctx, testDoc(t, "dcc"))
	zoom := func() float64 { return eval[float64](t, ctx, `Number(document.body.dataset.zoom)`) }
	ch0, de0 := bubbleDisc(t, ctx, "CH"), bubbleDisc(t, ctx, "DE")

	// wheel at Switzerland: zoom in around it
	if _, err := chromedp.Call(ctx, input.DispatchMouseEvent, input.DispatchMouseEventParams{
		// DeltaX must be sent, and the encoder leaves out a zero
		Type: input.DispatchMouseEventTypeMouseWheel, X: ch0.X, Y: ch0.Y, DeltaX: 1e-6, DeltaY: -500}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the wheel zoom", `Number(document.body.dataset.zoom) > 1.5`)
	ch1, de1 := bubbleDisc(t, ctx, "CH"), bubbleDisc(t, ctx, "DE")
	if math.Abs(ch1.X-ch0.X) > 2 || math.Abs(ch1.Y-ch0.Y) > 2 {
		t.Errorf("Switzerland moved from %v to %v while zooming around it", ch0, ch1)
	}
	if math.Abs(ch1.R-ch0.R) > 0.5 {
		t.Errorf("Switzerland's bubble changed size on screen: %.1f → %.1f", ch0.R, ch1.R)
	}
	if d0, d1 := math.Hypot(de0.X-ch0.X, de0.Y-ch0.Y), math.Hypot(de1.X-ch1.X, de1.Y-ch1.Y); d1 < d0*1.4 {
		t.Errorf("Germany and Switzerland %.0f px apart after zooming, %.0f before", d1, d0)
	}

	// drag: the map follows the mouse, and a drag is not a click
	k := zoom()
	if err := chromedp.Do(ctx,
		chromedp.MouseEvent(chromedp.MousePressed, ch1.X, ch1.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, ch1.X+40, ch1.Y+20, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, ch1.X+80, ch1.Y+40, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, ch1.X+80, ch1.Y+40, chromedp.ButtonLeft)); err != nil {
		t.Fatal(err)
	}
	ch2 := bubbleDisc(t, ctx, "CH")
	if math.Abs(ch2.X-ch1.X-80) > 2 || math.Abs(ch2.Y-ch1.Y-40) > 2 || zoom() != k {
		t.Errorf("after a drag of (80, 40) Switzerland moved from %v to %v, zoom %v → %v", ch1, ch2, k, zoom())
	}
	if !eval[bool](t, ctx, `document.getElementById("drill").hidden`) {
		t.Error("a drag drilled down as a click would")
	}

	// reset
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#reset"))); err != nil {
		t.Fatal(err)
	}
	if z := zoom(); z != 1 {
		t.Errorf("zoom %v after Reset", z)
	}
	if ch := bubbleDisc(t, ctx, "CH"); math.Abs(ch.X-ch0.X) > 1 || math.Abs(ch.Y-ch0.Y) > 1 {
		t.Errorf("after Reset Switzerland is at %v, was %v", ch, ch0)
	}

	// double-click zooms in twice as far
	dbl := func(x, y float64) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			for _, n := range []int64{1, 2} {
				for _, typ := range []input.DispatchMouseEventType{input.DispatchMouseEventTypeMousePressed, input.DispatchMouseEventTypeMouseReleased} {
					if _, err := chromedp.Call(ctx, input.DispatchMouseEvent, input.DispatchMouseEventParams{
						Type: typ, X: x, Y: y, Button: input.MouseButtonLeft, ClickCount: n}); err != nil {
						return err
					}
				}
			}
			return nil
		})
	}
	if err := chromedp.Do(ctx, dbl(ch0.X, ch0.Y)); err != nil {
		t.Fatal(err)
	}
	if z := zoom(); math.Abs(z-2) > 0.01 {
		t.Errorf("zoom %v after a double-click, want 2", z)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#zoomout"))); err != nil {
		t.Fatal(err)
	}
	if z := zoom(); z != 1 {
		t.Errorf("zoom %v after zoom out from 2", z)
	}

	// pinch: two fingers moving apart zoom in
	touch := func(typ input.DispatchTouchEventType, pts ...[2]float64) error {
		var tps []*input.TouchPoint
		for i, p := range pts {
			id := float64(i + 1)
			tps = append(tps, &input.TouchPoint{X: p[0], Y: p[1], ID: &id})
		}
		_, err := chromedp.Call(ctx, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: typ, TouchPoints: tps})
		return err
	}
	cx, cy := ch0.X, ch0.Y
	steps := [][2][2]float64{{{cx - 20, cy}, {cx + 20, cy}}, {{cx - 40, cy}, {cx + 40, cy}}, {{cx - 60, cy}, {cx + 60, cy}}}
	if err := touch(input.DispatchTouchEventTypeTouchStart, steps[0][0], steps[0][1]); err != nil {
		t.Fatal(err)
	}
	for _, st := range steps[1:] {
		if err := touch(input.DispatchTouchEventTypeTouchMove, st[0], st[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := touch(input.DispatchTouchEventTypeTouchEnd); err != nil {
		t.Fatal(err)
	}
	if z := zoom(); math.Abs(z-3) > 0.1 {
		t.Errorf("zoom %v after a pinch from 40 to 120 px apart, want 3", z)
	}
}

// A period without traffic is a valid map: no bubbles and a note saying
// so, not an error.
func TestMapPageEmptyPeriod(t *testing.T) {
	ctx := newBrowser(t)
	doc := Build(mustParse(t, "INPUT: 0 Records for 0 Bins\nOUTPUT: Top 50 Bins by Bytes\nscc|               Bytes|    %Bytes|   cumul_%|\n", ParseOptions{}), testTime)
	loadPage(t, ctx, doc)
	if n := eval[int](t, ctx, `document.querySelectorAll("circle.bubble").length`); n != 0 {
		t.Errorf("%d bubbles on an empty map", n)
	}
	note := eval[string](t, ctx, `(n => n.hidden ? "" : n.textContent)(document.getElementById("note"))`)
	if note != "No traffic in this period" {
		t.Errorf("note %q", note)
	}
	if !eval[bool](t, ctx, `document.getElementById("status").hidden && !document.body.dataset.error`) {
		t.Error("an empty period is shown as an error")
	}
}

// The page reads only data beside it: ?data=../x.json is refused, from
// file:// (where it would run ../x.js as a script) and over HTTP, and so is
// another site's URL unless gjson --data-origin named that site.
func TestMapPageDataOnlyBesideIt(t *testing.T) {
	ctx := newBrowser(t)
	root := t.TempDir()
	dir := filepath.Join(root, "map")
	doc := testDoc(t, "dcc")
	if err := WritePage(dir); err != nil {
		t.Fatal(err)
	}
	if err := WriteData(dir, doc); err != nil {
		t.Fatal(err)
	}
	evil := []byte("window.pwned = 1; window.gflowData = {rows: []};\n")
	if err := os.WriteFile(filepath.Join(root, "evil.js"), evil, 0o644); err != nil {
		t.Fatal(err)
	}
	refused := func(where, url string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the refusal at "+where, `!!document.body.dataset.error`)
		if msg := eval[string](t, ctx, `document.body.dataset.error`); !strings.Contains(msg, "?data= must name a .json file beside the page") {
			t.Errorf("%s: error %q", where, msg)
		}
		if eval[bool](t, ctx, `window.pwned === 1`) {
			t.Errorf("%s: the script beside the page's folder ran", where)
		}
	}
	refused("file://", "file://"+filepath.ToSlash(dir)+"/index.html?refresh=0&data=../evil.json")
	refused("file://, absolute", "file://"+filepath.ToSlash(dir)+"/index.html?refresh=0&data=file:///etc/passwd.json")

	// the data elsewhere, with CORS open, as an attacker's site would serve it
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"rows": [{"code": "KP", "name": "North Korea", "value": 1, "percent": 100}]}`)
	}))
	defer other.Close()
	srv := httptest.NewServer(http.FileServer(http.Dir(root)))
	defer srv.Close()
	refused("HTTP, parent folder", srv.URL+"/map/index.html?refresh=0&data=../evil.json")
	refused("HTTP, another site", srv.URL+"/map/index.html?refresh=0&data="+other.URL+"/data.json")

	// with the site named at gjson --html time, its data is read
	if err := WritePageWith(dir, PageOptions{DataOrigins: []string{other.URL}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/map/index.html?refresh=0&data="+other.URL+"/data.json")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the data from the named origin", `document.body.dataset.ready === "true" || !!document.body.dataset.error`)
	if codes := eval[string](t, ctx, `Array.from(document.querySelectorAll("circle.bubble")).map(c => c.dataset.code).join()`); codes != "KP" {
		t.Errorf("with --data-origin the other site's data drew %q (error %q)", codes, eval[string](t, ctx, `document.body.dataset.error || ""`))
	}
}
