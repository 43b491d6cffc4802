package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gflow/gflow/pkg/asn"
)

// writePackage writes an npm tarball with the given files under package/.
func writePackage(t *testing.T, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "asn.tgz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const testPackageJSON = `{"name": "@ip-location-db/asn", "version": "2.3.2026061719"}`

// The package's own quirks: quoted names with commas and doubled quotes,
// a row overlapping the one before (as 214.95.0.0-215.0.255.255 and
// 215.0.0.0-215.1.3.255 do in 2.3.2026061719), a row inside another, and
// a row with AS 0.
func TestGenerateSmallPackage(t *testing.T) {
	tgz := writePackage(t, map[string]string{
		"package.json": testPackageJSON,
		"asn-ipv4.csv": `1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."
2.26.200.0,2.26.215.255,201907,"LLC ""SPUTNIK"""
10.0.0.0,10.0.255.255,64496,Outer
10.0.128.0,10.0.128.255,64497,Inner
11.0.0.0,11.0.0.255,0,Nobody
214.95.0.0,215.0.255.255,749,United States Department of Defense (DoD)
215.0.0.0,215.1.3.255,721,DoD Network Information Center
`,
		"asn-ipv6.csv": `2001::,2001::ffff:ffff:ffff:ffff:ffff:ffff,6939,Hurricane Electric LLC
2001:200::,2001:200:1b9:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project
`,
	})
	out := filepath.Join(t.TempDir(), "asn.zst")
	if err := run(tgz, out); err != nil {
		t.Fatal(err)
	}
	z, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	db, err := asn.OpenTable(z)
	if err != nil {
		t.Fatal(err)
	}
	for a, want := range map[string]uint32{
		"1.0.0.7": 13335, "2.26.215.255": 201907,
		"10.0.127.255": 64496, "10.0.128.0": 64497, "10.0.128.255": 64497, "10.0.129.0": 64496, "10.0.255.255": 64496,
		"11.0.0.1": 0, "214.255.255.255": 749, "215.0.0.0": 721, "215.1.3.255": 721, "215.1.4.0": 0,
		"2001::1": 6939, "2001:200:1b9::": 2500, "2001:200:1ba::": 0,
	} {
		if got := db.Lookup(netip.MustParseAddr(a)); got != want {
			t.Errorf("Lookup(%s) = %d, want %d", a, got, want)
		}
	}
	if got := db.Name(201907); got != `LLC "SPUTNIK"` {
		t.Errorf("Name(201907) = %q", got)
	}
	if got := db.Name(13335); got != "Cloudflare, Inc." {
		t.Errorf("Name(13335) = %q", got)
	}
	if got := db.BuildDate(); !got.Equal(time.Date(2026, 6, 17, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("build date %v", got)
	}
	if !strings.Contains(db.Description(), "@ip-location-db/asn 2.3.2026061719") {
		t.Errorf("description %q", db.Description())
	}
}

func TestGenerateRejects(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"other package": {"package.json": `{"name": "@ip-location-db/geo-whois-asn-country", "version": "2.3.2026061719"}`, "asn-ipv4.csv": "1.0.0.0,1.0.0.255,1,a\n", "asn-ipv6.csv": "2001::,2001::1,1,a\n"},
		"no IPv6 file":  {"package.json": testPackageJSON, "asn-ipv4.csv": "1.0.0.0,1.0.0.255,1,a\n"},
		"bad address":   {"package.json": testPackageJSON, "asn-ipv4.csv": "1.0.0.300,1.0.0.255,1,a\n", "asn-ipv6.csv": "2001::,2001::1,1,a\n"},
		"IPv6 in v4":    {"package.json": testPackageJSON, "asn-ipv4.csv": "2001::,2001::1,1,a\n", "asn-ipv6.csv": "2001::,2001::1,1,a\n"},
		"backwards":     {"package.json": testPackageJSON, "asn-ipv4.csv": "1.0.0.9,1.0.0.1,1,a\n", "asn-ipv6.csv": "2001::,2001::1,1,a\n"},
		"out of order":  {"package.json": testPackageJSON, "asn-ipv4.csv": "2.0.0.0,2.0.0.255,1,a\n1.0.0.0,1.0.0.255,2,b\n", "asn-ipv6.csv": "2001::,2001::1,1,a\n"},
		"short row":     {"package.json": testPackageJSON, "asn-ipv4.csv": "1.0.0.0,1.0.0.255,1\n", "asn-ipv6.csv": "2001::,2001::1,1,a\n"},
		"bad version":   {"package.json": `{"name": "@ip-location-db/asn", "version": "1.0.0"}`, "asn-ipv4.csv": "1.0.0.0,1.0.0.255,1,a\n", "asn-ipv6.csv": "2001::,2001::1,1,a\n"},
	} {
		if err := run(writePackage(t, files), filepath.Join(t.TempDir(), "out.zst")); err == nil {
			t.Errorf("%s: generated without error", name)
		}
	}
}

// The committed table must be what the generator makes from the package
// named in pkg/asn/data/SOURCE.md. The package is not kept in the
// repository: point GFLOW_ASN_PACKAGE at its tarball (npm pack
// @ip-location-db/asn@2.3.2026061719) to run this.
func TestCommittedTableIsGenerated(t *testing.T) {
	tgz := os.Getenv("GFLOW_ASN_PACKAGE")
	if tgz == "" {
		t.Skip("GFLOW_ASN_PACKAGE is not set: npm pack @ip-location-db/asn@2.3.2026061719 and point it at the tarball")
	}
	out := filepath.Join(t.TempDir(), "asn.zst")
	if err := run(tgz, out); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../pkg/asn/data/asn.zst")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, committed) {
		t.Error("pkg/asn/data/asn.zst differs from the generator's output: run go run ./internal/genasn -in PACKAGE.tgz")
	}
	// and every row of the CSV files answers from the built-in table, at
	// its first and last address, with its name
	db, err := asn.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	files, err := readPackage(tgz, "asn-ipv4.csv", "asn-ipv6.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"asn-ipv4.csv", "asn-ipv6.csv"} {
		rows, err := parseCSV(f, files[f], f == "asn-ipv4.csv")
		if err != nil {
			t.Fatal(err)
		}
		bad := 0
		for _, r := range rows {
			for _, a := range []netip.Addr{r.First.Addr().Unmap(), r.Last.Addr().Unmap()} {
				if got := db.Lookup(a); got != r.AS || db.Name(got) != r.Name {
					if bad++; bad <= 10 {
						t.Errorf("%s: Lookup(%s) = %d %q, the row says %d %q", f, a, got, db.Name(got), r.AS, r.Name)
					}
				}
			}
		}
		t.Logf("%s: %d rows checked", f, len(rows))
	}
}
