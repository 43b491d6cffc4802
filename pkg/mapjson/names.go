package mapjson

import (
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo"
)

// countryName is the English short name of a code (any case), or "" when
// pkg/geo does not know the code.
func countryName(code string) string { return geo.NameOf(code) }

// isLegacySpecial tells the codes that are not countries although databases
// and SiLK still produce them: a1 (anonymous proxy), a2 (satellite), o1, eu,
// ap and SiLK's continent codes xf, xa, xn, xo, xs.
func isLegacySpecial(code string) bool { return geo.IsLegacySpecial(flowfile.MakeCountry(code)) }
