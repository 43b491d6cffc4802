package fields

import (
	"fmt"
	"os"
	"strings"
)

// Policy is SiLK's --ipv6-policy: how a tool treats IPv4 and IPv6 flows.
type Policy uint8

const (
	// PolicyIgnore drops IPv6 flows; IP columns are 15 wide.
	PolicyIgnore Policy = iota
	// PolicyAsV4 turns IPv4-mapped IPv6 flows into IPv4 and drops the
	// other IPv6 flows; IP columns are 15 wide.
	PolicyAsV4
	// PolicyMix (the default) keeps both; IP columns are 39 wide.
	PolicyMix
	// PolicyForce prints every address as IPv6 (IPv4 as ::ffff:a.b.c.d).
	PolicyForce
	// PolicyOnly drops IPv4 flows.
	PolicyOnly
)

var policyNames = []string{"ignore", "asv4", "mix", "force", "only"}

func (p Policy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return fmt.Sprintf("policy%d", uint8(p))
}

// AllowsIPv6 reports whether IPv6 flows are kept, which also makes IP
// columns 39 characters wide.
func (p Policy) AllowsIPv6() bool { return p >= PolicyMix }

// Keep reports whether a flow (IPv6 or not) passes the policy.
func (p Policy) Keep(isIPv6 bool) bool {
	switch p {
	case PolicyIgnore, PolicyAsV4:
		return !isIPv6
	case PolicyOnly:
		return isIPv6
	}
	return true
}

// ParsePolicy accepts a policy name or a unique prefix of one.
func ParsePolicy(s string) (Policy, error) {
	ls := strings.ToLower(strings.TrimSpace(s))
	match, n := Policy(0), 0
	for i, name := range policyNames {
		if name == ls {
			return Policy(i), nil
		}
		if ls != "" && strings.HasPrefix(name, ls) {
			match, n = Policy(i), n+1
		}
	}
	if n == 1 {
		return match, nil
	}
	return 0, fmt.Errorf("Invalid ipv6-policy '%s': Valid values are %s", s, strings.Join(policyNames, ", "))
}

// DefaultPolicy is mix, or the value of $GFLOW_IPV6_POLICY (or SiLK's
// $SILK_IPV6_POLICY) when it names a policy.
func DefaultPolicy() Policy {
	for _, env := range []string{"GFLOW_IPV6_POLICY", "SILK_IPV6_POLICY"} {
		if v := os.Getenv(env); v != "" {
			if p, err := ParsePolicy(v); err == nil {
				return p
			}
		}
	}
	return PolicyMix
}

// IPFormat is SiLK's --ip-format: a base form plus modifiers.
type IPFormat struct {
	Base    IPBase
	ZeroPad bool // zero-padded: pad to the maximum width with zeros
	MapV4   bool // map-v4: print IPv4 as ::ffff:a.b.c.d
	UnmapV6 bool // unmap-v6: print ::ffff:a.b.c.d as a.b.c.d
}

// IPBase is the base form of an address.
type IPBase uint8

const (
	IPCanonical IPBase = iota // 192.0.2.1, 2001:db8::1, ::ffff:192.0.2.1
	IPNoMixed                 // canonical, but IPv6 never in mixed v4 form
	IPDecimal                 // integer in decimal
	IPHex                     // integer in hexadecimal
)

// ipFormatNames are the --ip-format names in SiLK's order, with the
// groups of each (the low 16 bits say which groups a name belongs to, the
// high 16 bits which groups it may not be combined with), as
// ip_format_param_group in SiLK's sku-options.c.
var ipFormatNames = []struct {
	name  string
	group uint32
}{
	{"canonical", 0x0001 | 0x000F<<16},
	{"decimal", 0x0002 | 0x000F<<16},
	{"hexadecimal", 0x0004 | 0x000F<<16},
	{"no-mixed", 0x0008 | 0x000F<<16},
	{"zero-padded", 0},
	{"map-v4", 0x0010 | 0x0030<<16},
	{"unmap-v6", 0x0020 | 0x0030<<16},
	{"force-ipv6", 0x0018 | 0x003F<<16},
}

