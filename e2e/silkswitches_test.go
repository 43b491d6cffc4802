package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/count"
	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/stats"
)

// Switches SiLK's rwcut, rwstats and rwcount have and gflow's tools take
// the same way: --legacy-timestamps, --xargs, --print-filenames,
// --copy-input, --presorted-input, --help-fields, rwcount's
// --start-epoch/--end-epoch, and --column-separator= (NUL).

func runIn(t *testing.T, newCmd func(cli.IO) *cobra.Command, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	std := cli.IO{In: bytes.NewReader(stdin), Out: &out, Err: &errb}
	st := cli.Run(newCmd(std), args, std)
	return out.String(), errb.String(), st
}

// twoFiles writes two flow files of 3 and 2 records, from 2015/10/09 00:00
// and 01:00 UTC.
func twoFiles(t *testing.T) (string, string) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.gf"), filepath.Join(dir, "b.gf")
	hdr := flowfile.Header{Kind: flowfile.KindStream, Codec: flowfile.CodecS2}
	day := time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC)
	writeFlows(t, a, hdr, day, 3)
	writeFlows(t, b, hdr, day.Add(time.Hour), 2)
	return a, b
}

func TestLegacyTimestamps(t *testing.T) {
	a, _ := twoFiles(t)
	cases := []struct {
		cmd  func(cli.IO) *cobra.Command
		args []string
		want string // a line of the output, its padding left out
	}{
		// rwcut: m/d/y without milliseconds
		{cut.NewCommand, []string{"--fields=stime", "--legacy-timestamps"}, "10/09/2015 00:00:00|"},
		{cut.NewCommand, []string{"--fields=stime", "--legacy-timestamps=1"}, "10/09/2015 00:00:00|"},
		{cut.NewCommand, []string{"--fields=stime", "--legacy-timestamps=0"}, "2015/10/09T00:00:00.000|"},
		// the last switch wins, as in SiLK
		{cut.NewCommand, []string{"--fields=stime", "--timestamp-format=iso", "--legacy-timestamps"}, "10/09/2015 00:00:00|"},
		{cut.NewCommand, []string{"--fields=stime", "--legacy-timestamps", "--timestamp-format=iso"}, "2015-10-09 00:00:00.000|"},
		{cut.NewCommand, []string{"--fields=stime", "--legacy-timestamps", "--epoch-time"}, "1444348800.000|"},
		// rwstats and rwcount: m/d/y
		{stats.NewCommand, []string{"--fields=stime", "--count=1", "--legacy-timestamps", "--no-percents"}, "10/09/2015 00:00:00|         1|"},
		{count.NewCommand, []string{"--bin-size=3600", "--legacy-timestamps"}, "10/09/2015 00:00:00|           3.00|              300.00|             3.00|"},
		{count.NewCommand, []string{"--bin-size=3600", "--legacy-timestamps", "--epoch-slots"}, "1444348800|           3.00|              300.00|             3.00|"},
	}
	for _, c := range cases {
		out, errs, st := runIn(t, c.cmd, nil, append(c.args, "--output-path=-", a)...)
		if st != 0 || !hasLine(strings.Split(out, "\n"), c.want) {
			t.Errorf("%v: status %d, stderr %q, output\n%s\nwant a line %q", c.args, st, errs, out, c.want)
		}
	}
}

// hasLine reports whether a line, its padding left out, is want.
func hasLine(lines []string, want string) bool {
	for _, l := range lines {
		if strings.TrimLeft(l, " ") == want {
			return true
		}
	}
	return false
}

func TestXargsAndPrintFilenames(t *testing.T) {
	a, b := twoFiles(t)
	list := filepath.Join(t.TempDir(), "list")
	os.WriteFile(list, []byte(a+"\n\n"+b+"\n"), 0o644)
	for _, tool := range []struct {
		name string
		cmd  func(cli.IO) *cobra.Command
		args []string
	}{
		{"gcut", cut.NewCommand, []string{"--fields=sport", "--no-titles"}},
		{"gstats", stats.NewCommand, []string{"--fields=sport", "--count=0", "--no-titles"}},
		{"gcount", count.NewCommand, []string{"--bin-size=3600", "--no-titles"}},
	} {
		want, _, st := runIn(t, tool.cmd, nil, append(tool.args, a, b)...)
		if st != 0 || want == "" {
			t.Fatalf("%s on the files: status %d", tool.name, st)
		}
		// --xargs=FILE, and --xargs reading the list on stdin
		for _, x := range [][]string{{"--xargs=" + list}, {"--xargs"}, {"--xargs=-"}} {
			listData, _ := os.ReadFile(list)
			out, errs, st := runIn(t, tool.cmd, listData, append(tool.args, x...)...)
			if st != 0 || out != want {
				t.Errorf("%s %v: status %d, %q\n%s\nwant\n%s", tool.name, x, st, errs, out, want)
			}
		}
		// --print-filenames: each input on stderr as it is opened
		out, errs, st := runIn(t, tool.cmd, nil, append(tool.args, "--print-filenames", a, b)...)
		if st != 0 || out != want || errs != a+"\n"+b+"\n" {
			t.Errorf("%s --print-filenames: status %d, stderr %q", tool.name, st, errs)
		}
		// SiLK's refusals
		_, errs, st = runIn(t, tool.cmd, nil, append(tool.args, "--xargs="+list, a)...)
		if wantErr := tool.name + ": May not use --xargs and give files on command line\nUse '" + tool.name + " --help' for usage\n"; st != 1 || errs != wantErr {
			t.Errorf("%s --xargs with files: %d %q, want %q", tool.name, st, errs, wantErr)
		}
		missing := filepath.Join(t.TempDir(), "nolist")
		_, errs, st = runIn(t, tool.cmd, nil, append(tool.args, "--xargs="+missing)...)
		if wantErr := tool.name + ": Error opening file '" + missing + "': No such file or directory\n"; st != 1 || errs != wantErr {
			t.Errorf("%s --xargs=missing: %d %q, want %q", tool.name, st, errs, wantErr)
		}
	}
}

