// gfilter selects flows from the repository or from files and partitions
// them with rwfilter's switches. See pkg/filter/gfilter.
package main

import (
	"os"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/filter/gfilter"
)

func main() { os.Exit(cli.Main(gfilter.NewCommand)) }
