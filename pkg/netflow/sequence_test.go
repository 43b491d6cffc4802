package netflow

import (
	"testing"
)

func domainStats(t *testing.T, d *Decoder) DomainStats {
	t.Helper()
	e := exporterStats(t, d)
	if len(e.Domains) != 1 {
		t.Fatalf("%d domains, want 1", len(e.Domains))
	}
	return e.Domains[0]
}

func TestSequenceV9(t *testing.T) {
	d := newTestDecoder(nil)
	pkt := func(uptime, seq uint32) []byte { return v9Pkt(uptime, t0s, seq, 3, set(0, tmpl(256, v4Fields...))) }
	for _, s := range []uint32{10, 11, 13, 14} { // 12 missing
		decodeOne(t, d, pkt(1_000_000+s, s))
	}
	if ds := domainStats(t, d); ds.LostExports != 1 {
		t.Fatalf("lost %d, want 1", ds.LostExports)
	}
	decodeOne(t, d, pkt(1_000_012, 12)) // 12 arrives late
	decodeOne(t, d, pkt(1_000_015, 15))
	ds := domainStats(t, d)
	if ds.LostExports != 0 || ds.Reordered != 1 {
		t.Fatalf("after the late packet: lost %d reordered %d", ds.LostExports, ds.Reordered)
	}
	// The exporter restarts: uptime and numbers start again.
	decodeOne(t, d, pkt(500, 0))
	decodeOne(t, d, pkt(600, 1))
	ds = domainStats(t, d)
	if ds.LostExports != 0 || ds.Restarts != 1 {
		t.Fatalf("after restart: lost %d restarts %d", ds.LostExports, ds.Restarts)
	}
	// Numbers wrap at 2^32 without loss.
	d = newTestDecoder(nil)
	for i, s := range []uint32{0xfffffffe, 0xffffffff, 0, 1} {
		decodeOne(t, d, pkt(uint32(1000+i), s))
	}
	ds = domainStats(t, d)
	if ds.LostExports != 0 || ds.Restarts != 0 || ds.Reordered != 0 {
		t.Fatalf("after wrap: lost %d restarts %d reordered %d", ds.LostExports, ds.Restarts, ds.Reordered)
	}
}

func TestSequenceV5CountsFlows(t *testing.T) {
	d := newTestDecoder(nil)
	r := v5Rec{src: "10.0.0.1", dst: "10.0.0.2", pkts: 1, octets: 40, proto: 17}
	decodeOne(t, d, v5Pkt(1000, t0s, 0, 100, 0, r, r, r))
	decodeOne(t, d, v5Pkt(1001, t0s, 0, 103, 0, r, r))
	decodeOne(t, d, v5Pkt(1002, t0s, 0, 110, 0, r)) // 105..109 lost: 5 flows
	if ds := domainStats(t, d); ds.LostExports != 5 || ds.Version != 5 {
		t.Fatalf("lost %d, want 5 flows", ds.LostExports)
	}
}

func TestSequenceIPFIXCountsRecords(t *testing.T) {
	d := newTestDecoder(nil)
	rec := v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40)
	decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields...)), set(300, rec, rec)))
	decodeOne(t, d, ipfixMsg(t0s, 2, 0, set(300, rec, rec, rec)))
	decodeOne(t, d, ipfixMsg(t0s, 5, 0, set(300, rec)))
	decodeOne(t, d, ipfixMsg(t0s, 10, 0, set(300, rec))) // 6..9 lost: 4 records
	ds := domainStats(t, d)
	if ds.LostExports != 4 || ds.NonConformant {
		t.Fatalf("lost %d non-conformant %v, want 4 and false", ds.LostExports, ds.NonConformant)
	}
}

