package stats

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// asFlows: traffic from three networks, two AS numbers of one
// organisation among them, and an internal host (AS 0).
func asFlows() []flowfile.Record {
	mk := func(src string, as uint32, bytes uint64) flowfile.Record {
		return flowfile.Record{SIP: netip.MustParseAddr(src), DIP: netip.MustParseAddr("192.168.1.10"), SrcAS: as, Bytes: bytes, Packets: 1, Proto: 6}
	}
	return []flowfile.Record{
		mk("1.0.0.1", 13335, 5000), mk("1.0.0.2", 13335, 4000),
		mk("52.94.1.1", 16509, 3000), mk("54.239.1.1", 14618, 2500),
		mk("192.168.1.20", 0, 100),
	}
}

// "Which networks send us the most?": binned by AS number, named from the
// built-in database, percentages as for any key.
func TestASFields(t *testing.T) {
	in := stream(t, asFlows())
	t.Setenv("GFLOW_ASN_DB", "")
	t.Setenv("GFLOW_SITE_CONFIG", "")
	t.Setenv("GFLOW_DATA_ROOTDIR", t.TempDir())
	out, errs, st := gstats(t, in, "--fields=sas,sasname", "--values=bytes", "--count=10", "--no-columns")
	if st != 0 || errs != "" {
		t.Fatalf("status %d, stderr %q", st, errs)
	}
	check(t, "sas,sasname", out, `INPUT: 5 Records for 4 Bins and 14600 Total Bytes
OUTPUT: Top 10 Bins by Bytes
sAS|sASName|Bytes|%Bytes|cumul_%|
13335|Cloudflare, Inc.|9000|61.643836|61.643836|
16509|Amazon.com, Inc.|3000|20.547945|82.191781|
14618|Amazon.com, Inc.|2500|17.123288|99.315068|
0||100|0.684932|100.000000|
`)
	// columns: a number is ten wide, a name as wide as the longest one
	out, _, _ = gstats(t, in, "--fields=sas,sasname", "--values=records", "--count=1")
	lines := strings.Split(out, "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[2], "       sAS|") || !strings.HasPrefix(lines[3], "     13335|") ||
		len(strings.Split(lines[3], "|")[1]) != 167 {
		t.Errorf("column widths:\n%s", out)
	}
	out, _, _ = gstats(t, in, "--fields=sas", "--values=distinct:sip", "--count=1", "--delimited")
	if !strings.Contains(out, "\n13335|2|") {
		t.Errorf("sip-distinct per AS:\n%s", out)
	}
	// a missing database is one clear error naming it
	_, errs, st = gstats(t, in, "--fields=sasname", "--count=1", "--asn-db=/nonexistent/GeoLite2-ASN.mmdb")
	if st != 1 || errs != "gstats: AS database: open /nonexistent/GeoLite2-ASN.mmdb: no such file or directory\n" {
		t.Errorf("missing --asn-db: status %d, stderr %q", st, errs)
	}
	_, errs, st = gstats(t, in, "--fields=sas", "--count=1", "--asn-db=/nonexistent/GeoLite2-ASN.mmdb")
	if st != 1 || errs != "gstats: AS database: open /nonexistent/GeoLite2-ASN.mmdb: no such file or directory\n" {
		t.Errorf("missing --asn-db, no name field: status %d, stderr %q", st, errs)
	}
}
