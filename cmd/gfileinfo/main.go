// Command gfileinfo describes flow files (SiLK's rwfileinfo).
package main

import (
	"os"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/flowfile/gfileinfo"
)

func main() { os.Exit(cli.Main(gfileinfo.NewCommand)) }
