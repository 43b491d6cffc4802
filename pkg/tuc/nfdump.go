package tuc

import (
	"bytes"
	"fmt"
)

// nfdump's CSV output (`nfdump -o csv`, nfdump 1.7) starts with a header
// line naming its columns:
//
//	ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,…,nh,…
//
// ts and te are "YYYY-MM-DD hh:mm:ss" (whole seconds), td the duration in
// seconds with milliseconds, pr a protocol name ("TCP", "ICMP6") or number,
// flg the TCP flags as 8 characters "CEUAPRSF" with '.' for a clear bit
// ("...AP..."), dp the ICMP type*256+code for ICMP, as in SiLK. After the
// flows nfdump prints a summary ("Summary", a header, one line of totals).
//
// The flow starts at ts and lasts td, so its end keeps td's milliseconds.
var nfdumpCols = map[string]col{
	"ts":   colSTime,
	"td":   colDuration,
	"sa":   colSIP,
	"da":   colDIP,
	"sp":   colSPort,
	"dp":   colDPort,
	"pr":   colProtoName,
	"flg":  colFlags,
	"stos": colTOS,
	"ipkt": colPackets,
	"ibyt": colBytes,
	"in":   colIn,
	"out":  colOut,
	"sas":  colSrcAS,
	"das":  colDstAS,
	"nh":   colNhIP,
}

func (p *Parser) startNfdump(header []byte) error {
	p.l.sep = ','
	p.l.nfdump = true
	seen := map[col]bool{}
	for _, name := range bytes.Split(header, []byte{','}) {
		c := nfdumpCols[string(bytes.TrimSpace(name))]
		if c != colIgnore && seen[c] {
			c = colIgnore // a repeated column: the first one counts
		}
		seen[c] = true
		p.l.cols = append(p.l.cols, c)
	}
	for _, need := range []col{colSTime, colSIP, colDIP} {
		if !seen[need] {
			return fmt.Errorf("nfdump CSV header lacks the %s column", colName[need])
		}
	}
	return nil
}

// protoNames are the names nfdump prints in its pr column (nfdump's
// protocol table, IANA's keywords); other protocols print as numbers.
var protoNames = map[string]uint8{
	"HOPOPT": 0, "ICMP": 1, "IGMP": 2, "GGP": 3, "IPIP": 4, "ST": 5, "TCP": 6,
	"CBT": 7, "EGP": 8, "IGP": 9, "BBN": 10, "NVPII": 11, "PUP": 12,
	"ARGUS": 13, "ENCOM": 14, "XNET": 15, "CHAOS": 16, "UDP": 17,
	"IDP": 22, "RDP": 27, "IPv6": 41, "SDRP": 42, "Rte6": 43, "Frag6": 44,
	"IDRP": 45, "RSVP": 46, "GRE": 47, "DSR": 48, "ESP": 50, "AH": 51,
	"ICMP6": 58, "NoNxt": 59, "Opts6": 60, "EIGRP": 88, "OSPF": 89,
	"ETHIP": 97, "ENCAP": 98, "PIM": 103, "IPCOM": 108, "VRRP": 112,
	"L2TP": 115, "ISIS": 124, "SCTP": 132, "FC": 133, "MPLS": 137,
}

// parseProtoName parses nfdump's pr column: a name or a number.
func parseProtoName(v []byte) (uint8, string) {
	if len(v) > 0 && isDigit(v[0]) {
		u, reason := parseUint(v, 0, 255)
		return uint8(u), reason
	}
	if p, ok := protoNames[string(v)]; ok {
		return p, ""
	}
	for name, p := range protoNames {
		if bytes.EqualFold(v, []byte(name)) {
			return p, ""
		}
	}
	if len(v) == 0 {
		return 0, errEmpty
	}
	return 0, "Unknown protocol name"
}
