package filter

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Ports and protocols are numbers in rwfilter's switches; people type
// names (--proto=tcp, --dport=https). The error keeps SiLK's wording, and
// the hint says the numbers to type.

var goResolver = &net.Resolver{PreferGo: true}

// protocolNumbers are the IANA numbers of the protocols people name;
// /etc/protocols is not on every machine, and these never change.
var protocolNumbers = map[string]int{
	"icmp": 1, "igmp": 2, "ipip": 4, "tcp": 6, "udp": 17, "ipv6": 41, "gre": 47,
	"esp": 50, "ah": 51, "icmp6": 58, "icmpv6": 58, "ipv6-icmp": 58, "ospf": 89,
	"pim": 103, "vrrp": 112, "l2tp": 115, "sctp": 132,
}

// protocolNumber returns the number of a protocol named by name.
func protocolNumber(name string) (int, bool) {
	n, ok := protocolNumbers[strings.ToLower(name)]
	return n, ok
}

// portNumber returns the port of a service named by name, from
// /etc/services or, without it (no netbase), Go's own short list of the
// common ones: Go's resolver rather than the C library's, which has no
// such list.
func portNumber(name string) (int, bool) {
	name = strings.ToLower(name)
	if name == "dns" {
		return 53, true // /etc/services calls it domain
	}
	for _, network := range []string{"tcp", "udp"} {
		if p, err := goResolver.LookupPort(context.Background(), network, name); err == nil {
			return p, true
		}
	}
	return 0, false
}

// numberFix is the hint for a list of numbers (--protocol, --sport,
// --dport, --aport) that holds names: the list with each known name
// replaced by its number, or what the numbers are.
func numberFix(name, list string) string {
	lookup, what, example := portNumber, "ports are numbers", "443"
	if name == "protocol" {
		lookup, what, example = protocolNumber, "protocols are numbers", "6"
	}
	var fixed, said []string
	named := false
	for tok := range strings.SplitSeq(list, ",") {
		t := strings.TrimSpace(tok)
		if t == "" || strings.IndexFunc(t, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) < 0 {
			fixed = append(fixed, t)
			continue
		}
		named = true
		n, ok := lookup(t)
		if !ok {
			if name == "protocol" {
				return fmt.Sprintf("%s: 6 is tcp, 17 udp, 1 icmp, 58 ipv6-icmp (--%s=%s)", what, name, example)
			}
			return fmt.Sprintf("%s (--%s=%s); %q is not a service this machine knows (/etc/services)", what, name, example, t)
		}
		fixed = append(fixed, strconv.Itoa(n))
		said = append(said, fmt.Sprintf("%s is %d", strings.ToLower(t), n))
	}
	if !named {
		return ""
	}
	return fmt.Sprintf("%s: %s (--%s=%s)", what, strings.Join(said, ", "), name, strings.Join(fixed, ","))
}
