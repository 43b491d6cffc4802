package mapjson

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/geo"
)

// Every script and stylesheet index.html names is among the files written.
func TestPageFilesComplete(t *testing.T) {
	files, err := PageFiles()
	if err != nil {
		t.Fatal(err)
	}
	html := string(files["index.html"])
	refs := regexp.MustCompile(`(?:src|href)="([^":]+)"`).FindAllStringSubmatch(html, -1)
	if len(refs) < 6 {
		t.Fatalf("only %d local references in index.html", len(refs))
	}
	for _, m := range refs {
		if _, ok := files[m[1]]; !ok {
			t.Errorf("index.html loads %s, which is not written", m[1])
		}
	}
	if strings.Contains(html, "http://") && strings.Contains(html, "<script src=\"http") {
		t.Error("index.html loads a script from the network")
	}
	for _, credit := range []string{"Natural Earth", "Number Resource Organization", "CC BY 4.0"} {
		if !strings.Contains(html, credit) {
			t.Errorf("footer lacks %q", credit)
		}
	}
	world := files["vendor/countries-110m.js"]
	if !strings.HasPrefix(string(world), "// world-atlas") || !strings.Contains(string(world), "window.gflowWorld = {\"type\":\"Topology\"") {
		t.Errorf("countries-110m.js: %.120s", world)
	}
	if _, ok := files["vendor/countries-110m.json"]; ok {
		t.Error("the raw JSON is written too; the page needs only the script")
	}
}

// SOURCES.md records the sha256 of each vendored file as shipped.
func TestVendoredSums(t *testing.T) {
	src, err := pageFile("vendor/SOURCES.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`\| ([\w.-]+\.(?:js|json)) \| ([0-9a-f]{64}) \|`).FindAllStringSubmatch(string(src), -1)
	if len(rows) != 4 {
		t.Fatalf("found %d sums in SOURCES.md, want 4", len(rows))
	}
	for _, r := range rows {
		b, err := pageFile("vendor/" + r[1])
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != r[2] {
			t.Errorf("%s: sha256 %x, SOURCES.md says %s", r[1], sum, r[2])
		}
		licence := map[string]string{
			"d3-array.min.js": "LICENSE.d3-array", "d3-geo.min.js": "LICENSE.d3-geo",
			"topojson-client.min.js": "LICENSE.topojson-client", "countries-110m.json": "LICENSE.world-atlas",
		}[r[1]]
		if _, err := pageFile("vendor/" + licence); licence == "" || err != nil {
			t.Errorf("no licence beside %s", r[1])
		}
	}
}

// The centroid table places every country pkg/geo can name, so no traffic
// is dropped from the map (Hong Kong, Singapore, Malta and Kosovo have no
// shape in the 110m map the page draws).
func TestCentroidsCoverEveryCode(t *testing.T) {
	src, err := pageFile("centroids.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`window\.gflowCentroids = (\{.*\});`).FindSubmatch(src)
	if m == nil {
		t.Fatal("no gflowCentroids in centroids.js")
	}
	var centroids map[string][2]float64
	if err := json.Unmarshal(m[1], &centroids); err != nil {
		t.Fatal(err)
	}
	codes := geo.Codes()
	if len(codes) < 249 {
		t.Fatalf("geo knows only %d codes", len(codes))
	}
	for _, c := range codes {
		p, ok := centroids[c.Upper()]
		if !ok {
			t.Errorf("no centroid for %s (%s)", c.Upper(), geo.Name(c))
			continue
		}
		if p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
			t.Errorf("%s centroid %v out of range", c.Upper(), p)
		}
	}
	// a few points checked against an atlas: within a couple of degrees
	for code, want := range map[string][2]float64{"HK": {114.2, 22.3}, "SG": {103.8, 1.35}, "CH": {8.2, 46.8}, "US": {-98.5, 39.5}, "FR": {2.5, 46.5}, "XK": {20.9, 42.6}, "MT": {14.4, 35.9}} {
		got := centroids[code]
		if d0, d1 := got[0]-want[0], got[1]-want[1]; d0*d0+d1*d1 > 4 {
			t.Errorf("%s centroid %v, want near %v", code, got, want)
		}
	}
}

// WritePage writes the page, leaves unchanged files alone and WriteData
// writes both data.json and data.js.
func TestWritePageAndData(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "map")
	if err := WritePage(dir); err != nil {
		t.Fatal(err)
	}
	idx := filepath.Join(dir, "index.html")
	old := modTime(t, idx)
	if err := os.Chtimes(idx, old.Add(-time.Hour), old.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := WritePage(dir); err != nil {
		t.Fatal(err)
	}
	if !modTime(t, idx).Equal(old.Add(-time.Hour)) {
		t.Error("an unchanged index.html was rewritten")
	}
	d := Build(mustParse(t, "dcc|Bytes|\nch|5|\n", ParseOptions{}), testTime)
	if err := WriteData(dir, d); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"data.json", "data.js", "app.js", "vendor/d3-geo.min.js", "vendor/LICENSE.d3-geo", "centroids.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

func modTime(t *testing.T, path string) time.Time {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.ModTime()
}
