package demo

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Totals are what was sent, for checking what the collector stored.
type Totals struct {
	Flows   uint64 `json:"flows"`
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
	Exports uint64 `json:"export_packets"`
}

// Add counts recs.
func (t *Totals) Add(recs []flowfile.Record) {
	for i := range recs {
		t.Flows++
		t.Packets += recs[i].Packets
		t.Bytes += recs[i].Bytes
	}
}

// Send is SendNAT without address translation.
func Send(addr netip.AddrPort, recs []flowfile.Record, pps int, now time.Time) (Totals, error) {
	return SendNAT(addr, recs, nil, pps, now)
}

// SendNAT exports recs to the collector at addr from a NATed router (nat;
// nil for none) with two export processes, as a dual-stack router may have: one
// sends NetFlow v9 without post-NAT fields (as RouterOS 6 does), the other
// IPFIX with them (as RouterOS 7 does). The IPv6 flows and the IPv4 flows of
// hosts with an odd address go by IPFIX, the other IPv4 flows by v9. pps
// bounds the packet rate so a collector with a default receive buffer
// keeps up.
func SendNAT(addr netip.AddrPort, recs []flowfile.Record, nat *NAT, pps int, now time.Time) (Totals, error) {
	var tot Totals
	if !addr.Addr().IsLoopback() && !addr.Addr().IsPrivate() {
		return tot, fmt.Errorf("refusing to send demo traffic to %s: use a loopback or private address", addr)
	}
	var v9, ipfix []flowfile.Record
	for i := range recs {
		if recs[i].IsIPv6() || oddHost(&recs[i]) {
			ipfix = append(ipfix, recs[i])
		} else {
			v9 = append(v9, recs[i])
		}
	}
	boot := now.Add(-36 * time.Hour)
	exporters := []struct {
		e    *Exporter
		recs []flowfile.Record
	}{
		{&Exporter{Version: 9, Domain: 1, Boot: boot, NAT: nat}, v9},
		{&Exporter{Version: 10, Domain: 2, Boot: boot, NAT: nat, PostNAT: true}, ipfix},
	}
	var gap time.Duration
	if pps > 0 {
		gap = time.Second / time.Duration(pps)
	}
	for _, x := range exporters {
		conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
		if err != nil {
			return tot, fmt.Errorf("send to %s: %w", addr, err)
		}
		next := time.Now()
		for _, p := range x.e.Packets(x.recs, now) {
			if gap > 0 {
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				}
				next = next.Add(gap)
			}
			if _, err := conn.Write(p); err != nil {
				conn.Close()
				return tot, fmt.Errorf("send to %s: %w", addr, err)
			}
			tot.Exports++
		}
		conn.Close()
		tot.Add(x.recs)
	}
	return tot, nil
}

// oddHost reports whether the inside host of an IPv4 flow (the private
// end) has an odd address.
func oddHost(r *flowfile.Record) bool {
	a := r.SIP
	if !a.IsPrivate() {
		a = r.DIP
	}
	return a.Is4() && a.As4()[3]%2 == 1
}
