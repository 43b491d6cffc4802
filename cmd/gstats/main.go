// Command gstats prints top-N and bottom-N tables of flow records in SiLK
// rwstats' layout, and rwstats' protocol statistics. The work is in
// pkg/stats.
package main

import (
	"os"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/stats"
)

func main() { os.Exit(cli.Main(stats.NewCommand)) }
