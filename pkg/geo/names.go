package geo

import (
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo/country"
)

// The table of codes and names lives in pkg/geo/country, which carries no
// database, so that tools parsing --scc need not link one; these are its
// functions on flowfile.Country values.

// Name returns the English short name of code ("United States", "Russia",
// "South Korea", "Kosovo"); for "--" and the legacy special codes (a1, eu,
// …) a description ("No country", "Europe"). It returns "" for a code it
// does not know, so callers can fall back to the code itself.
func Name(code flowfile.Country) string {
	if code == 0 {
		code = flowfile.NoCountry
	}
	return country.Name(code.String())
}

// NameOf is Name for a code given as text, in any case.
func NameOf(code string) string { return country.Name(code) }

// Codes returns every country code Name knows (ISO 3166-1 plus XK), in
// alphabetical order; not "--" nor the legacy special codes.
func Codes() []flowfile.Country {
	codes := country.Codes()
	out := make([]flowfile.Country, len(codes))
	for i, c := range codes {
		out[i] = flowfile.MakeCountry(c)
	}
	return out
}

// Numeric returns the ISO 3166-1 numeric code of code, three digits with
// leading zeros ("756" for ch, "040" for at), as world-atlas uses for its
// country ids; "" when there is none (XK, special codes).
func Numeric(code flowfile.Country) string { return country.Numeric(code.String()) }

// Alpha3 returns the ISO 3166-1 alpha-3 code in lower case ("che"), "" if
// unknown.
func Alpha3(code flowfile.Country) string { return country.Alpha3(code.String()) }

// FromNumeric returns the alpha-2 code for an ISO numeric code ("756" for
// ch; unpadded "40" for at works too), NoCountry if none. The map page uses
// it to join world-atlas country ids.
func FromNumeric(num string) flowfile.Country {
	if c := country.FromNumeric(num); c != "" {
		return flowfile.MakeCountry(c)
	}
	return flowfile.NoCountry
}

// IsLegacySpecial reports whether code is one of the codes that are not
// countries but that databases and SiLK produce: a1 (anonymous proxy), a2
// (satellite provider), o1 (other), eu and ap (continents), and SiLK's
// invented continent codes xf, xa, xn, xo, xs. The map keeps them off its
// country bubbles.
func IsLegacySpecial(code flowfile.Country) bool { return country.IsSpecial(code.String()) }
