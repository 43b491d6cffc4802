package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gflow/gflow/pkg/cli"
)

// header is what every page's .TH line says besides its name and section.
type header struct {
	date    string // YYYY-MM-DD
	version string
}

func (h header) write(r *roff, name, section string) {
	r.line(".TH %s %s %s %s %s", quoteArg(strings.ToUpper(name)), section, quoteArg(h.date),
		quoteArg("gflow "+h.version), quoteArg("gflow manual"))
	// No hyphenation, ragged right: switches and paths stay whole.
	r.line(".nh")
	r.line(".ad l")
}

// toolPage writes the section-1 page of a tool from its command. others
// are the names of every registered tool, for SEE ALSO.
func toolPage(cmd *cobra.Command, h header, others []string) string {
	name := cmd.Name()
	r := &roff{}
	h.write(r, name, "1")

	r.section("NAME")
	r.line("%s \\- %s", escape(name), escape(strings.TrimSpace(cmd.Short)))

	r.section("SYNOPSIS")
	use := strings.TrimSpace(strings.TrimPrefix(cmd.Use, name))
	r.line(".B %s", escape(name))
	if use != "" {
		r.line("%s", textLine(use))
	}

	r.section("DESCRIPTION")
	long := cmd.Long
	if strings.TrimSpace(long) == "" {
		long = cmd.Short
	}
	r.paragraphs(long)

	r.section("OPTIONS")
	r.line(".PP")
	r.line("Any unique prefix of a long switch is accepted, as in SiLK.")
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden || f.Deprecated != "" {
			return
		}
		r.tagged(flagTag(f), flagText(f))
	})

	r.section("ENVIRONMENT")
	env := derived(cmd, envByFlag)
	env = append(env, cli.ManItem{Term: cli.EnvDebug, Text: "When set, an internal error prints the stack of the program as well."})
	env = append(env, cli.ManItems(cmd, cli.ManEnvironment)...)
	for _, it := range dedupe(env) {
		r.tagged(bold(it.Term), it.Text)
	}

	r.section("FILES")
	files := append(derived(cmd, filesByFlag), cli.ManItems(cmd, cli.ManFiles)...)
	if len(files) == 0 {
		r.line(".PP")
		r.line("%s reads and writes only the files named on its command line and its standard input and output.", bold(name))
	}
	for _, it := range dedupe(files) {
		r.tagged(italic(it.Term), it.Text)
	}

	r.section("EXIT STATUS")
	status := []cli.ManItem{
		{Term: "0", Text: "Success, also when the program reading the output goes away early (" + name + " ... | head)."},
		{Term: "1", Text: "An error, described on standard error in one line: " + name + ": what went wrong. An error in how the command was typed adds a second line: Use '" + name + " --help' for usage."},
	}
	for _, it := range cli.ManItems(cmd, cli.ManExitStatus) {
		if i := slices.IndexFunc(status, func(s cli.ManItem) bool { return s.Term == it.Term }); i >= 0 {
			status[i] = it
		} else {
			status = append(status, it)
		}
	}
	for _, it := range status {
		r.tagged(bold(it.Term), it.Text)
	}

	if cmd.Example != "" {
		r.section("EXAMPLES")
		r.preformatted(strings.Split(strings.Trim(cmd.Example, "\n"), "\n"))
	}

	r.section("SEE ALSO")
	var refs []string
	for _, o := range others {
		if o != name {
			refs = append(refs, o+"(1)")
		}
	}
	refs = append(refs, "gflow.toml(5)")
	for _, it := range cli.ManItems(cmd, cli.ManSeeAlso) {
		refs = append(refs, it.Term)
	}
	seeAlso(r, refs)
	return r.b.String()
}

// seeAlso writes page references, "name(section)", as .BR lines.
func seeAlso(r *roff, refs []string) {
	for i, ref := range refs {
		page, sec, _ := strings.Cut(strings.TrimSuffix(ref, ")"), "(")
		sep := ","
		if i == len(refs)-1 {
			sep = ""
		}
		r.line(".BR %s (%s)%s", escape(page), escape(sec), sep)
	}
}

// flagTag is the switch as a user types it: --name=VALUE, --name[=VALUE]
// for an optional value, --name alone for a boolean switch.
func flagTag(f *pflag.Flag) string {
	tag := bold("--" + f.Name)
	if f.Shorthand != "" {
		tag = bold("-"+f.Shorthand) + ", " + tag
	}
	value := valueName(f)
	switch {
	case value == "":
	case f.NoOptDefVal != "":
		tag += "[=" + italic(value) + "]"
	default:
		tag += "=" + italic(value)
	}
	return tag
}

