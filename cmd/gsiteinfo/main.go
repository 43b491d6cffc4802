// Command gsiteinfo prints the site's sensors, exporters, networks and
// flow types and what the repository holds (SiLK's rwsiteinfo).
package main

import (
	"os"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/site/gsiteinfo"
)

func main() { os.Exit(cli.Main(gsiteinfo.NewCommand)) }
