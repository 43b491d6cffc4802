// Command gflowsend sends an hour of demo traffic to a collector as NetFlow
// v9 and IPFIX; see internal/demo.
package main

import (
	"os"

	"github.com/gflow/gflow/internal/demo"
	"github.com/gflow/gflow/pkg/cli"
)

func main() { os.Exit(cli.Main(demo.NewCommand)) }
