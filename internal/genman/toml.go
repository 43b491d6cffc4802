package main

import (
	"strings"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/site"
)

// configPage writes gflow.toml(5) from site.Keys and the example file.
func configPage(h header, tools []string) string {
	r := &roff{}
	h.write(r, "gflow.toml", "5")

	r.section("NAME")
	r.line(`gflow.toml \- site configuration of the gflow tools`)

	r.section("SYNOPSIS")
	r.line(".I ROOT/%s", escape(site.FileName))
	r.line(".br")
	r.line("or the file named by %s or %s", bold("--site-config-file"), bold("$"+cli.EnvSiteConfig))

	r.section("DESCRIPTION")
	r.paragraphs(`The site configuration names the site once, as SiLK's silk.conf and
sensor.conf do: its sensors and the exporters that feed them, how each
sensor's flows are typed (in, out, inweb, int2int, ...), the internal
networks, country overrides, the repository root and the country database.
gflowcap reads it to type and enrich the flows it collects; gfilter, gstats
and the other tools read it for sensor names and the repository root.

The file is TOML. Keys are case-sensitive; an unknown key, a duplicate
sensor name or id, a malformed or overlapping prefix is an error that names
the file, the line and the key, and the tool stops. Prefixes are written as
strings, "192.0.2.0/24" or "2001:db8::/32"; a plain address means just that
address; IPv4-mapped IPv6 prefixes are taken as IPv4.

Without a file every tool uses the defaults: one sensor S0 (id 0) fed by
every exporter, typing flows by address with the private ranges as internal
networks, which is right for a home router.

gflowcap reads the file again on SIGHUP (systemctl reload gflowcap); a file
with an error is reported and the configuration in use is kept.`)

	r.section("KEYS")
	for _, tbl := range []struct{ name, title, intro string }{
		{"", "Top level", ""},
		{"countries", "[countries]", "One table of country overrides, PREFIX = CODE."},
		{"sensors", "[[sensors]]", "One block per sensor, as a sensor block of SiLK's sensor.conf. A file without any names one sensor, S0 (id 0)."},
	} {
		r.subsection(tbl.title)
		if tbl.intro != "" {
			r.line(".PP")
			r.line("%s", textLine(tbl.intro))
		}
		for _, k := range site.Keys {
			if k.Table == tbl.name {
				name := bold(k.Name)
				if k.Name == strings.ToUpper(k.Name) {
					name = italic(k.Name)
				}
				r.tagged(name+" ("+escape(k.Value)+")", k.Text)
			}
		}
	}

	r.section("ENVIRONMENT")
	r.tagged(bold(cli.EnvSiteConfig), "The configuration file when --site-config-file is not given.")
	r.tagged(bold(cli.EnvDataRoot), "The repository root ROOT, whose gflow.toml is read when neither --site-config-file nor "+cli.EnvSiteConfig+" is given. It wins over the file's data-rootdir.")

	r.section("FILES")
	r.tagged(italic("ROOT/"+site.FileName), "The site configuration of the repository at ROOT ("+cli.DefaultDataRoot+" by default).")
	r.tagged(italic("PREFIX/share/doc/gflow/examples/gflow.toml"), "The commented example below, as make install puts it.")

	r.section("EXAMPLES")
	r.preformatted(strings.Split(strings.TrimRight(site.ExampleFile, "\n"), "\n"))

	r.section("SEE ALSO")
	var refs []string
	for _, t := range tools {
		refs = append(refs, t+"(1)")
	}
	seeAlso(r, refs)
	return r.b.String()
}
