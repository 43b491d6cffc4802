package mapjson

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
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

// PageFiles returns the map page's files by path relative to the page's
// folder: index.html, app.js, style.css, centroids.js, the vendored scripts
// with their licences and SOURCES.md, and vendor/countries-110m.js (the
// world-atlas JSON wrapped as a script that sets window.gflowWorld, so the
// page needs no fetch() for it and works from file://).
func PageFiles() (map[string][]byte, error) {
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
		if rel == worldJSON {
			var js bytes.Buffer
			js.WriteString("// world-atlas 2.0.2 countries-110m.json (Natural Earth, public domain; ISC), wrapped by gjson.\nwindow.gflowWorld = ")
			js.Write(bytes.TrimSpace(b))
			js.WriteString(";\n")
			files[strings.TrimSuffix(rel, ".json")+".js"] = js.Bytes()
			return nil
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
func WritePage(dir string) error {
	files, err := PageFiles()
	if err != nil {
		return err
	}
	for rel, b := range files {
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("write page: %w", err)
		}
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, b) {
			continue
		}
		if err := WriteFileAtomic(dst, b, 0o644); err != nil {
			return fmt.Errorf("write page: %w", err)
		}
	}
	return nil
}

// WriteData writes the document into dir as data.json (for pages served
// over HTTP) and data.js (for pages opened from file://), data.js first so
// that a page never finds data.json newer than data.js.
func WriteData(dir string, d *Document) error {
	js, err := d.Script()
	if err != nil {
		return err
	}
	j, err := d.JSON()
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, "data.js"), js, 0o644); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, "data.json"), j, 0o644)
}

// pageFile returns one embedded file, for tests.
func pageFile(rel string) ([]byte, error) { return webFS.ReadFile(path.Join("web", rel)) }
