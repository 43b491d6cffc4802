// Package netflow decodes NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX
// (RFC 7011) export packets into flowfile.Records.
//
// # Use
//
//	d := netflow.NewDecoder(netflow.DefaultOptions())
//	_ = d.LoadTemplates(f)          // optional: templates saved by a previous run
//	for each UDP datagram {
//		recs, err := d.Decode(recs[:0], payload, fromAddrPort)
//		// write recs (even when err != nil: flows from the well-formed
//		// part of the packet and flows released from held data are kept)
//	}
//	st := d.Stats()                 // per-exporter counters, any time
//	_ = d.SaveTemplates(w)          // at shutdown (and now and then)
//
// Decode appends to dst and never retains it; with a reused dst slice a
// steady stream of packets is decoded without allocating.
//
// # Concurrency
//
// A Decoder is safe for concurrent use: Decode, Stats, SaveTemplates and
// LoadTemplates serialise on an internal mutex held for one packet at a time.
// Concurrent Decode calls therefore do not run in parallel. One Decoder
// decodes several million flows per second on one core (BenchmarkDecode*),
// so one Decoder shared by all sockets is the simple choice. With several
// Decoders, all packets of an exporter must reach the same one (templates
// are per Decoder) and each saves its own templates.
//
// # Templates
//
// v9 and IPFIX templates and options templates are kept per exporter address
// (without the port, which changes when an exporter restarts), protocol
// version and source ID / observation domain. A template is replaced when it
// is redefined and, for IPFIX, withdrawn by a template record with field
// count 0 (template ID 2 or 3 withdraws all templates or all options
// templates of the domain). What an exporter can make the decoder keep is
// bounded — templates and their fields per exporter and in all
// (Options.MaxTemplatesPerExporter, MaxTemplateFieldsPerExporter,
// MaxTemplateFields), domains (MaxDomainsPerExporter, MaxDomains), samplers
// (MaxSamplersPerExporter, MaxSamplers); more are refused before they are
// built, and counted. SaveTemplates and LoadTemplates write and read the
// templates, the sampling rates learnt from options data and the exporters'
// system init times as versioned JSON, for the exporters that sent flows, so
// a restarted collector decodes data at once instead of dropping it until
// the exporter sends its templates again; Generation tells when there is
// something new to save, and LoadTemplates keeps what is intact of a
// damaged file.
//
// # Exporters
//
// The exporter table holds at most Options.MaxExporters addresses. When it
// is full, a newcomer takes the place of an exporter that never sent a flow,
// else of one silent for Options.ExporterIdle; an exporter the site names
// (Options.Preferred) takes any other's place and never gives way; otherwise
// the packet is refused and counted (Stats.RefusedPackets). A flood of
// spoofed addresses therefore cannot lock out real exporters.
//
// # Notices
//
// Options.Notify receives what an operator may want to know as it happens:
// the first decode error of each kind from each exporter (with its template
// and offset), each template that counts traffic but names no addresses,
// new exporters and templates, refused packets, forgotten exporters.
//
// # Data before its template
//
// A data set whose template is not known yet is copied and held for
// Options.PendingTTL, within Options.MaxHeldBytesPerExporter per exporter,
// Options.MaxPendingBytes in all (where the exporter that holds the most
// gives way to one that holds less) and MaxPendingSetsPerDomain per domain.
// When the template arrives — in the same packet or a later one from the
// same exporter and domain — the held sets are decoded with their own
// packet's header (uptime, export time) and their flows are appended to dst
// by that Decode call at the point where the template set is read (so
// before the flows of data sets that follow it). Every held set ends in
// exactly one of: decoded (ExporterStats.Released), held now (HeldSets), or
// lost for want of its template (DataWithoutTemplate, the one definition of
// "data without template", which also counts the sets that did not fit). No
// separate drain call is needed.
//
// # Mapping to the record
//
// Addresses IE 8/12 (IPv4), 27/28 (IPv6); next hop 15/62, else BGP next hop
// 18/63; ports 7/11; protocol 4; TCP flags 6 (low 8 bits); TOS 5;
// interfaces 10/14, else (absent or 0) the physical interfaces 252/253, all
// 32 bits; AS 16/17. ICMP type and code come from IE 32, 139, 176–179 or the
// destination port (type<<8|code, the Cisco convention) and are stored as
// SiLK does, DPort = type<<8|code with SPort 0. The exporter's direction
// field (61) is ignored: classification decides direction. Counters and
// other integers may come in any size from 1 to 8 bytes, big-endian.
//
// Bytes and packets: IE 1/2, else 85/86 (totals), else NSEL's initiator
// counters 231/298; a record whose counters are all zero takes 23/24 (the
// post counters an egress record counts in). The decoder leaves Sensor,
// Type, SCC, DCC, Application, InitFlags, SessionFlags and Attributes zero:
// they are the collector's to fill.
//
// Records that are not flows are counted, not stored:
//   - a record with no traffic in either direction is an event
//     (ExporterStats.Events): NAT events, firewall events, records whose
//     counters are all zero, and Cisco ASA's NSEL create, update and denied
//     events. An NSEL connection's teardown carries its totals and is
//     stored; its periodic updates carry deltas of the same bytes, so
//     storing both would count them twice. (PAN-OS and Barracuda mark
//     ordinary delta records with event codes: those are flows.)
//   - a record that counts traffic but names no source and destination
//     (Cisco WLC per-client records) is counted in
//     ExporterStats.NoAddressRecords.
//
// Biflows: where a record also carries the reverse direction — RFC 5103's
// reverse elements (PEN 29305: counters, flags, times, ICMP type; YAF's
// reverse start delta), Ixia's reverse counters (PEN 3054, IE 176/177),
// NSEL's responder counters (232/299) — the reverse is a flow of its own,
// with the ends, ports, interfaces and AS numbers swapped, as nfdump and
// akvorado store it. A direction without traffic is not stored.
//
// Packet reports: a record that names no addresses but carries the first
// bytes of the packet — dataLinkFrameSection (315), layer2packetSectionData
// (104), both from the Ethernet header through VLAN tags, MPLS labels and a
// pseudowire control word, or ipHeaderPacketSection (313) — takes the
// addresses, protocol, ports or ICMP type and code, TOS and TCP flags from
// the headers; without counters it is one packet of the IP length (PSAMP).
// A record whose source and destination are of different address families
// is dropped (ErrAddressFamily).
//
// Template quirks: v9 fields of length 0 take no room and are skipped
// (templates padded with them; Juniper's "system" scope in options
// templates); a v9 field of length 65535 is read as an IPFIX variable-length
// field (H3C). Zero bytes after the last set are padding. A datagram that
// holds several whole v5 packets or IPFIX messages back to back (a stream
// captured and sent on as one) is read message by message.
//
// Times (STime, ETime: ms since the epoch, UTC; ETime >= STime):
//   - v5/v9 First/Last (IE 22/21, 4 bytes): sysUptime ms, anchored by the
//     header's uptime and export time (v5 with its nanoseconds); the 32-bit
//     uptime may have wrapped between a flow's start and the export.
//   - IE 21/22 in 8 bytes (Cisco NX-OS): milliseconds since the epoch.
//   - IPFIX flowStart/End Seconds 150/151, Milliseconds 152/153,
//     Microseconds 154/155 and Nanoseconds 156/157 (both NTP format),
//     delta microseconds 158/159 before the export time, duration 161/162.
//   - IE 22/21 in IPFIX: relative to systemInitTimeMilliseconds (160) from
//     the same record or the domain's options data (MikroTik). Without it
//     the flow's end is put at the export time (ExporterStats.TimeUnanchored).
//
// # Sampling
//
// The rate comes from, in order: a sampling interval in the data record
// (IE 34, 50); the sampler the record names (IE 48 or 302) in the domain's
// options data; the domain's only or unnamed sampler; v5's header
// (interval in the low 14 bits); Options.DefaultSamplingRate. Options data
// gives the rate as IE 34 or 50 (1 packet in N), as 305/306 (N packets
// taken, then M skipped: (N+M)/N, as RouterOS 7 exports its
// sampling-interval and sampling-space) or as 309/310 (size/population).
// Rates are kept as fractions, so 2,222 taken and 1,111 skipped scales by
// 1.5. Packets and bytes are multiplied by a rate above 1 and the rate,
// rounded, is kept in Record.SamplingRate. "Sampling rate missing" is
// counted for flows whose exporter said it samples — the record names a
// sampler, or the domain has sent an options template with sampling fields —
// while no rate is known and no default is configured; such flows are left
// unscaled. Exporters that never mention sampling are taken as unsampled.
//
// # NAT
//
// Records with post-NAT fields (IE 225/226 IPv4, 281/282 IPv6 addresses,
// 227/228 ports) are reduced to one view. With Options.NATInside (the
// default) the inside host is kept: the destination is replaced by the
// post-NAT destination (inbound traffic counts for the real internal host,
// even from exporters such as MikroTik that send only IE 226), the source
// stays the pre-NAT source. Where exactly one of the pre- and post-NAT
// addresses of a side is private, that one is taken. With NATInside false
// the outside view is kept instead. The address of the view not kept goes
// to nhIP (the router's next hop is dropped for translated flows): in the
// inside view a NATed flow's nhIP is its outside address, in both
// directions, so `gcut --fields=sip,dip,nhip` shows the inside host and the
// outside address of each connection.
//
// # Sequence numbers
//
// Lost exports are counted per exporter and domain in each version's unit:
// v5 flows, v9 export packets, IPFIX data records. A late packet (a lower
// number within a window) is counted as reordered and gives back the loss it
// had caused; a big backwards jump, or a v5/v9 uptime that went back, is an
// exporter restart, not loss. A forward jump larger than the exporter could
// have sent in the time between the two packets (by its own clock, at least
// a second; 100,000 packets or 5 million records a second) is counted as a
// sequence jump, not loss: numbering that started again or counts something
// else (an H3C router jumps by 60 million in 24 s; nfdump counts such a gap
// as one sequence failure). Exporters that number otherwise are recognised
// and their loss is counted by their own rule: IPFIX messages numbered with
// the records up to and including them (softflowd 1.1.0), v9 packets
// numbered by records.
//
// # Bad input
//
// Malformed packets (short, lying lengths, zero-length sets or fields,
// templates with absurd field counts, data records cut short) are counted
// by ErrorKind and skipped; Decode returns a *DecodeError. Nothing panics
// and every allocation is bounded by the limits above.
package netflow
