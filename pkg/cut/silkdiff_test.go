package cut_test

import (
	"testing"

	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/stats"
)

// The tests below are the last differences found against SiLK 3.19.1 on
// the same input and switches; the expected text is SiLK's.

// Flag columns are padded to their fixed slots only in columns: rwcut
// --delimited prints `SA`, and rwstats an empty key for no flags.
func TestFlagsOutsideColumns(t *testing.T) {
	in := gtuc(t, "sIP|dIP|protocol|flags|initialFlags|sessionFlags|attributes\n"+
		"8.159.197.88|10.0.0.1|6|SA|S|A|TC\n"+
		"8.159.197.89|10.0.0.1|17||||\n")
	in3 := gtuc(t, "sIP|dIP|protocol|flags\n8.159.197.88|10.0.0.1|6|SA\n8.159.197.88|10.0.0.1|6|SA\n8.159.197.89|10.0.0.1|17|\n")
	out, errs, st := runTool(t, cut.NewCommand, in, "--delimited", "--fields=flags,sip")
	if want := "flags|sIP\nSA|8.159.197.88\n|8.159.197.89\n"; st != 0 || out != want {
		t.Errorf("gcut --delimited: %q (%s), want %q", out, errs, want)
	}
	out, _, _ = runTool(t, cut.NewCommand, in, "--no-columns", "--fields=initialFlags,sessionFlags,attributes", "--no-titles")
	if want := "S|A|TC|\n|||\n"; out != want {
		t.Errorf("gcut --no-columns: %q, want %q", out, want)
	}
	// in columns the slots stay
	out, _, _ = runTool(t, cut.NewCommand, in, "--fields=flags", "--no-titles")
	if want := " S  A   |\n        |\n"; out != want {
		t.Errorf("gcut in columns: %q, want %q", out, want)
	}
	out, _, _ = runTool(t, stats.NewCommand, in3, "--fields=flags", "--delimited", "--count=5")
	if want := "INPUT: 3 Records for 2 Bins and 3 Total Records\nOUTPUT: Top 5 Bins by Records\nflags|Records|%Records|cumul_%\nSA|2|66.666667|66.666667\n|1|33.333333|100.000000\n"; out != want {
		t.Errorf("gstats --delimited:\n%s\nwant\n%s", out, want)
	}
}

// Field 25, icmpTypeCode, is SiLK's old name for the pair iType, iCode.
func TestField25(t *testing.T) {
	in := gtuc(t, "sIP|dIP|protocol|dPort|sTime\n10.0.0.1|10.0.0.2|1|2048|2015/10/09\n10.0.0.1|10.0.0.2|6|443|2015/10/09\n")
	for _, fields := range []string{"--fields=25", "--fields=icmpTypeCode"} {
		out, errs, st := runTool(t, cut.NewCommand, in, fields)
		if want := "iTy|iCo|\n  8|  0|\n   |   |\n"; st != 0 || out != want {
			t.Errorf("gcut %s: %q %s, want %q", fields, out, errs, want)
		}
	}
	out, errs, st := runTool(t, cut.NewCommand, in, "--fields=1-15,20-29", "--no-titles", "--delimited")
	if st != 0 {
		t.Fatalf("--fields=1-15,20-29: %s", errs)
	}
	want := "10.0.0.1|10.0.0.2|0|2048|1|1|1||2015/10/09T00:00:00.000|0.000|2015/10/09T00:00:00.000|S0|0|0|0.0.0.0|all|in|2015/10/09T00:00:00.000|2015/10/09T00:00:00.000|0.000|8|0||||0\n"
	if got := firstLine(out); got != want {
		t.Errorf("--fields=1-15,20-29:\n got %q\nwant %q", got, want)
	}
}

// A record made IPv6 has the next hop ::ffff:0.0.0.0 when none is given,
// as rwtuc gives it, and prints it so.
func TestIPv6NextHop(t *testing.T) {
	for _, text := range []string{
		"sIP|dIP\n2001:db8::1|2001:db8::2\n",
		"sIP|dIP|nhIP\n2001:db8::1|2001:db8::2|0.0.0.0\n",
	} {
		out, errs, _ := runTool(t, cut.NewCommand, gtuc(t, text), "--fields=nhip", "--no-titles", "--delimited")
		if out != "::ffff:0.0.0.0\n" {
			t.Errorf("%q: nhIP %q %s, want ::ffff:0.0.0.0 as rwcut prints", text, out, errs)
		}
	}
	// an IPv4 record keeps 0.0.0.0
	out, _, _ := runTool(t, cut.NewCommand, gtuc(t, "sIP|dIP\n10.0.0.1|10.0.0.2\n"), "--fields=nhip", "--no-titles", "--delimited")
	if out != "0.0.0.0\n" {
		t.Errorf("IPv4 record: nhIP %q", out)
	}
}

func firstLine(s string) string {
	for i := range s {
		if s[i] == '\n' {
			return s[:i+1]
		}
	}
	return s
}
