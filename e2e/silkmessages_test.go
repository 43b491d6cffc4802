package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/count"
	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/filter/gfilter"
	"github.com/gflow/gflow/pkg/stats"
)

// SiLK's error messages, switch by switch of ../shared/docs/silk-reference.md,
// word for word: what rwfilter, rwstats, rwcut and rwcount 3.19.1 print on
// stderr (their option handlers in rwfiltercheck.c, fglob.c,
// rwstatssetup.c, rwcutsetup.c, rwcountsetup.c, sku-options.c,
// skoptionsctx.c; the reasons of sku-string.c; the stream errors of
// skstream-err.c), with the program's name changed. gflow may add one
// "TOOL: hint: ..." line after SiLK's error lines, before SiLK's usage
// line; nothing else.
//
// Where SiLK accepts a value gflow refuses (a country code no country
// has, an empty list), the first line follows SiLK's pattern for the
// switch.
func TestSilkMessages(t *testing.T) {
	dir := t.TempDir()
	a, _ := twoFiles(t)
	missing := filepath.Join(dir, "missing.rw")
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("these are notes, not flows\n"), 0o644)
	noDir := filepath.Join(dir, "no", "such", "dir", "out.txt")

	type tool struct {
		name string
		cmd  func(cli.IO) *cobra.Command
	}
	gfilterT := tool{"gfilter", gfilter.NewCommand}
	gstatsT := tool{"gstats", stats.NewCommand}
	gcutT := tool{"gcut", cut.NewCommand}
	gcountT := tool{"gcount", count.NewCommand}
	const usage = "USAGE" // stands for "Use 'TOOL --help' for usage"
	pe := func(sw, v string) string { return "Error processing --" + sw + " option: '" + v + "'" }

	cases := []struct {
		tool  tool
		args  []string
		lines []string // SiLK's lines without "TOOL: "
	}{
		// rwfilter: time windows
		{gfilterT, []string{"--stime=2015/10/32", a}, []string{"Invalid stime '2015/10/32': Day value (32) out of range: use 1 <= day <= 31", pe("stime", "2015/10/32"), usage}},
		{gfilterT, []string{"--etime=2015/13/01", a}, []string{"Invalid etime '2015/13/01': Month value (13) out of range: use 1 <= month <= 12", pe("etime", "2015/13/01"), usage}},
		{gfilterT, []string{"--active-time=2015/10/09:02-2015/10/09:01", a}, []string{"Invalid active-time '2015/10/09:02-2015/10/09:01': Range is invalid (min > max)", pe("active-time", "2015/10/09:02-2015/10/09:01"), usage}},
		{gfilterT, []string{"--stime=2015/10", a}, []string{"Invalid stime '2015/10': Date '2015/10' does not have at least day precision", pe("stime", "2015/10"), usage}},
		{gfilterT, []string{"--stime=2015/10/09:01:60", a}, []string{"Invalid stime '2015/10/09:01:60': Minute value (60) out of range: use 0 <= minute <= 59", pe("stime", "2015/10/09:01:60"), usage}},
		{gfilterT, []string{"--stime=yesterday", a}, []string{"Invalid stime 'yesterday': Unexpected character 'y'", pe("stime", "yesterday"), usage}},
		{gfilterT, []string{"--stime=99999999999", a}, []string{"Invalid stime '99999999999': Epoch value (99999999999) out of range: use 536870912 <= epoch <= 2147483647", pe("stime", "99999999999"), usage}},
		// durations and volumes
		{gfilterT, []string{"--duration=abc", a}, []string{"Invalid duration 'abc': Unexpected character", pe("duration", "abc"), usage}},
		{gfilterT, []string{"--duration=5-1", a}, []string{"Invalid duration '5-1': Range is invalid (min > max)", pe("duration", "5-1"), usage}},
		{gfilterT, []string{"--bytes=abc", a}, []string{"Invalid bytes 'abc': Unexpected character 'a'", pe("bytes", "abc"), usage}},
		{gfilterT, []string{"--bytes=10-5", a}, []string{"Invalid bytes '10-5': Range is invalid (min > max)", pe("bytes", "10-5"), usage}},
		{gfilterT, []string{"--packets=-5", a}, []string{"Invalid packets '-5': Unexpected character '-'", pe("packets", "-5"), usage}},
		{gfilterT, []string{"--packets=", a}, []string{"Invalid packets '': Input is empty or all whitespace", pe("packets", ""), usage}},
		{gfilterT, []string{"--bytes-per-packet=1.5x", a}, []string{"Invalid bytes-per-packet '1.5x': Unexpected character 'x'", pe("bytes-per-packet", "1.5x"), usage}},
		// integer lists: no value in the first line
		{gfilterT, []string{"--proto=256", a}, []string{"Invalid protocol: Value is above maximum of 255", pe("protocol", "256"), usage}},
		{gfilterT, []string{"--protocol=tcp", a}, []string{"Invalid protocol: Unexpected character at 't'", pe("protocol", "tcp"), usage}},
		{gfilterT, []string{"--sport=65536", a}, []string{"Invalid sport: Value is above maximum of 65535", pe("sport", "65536"), usage}},
		{gfilterT, []string{"--dport=-1024", a}, []string{"Invalid dport: Unexpected character at '-'", pe("dport", "-1024"), usage}},
		{gfilterT, []string{"--aport=443-80", a}, []string{"Invalid aport: Range is invalid (min > max) (443-80)", pe("aport", "443-80"), usage}},
		{gfilterT, []string{"--icmp-type=256", a}, []string{"Invalid icmp-type: Value is above maximum of 255", pe("icmp-type", "256"), usage}},
		{gfilterT, []string{"--icmp-code=x", a}, []string{"Invalid icmp-code: Unexpected character at 'x'", pe("icmp-code", "x"), usage}},
		{gfilterT, []string{"--application=http", a}, []string{"Invalid application: Unexpected character at 'h'", pe("application", "http"), usage}},
		{gfilterT, []string{"--input-index=1 2", a}, []string{"Invalid input-index: Unexpected character--embedded whitespace found in input", pe("input-index", "1 2"), usage}},
		{gfilterT, []string{"--output-index=", a}, []string{"Invalid output-index: Input is empty or all whitespace", pe("output-index", ""), usage}},
		{gfilterT, []string{"--any-index=a", a}, []string{"Invalid any-index: Unexpected character at 'a'", pe("any-index", "a"), usage}},
		{gfilterT, []string{"--proto=6", "--icmp-type=8", a}, []string{"An --icmp-type value was given but --protocol does not include 1 or 58", usage}},
		// lists of CIDR blocks: the bad block
		{gfilterT, []string{"--scidr=0.0.0.0/0", a}, []string{"Invalid scidr '0.0.0.0/0': Value is below minimum of 1", pe("scidr", "0.0.0.0/0"), usage}},
		{gfilterT, []string{"--dcidr=10.0.0.0/8,0.0.0.0/0", a}, []string{"Invalid dcidr '0.0.0.0/0': Value is below minimum of 1", pe("dcidr", "10.0.0.0/8,0.0.0.0/0"), usage}},
		{gfilterT, []string{"--any-cidr=0.0.0.0/0", a}, []string{"Invalid any-cidr '0.0.0.0/0': Value is below minimum of 1", pe("any-cidr", "0.0.0.0/0"), usage}},
		{gfilterT, []string{"--nhcidr=0.0.0.0/0", a}, []string{"Invalid nhcidr '0.0.0.0/0': Value is below minimum of 1", pe("nhcidr", "0.0.0.0/0"), usage}},
		{gfilterT, []string{"--not-scidr=0.0.0.0/0", a}, []string{"Invalid not-scidr '0.0.0.0/0': Value is below minimum of 1", pe("not-scidr", "0.0.0.0/0"), usage}},
		{gfilterT, []string{"--not-dcidr=10.0.0.0/33", a}, []string{"Invalid not-dcidr '10.0.0.0/33': Value is above maximum of 32", pe("not-dcidr", "10.0.0.0/33"), usage}},
		{gfilterT, []string{"--not-any-cidr=10.0.0.300", a}, []string{"Invalid not-any-cidr '10.0.0.300': IP octet 4 is too large: 300", pe("not-any-cidr", "10.0.0.300"), usage}},
		{gfilterT, []string{"--not-nhcidr=10.0.0", a}, []string{"Invalid not-nhcidr '10.0.0': Unexpected end-of-input", pe("not-nhcidr", "10.0.0"), usage}},
		{gfilterT, []string{"--scidr=10.0.0.0/8,fe80::1::2", a}, []string{"Invalid scidr 'fe80::1::2': Only one :: instance allowed", pe("scidr", "10.0.0.0/8,fe80::1::2"), usage}},
		// wildcards: only the "Error processing" line
		{gfilterT, []string{"--saddress=0.0.0.0/0", a}, []string{pe("saddress", "0.0.0.0/0"), usage}},
		{gfilterT, []string{"--daddress=10.0.0.x/24", a}, []string{pe("daddress", "10.0.0.x/24"), usage}},
		{gfilterT, []string{"--any-address=10.0.0.256", a}, []string{pe("any-address", "10.0.0.256"), usage}},
		{gfilterT, []string{"--next-hop-id=10.0.0", a}, []string{pe("next-hop-id", "10.0.0"), usage}},
		{gfilterT, []string{"--not-saddress=0.0.0.0/0", a}, []string{pe("not-saddress", "0.0.0.0/0"), usage}},
		{gfilterT, []string{"--not-daddress=x", a}, []string{pe("not-daddress", "x"), usage}},
		{gfilterT, []string{"--not-any-address=1.2.3.4.5", a}, []string{pe("not-any-address", "1.2.3.4.5"), usage}},
		{gfilterT, []string{"--not-next-hop-id=::g", a}, []string{pe("not-next-hop-id", "::g"), usage}},
		{gfilterT, []string{"--saddress=10.0.0.1", "--not-saddress=10.0.0.2", a}, []string{"A --saddress filter has already been set; only one of --not-saddress and --saddress are allowed", usage}},
		{gfilterT, []string{"--proto=6", "--proto=17", a}, []string{"A --protocol filter has already been set", usage}},
		// flags
		{gfilterT, []string{"--tcp-flags=SX", a}, []string{pe("tcp-flags", "SX"), usage}},
		{gfilterT, []string{"--syn-flag=2", a}, []string{"Error parsing --syn-flag option: '2'", pe("syn-flag", "2"), usage}},
		{gfilterT, []string{"--fin-flag=x", a}, []string{"Error parsing --fin-flag option: 'x'", pe("fin-flag", "x"), usage}},
		{gfilterT, []string{"--flags-all=SA/S", a}, []string{"Invalid flags-all 'SA/S': High flags is not subset of mask flags", pe("flags-all", "SA/S"), usage}},
		{gfilterT, []string{"--flags-initial=S/SA,Q/A", a}, []string{"Invalid flags-initial 'Q/A': Unexpected character 'Q'", pe("flags-initial", "S/SA,Q/A"), usage}},
		{gfilterT, []string{"--flags-session=S", a}, []string{"Invalid flags-session 'S': Missing '/' character", pe("flags-session", "S"), usage}},
		{gfilterT, []string{"--flags-all=S/", a}, []string{"Invalid flags-all 'S/': Missing masks flags value", pe("flags-all", "S/"), usage}},
		{gfilterT, []string{"--attributes=T/C", a}, []string{"Invalid attributes 'T/C': High state flags is not subset of mask state flags", pe("attributes", "T/C"), usage}},
		{gfilterT, []string{"--attributes=,", a}, []string{"Invalid attributes: No value was given", pe("attributes", ","), usage}},
		{gfilterT, []string{"--ip-version=5", a}, []string{pe("ip-version", "5"), usage}},
		{gfilterT, []string{"--ip-version=ipv4", a}, []string{pe("ip-version", "ipv4"), usage}},
		// countries
		{gfilterT, []string{"--scc=usa", a}, []string{"Invalid scc 'usa'", pe("scc", "usa"), usage}},
		{gfilterT, []string{"--dcc=us,1x", a}, []string{"Invalid dcc '1x'", pe("dcc", "us,1x"), usage}},
		{gfilterT, []string{"--any-cc=u", a}, []string{"Invalid any-cc 'u'", pe("any-cc", "u"), usage}},
		// the repository and the inputs
		{gfilterT, []string{"--start-date=2015/10/32"}, []string{"Invalid start-date '2015/10/32': Day value (32) out of range: use 1 <= day <= 31"}},
		{gfilterT, []string{"--start-date=2015/10/09:01", "--end-date=2015/10/09x"}, []string{"Invalid end-date '2015/10/09x': Unexpected character 'x'"}},
		{gfilterT, []string{"--end-date=2015/10/09"}, []string{"Cannot use --end-date without --start-date"}},
		{gfilterT, []string{"--start-date=2015/10/09:05", "--end-date=2015/10/09:01"}, []string{"end-date of 2015/10/09:01 is earlier than start-date of 2015/10/09:05"}},
		{gfilterT, []string{"--data-rootdir=" + filepath.Join(dir, "none")}, []string{"Root data directory '" + filepath.Join(dir, "none") + "' does not exist"}},
		{gfilterT, []string{"--flowtypes=all/in", "--type=in", a}, []string{"Cannot use --flowtypes when either --class or --type are specified"}},
		{gfilterT, []string{"--max-pass-records=abc", a}, []string{"Invalid max-pass-records 'abc': Unexpected character 'a'", usage}},
		{gfilterT, []string{"--max-fail-records=-1", a}, []string{"Invalid max-fail-records '-1': Unexpected character '-'", usage}},
		{gfilterT, []string{"--threads=many", a}, []string{"Invalid threads 'many': Unexpected character 'm'", usage}},
		{gfilterT, []string{"--proto=6", missing}, []string{"Error opening file '" + missing + "': No such file or directory"}},
		{gfilterT, []string{"--proto=6", notes}, []string{"File does not appear to be a SiLK data file '" + notes + "'"}},
		{gfilterT, []string{"--proto=6", dir}, []string{"Error reading from stream '" + dir + "': Is a directory"}},
		{gfilterT, []string{"--ipversion=4", a}, []string{"unrecognized option '--ipversion=4'", usage}},

		// rwstats
		{gstatsT, []string{"--count=abc", "--fields=sip", a}, []string{"Invalid count 'abc': Unexpected character 'a'", usage}},
		{gstatsT, []string{"--count=10x", "--fields=sip", a}, []string{"Invalid count '10x': Extra text follows value", usage}},
		{gstatsT, []string{"--count=-5", "--fields=sip", a}, []string{"Invalid count '-5': Unexpected character '-'", usage}},
		{gstatsT, []string{"--threshold=", "--fields=sip", a}, []string{"Invalid threshold '': Input is empty or all whitespace", usage}},
		{gstatsT, []string{"--percentage=150", "--fields=sip", a}, []string{"Invalid percentage '150': Value is above maximum of 100.000000", usage}},
		{gstatsT, []string{"--percentage=lots", "--fields=sip", a}, []string{"Invalid percentage 'lots': Unexpected character", usage}},
		{gstatsT, []string{"--count=5", "--threshold=4", "--fields=sip", a}, []string{"May only specify one of --count, --threshold, or --percentage.", usage}},
		{gstatsT, []string{"--top", "--bottom", "--fields=sip", a}, []string{"May only specify one of --top or --bottom.", usage}},
		{gstatsT, []string{"--count=5", a}, []string{"The --fields switch is required", usage}},
		{gstatsT, []string{"--fields=foo", a}, []string{"Invalid fields: No match was found for the field 'foo'"}},
		{gstatsT, []string{"--fields=sip,1", a}, []string{"Invalid fields: Duplicate name '1'"}},
		{gstatsT, []string{"--fields=s", a}, []string{"Invalid fields: The field 's' matches multiple keys"}},
		{gstatsT, []string{"--fields=sip", "--values=bogus", a}, []string{"Invalid values: No match was found for the field 'bogus'"}},
		{gstatsT, []string{"--fields=stime", "--bin-time=0", a}, []string{"Invalid bin-time '0': Value is below minimum of 0.001000", usage}},
		{gstatsT, []string{"--fields=stime", "--bin-time=1m", a}, []string{"Invalid bin-time '1m': Extra text follows value", usage}},
		{gstatsT, []string{"--fields=stime", "--timestamp-format=julian", a}, []string{"Invalid timestamp-format: No match was found for the field 'julian'", usage}},
		{gstatsT, []string{"--fields=stime", "--timestamp-format=iso,epoch", a}, []string{"Invalid timestamp-format: May only specify one of default,iso,m/d/y,epoch", usage}},
		{gstatsT, []string{"--fields=stime", "--timestamp-format=utc,local", a}, []string{"Invalid timestamp-format: May only specify one of utc,local", usage}},
		{gstatsT, []string{"--fields=stime", "--timestamp-format=no-msec", a}, []string{"Invalid timestamp-format: No match was found for the field 'no-msec'", usage}},
		{gstatsT, []string{"--fields=sip", "--ip-format=decimal,canonical", a}, []string{"Invalid ip-format: May not combine canonical with decimal", usage}},
		{gstatsT, []string{"--fields=sip", "--ip-format=force-ipv6,unmap-v6", a}, []string{"Invalid ip-format: May not combine unmap-v6 with map-v4,force-ipv6", usage}},
		{gstatsT, []string{"--fields=sip", "--ip-format=octal", a}, []string{"Invalid ip-format: No match was found for the field 'octal'", usage}},
		{gstatsT, []string{"--fields=sip", "--output-path=" + noDir, a}, []string{"Unable to open output-path '" + noDir + "': No such file or directory"}},
		{gstatsT, []string{"--fields=sip", missing}, []string{"Error opening file '" + missing + "': No such file or directory"}},
		{gstatsT, []string{"--fields=sip", notes}, []string{"File does not appear to be a SiLK data file '" + notes + "'"}},
		{gstatsT, []string{"--fields=sip", "--xargs=" + missing}, []string{"Error opening file '" + missing + "': No such file or directory"}},
		{gstatsT, []string{"--fields=sip", "--copy-input=-", a}, []string{"May not use stdout for multiple output streams"}},

		// rwcut
		{gcutT, []string{"--fields=foo", a}, []string{"Invalid fields: No match was found for the field 'foo'"}},
		{gcutT, []string{"--fields=", a}, []string{"Missing --fields value"}},
		{gcutT, []string{"--fields=sip", "--all-fields", a}, []string{"Invalid all-fields: The --fields switch was already given", usage}},
		{gcutT, []string{"--num-recs=abc", a}, []string{"Invalid num-recs 'abc': Unexpected character 'a'", usage}},
		{gcutT, []string{"--start-rec-num=0", a}, []string{"Invalid start-rec-num '0': Value is below minimum of 1", usage}},
		{gcutT, []string{"--end-rec-num=5x", a}, []string{"Invalid end-rec-num '5x': Extra text follows value", usage}},
		{gcutT, []string{"--tail-recs=0", a}, []string{"Invalid tail-recs '0': Value is below minimum of 1", usage}},
		{gcutT, []string{"--tail-recs=2", "--start-rec-num=1", a}, []string{"May not use --tail-recs when --start-rec-num or --end-rec-num is specified"}},
		{gcutT, []string{"--start-rec-num=5", "--end-rec-num=4", a}, []string{"The end-rec-num is less than the start-rec-num: 4 < 5"}},
		{gcutT, []string{"--timestamp-format=iso,iso", a}, []string{"Invalid timestamp-format: Duplicate name 'iso'", usage}},
		{gcutT, []string{"--ip-format=zero-padded,decimal,hexadecimal", a}, []string{"Invalid ip-format: May not combine hexadecimal with decimal", usage}},
		{gcutT, []string{"--output-path=" + noDir, a}, []string{"Cannot open '" + noDir + "': No such file or directory"}},
		{gcutT, []string{missing}, []string{"Error opening file '" + missing + "': No such file or directory"}},

		// rwcount
		{gcountT, []string{"--bin-size=0", a}, []string{"Invalid bin-size '0': Value is below minimum of 0.001000", usage}},
		{gcountT, []string{"--bin-size=abc", a}, []string{"Invalid bin-size 'abc': Unexpected character", usage}},
		{gcountT, []string{"--load-scheme=flat", a}, []string{"Invalid load-scheme: 'flat' is not recognized", usage}},
		{gcountT, []string{"--load-scheme=m", a}, []string{"Invalid load-scheme: 'm' is ambiguous", usage}},
		{gcountT, []string{"--start-time=2015/10/32", a}, []string{"Invalid start-time '2015/10/32': Day value (32) out of range: use 1 <= day <= 31"}},
		{gcountT, []string{"--end-time=tomorrow", a}, []string{"Invalid end-time 'tomorrow': Unexpected character 't'"}},
		{gcountT, []string{"--start-epoch=2015/10/09:02", "--end-epoch=2015/10/09:01", a}, []string{"The end-time is less than start-time: 2015/10/09T02:00:00 < 2015/10/09T02:00:00"}},
		{gcountT, []string{"--timestamp-format=local,epoch,utc", a}, []string{"Invalid timestamp-format: May only specify one of utc,local", usage}},
		{gcountT, []string{"--output-path=" + noDir, a}, []string{"Cannot open '" + noDir + "': No such file or directory"}},
		{gcountT, []string{notes}, []string{"File does not appear to be a SiLK data file '" + notes + "'"}},
	}
	// a full disk: /dev/full refuses every write with ENOSPC
	if _, err := os.Stat("/dev/full"); err == nil {
		full := []string{"Error writing to stream '/dev/full': No space left on device"}
		cases = append(cases, []struct {
			tool  tool
			args  []string
			lines []string
		}{
			{gcutT, []string{"--output-path=/dev/full", a}, full},
			{gstatsT, []string{"--fields=sip", "--output-path=/dev/full", a}, full},
			{gstatsT, []string{"--overall-stats", "--output-path=/dev/full", a}, full},
			{gcountT, []string{"--output-path=/dev/full", a}, full},
		}...)
	}
	for _, c := range cases {
		out, errs, st := runIn(t, c.tool.cmd, nil, c.args...)
		if st != 1 {
			t.Errorf("%s %v: status %d, want 1", c.tool.name, c.args, st)
		}
		var silk []string
		hints := 0
		got := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
		for i, l := range got {
			if strings.HasPrefix(l, c.tool.name+": hint: ") {
				// one hint, right after SiLK's error lines
				if hints++; hints > 1 || (i+1 < len(got) && !strings.HasPrefix(got[i+1], "Use '")) {
					t.Errorf("%s %v: hint out of place in\n%s", c.tool.name, c.args, errs)
				}
				continue
			}
			silk = append(silk, l)
		}
		var want []string
		for _, l := range c.lines {
			if l == usage {
				want = append(want, "Use '"+c.tool.name+" --help' for usage")
				continue
			}
			want = append(want, c.tool.name+": "+l)
		}
		if strings.Join(silk, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s %v: stderr\n%s\nwant SiLK's\n%s", c.tool.name, c.args, errs, strings.Join(want, "\n"))
		}
		if c.tool.name != "gfilter" && out != "" {
			t.Errorf("%s %v: printed %q", c.tool.name, c.args, out)
		}
	}
}
