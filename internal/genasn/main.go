// Command genasn writes pkg/asn/data/asn.zst, the built-in AS database,
// from the npm package @ip-location-db/asn (RouteViews, RIR and DB-IP data,
// CC BY 4.0):
//
//	npm pack @ip-location-db/asn@2.3.2026061719
//	go run ./internal/genasn -in ip-location-db-asn-2.3.2026061719.tgz
//
// The package's CSV files (asn-ipv4.csv, asn-ipv6.csv: first address, last
// address, AS number, organisation) hold 33 MB of text; the table written
// here holds the same ranges in a compact binary form compressed with
// zstd, each organisation name once (pkg/asn/table.go describes the
// layout). The output is committed, so building gflow needs neither npm
// nor the package. Where two rows overlap (one does in 2.3.2026061719),
// the later row wins from its first address on.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/gflow/gflow/pkg/asn"
	"github.com/gflow/gflow/pkg/iptable"
)

func main() {
	in := flag.String("in", "", "the npm package tarball (npm pack @ip-location-db/asn@VERSION)")
	out := flag.String("out", "pkg/asn/data/asn.zst", "table file to write")
	flag.Parse()
	if *in == "" {
		fmt.Fprintln(os.Stderr, "genasn: -in PACKAGE.tgz is required")
		os.Exit(2)
	}
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genasn:", err)
		os.Exit(1)
	}
}

// packageName is the only package the generator reads.
const packageName = "@ip-location-db/asn"

func run(in, out string) error {
	files, err := readPackage(in, "package.json", "asn-ipv4.csv", "asn-ipv6.csv")
	if err != nil {
		return err
	}
	var pj struct {
		Name, Version string
	}
	if err := json.Unmarshal(files["package.json"], &pj); err != nil {
		return fmt.Errorf("%s: package.json: %w", in, err)
	}
	if pj.Name != packageName {
		return fmt.Errorf("%s: package %q, want %s", in, pj.Name, packageName)
	}
	built, err := buildDate(pj.Version)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	src := asn.Source{Package: pj.Name, Version: pj.Version, Built: built}
	v4, err := parseCSV("asn-ipv4.csv", files["asn-ipv4.csv"], true)
	if err != nil {
		return err
	}
	v6, err := parseCSV("asn-ipv6.csv", files["asn-ipv6.csv"], false)
	if err != nil {
		return err
	}
	raw, err := asn.EncodeTable(src, v4, v6)
	if err != nil {
		return err
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderCRC(true))
	if err != nil {
		return err
	}
	z := enc.EncodeAll(raw, nil)
	if err := os.WriteFile(out, z, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "genasn: %s %s: %d IPv4 and %d IPv6 ranges, %d bytes raw, %d compressed, written to %s\n",
		pj.Name, pj.Version, len(v4), len(v6), len(raw), len(z), out)
	return nil
}

// buildDate reads the date from ip-location-db's version: MAJOR.MINOR.YYYYMMDDHH.
func buildDate(version string) (time.Time, error) {
	m := regexp.MustCompile(`^\d+\.\d+\.(\d{8})\d{2}$`).FindStringSubmatch(version)
	if m == nil {
		return time.Time{}, fmt.Errorf("version %q is not MAJOR.MINOR.YYYYMMDDHH", version)
	}
	return time.Parse("20060102", m[1])
}

// readPackage returns the named files of an npm tarball (under package/).
func readPackage(tgz string, names ...string) (map[string][]byte, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tgz, err)
	}
	tr := tar.NewReader(zr)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tgz, err)
		}
		name := path.Base(h.Name)
		if !slices.Contains(names, name) || path.Dir(h.Name) != "package" {
			continue
		}
		if out[name], err = io.ReadAll(tr); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", tgz, h.Name, err)
		}
	}
	for _, n := range names {
		if out[n] == nil {
			return nil, fmt.Errorf("%s: no package/%s", tgz, n)
		}
	}
	return out, nil
}

// parseCSV reads rows "first,last,asn,organisation" in address order.
// Rows with AS 0 are left out (0 means "no AS"). Where a row overlaps the
// one before it, the later row wins: the earlier one is cut short, and
// goes on after the later one if it reached further.
func parseCSV(name string, b []byte, v4 bool) ([]asn.Range, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = 4
	r.ReuseRecord = true
	var out []asn.Range
	line := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		first, err1 := netip.ParseAddr(rec[0])
		last, err2 := netip.ParseAddr(rec[1])
		n, err3 := strconv.ParseUint(rec[2], 10, 32)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if first.Is4() != v4 || last.Is4() != v4 || last.Less(first) {
			return nil, fmt.Errorf("%s:%d: bad range %s-%s", name, line, first, last)
		}
		if n == 0 {
			continue
		}
		rg := asn.Range{First: iptable.U128From(first), Last: iptable.U128From(last), AS: uint32(n), Name: strings.TrimSpace(rec[3])}
		var rest []asn.Range
		if k := len(out); k > 0 && !out[k-1].Last.Less(rg.First) {
			prev := &out[k-1]
			if !prev.First.Less(rg.First) {
				return nil, fmt.Errorf("%s:%d: range %s-%s starts at or before the previous one's start", name, line, first, last)
			}
			if rg.Last.Less(prev.Last) {
				after := *prev
				after.First, _ = rg.Last.Next()
				rest = append(rest, after)
			}
			prev.Last = rg.First.Prev()
		}
		out = append(out, rg)
		out = append(out, rest...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no rows", name)
	}
	return out, nil
}
