package mapjson

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

//go:embed web
var webFS embed.FS

// Attribution credits the parts of the map page built into gjson, for
// --version (the country database's credit comes from pkg/geo).
const Attribution = "Map page: world-atlas 2.0.2 (Natural Earth 4.1.0, public domain), d3-geo 3.1.2, d3-array 3.2.5, topojson-client 3.1.0 (ISC)"

// worldJSON is the vendored world-atlas file the page draws; the page gets
// it as a script (see PageFiles).
const worldJSON = "vendor/countries-110m.json"

// PageOptions are the choices made when the page is written.
type PageOptions struct {
	// DataOrigins are web origins ("https://stats.example.org") from which
	// the page served over HTTP may load the document named by
	// ?data=URL. Without any, the page reads only a .json file beside
	// itself (?data=NAME.json), so a link cannot make it show, or from
	// file:// run as a script, data from elsewhere.
	DataOrigins []string
}

// generatorMeta marks an index.html as gjson's map page (IsPage).
const generatorMeta = `<meta name="generator" content="gflow gjson">`

// ParseOrigin checks a --data-origin value: scheme http or https, a host,
// an optional port, no path; it returns it as the browser spells origins.
func ParseOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
		strings.ContainsAny(s, " \t\"'<>;,") {
		return "", fmt.Errorf("invalid data origin %q: want http(s)://HOST[:PORT], e.g. https://stats.example.org", s)
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host), nil
}

// PageFiles returns the map page's files by path relative to the page's
// folder: index.html, app.js, style.css, centroids.js, the vendored scripts
// with their licences and SOURCES.md, and vendor/countries-110m.js (the
// world-atlas JSON wrapped as a script that sets window.gflowWorld, so the
// page needs no fetch() for it and works from file://).
func PageFiles() (map[string][]byte, error) { return PageFilesWith(PageOptions{}) }

// PageFilesWith is PageFiles with options: the data origins go into
// index.html's Content-Security-Policy and a meta element app.js reads.
func PageFilesWith(opts PageOptions) (map[string][]byte, error) {
	var origins []string
	for _, o := range opts.DataOrigins {
		origin, err := ParseOrigin(o)
		if err != nil {
			return nil, err
		}
		origins = append(origins, origin)
	}
	files := map[string][]byte{}
	err := fs.WalkDir(webFS, "web", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := webFS.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "web/")
		switch rel {
		case worldJSON:
			var js bytes.Buffer
			js.WriteString("// world-atlas 2.0.2 countries-110m.json (Natural Earth, public domain; ISC), wrapped by gjson.\nwindow.gflowWorld = ")
			js.Write(bytes.TrimSpace(b))
			js.WriteString(";\n")
			files[strings.TrimSuffix(rel, ".json")+".js"] = js.Bytes()
			return nil
		case "index.html":
			if len(origins) > 0 {
				list := strings.Join(origins, " ")
				b = bytes.Replace(b, []byte("connect-src 'self'"), []byte("connect-src 'self' "+list), 1)
				b = bytes.Replace(b, []byte(generatorMeta), []byte(generatorMeta+"\n<meta name=\"gflow-data-origins\" content=\""+list+"\">"), 1)
			}
		}
		files[rel] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read embedded page: %w", err)
	}
	return files, nil
}

// WritePage writes the map page into dir (created if missing). Files whose
// content is already there are left untouched; the others are replaced
// atomically, so a page served while cron rewrites it stays whole.
func WritePage(dir string) error { return WritePageWith(dir, PageOptions{}) }

// WritePageWith is WritePage with options.
func WritePageWith(dir string, opts PageOptions) error {
	files, err := PageFilesWith(opts)
	if err != nil {
		return err
	}
	for rel, b := range files {
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
			return fmt.Errorf("write page: %w", err)
		}
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, b) {
			continue
		}
		if err := WriteFileAtomic(dst, b, 0o666); err != nil {
			return fmt.Errorf("write page: %w", err)
		}
	}
	return nil
}

// IsPage reports whether dir holds the map page gjson writes: then data
// written there needs its file:// companion script too (WriteDocument).
func IsPage(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "index.html"))
	return err == nil && bytes.Contains(b, []byte(generatorMeta))
}

// WriteData writes the document into dir as data.json (for pages served
// over HTTP) and data.js (for pages opened from file://).
func WriteData(dir string, d *Document) error {
	return WriteDocument(filepath.Join(dir, "data.json"), d, true)
}

// WriteDocument replaces path (NAME.json) with the document and, when
// companion is true, NAME.js beside it with the same data as a script: the
// page opened from file://, where browsers refuse fetch(), reads
// ?data=NAME.json as NAME.js. The script is written first, so the page
// never finds the JSON newer than its companion.
func WriteDocument(path string, d *Document, companion bool) error {
	j, err := d.JSON()
	if err != nil {
		return err
	}
	if companion {
		js, err := d.Script()
		if err != nil {
			return err
		}
		if err := WriteFileAtomic(ScriptPath(path), js, 0o666); err != nil {
			return err
		}
	}
	return WriteFileAtomic(path, j, 0o666)
}

// ScriptPath is the companion script of a data file: NAME.json → NAME.js
// (the page's rule), anything else → anything else + ".js".
func ScriptPath(jsonPath string) string {
	return strings.TrimSuffix(jsonPath, ".json") + ".js"
}

// pageFile returns one embedded file, for tests.
func pageFile(rel string) ([]byte, error) { return webFS.ReadFile(path.Join("web", rel)) }
