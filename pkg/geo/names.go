package geo

//go:generate go run ../../internal/gengeo -in /usr/share/iso-codes/json/iso_3166-1.json -out names_gen.go

import (
	"sort"
	"strings"

	"github.com/gflow/gflow/pkg/flowfile"
)

// countryInfo is one row of the generated table (names_gen.go).
type countryInfo struct {
	alpha2, alpha3, numeric, name string
}

// specialNames names the codes that are not countries: SiLK's "--" and
// the legacy and continent codes a database may produce.
var specialNames = map[string]string{
	"--": "No country",
	"a1": "Anonymous proxy",
	"a2": "Satellite provider",
	"o1": "Other",
	"eu": "Europe",
	"ap": "Asia/Pacific",
	"xf": "Africa",
	"xa": "Antarctica",
	"xn": "North America",
	"xo": "Oceania",
	"xs": "South America",
}

func find(code string) (countryInfo, bool) {
	if len(code) != 2 {
		return countryInfo{}, false
	}
	code = strings.ToLower(code)
	i := sort.Search(len(countries), func(i int) bool { return countries[i].alpha2 >= code })
	if i < len(countries) && countries[i].alpha2 == code {
		return countries[i], true
	}
	return countryInfo{}, false
}

// Name returns the English short name of code ("United States", "Russia",
// "South Korea", "Kosovo"); for "--" and the legacy special codes (a1, eu,
// …) a description ("No country", "Europe"). It returns "" for a code it
// does not know, so callers can fall back to the code itself.
func Name(code flowfile.Country) string {
	if code == 0 {
		code = flowfile.NoCountry
	}
	return NameOf(code.String())
}

// NameOf is Name for a code given as text, in any case.
func NameOf(code string) string {
	if c, ok := find(code); ok {
		return c.name
	}
	return specialNames[strings.ToLower(code)]
}

// Codes returns every country code Name knows (ISO 3166-1 plus XK), in
// alphabetical order; not "--" nor the legacy special codes.
func Codes() []flowfile.Country {
	out := make([]flowfile.Country, len(countries))
	for i, c := range countries {
		out[i] = flowfile.MakeCountry(c.alpha2)
	}
	return out
}

// Numeric returns the ISO 3166-1 numeric code of code, three digits with
// leading zeros ("756" for ch, "040" for at), as world-atlas uses for its
// country ids; "" when there is none (XK, special codes).
func Numeric(code flowfile.Country) string {
	c, _ := find(code.String())
	return c.numeric
}

// Alpha3 returns the ISO 3166-1 alpha-3 code in lower case ("che"), "" if
// unknown.
func Alpha3(code flowfile.Country) string {
	c, _ := find(code.String())
	return c.alpha3
}

// FromNumeric returns the alpha-2 code for an ISO numeric code ("756" for
// ch; unpadded "40" for at works too), NoCountry if none. The map page uses
// it to join world-atlas country ids.
func FromNumeric(num string) flowfile.Country {
	for len(num) < 3 {
		num = "0" + num
	}
	for _, c := range countries {
		if c.numeric == num {
			return flowfile.MakeCountry(c.alpha2)
		}
	}
	return flowfile.NoCountry
}

// IsLegacySpecial reports whether code is one of the codes that are not
// countries but that databases and SiLK produce: a1 (anonymous proxy), a2
// (satellite provider), o1 (other), eu and ap (continents), and SiLK's
// invented continent codes xf, xa, xn, xo, xs. The map keeps them off its
// country bubbles.
func IsLegacySpecial(code flowfile.Country) bool {
	switch code.String() {
	case "a1", "a2", "o1", "eu", "ap", "xf", "xa", "xn", "xo", "xs":
		return true
	}
	return false
}
