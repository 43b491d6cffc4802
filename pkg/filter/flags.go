package filter

import (
	"fmt"
	"strings"

	"github.com/gflow/gflow/pkg/cli/silkerr"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/geo/country"
)

// tcpFlagLetters maps SiLK's flag letters to bits (FSRPAUEC).
var tcpFlagLetters = map[byte]uint8{
	'F': flowfile.FlagFIN, 'S': flowfile.FlagSYN, 'R': flowfile.FlagRST, 'P': flowfile.FlagPSH,
	'A': flowfile.FlagACK, 'U': flowfile.FlagURG, 'E': flowfile.FlagECE, 'C': flowfile.FlagCWR,
}

// attrLetters maps SiLK's attribute letters to bits (S T C F).
var attrLetters = map[byte]uint8{
	'S': flowfile.AttrUniformSize, 'T': flowfile.AttrTimeoutKilled,
	'C': flowfile.AttrTimeoutStarted, 'F': flowfile.AttrFinNoAck,
}

// parseLetters turns "SA" into bits using letters; spaces are ignored.
func parseLetters(s string, letters map[byte]uint8) (uint8, string) {
	var v uint8
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isSpace(c) {
			continue
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		bit, ok := letters[c]
		if !ok {
			return 0, silkerr.UnexpectedChar(s[i])
		}
		v |= bit
	}
	return v, ""
}

// HighMask is one HIGH/MASK pair: the bits of MASK must equal HIGH.
type HighMask struct{ High, Mask uint8 }

// parseHighMask parses one HIGH/MASK pair with the reasons of SiLK's
// skStringParseTCPFlagsHighMask (what names the flags: "flags", or
// "state flags" for the attributes).
func parseHighMask(s string, letters map[byte]uint8, what string) (HighMask, string) {
	hs, ms, ok := strings.Cut(s, "/")
	high, e := parseLetters(hs, letters)
	if e != "" {
		return HighMask{}, e
	}
	if !ok {
		if high == 0 {
			return HighMask{}, errEmpty
		}
		return HighMask{}, "Missing '/' character"
	}
	if strings.Contains(ms, "/") {
		if _, e := parseLetters(ms[:strings.IndexByte(ms, '/')], letters); e != "" {
			return HighMask{}, e
		}
		return HighMask{}, silkerr.UnexpectedChar('/')
	}
	mask, e := parseLetters(ms, letters)
	if e != "" {
		return HighMask{}, e
	}
	if mask == 0 {
		return HighMask{}, "Missing masks " + what + " value"
	}
	if high&^mask != 0 {
		return HighMask{}, "High " + what + " is not subset of mask " + what
	}
	return HighMask{high, mask}, ""
}

// parseHighMaskList parses "S/SA,A/A" into its pairs; on error it returns
// the bad pair.
func parseHighMaskList(s string, letters map[byte]uint8, what string) ([]HighMask, string, string) {
	var out []HighMask
	for tok := range strings.SplitSeq(s, ",") {
		if tok == "" {
			continue
		}
		hm, e := parseHighMask(tok, letters, what)
		if e != "" {
			return nil, tok, e
		}
		out = append(out, hm)
	}
	if len(out) == 0 {
		return nil, s, errNoValue
	}
	return out, "", ""
}

// flagTable is a 256-entry truth table over one flags byte, so that every
// flag test on a field costs one lookup however many pairs it has.
type flagTable [256]bool

func tableAny(pairs []HighMask) *flagTable {
	t := new(flagTable)
	for v := range 256 {
		for _, p := range pairs {
			if uint8(v)&p.Mask == p.High {
				t[v] = true
				break
			}
		}
	}
	return t
}

// parseCountryList parses --scc/--dcc/--any-cc: a comma list of two
// characters (letter + letter/digit, or "--"), any case. It returns the bad
// token and, for a token of the right shape that no flow can carry (uk,
// xx), SiLK's parser would take, a reason.
func parseCountryList(s string) (Bitmap, string, string) {
	b := NewBitmap(1 << 16)
	n := 0
	for tok := range strings.SplitSeq(s, ",") {
		if tok == "" {
			continue
		}
		if !validCountry(tok) {
			return nil, tok, ""
		}
		if !country.Valid(tok) {
			// SiLK takes any two characters and silently matches
			// nothing; a mistyped country is an error here.
			return nil, tok, "Not a country code"
		}
		b.Set(uint32(flowfile.MakeCountry(tok)))
		n++
	}
	if n == 0 {
		return nil, s, ""
	}
	return b, "", ""
}

// countryFix is the hint for a bad token of a country list: the list as
// the user probably meant it, and where the codes are listed.
func countryFix(name, list, tok string) string {
	const where = "'gfilter --help-countries' lists the codes"
	code := country.Suggest(tok)
	if code == "" || code == strings.ToLower(tok) {
		return where
	}
	var fixed []string
	for t := range strings.SplitSeq(list, ",") {
		if t == tok {
			t = code
		}
		if t != "" {
			fixed = append(fixed, t)
		}
	}
	return fmt.Sprintf("did you mean --%s=%s (%s)? %s", name, strings.Join(fixed, ","), country.Name(code), where)
}

func validCountry(s string) bool {
	if len(s) != 2 {
		return false
	}
	if s == "--" {
		return true
	}
	c1, c2 := s[0]|0x20, s[1]|0x20
	return c1 >= 'a' && c1 <= 'z' && (c2 >= 'a' && c2 <= 'z' || s[1] >= '0' && s[1] <= '9')
}
