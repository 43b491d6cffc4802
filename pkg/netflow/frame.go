package netflow

import (
	"encoding/binary"
	"net/netip"

	"github.com/gflow/gflow/pkg/flowfile"
)

// parseFrame reads the addresses, protocol, ports (or ICMP type and code),
// TOS and TCP flags of the packet whose first bytes an exporter sent instead
// of those fields: IE 315 dataLinkFrameSection and IE 104
// layer2packetSectionData start at the Ethernet header (VLAN tags and MPLS
// labels, with or without a pseudowire control word, are walked through);
// IE 313 ipHeaderPacketSection starts at the IP header. Fields the record
// already has are kept. It returns the packet's IP length and whether it
// found an IP header; a cut section gives what it holds.
func parseFrame(r *flowfile.Record, b []byte, fromIP bool) (uint64, bool) {
	var etype uint16
	if fromIP {
		if len(b) == 0 {
			return 0, false
		}
		etype = ipEtype(b[0])
	} else {
		if len(b) < 14 {
			return 0, false
		}
		etype, b = binary.BigEndian.Uint16(b[12:]), b[14:]
	walk:
		for {
			switch etype {
			case 0x8100, 0x88a8, 0x9100: // VLAN tags
				if len(b) < 4 {
					return 0, false
				}
				etype, b = binary.BigEndian.Uint16(b[2:]), b[4:]
			case 0x8847, 0x8848: // MPLS: labels up to the bottom of the stack
				for {
					if len(b) < 4 {
						return 0, false
					}
					bottom := b[2]&1 != 0
					b = b[4:]
					if bottom {
						break
					}
				}
				if len(b) == 0 {
					return 0, false
				}
				if etype = ipEtype(b[0]); etype == 0 && b[0]>>4 == 0 {
					// a pseudowire control word (RFC 4385), then Ethernet
					if len(b) < 4+14 {
						return 0, false
					}
					etype, b = binary.BigEndian.Uint16(b[4+12:]), b[4+14:]
				}
			default:
				break walk
			}
		}
	}
	switch etype {
	case 0x0800:
		return frameIPv4(r, b)
	case 0x86dd:
		return frameIPv6(r, b)
	}
	return 0, false
}

func ipEtype(first byte) uint16 {
	switch first >> 4 {
	case 4:
		return 0x0800
	case 6:
		return 0x86dd
	}
	return 0
}

func frameIPv4(r *flowfile.Record, b []byte) (uint64, bool) {
	if len(b) < 20 || b[0]>>4 != 4 {
		return 0, false
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 {
		return 0, false
	}
	ipLen := uint64(binary.BigEndian.Uint16(b[2:4]))
	r.SIP = netip.AddrFrom4([4]byte(b[12:16]))
	r.DIP = netip.AddrFrom4([4]byte(b[16:20]))
	if r.TOS == 0 {
		r.TOS = b[1]
	}
	proto := b[9]
	firstFragment := binary.BigEndian.Uint16(b[6:8])&0x1fff == 0
	if len(b) < ihl {
		b = nil
	} else {
		b = b[ihl:]
	}
	frameTransport(r, proto, b, firstFragment)
	return ipLen, true
}

func frameIPv6(r *flowfile.Record, b []byte) (uint64, bool) {
	if len(b) < 40 || b[0]>>4 != 6 {
		return 0, false
	}
	ipLen := 40 + uint64(binary.BigEndian.Uint16(b[4:6]))
	r.SIP = netip.AddrFrom16([16]byte(b[8:24])).Unmap()
	r.DIP = netip.AddrFrom16([16]byte(b[24:40])).Unmap()
	if r.SIP.Is4() != r.DIP.Is4() {
		// an IPv4-mapped address on one side only: keep both as IPv6
		r.SIP, r.DIP = netip.AddrFrom16([16]byte(b[8:24])), netip.AddrFrom16([16]byte(b[24:40]))
	}
	if r.TOS == 0 {
		r.TOS = uint8(binary.BigEndian.Uint16(b[0:2]) >> 4)
	}
	next, b := b[6], b[40:]
	firstFragment := true
	for range 8 { // extension headers, a bounded number of them
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(b) < 8 || len(b) < (int(b[1])+1)*8 {
				frameTransport(r, next, nil, false)
				return ipLen, true
			}
			next, b = b[0], b[(int(b[1])+1)*8:]
			continue
		case 44: // fragment
			if len(b) < 8 {
				frameTransport(r, next, nil, false)
				return ipLen, true
			}
			firstFragment = binary.BigEndian.Uint16(b[2:4])>>3 == 0
			next, b = b[0], b[8:]
			continue
		case 51: // authentication header
			if len(b) < 8 || len(b) < (int(b[1])+2)*4 {
				frameTransport(r, next, nil, false)
				return ipLen, true
			}
			next, b = b[0], b[(int(b[1])+2)*4:]
			continue
		}
		break
	}
	frameTransport(r, next, b, firstFragment)
	return ipLen, true
}

// frameTransport takes the protocol and, from a first fragment, the ports
// or ICMP type and code and the TCP flags.
func frameTransport(r *flowfile.Record, proto uint8, b []byte, firstFragment bool) {
	if r.Proto == 0 {
		r.Proto = proto
	}
	if !firstFragment || r.SPort != 0 || r.DPort != 0 {
		return
	}
	switch proto {
	case 6, 17, 132, 136: // TCP, UDP, SCTP, UDP-Lite
		if len(b) >= 4 {
			r.SPort = binary.BigEndian.Uint16(b[0:2])
			r.DPort = binary.BigEndian.Uint16(b[2:4])
		}
		if proto == 6 && len(b) >= 14 && r.Flags == 0 {
			r.Flags = b[13]
		}
	case 1, 58: // ICMP, ICMPv6
		if len(b) >= 2 {
			r.SetICMP(b[0], b[1])
		}
	}
}