// valueName is the placeholder of a switch's value: the back-quoted word
// of its help (`FILE`), else one named after its type; "" for a boolean.
func valueName(f *pflag.Flag) string {
	if f.Value.Type() == "bool" {
		return ""
	}
	name, _ := pflag.UnquoteUsage(f)
	if strings.ToUpper(name) == name && name != "" {
		return name // back-quoted in the help: `FILE`
	}
	switch f.Value.Type() {
	case "string", "stringArray":
		return "VALUE"
	case "stringSlice", "strings":
		return "LIST"
	case "int", "int64", "uint", "uint16", "uint32", "uint64", "int32":
		return "N"
	case "float64", "float32":
		return "NUMBER"
	case "duration":
		return "DURATION"
	}
	return strings.ToUpper(name)
}

// flagText is the switch's help, with its default when the help does not
// say it already and the default is not an empty value.
func flagText(f *pflag.Flag) string {
	_, usage := pflag.UnquoteUsage(f)
	text := strings.TrimSpace(usage)
	if text != "" {
		text = strings.ToUpper(text[:1]) + text[1:]
	}
	if !strings.HasSuffix(text, ".") {
		text += "."
	}
	def := f.DefValue
	lower := strings.ToLower(text)
	saysDefault := strings.Contains(lower, "default") || strings.Contains(lower, "def.")
	switch {
	case f.Value.Type() == "bool", saysDefault:
	case def == "" || def == "[]" || def == "0" || def == "0s":
	default:
		def = strings.TrimSuffix(strings.TrimPrefix(def, "["), "]")
		text += " Default: " + def + "."
	}
	return text
}

// derived returns the entries a table gives for the switches cmd has.
func derived(cmd *cobra.Command, table []flagItems) []cli.ManItem {
	var out []cli.ManItem
	for _, t := range table {
		if cmd.Flags().Lookup(t.flag) != nil {
			out = append(out, t.items...)
		}
	}
	return out
}

func dedupe(items []cli.ManItem) []cli.ManItem {
	var out []cli.ManItem
	seen := map[string]bool{}
	for _, it := range items {
		if !seen[it.Term] {
			seen[it.Term] = true
			out = append(out, it)
		}
	}
	return out
}

// flagItems are man page entries that come with a switch: a tool that
// has --data-rootdir reads GFLOW_DATA_ROOTDIR and the repository.
type flagItems struct {
	flag  string
	items []cli.ManItem
}

var envByFlag = []flagItems{
	{"data-rootdir", []cli.ManItem{{Term: cli.EnvDataRoot,
		Text: "The repository root when --data-rootdir is not given (SiLK: SILK_DATA_ROOTDIR). Without either, the site configuration's data-rootdir, else " + cli.DefaultDataRoot + "."}}},
	{"site-config-file", []cli.ManItem{{Term: cli.EnvSiteConfig,
		Text: "The site configuration file when --site-config-file is not given (SiLK: SILK_CONFIG_FILE). Without either, ROOT/gflow.toml if it exists, else the built-in defaults."}}},
	{"geoip-db", []cli.ManItem{{Term: cli.EnvGeoIPDB,
		Text: "A country database in MaxMind's mmdb format to use instead of the built-in one, when --geoip-db is not given."}}},
	{"asn-db", []cli.ManItem{{Term: cli.EnvASNDB,
		Text: "An AS database in MaxMind's mmdb format (GeoLite2-ASN, DB-IP ASN Lite, ip-location-db asn) to use instead of the built-in one, when neither --asn-db nor the site configuration's asn-db names one."}}},
	{"pager", []cli.ManItem{
		{Term: cli.EnvPager, Text: "The program that pages text written to a terminal, when --pager is not given (SiLK: SILK_PAGER). Set but empty: no pager."},
		{Term: cli.EnvPagerFallback, Text: "The pager when " + cli.EnvPager + " is not set; without either, " + cli.DefaultPager + "."},
	}},
	{"timestamp-format", []cli.ManItem{{Term: "GFLOW_TIMESTAMP_FORMAT",
		Text: "The --timestamp-format to use when the switch is not given."}}},
	{"ip-format", []cli.ManItem{{Term: "GFLOW_IP_FORMAT",
		Text: "The --ip-format to use when the switch is not given."}}},
	{"ipv6-policy", []cli.ManItem{{Term: "GFLOW_IPV6_POLICY",
		Text: "The --ipv6-policy to use when the switch is not given (SILK_IPV6_POLICY is read as well)."}}},
}

var filesByFlag = []flagItems{
	{"site-config-file", []cli.ManItem{{Term: "ROOT/gflow.toml",
		Text: "The site configuration: sensors, exporters, internal networks, country overrides; see gflow.toml(5)."}}},
	{"data-rootdir", []cli.ManItem{{Term: "ROOT/TYPE/YYYY/MM/DD/FLOWTYPE-SENSOR_YYYYMMDD.HH",
		Text: "The repository's hourly flow files, one per sensor, flow type and hour (UTC), in SiLK's layout."}}},
}

// checkPage reports a page that lacks one of the sections every page has.
func checkPage(name, page string) error {
	for _, s := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO"} {
		if !strings.Contains(page, ".SH \""+s+"\"\n") {
			return fmt.Errorf("man page of %s lacks the section %s", name, s)
		}
	}
	return nil
}
