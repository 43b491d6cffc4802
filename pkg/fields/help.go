package fields

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// descriptions say what each field holds, for --help-fields.
var descriptions = [maxID]string{
	SIP:          "Source IP address",
	DIP:          "Destination IP address",
	SPort:        "Source port for TCP and UDP, or equivalent",
	DPort:        "Destination port for TCP and UDP, or equivalent (ICMP type<<8|code)",
	Protocol:     "IP protocol",
	Packets:      "Number of packets in the flow",
	Bytes:        "Number of octets (bytes) in the flow",
	Flags:        "Bit-wise OR of TCP flags over all packets [FSRPAUEC]",
	STime:        "Starting time of the flow (seconds resolution)",
	Duration:     "Duration of the flow (seconds resolution)",
	ETime:        "Ending time of the flow (seconds resolution)",
	Sensor:       "Name or ID of the sensor where the flow was collected",
	In:           "Router SNMP input interface or VLAN id",
	Out:          "Router SNMP output interface or VLAN id",
	NhIP:         "Router next hop IP",
	SCC:          "Country code of the source address",
	DCC:          "Country code of the destination address",
	Class:        "Class of the sensor that collected the flow",
	Type:         "Type of the flow within its class (in, out, inweb, ...)",
	STimeMsec:    "Starting time of the flow (milliseconds resolution)",
	ETimeMsec:    "Ending time of the flow (milliseconds resolution)",
	DurMsec:      "Duration of the flow (milliseconds resolution)",
	InitFlags:    "TCP flags on the first packet of the flow",
	SessionFlags: "Bit-wise OR of TCP flags over all packets but the first",
	Attributes:   "Flow attributes set by the flow generator [STCF]",
	Application:  "Guess as to the content of the flow, as a port number",
	IType:        "ICMP type for ICMP and ICMPv6 flows; empty otherwise",
	ICode:        "ICMP code for ICMP and ICMPv6 flows; empty otherwise",
	SAS:          "Autonomous system number of the source address",
	DAS:          "Autonomous system number of the destination address",
	SASName:      "Organisation running the source address's autonomous system",
	DASName:      "Organisation running the destination address's autonomous system",
}

// WriteHelp writes the names a tool's --fields switch takes (ids, with
// their aliases and numeric ids, and what each holds), as SiLK's
// --help-fields does. icmpTypeCode says whether the tool also takes
// SiLK's icmpTypeCode (id 25).
func WriteHelp(w io.Writer, ids []ID, icmpTypeCode bool) error {
	fmt.Fprintf(w, "The following names may be used in the --fields switch. Names are\n"+
		"case-insensitive and may be abbreviated to a unique prefix.\n")
	line := func(names, desc string) {
		fmt.Fprintf(w, "  %-26s %s\n", names, desc)
	}
	for _, id := range ids {
		if id == IType && icmpTypeCode {
			line("icmpTypeCode,25", "The ICMP type and code: the fields iType,iCode")
		}
		in := table[id]
		names := append([]string{in.name}, in.aliases...)
		if in.numeric {
			names = append(names, strconv.Itoa(int(id)))
		}
		line(strings.Join(names, ","), descriptions[id])
	}
	return nil
}