func TestSequenceSoftflowdOffByOne(t *testing.T) {
	// softflowd 1.1.0 numbers each message with the records up to and
	// including it: 2, 5, 6 for messages of 2, 3 and 1 records.
	d := newTestDecoder(nil)
	rec := v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40)
	decodeOne(t, d, ipfixMsg(t0s, 2, 0, set(2, tmpl(300, v4Fields...)), set(300, rec, rec)))
	decodeOne(t, d, ipfixMsg(t0s, 5, 0, set(300, rec, rec, rec)))
	decodeOne(t, d, ipfixMsg(t0s, 6, 0, set(300, rec)))
	ds := domainStats(t, d)
	if ds.LostExports != 0 || !ds.NonConformant || ds.NonConformantSequence != 2 {
		t.Fatalf("lost %d non-conformant %v (%d messages), want 0, true, 2", ds.LostExports, ds.NonConformant, ds.NonConformantSequence)
	}
	// Real loss is still seen, by softflowd's rule: a message of 2 records
	// numbered 6+3+2 means a 3-record message went missing.
	decodeOne(t, d, ipfixMsg(t0s, 11, 0, set(300, rec, rec)))
	if ds := domainStats(t, d); ds.LostExports != 3 {
		t.Fatalf("lost %d, want 3", ds.LostExports)
	}
}

func TestSequenceHeldDataResyncs(t *testing.T) {
	// A message whose data could not be decoded has an unknown record
	// count: the next number starts the accounting again instead of
	// counting a false loss.
	d := newTestDecoder(nil)
	rec := v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40)
	decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(300, rec, rec)))
	decodeOne(t, d, ipfixMsg(t0s, 2, 0, set(2, tmpl(300, v4Fields...)), set(300, rec)))
	decodeOne(t, d, ipfixMsg(t0s, 3, 0, set(300, rec)))
	if ds := domainStats(t, d); ds.LostExports != 0 {
		t.Fatalf("lost %d, want 0", ds.LostExports)
	}
}

func TestSequenceCaptures(t *testing.T) {
	// Covered for the real captures by TestCaptureTotals: no loss on any,
	// softflowd's IPFIX flagged non-conformant. Here: shuffled order of the
	// v9 capture is reordering, not loss.
	d := newTestDecoder(nil)
	pkts := capturePackets(t, "softflowd-v9-a.pcap")
	pkts[5], pkts[6] = pkts[6], pkts[5]
	pkts[20], pkts[22] = pkts[22], pkts[20] // 22 then 21 and 20 late
	for _, p := range pkts {
		if _, err := d.Decode(nil, p, exporterAddr); err != nil {
			t.Fatal(err)
		}
	}
	e := exporterStats(t, d)
	if e.LostExports != 0 || e.Reordered != 3 || e.Restarts != 0 || e.Flows != 1000 {
		t.Errorf("lost %d reordered %d restarts %d flows %d", e.LostExports, e.Reordered, e.Restarts, e.Flows)
	}
}

func TestSequenceIPFIXRestart(t *testing.T) {
	// IPFIX has no uptime: a big backwards jump is a restart, a small one a
	// late message.
	d := newTestDecoder(nil)
	rec := v4Data("10.0.0.1", "10.0.0.2", 1, 2, 17, 1, 40)
	decodeOne(t, d, ipfixMsg(t0s, 5_000_000, 0, set(2, tmpl(300, v4Fields...)), set(300, rec)))
	decodeOne(t, d, ipfixMsg(t0s, 5_000_001, 0, set(300, rec)))
	decodeOne(t, d, ipfixMsg(t0s, 0, 0, set(2, tmpl(300, v4Fields...)), set(300, rec)))
	decodeOne(t, d, ipfixMsg(t0s, 1, 0, set(300, rec)))
	ds := domainStats(t, d)
	if ds.LostExports != 0 || ds.Restarts != 1 || ds.Reordered != 0 {
		t.Fatalf("lost %d restarts %d reordered %d, want 0 1 0", ds.LostExports, ds.Restarts, ds.Reordered)
	}
}

func TestSequenceV5UptimeReset(t *testing.T) {
	// A v5 exporter that restarts and happens to continue near its old
	// numbers is recognised by its uptime going back.
	d := newTestDecoder(nil)
	r := v5Rec{src: "10.0.0.1", dst: "10.0.0.2", pkts: 1, octets: 40, proto: 17}
	decodeOne(t, d, v5Pkt(9_000_000, t0s, 0, 0, 0, r, r))
	decodeOne(t, d, v5Pkt(9_001_000, t0s, 0, 2, 0, r, r))
	decodeOne(t, d, v5Pkt(2_000, t0s+1, 0, 1, 0, r))
	if ds := domainStats(t, d); ds.Restarts != 1 || ds.Reordered != 0 || ds.LostExports != 0 {
		t.Fatalf("restarts %d reordered %d lost %d, want 1 0 0", ds.Restarts, ds.Reordered, ds.LostExports)
	}
}
