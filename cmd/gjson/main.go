// gjson turns a top-N table by country (gstats or rwstats output) into the
// world map's JSON and writes the map page. See pkg/mapjson.
package main

import (
	"os"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/mapjson/gjson"
)

func main() { os.Exit(cli.Main(gjson.NewCommand)) }