// ParseIPFormat parses a comma-separated --ip-format value, with SiLK's
// messages ("Invalid ip-format: May not combine decimal with canonical").
func ParseIPFormat(s string) (IPFormat, error) {
	var f IPFormat
	names := make([]string, len(ipFormatNames))
	for i, n := range ipFormatNames {
		names[i] = n.name
	}
	var seenGroups uint32
	seen := map[string]bool{}
	given := false
	for _, tok := range strings.Split(s, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		name, err := matchName(names, tok)
		if err != nil {
			return f, fmt.Errorf("Invalid ip-format: %v", err)
		}
		if seen[name] {
			return f, fmt.Errorf("Invalid ip-format: Duplicate name '%s'", tok)
		}
		seen[name] = true
		given = true
		var group uint32
		for _, n := range ipFormatNames {
			if n.name == name {
				group = n.group
			}
		}
		bits, mask := group&0xFFFF, group>>16
		if seenGroups&(mask&^bits) != 0 {
			var with []string
			for _, n := range ipFormatNames {
				if n.group&0xFFFF&(seenGroups&mask) != 0 {
					with = append(with, n.name)
				}
			}
			return f, fmt.Errorf("Invalid ip-format: May not combine %s with %s", name, strings.Join(with, ","))
		}
		seenGroups |= bits
		switch name {
		case "canonical":
			f.Base = IPCanonical
		case "no-mixed":
			f.Base = IPNoMixed
		case "decimal":
			f.Base = IPDecimal
		case "hexadecimal":
			f.Base = IPHex
		case "zero-padded":
			f.ZeroPad = true
		case "map-v4":
			f.MapV4 = true
		case "unmap-v6":
			f.UnmapV6 = true
		case "force-ipv6":
			f.Base, f.MapV4 = IPNoMixed, true
		}
	}
	if !given {
		return f, fmt.Errorf("Invalid ip-format: Field list is empty")
	}
	return f, nil
}

// TimeFormat is SiLK's --timestamp-format.
type TimeFormat struct {
	Style  TimeStyle
	Local  bool // print in the local time zone ($TZ) instead of UTC
	NoMsec bool // rwcut's no-msec: drop the milliseconds
}

// TimeStyle is the layout of a timestamp.
type TimeStyle uint8

const (
	TimeDefault TimeStyle = iota // 2015/10/09T00:01:00
	TimeISO                      // 2015-10-09 00:01:00
	TimeMDY                      // 10/09/2015 00:01:00
	TimeEpoch                    // 1444348860
)

var timeStyleNames = []string{"default", "iso", "m/d/y", "epoch"}

// ParseTimeFormat parses a --timestamp-format value: one of default, iso,
// m/d/y, epoch, optionally with utc or local (and no-msec when allowMsec is
// set, for rwcut-like tools), with SiLK's messages ("Invalid
// timestamp-format: May only specify one of default,iso,m/d/y,epoch").
func ParseTimeFormat(s string, allowNoMsec bool) (TimeFormat, error) {
	var f TimeFormat
	names := append(append([]string{}, timeStyleNames...), "utc", "local")
	if allowNoMsec {
		names = append(names, "no-msec")
	}
	styleSeen, zoneSeen := false, false
	seen := map[string]bool{}
	for _, tok := range strings.Split(s, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		name, err := matchName(names, tok)
		if err != nil {
			return f, fmt.Errorf("Invalid timestamp-format: %v", err)
		}
		if seen[name] {
			return f, fmt.Errorf("Invalid timestamp-format: Duplicate name '%s'", tok)
		}
		seen[name] = true
		switch name {
		case "utc", "local":
			if zoneSeen {
				return f, fmt.Errorf("Invalid timestamp-format: May only specify one of utc,local")
			}
			zoneSeen, f.Local = true, name == "local"
		case "no-msec":
			f.NoMsec = true
		default:
			if styleSeen {
				return f, fmt.Errorf("Invalid timestamp-format: May only specify one of %s", strings.Join(timeStyleNames, ","))
			}
			styleSeen = true
			for i, n := range timeStyleNames {
				if n == name {
					f.Style = TimeStyle(i)
				}
			}
		}
	}
	return f, nil
}

// matchName finds tok among names: exact (any case), else a unique prefix.
func matchName(names []string, tok string) (string, error) {
	lt := strings.ToLower(tok)
	found, n := "", 0
	for _, name := range names {
		if name == lt {
			return name, nil
		}
		if strings.HasPrefix(name, lt) {
			found, n = name, n+1
		}
	}
	switch n {
	case 0:
		return "", fmt.Errorf("No match was found for the field '%s'", tok)
	case 1:
		return found, nil
	}
	return "", fmt.Errorf("The field '%s' matches multiple keys", tok)
}
