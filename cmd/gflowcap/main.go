// Command gflowcap collects NetFlow v5/v9 and IPFIX exports into gflow's
// hourly flow repository. The work is in pkg/collector.
package main

import (
	"os"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/collector"
)

func main() { os.Exit(cli.Main(collector.NewCommand)) }
