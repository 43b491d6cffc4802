// gmigrate converts a SiLK repository into a gflow repository, hour by
// hour. See pkg/silk/gmigrate.
package main

import (
	"os"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/silk/gmigrate"
)

func main() { os.Exit(cli.Main(gmigrate.NewCommand)) }