func TestCopyInput(t *testing.T) {
	a, b := twoFiles(t)
	all, _, _ := runIn(t, cut.NewCommand, nil, "--all-fields", a, b)
	for _, tool := range []struct {
		name string
		cmd  func(cli.IO) *cobra.Command
		args []string
	}{
		{"gcut", cut.NewCommand, []string{"--fields=sport", "--num-recs=5"}},
		{"gstats", stats.NewCommand, []string{"--fields=sport", "--count=1"}},
		{"gstats", stats.NewCommand, []string{"--overall-stats"}},
		{"gcount", count.NewCommand, []string{"--bin-size=3600"}},
	} {
		copyPath := filepath.Join(t.TempDir(), "copy.gf")
		text, errs, st := runIn(t, tool.cmd, nil, append(tool.args, "--copy-input="+copyPath, a, b)...)
		plain, _, _ := runIn(t, tool.cmd, nil, append(tool.args, a, b)...)
		if st != 0 || text != plain {
			t.Errorf("%s %v --copy-input: status %d %q; output changed", tool.name, tool.args, st, errs)
		}
		// the copy holds every record of the input, every field, in order
		copied, errs, st := runIn(t, cut.NewCommand, nil, "--all-fields", copyPath)
		if st != 0 || copied != all {
			t.Errorf("%s %v: the copy reads\n%s%s\nwant\n%s", tool.name, tool.args, copied, errs, all)
		}
		// to stdout, down a pipe, when the text goes elsewhere
		out, errs, st := runIn(t, tool.cmd, nil, append(tool.args, "--copy-input=-", "--output-path="+filepath.Join(t.TempDir(), "text"), a, b)...)
		if st != 0 || !strings.HasPrefix(out, flowfile.FileMagic) {
			t.Errorf("%s --copy-input=-: status %d %q, stdout %.8q", tool.name, st, errs, out)
		}
		// but not onto the text
		_, errs, st = runIn(t, tool.cmd, nil, append(tool.args, "--copy-input=stdout", a)...)
		if want := tool.name + ": May not use stdout for multiple output streams\n"; st != 1 || errs != want {
			t.Errorf("%s --copy-input=stdout: %d %q, want %q", tool.name, st, errs, want)
		}
	}
}

func TestHelpFieldsAndPresorted(t *testing.T) {
	for _, tool := range []struct {
		name string
		cmd  func(cli.IO) *cobra.Command
		want []string
	}{
		{"gcut", cut.NewCommand, []string{"sIP,1 ", "packets,pkts,6 ", "sTime+msec,22 ", "icmpTypeCode,25 ", "iType "}},
		{"gstats", stats.NewCommand, []string{"sIP,1 ", "dPort,4 ", "iCode ", "Distinct:FIELD "}},
	} {
		out, errs, st := runIn(t, tool.cmd, nil, "--help-fields")
		if st != 0 || errs != "" {
			t.Errorf("%s --help-fields: status %d %q", tool.name, st, errs)
		}
		for _, w := range tool.want {
			if !strings.Contains(out, "  "+w) {
				t.Errorf("%s --help-fields lacks %q:\n%s", tool.name, w, out)
			}
		}
	}
	// --presorted-input changes nothing: gstats bins by hash anyway
	a, b := twoFiles(t)
	for _, limit := range []string{"--count=2", "--percentage=10", "--threshold=1"} {
		want, _, _ := runIn(t, stats.NewCommand, nil, "--fields=sport", "--values=bytes", limit, a, b)
		got, errs, st := runIn(t, stats.NewCommand, nil, "--fields=sport", "--values=bytes", limit, "--presorted-input", a, b)
		if st != 0 || got != want {
			t.Errorf("--presorted-input %s: status %d %q\n%s\nwant\n%s", limit, st, errs, got, want)
		}
	}
}

// --column-separator= (empty) separates with NUL, as SiLK does
// (delimiter = opt_arg[0]); so does --delimited=.
func TestEmptySeparatorIsNUL(t *testing.T) {
	a, _ := twoFiles(t)
	cases := []struct {
		cmd  func(cli.IO) *cobra.Command
		args []string
		want string
	}{
		{cut.NewCommand, []string{"--fields=sport,dport", "--no-titles", "--num-recs=1", "--column-separator="}, " 1024\x00  443\x00\n"},
		{cut.NewCommand, []string{"--fields=sport,dport", "--no-titles", "--num-recs=1", "--delimited="}, "1024\x00443\n"},
		{stats.NewCommand, []string{"--fields=dport", "--count=1", "--no-titles", "--column-separator="},
			"  443\x00         3\x00100.000000\x00100.000000\x00\n"},
		{count.NewCommand, []string{"--bin-size=3600", "--no-titles", "--delimited="}, "2015/10/09T00:00:00\x003.00\x00300.00\x003.00\n"},
	}
	for _, c := range cases {
		out, errs, st := runIn(t, c.cmd, nil, append(c.args, "--output-path=-", a)...)
		if st != 0 || out != c.want {
			t.Errorf("%v: status %d %q\n%q\nwant\n%q", c.args, st, errs, out, c.want)
		}
	}
}
