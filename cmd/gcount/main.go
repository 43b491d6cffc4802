// Command gcount prints records, bytes and packets per time bin in SiLK
// rwcount's layout, and draws them as an SVG chart. The work is in
// pkg/count.
package main

import (
	"os"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/count"
)

func main() { os.Exit(cli.Main(count.NewCommand)) }
