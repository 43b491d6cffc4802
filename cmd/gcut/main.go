// Command gcut prints flow records as text in SiLK rwcut's layout. The
// work is in pkg/cut.
package main

import (
	"os"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/cut"
)

func main() { os.Exit(cli.Main(cut.NewCommand)) }
