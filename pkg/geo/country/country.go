// Package country knows the two-letter country codes gflow prints and
// accepts: ISO 3166-1 alpha-2 plus XK (Kosovo), SiLK's "--" and the legacy
// and continent codes databases produce, with English short names; and it
// finds the code a user meant when they typed something else ("uk" → gb,
// "switzerland" → ch). It holds a small table and no database, so every
// tool that parses a country switch can use it (pkg/geo adds the address
// lookup).
package country

//go:generate go run ../../../internal/gengeo -in /usr/share/iso-codes/json/iso_3166-1.json -out names_gen.go

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gflow/gflow/internal/textdist"
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

// find returns the row of an ISO code (or XK), any case.
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

// Name returns the English short name of code, any case ("United States",
// "Russia", "South Korea", "Kosovo"); for "--" and the legacy special codes
// (a1, eu, …) a description ("No country", "Europe"); "" for a code it does
// not know.
func Name(code string) string {
	if c, ok := find(code); ok {
		return c.name
	}
	return specialNames[strings.ToLower(code)]
}

// IsCountry reports whether code (any case) is an ISO 3166-1 alpha-2 code
// or XK.
func IsCountry(code string) bool {
	_, ok := find(code)
	return ok
}

// IsSpecial reports whether code (any case) is one of the codes that are
// not countries but that databases and SiLK produce: a1 (anonymous proxy),
// a2 (satellite provider), o1 (other), eu and ap (continents), and SiLK's
// invented continent codes xf, xa, xn, xo, xs. "--" is not among them.
func IsSpecial(code string) bool {
	l := strings.ToLower(code)
	return l != "--" && specialNames[l] != ""
}

// Valid reports whether code (any case) is a code a flow can carry: a
// country, "--" or a legacy special code.
func Valid(code string) bool {
	return IsCountry(code) || specialNames[strings.ToLower(code)] != ""
}

// Codes returns every country code (ISO 3166-1 plus XK), lower case, in
// alphabetical order; not "--" nor the legacy special codes.
func Codes() []string {
	out := make([]string, len(countries))
	for i, c := range countries {
		out[i] = c.alpha2
	}
	return out
}

// Numeric returns the ISO 3166-1 numeric code of code, three digits with
// leading zeros ("756" for ch), "" when there is none (XK, special codes).
func Numeric(code string) string {
	c, _ := find(code)
	return c.numeric
}

// Alpha3 returns the ISO 3166-1 alpha-3 code in lower case ("che"), "" if
// unknown.
func Alpha3(code string) string {
	c, _ := find(code)
	return c.alpha3
}

// FromNumeric returns the alpha-2 code for an ISO numeric code ("756" or
// unpadded "40"), "" if none.
func FromNumeric(num string) string {
	for len(num) < 3 {
		num = "0" + num
	}
	for _, c := range countries {
		if c.numeric == num {
			return c.alpha2
		}
	}
	return ""
}

// aliases are what people type for a country that is neither its code, its
// alpha-3 code nor its short name: codes used elsewhere (uk, el in the EU's
// lists), retired ISO codes, and common names.
var aliases = map[string]string{
	"uk": "gb", "england": "gb", "scotland": "gb", "wales": "gb", "britain": "gb",
	"great britain": "gb", "northern ireland": "gb",
	"el": "gr", // the EU's code for Greece
	"su": "ru", "ussr": "ru",
	"yu": "rs", "cs": "rs", "yugoslavia": "rs",
	"tp": "tl", "east timor": "tl",
	"zr": "cd", "zaire": "cd",
	"bu": "mm", "burma": "mm",
	"dd": "de", "fx": "fr",
	"an":  "cw", // Netherlands Antilles, split in 2010
	"usa": "us", "america": "us", "united states of america": "us", "the united states": "us",
	"holland": "nl", "the netherlands": "nl",
	"korea": "kr", "republic of korea": "kr",
	"czech republic": "cz", "ivory coast": "ci", "cape verde": "cv", "swaziland": "sz",
	"macedonia": "mk", "turkey": "tr", "persia": "ir", "vatican": "va", "holy see": "va",
	"uae": "ae", "emirates": "ae",
}

// Suggest returns the country code the user probably meant by s, lower
// case, or "" when nothing is close enough to say. It knows codes used
// elsewhere (uk → gb), alpha-3 codes (che → ch), English names in any case
// (switzerland → ch, "united kingdom" → gb) and names misspelled by a
// letter or two (swizerland → ch). An unknown two-letter code gets no
// guess (xx → ""): most two-letter strings are a letter away from some
// code, so a guess would mislead.
func Suggest(s string) string {
	l := strings.ToLower(strings.TrimSpace(s))
	l = strings.Join(strings.Fields(strings.NewReplacer("_", " ", "-", " ", ".", "").Replace(l)), " ")
	if l == "" {
		return ""
	}
	if c, ok := aliases[l]; ok {
		return c
	}
	if len(l) == 2 {
		if IsCountry(l) {
			return l
		}
		return ""
	}
	if len(l) == 3 {
		for _, c := range countries {
			if c.alpha3 == l {
				return c.alpha2
			}
		}
	}
	best, bestDist := "", 0
	for _, c := range countries {
		name := strings.ToLower(c.name)
		if name == l {
			return c.alpha2
		}
		// a letter or two wrong, for names long enough that this is rare
		// by chance
		limit := 0
		switch {
		case len(l) >= 9:
			limit = 2
		case len(l) >= 5:
			limit = 1
		}
		if limit == 0 {
			continue
		}
		if d := textdist.Distance(l, name); d <= limit && (best == "" || d < bestDist) {
			best, bestDist = c.alpha2, d
		}
	}
	if best != "" {
		return best
	}
	// a unique start of a name: "switz", "united k"
	if len(l) >= 4 {
		match := ""
		for _, c := range countries {
			if strings.HasPrefix(strings.ToLower(c.name), l) {
				if match != "" {
					return ""
				}
				match = c.alpha2
			}
		}
		return match
	}
	return ""
}

// WriteList prints every code a country switch accepts, one per line with
// its name: the countries, then "--" and the special codes. The tools'
// --help-countries prints it.
func WriteList(w io.Writer) error {
	for _, c := range countries {
		if _, err := fmt.Fprintf(w, "%s  %s\n", c.alpha2, c.name); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nNot countries:\n")
	for _, code := range []string{"--", "a1", "a2", "o1", "eu", "ap", "xf", "xa", "xn", "xo", "xs"} {
		if _, err := fmt.Fprintf(w, "%s  %s\n", code, specialNames[code]); err != nil {
			return err
		}
	}
	return nil
}
