package cut_test

import (
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/cut"
)

// gtuc reads AS numbers from a gcut-style title line; gcut prints them
// and the organisations' names from the built-in AS database, in text and
// JSON, and gtuc skips the name columns when the text comes back.
func TestASFieldsRoundTrip(t *testing.T) {
	t.Setenv("GFLOW_ASN_DB", "")
	flows := gtuc(t, "sIP|dIP|sAS|dAS|bytes\n1.0.0.1|192.168.1.2|13335|0|1000\n2001:200:1bb::1|fd00::1|2500|0|5000\n")
	out, errs, st := runTool(t, cut.NewCommand, flows, "--fields=sip,sas,sasname,das,dasname", "--delimited")
	if st != 0 || errs != "" {
		t.Fatalf("status %d, stderr %q", st, errs)
	}
	want := "sIP|sAS|sASName|dAS|dASName\n1.0.0.1|13335|Cloudflare, Inc.|0|\n2001:200:1bb::1|2500|WIDE Project|0|\n"
	compareText(t, "delimited", out, want)

	out, _, _ = runTool(t, cut.NewCommand, flows, "--fields=sas,dasname")
	lines := strings.Split(out, "\n")
	if len(lines) < 2 || lines[0] != "       sAS|"+strings.Repeat(" ", 160)+"dASName|" || !strings.HasPrefix(lines[1], "     13335|") {
		t.Errorf("columns: sAS ten wide, the name as wide as the longest one:\n%q", lines[:2])
	}

	out, _, _ = runTool(t, cut.NewCommand, flows, "--json", "--fields=sas,sasname")
	compareText(t, "json", out, `{"sAS":13335,"sASName":"Cloudflare, Inc."}
{"sAS":2500,"sASName":"WIDE Project"}
`)

	// back through gtuc: the names are skipped, the numbers kept
	text, _, _ := runTool(t, cut.NewCommand, flows, "--fields=sip,sas,sasname,bytes")
	again, _, _ := runTool(t, cut.NewCommand, gtuc(t, text), "--fields=sip,sas,bytes", "--delimited")
	compareText(t, "round trip", again, "sIP|sAS|bytes\n1.0.0.1|13335|1000\n2001:200:1bb::1|2500|5000\n")

	_, errs, st = runTool(t, cut.NewCommand, flows, "--fields=sasname", "--asn-db=/nonexistent.mmdb")
	if st != 1 || errs != "gcut: AS database: open /nonexistent.mmdb: no such file or directory\n" {
		t.Errorf("missing --asn-db: status %d, stderr %q", st, errs)
	} // also when no name is asked for: a mistyped file is not ignored
	_, errs, st = runTool(t, cut.NewCommand, flows, "--fields=sip,sas", "--asn-db=/nonexistent.mmdb")
	if st != 1 || errs != "gcut: AS database: open /nonexistent.mmdb: no such file or directory\n" {
		t.Errorf("missing --asn-db, no name field: status %d, stderr %q", st, errs)
	}
}
