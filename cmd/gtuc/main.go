// Command gtuc turns flows written as text (rwcut's layout or nfdump's CSV)
// into a binary flow stream, as SiLK's rwtuc does. The work is in pkg/tuc.
package main

import (
	"os"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/tuc"
)

func main() { os.Exit(cli.Main(tuc.NewCommand)) }
