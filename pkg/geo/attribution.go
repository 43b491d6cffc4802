package geo

import (
	"strings"

	"github.com/gflow/gflow/pkg/cli"
)

// Every tool that links the built-in database credits it in --version, as
// its licence (CC BY 4.0) asks.
func init() {
	cli.RegisterAttribution(func() string { return strings.Join(VersionLines(), "\n") })
}
