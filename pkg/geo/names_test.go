package geo

import (
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

func TestNames(t *testing.T) {
	for code, want := range map[string]string{
		"us": "United States", "US": "United States", "ru": "Russia", "kr": "South Korea",
		"kp": "North Korea", "ir": "Iran", "sy": "Syria", "la": "Laos", "vn": "Vietnam",
		"bo": "Bolivia", "ve": "Venezuela", "tz": "Tanzania", "md": "Moldova", "tw": "Taiwan",
		"cz": "Czechia", "ch": "Switzerland", "gb": "United Kingdom", "xk": "Kosovo",
		"--": "No country", "eu": "Europe", "a1": "Anonymous proxy",
		"qq": "", "usa": "", "": "",
	} {
		if got := NameOf(code); got != want {
			t.Errorf("NameOf(%q) = %q, want %q", code, got, want)
		}
	}
	if got := Name(flowfile.MakeCountry("de")); got != "Germany" {
		t.Errorf("Name(de) = %q", got)
	}
	if got := Name(0); got != "No country" {
		t.Errorf("Name(0) = %q", got)
	}
}

func TestCodes(t *testing.T) {
	codes := Codes()
	if len(codes) != 250 { // 249 ISO 3166-1 codes and XK
		t.Errorf("%d codes, want 250", len(codes))
	}
	seen := map[flowfile.Country]bool{}
	for i, c := range codes {
		if !c.Known() || seen[c] || i > 0 && codes[i-1] >= c {
			t.Errorf("code %d %q: not a sorted, unique country code", i, c)
		}
		seen[c] = true
		// short names, not ISO's inverted official forms
		n := Name(c)
		if n == "" || strings.Contains(n, ", The") || strings.HasSuffix(n, " of") || strings.Contains(n, "Republic of") ||
			strings.Contains(n, "State of") || strings.Contains(n, "Federation") || strings.Contains(n, "Islamic") {
			t.Errorf("Name(%s) = %q", c, n)
		}
		if IsLegacySpecial(c) {
			t.Errorf("%s is both a country and a legacy special code", c)
		}
	}
	if !seen[flowfile.MakeCountry("xk")] || !seen[flowfile.MakeCountry("ch")] {
		t.Error("xk or ch missing from Codes")
	}
}

func TestNumericAndAlpha3(t *testing.T) {
	for code, want := range map[string][2]string{
		"ch": {"756", "che"}, "at": {"040", "aut"}, "us": {"840", "usa"}, "ad": {"020", "and"},
		"xk": {"", "xkx"}, "--": {"", ""}, "eu": {"", ""},
	} {
		c := flowfile.MakeCountry(code)
		if got := Numeric(c); got != want[0] {
			t.Errorf("Numeric(%s) = %q, want %q", code, got, want[0])
		}
		if got := Alpha3(c); got != want[1] {
			t.Errorf("Alpha3(%s) = %q, want %q", code, got, want[1])
		}
	}
	for num, want := range map[string]string{"756": "ch", "040": "at", "40": "at", "4": "af", "999": "--", "": "--"} {
		if got := FromNumeric(num).String(); got != want {
			t.Errorf("FromNumeric(%q) = %s, want %s", num, got, want)
		}
	}
	// every numeric code maps back to its own alpha-2
	for _, c := range Codes() {
		if n := Numeric(c); n != "" && FromNumeric(n) != c {
			t.Errorf("FromNumeric(Numeric(%s)) = %s", c, FromNumeric(n))
		}
	}
}

func TestIsLegacySpecial(t *testing.T) {
	for _, s := range []string{"a1", "a2", "o1", "eu", "ap", "xf", "xa", "xn", "xo", "xs", "EU"} {
		if !IsLegacySpecial(flowfile.MakeCountry(s)) {
			t.Errorf("IsLegacySpecial(%s) = false", s)
		}
	}
	for _, s := range []string{"us", "ch", "xk", "--"} {
		if IsLegacySpecial(flowfile.MakeCountry(s)) {
			t.Errorf("IsLegacySpecial(%s) = true", s)
		}
	}
}
