package country

import (
	"bytes"
	"strings"
	"testing"
)

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{
		// codes used elsewhere and retired ones
		"uk": "gb", "UK": "gb", "el": "gr", "su": "ru", "yu": "rs",
		// English names, any case and spacing
		"switzerland": "ch", "Switzerland": "ch", "united kingdom": "gb", "United-Kingdom": "gb",
		"germany": "de", "russia": "ru", "south korea": "kr", "england": "gb", "holland": "nl",
		// alpha-3 codes
		"che": "ch", "USA": "us", "deu": "de", "gbr": "gb",
		// a letter or two wrong
		"swizerland": "ch", "germnay": "de", "austria": "at", "australa": "au",
		// the start of one name
		"switz": "ch",
		// a valid code suggests itself
		"ch": "ch",
		// nothing close: no guess
		"xx": "", "qq": "", "zz": "", "": "", "a": "", "abc": "", "united": "", "nowhereland": "",
	} {
		if got := Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValid(t *testing.T) {
	for _, c := range []string{"ch", "CH", "gb", "xk", "--", "a1", "EU", "xf"} {
		if !Valid(c) {
			t.Errorf("Valid(%q) = false", c)
		}
	}
	for _, c := range []string{"uk", "xx", "??", "", "c", "che", "z9"} {
		if Valid(c) {
			t.Errorf("Valid(%q) = true", c)
		}
	}
	if IsCountry("eu") || !IsSpecial("eu") || IsSpecial("--") || IsSpecial("ch") {
		t.Error("eu is special, -- and ch are not")
	}
}

func TestWriteList(t *testing.T) {
	var b bytes.Buffer
	if err := WriteList(&b); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	for _, line := range []string{"ch  Switzerland\n", "gb  United Kingdom\n", "xk  Kosovo\n", "--  No country\n", "a1  Anonymous proxy\n"} {
		if !strings.Contains(s, line) {
			t.Errorf("list lacks %q", line)
		}
	}
	if n := strings.Count(s, "\n"); n != len(countries)+2+11 {
		t.Errorf("%d lines, want every country, a heading and the 11 other codes", n)
	}
}
