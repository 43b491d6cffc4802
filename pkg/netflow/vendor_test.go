package netflow

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/netflow/pcapfile"
)

// The vendors' exports of the public test suites kept in
// ../shared/fixtures/vendor (see its README: source, licence, which files go
// together). They are not part of the project: the tests skip where the
// directory is absent, and quirks_test.go builds the same layouts so that
// every case is also checked without them.

// vendorDir finds ../shared/fixtures/vendor beside the repository root, or
// skips the test.
func vendorDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	v := filepath.Join(dir, "..", "shared", "fixtures", "vendor")
	if _, err := os.Stat(filepath.Join(v, "README.md")); err != nil {
		t.Skipf("vendor captures not found: %s is absent (clone the shared reference material beside the repository)", v)
	}
	return v
}

// vendorPackets returns the export packets of a capture: a pcap of UDP
// datagrams, or a .dat file holding one datagram's payload.
func vendorPackets(t testing.TB, dir, name string) [][]byte {
	t.Helper()
	path := filepath.Join(dir, name)
	if strings.HasSuffix(name, ".dat") {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return [][]byte{b}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, err := pcapfile.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var pkts [][]byte
	for {
		p, err := pr.Next()
		if errors.Is(err, io.EOF) {
			return pkts
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pkts = append(pkts, bytes.Clone(p.Payload))
	}
}

// vendorCase is one case of the README's table with what it decodes to.
// The totals were compared flow by flow with nfdump 1.7.1 (nfcapd fed the
// same datagrams) and tshark 4.0; where gflow differs on purpose the
// comment says why.
type vendorCase struct {
	name        string
	files       []string
	flows       int
	bytes, pkts uint64 // after sampling
	events      uint64
	noAddress   uint64
	errors      uint64
}

var vendorCases = []vendorCase{
	// akvorado: sampling from options data 1:30000 (nfdump and akvorado agree)
	{"akv-v9-options-sampling", []string{"akvorado/options-template.pcap", "akvorado/options-data.pcap", "akvorado/template.pcap", "akvorado/data.pcap"}, 4, 175440000, 120000, 0, 0, 0},
	// Juniper: the "system" scope of length 0 gives 1:100; the data that
	// precedes its template is held and decoded (11 more flows than nfdump)
	{"akv-v9-data+templates", []string{"akvorado/data+templates.pcap"}, 21, 5832900, 6600, 0, 0, 0},
	// in-record sampling 2048 (akvorado applies it; nfdump does not)
	{"akv-v9-samplingrate", []string{"akvorado/samplingrate-template.pcap", "akvorado/samplingrate-data.pcap"}, 6, 7659520, 12288, 0, 0, 0},
	{"akv-v9-multiplesamplingrates", []string{"akvorado/multiplesamplingrates-options-template.pcap", "akvorado/multiplesamplingrates-options-data.pcap",
		"akvorado/multiplesamplingrates-template.pcap", "akvorado/multiplesamplingrates-data.pcap"}, 12, 32332000, 112000, 0, 0, 0},
	{"akv-ipfix-icmp", []string{"akvorado/icmp-template.pcap", "akvorado/icmp-data.pcap"}, 4, 376, 4, 0, 0, 0},
	// dataLinkFrameSection only: headers parsed (nfdump stores 0.0.0.0, 0 bytes)
	{"akv-ipfix-datalink", []string{"akvorado/datalink-template.pcap", "akvorado/datalink-data.pcap"}, 1, 96, 1, 0, 0, 0},
	{"akv-ipfix-mpls", []string{"akvorado/mpls.pcap"}, 2, 9790, 110, 0, 0, 0},
	{"akv-nfv5", []string{"akvorado/nfv5.pcap"}, 29, 88345, 78, 0, 0, 0},
	// NAT events: no counters (nfdump stores 9 empty records)
	{"akv-ipfix-nat", []string{"akvorado/nat.pcap"}, 0, 0, 0, 9, 0, 0},
	// 252/253 only; sampling 1000 (akvorado)
	{"akv-ipfix-physicalinterfaces", []string{"akvorado/physicalinterfaces.pcap"}, 8, 31111000, 29000, 0, 0, 0},
	// RFC 5103: the 2 reverse directions, 1,674 bytes, are flows of their own
	{"akv-ipfix-ipfixprobe-biflow", []string{"akvorado/ipfixprobe-templates.pcap", "akvorado/ipfixprobe-data.pcap"}, 6, 25942, 60, 0, 0, 0},
	{"akv-ipfix-srv6", []string{"akvorado/ipfix-srv6-template.pcap", "akvorado/ipfix-srv6-data.pcap"}, 1, 104, 1, 0, 0, 0},
	{"akv-ipfix-juniper-cpid", []string{"akvorado/juniper-cpid-template.pcap", "akvorado/juniper-cpid-data.pcap"}, 1, 104, 1, 0, 0, 0},
	{"akv-ipfix-evpn-mpls-cw", []string{"akvorado/ethernet-over-mpls-with-control-word-template.pcap", "akvorado/ethernet-over-mpls-with-control-word-data.pcap"}, 10, 14337, 10, 0, 0, 0},
	// 12 whole v5 packets in one datagram: all read, as nfdump does
	{"ls-v5-valid01", []string{"logstash/netflow5.dat"}, 30, 18684, 230, 0, 0, 0},
	{"ls-v5-invalid01", []string{"logstash/netflow5_test_invalid01.dat"}, 0, 0, 0, 0, 0, 1},
	{"ls-v5-invalid02", []string{"logstash/netflow5_test_invalid02.dat"}, 0, 0, 0, 0, 0, 1},
	{"ls-v5-mikrotik", []string{"logstash/netflow5_test_microtik.dat"}, 30, 40812, 160, 0, 0, 0},
	{"ls-v5-juniper-mx80", []string{"logstash/netflow5_test_juniper_mx80.dat"}, 29, 3989000, 31000, 0, 0, 0},
	{"ls-v9-valid01", []string{"logstash/netflow9_test_valid01.dat"}, 7, 1128, 13, 0, 0, 0},
	{"ls-v9-macaddr", []string{"logstash/netflow9_test_macaddr_tpl.dat", "logstash/netflow9_test_macaddr_data.dat"}, 0, 0, 0, 29, 0, 0},
	// zero padding after the last flowset: not an error
	{"ls-v9-cisco-aci", []string{"logstash/netflow9_test_cisco_aci_tpl256-258.dat", "logstash/netflow9_test_cisco_aci_data256.dat"}, 3, 297, 6, 0, 0, 0},
	{"ls-v9-cisco-asa-1", []string{"logstash/netflow9_test_cisco_asa_1_tpl.dat", "logstash/netflow9_test_cisco_asa_1_data.dat"}, 14, 888, 0, 0, 0, 0},
	// NSEL: 8 teardowns, initiator 606 + responder 64,997 bytes (tshark); 11 create/update events
	{"ls-v9-cisco-asa-2", []string{"logstash/netflow9_test_cisco_asa_2_tpl_26x.dat", "logstash/netflow9_test_cisco_asa_2_tpl_27x.dat", "logstash/netflow9_test_cisco_asa_2_data.dat"}, 16, 65603, 0, 11, 0, 0},
	{"ls-v9-nprobe-softflowd", []string{"logstash/netflow9_test_nprobe_tpl.dat", "logstash/netflow9_test_softflowd_tpl_data.dat", "logstash/netflow9_test_nprobe_data.dat"}, 8, 1328, 15, 0, 0, 0},
	{"ls-v9-invalid01", []string{"logstash/netflow9_test_invalid01.dat"}, 2, 19400, 200, 0, 0, 0},
	// 3 IPFIX messages in one datagram (tshark on the messages apart: 12 flows)
	{"ls-ipfix-generic", []string{"logstash/ipfix.dat"}, 12, 13279, 54, 0, 0, 0},
	{"ls-ipfix-openbsd-pflow", []string{"logstash/ipfix_test_openbsd_pflow_tpl.dat", "logstash/ipfix_test_openbsd_pflow_data.dat"}, 26, 99323, 209, 0, 0, 0},
	{"ls-v9-iptnetflow", []string{"logstash/netflow9_test_iptnetflow_reduced_size_encoding_tpldata260.dat"}, 12, 7598, 74, 0, 0, 0},
	{"ls-v9-h3c", []string{"logstash/netflow9_test_h3c_tpl3281.dat", "logstash/netflow9_test_h3c_data3281.dat"}, 16, 8729687, 6113, 0, 0, 0},
	{"ls-v9-ie150-151", []string{"logstash/netflow9_test_unknown_tpl266_292_data.dat"}, 2, 310, 2, 0, 0, 0},
	{"ls-v9-paloalto-81", []string{"logstash/netflow9_test_paloalto_81_tpl256-263.dat", "logstash/netflow9_test_paloalto_81_data257_1flowset_in_large_zerofilled_packet.dat"}, 1, 363, 3, 0, 0, 0},
	// v9 field of length 65535 (tshark gives up on the record; nfdump agrees with gflow)
	{"ls-v9-h3c-varstring", []string{"logstash/netflow9_test_h3c_netstream_varstring_tpl3281.dat", "logstash/netflow9_test_h3c_netstream_varstring_data3281.dat"}, 1, 702, 9, 0, 0, 0},
	{"ls-v9-fortigate-542-appid", []string{"logstash/netflow9_test_fortigate_fortios_542_appid_tpl258-269.dat", "logstash/netflow9_test_fortigate_fortios_542_appid_data258_262.dat"}, 17, 29492, 105, 0, 0, 0},
	{"ls-ipfix-ixia-256", []string{"logstash/ipfix_test_ixia_tpldata256.dat"}, 1, 360, 4, 0, 0, 0},
	// Ixia's reverse counters (PEN 3054, IE 176/177): 625 bytes the other way
	{"ls-ipfix-ixia-271", []string{"logstash/ipfix_test_ixia_tpldata271.dat"}, 2, 757, 8, 0, 0, 0},
	{"ls-ipfix-nokia-bras", []string{"logstash/ipfix_test_nokia_bras_tpl.dat", "logstash/ipfix_test_nokia_bras_data256.dat"}, 0, 0, 0, 1, 0, 0},
	// counters only in Sandvine's own elements: events
	{"ls-ipfix-procera", []string{"logstash/ipfix_test_procera_tpl52935.dat", "logstash/ipfix_test_procera_data52935.dat"}, 0, 0, 0, 8, 0, 0},
	{"ls-v9-ubnt-edgerouter", []string{"logstash/netflow9_test_ubnt_edgerouter_tpl.dat", "logstash/netflow9_test_ubnt_edgerouter_data1024.dat", "logstash/netflow9_test_ubnt_edgerouter_data1025.dat"}, 16, 20418, 114, 0, 0, 0},
	{"ls-v9-streamcore", []string{"logstash/netflow9_test_streamcore_tpl_data256.dat", "logstash/netflow9_test_streamcore_tpl_data260.dat"}, 4, 7295, 28, 0, 0, 0},
	{"ls-ipfix-mikrotik", []string{"logstash/ipfix_test_mikrotik_tpl.dat", "logstash/ipfix_test_mikrotik_data258.dat", "logstash/ipfix_test_mikrotik_data259.dat"}, 46, 103235, 253, 0, 0, 0},
	{"ls-ipfix-netscaler", []string{"logstash/ipfix_test_netscaler_tpl.dat", "logstash/ipfix_test_netscaler_data.dat"}, 3, 3106, 5, 0, 0, 0},
	{"ls-ipfix-vmware-vds", []string{"logstash/ipfix_test_vmware_vds_tpl.dat", "logstash/ipfix_test_vmware_vds_data264.dat", "logstash/ipfix_test_vmware_vds_data266.dat", "logstash/ipfix_test_vmware_vds_data266_267.dat"}, 5, 806, 8, 0, 0, 0},
	// Juniper SRX: options template with a 0-length scope, options data only
	{"ls-v9-juniper-srx-opt", []string{"logstash/netflow9_test_juniper_srx_tplopt.dat"}, 0, 0, 0, 0, 0, 0},
	// zero-length padding fields; egress records in OUT_BYTES/OUT_PKTS
	// (nfdump reads the IN counters only: 10 records, 64 bytes)
	{"ls-v9-0length-fields", []string{"logstash/netflow9_test_0length_fields_tpl_data.dat"}, 5, 160, 5, 5, 0, 0},
	{"ls-v9-huawei", []string{"logstash/netflow9_test_huawei_netstream_tpl.dat", "logstash/netflow9_test_huawei_netstream_data.dat"}, 1, 200, 4, 0, 0, 0},
	{"ls-v9-cisco-asr9k-260-sampling", []string{"logstash/netflow9_test_cisco_asr9k_opttpl257.dat", "logstash/netflow9_test_cisco_asr9k_opttpl256.dat", "logstash/netflow9_test_cisco_asr9k_opttpl334.dat",
		"logstash/netflow9_test_cisco_asr9k_tpl260.dat", "logstash/netflow9_test_cisco_asr9k_tpl266.dat", "logstash/netflow9_test_cisco_asr9k_data256.dat", "logstash/netflow9_test_cisco_asr9k_data260.dat"}, 21, 208031, 531, 0, 0, 0},
	{"ls-v9-cisco-nbar", []string{"logstash/netflow9_test_cisco_nbar_opttpl260.dat", "logstash/netflow9_test_cisco_nbar_tpl262.dat", "logstash/netflow9_test_cisco_nbar_data262.dat"}, 5, 3064, 40, 0, 0, 0},
	// per-client records without flow addresses: 19 records, 143 MB, counted
	{"ls-v9-cisco-wlc", []string{"logstash/netflow9_test_cisco_wlc_tpl.dat", "logstash/netflow9_test_cisco_wlc_data261.dat"}, 0, 0, 0, 0, 19, 0},
	{"ls-v9-cisco-1941K9", []string{"logstash/netflow9_test_cisco_1941K9.dat"}, 29, 70258, 370, 0, 0, 0},
	{"ls-v9-cisco-asr1001x", []string{"logstash/netflow9_cisco_asr1001x_tpl259.dat"}, 25, 38255, 124, 0, 0, 0},
	// PAN-OS marks delta records with firewall events: flows
	{"ls-v9-paloalto-panos", []string{"logstash/netflow9_test_paloalto_panos_tpl.dat", "logstash/netflow9_test_paloalto_panos_data.dat"}, 8, 617, 8, 0, 0, 0},
	{"ls-ipfix-viptela", []string{"logstash/ipfix_test_viptela_tpl257.dat", "logstash/ipfix_test_viptela_data257.dat"}, 1, 775, 8, 0, 0, 0},
	// Barracuda teardowns whose delta is 0 (the bytes were reported before): events
	{"ls-ipfix-barracuda", []string{"logstash/ipfix_test_barracuda_tpl.dat", "logstash/ipfix_test_barracuda_data256.dat"}, 4, 388, 4, 4, 0, 0},
	// YAF biflows (RFC 5103 reverse totals; nfdump: the 2 forward flows)
	{"ls-ipfix-yaf", []string{"logstash/ipfix_test_yaf_tpls_option_tpl.dat", "logstash/ipfix_test_yaf_tpl45841.dat", "logstash/ipfix_test_yaf_data45841.dat",
		"logstash/ipfix_test_yaf_data45873.dat", "logstash/ipfix_test_yaf_data53248.dat"}, 4, 596, 10, 0, 0, 0},
}

func decodeVendorCase(t *testing.T, dir string, c vendorCase) (*Decoder, []flowfile.Record) {
	t.Helper()
	d := newTestDecoder(nil)
	var recs []flowfile.Record
	from := netip.MustParseAddrPort("127.0.0.1:2055")
	for _, f := range c.files {
		for _, p := range vendorPackets(t, dir, f) {
			recs, _ = d.Decode(recs, p, from)
		}
	}
	return d, recs
}

func TestVendorCaptures(t *testing.T) {
	dir := vendorDir(t)
	for _, c := range vendorCases {
		t.Run(c.name, func(t *testing.T) {
			d, recs := decodeVendorCase(t, dir, c)
			var by, pk uint64
			for i := range recs {
				by += recs[i].Bytes
				pk += recs[i].Packets
				if r := &recs[i]; !r.SIP.IsValid() || !r.DIP.IsValid() || r.ETime < r.STime {
					t.Errorf("record %d: %+v", i, *r)
				}
			}
			e := exporterStats(t, d)
			if len(recs) != c.flows || by != c.bytes || pk != c.pkts {
				t.Errorf("%d flows, %d bytes, %d packets; want %d, %d, %d", len(recs), by, pk, c.flows, c.bytes, c.pkts)
			}
			if e.Events != c.events || e.NoAddressRecords != c.noAddress || e.TotalErrors() != c.errors {
				t.Errorf("events %d, records without addresses %d, errors %v; want %d, %d, %d", e.Events, e.NoAddressRecords, e.Errors, c.events, c.noAddress, c.errors)
			}
		})
	}
}

// TestVendorRecords checks single records field by field against what
// akvorado's tests and tshark read from the same captures.
func TestVendorRecords(t *testing.T) {
	dir := vendorDir(t)
	find := func(name string) vendorCase {
		for _, c := range vendorCases {
			if c.name == name {
				return c
			}
		}
		t.Fatalf("no case %s", name)
		return vendorCase{}
	}
	type want struct {
		index        int
		src, dst     string
		sport, dport uint16
		proto        uint8
		pkts, bytes  uint64
		in, out      uint32
		rate         uint32
	}
	cases := map[string][]want{
		// the system-scope sampling 1:100 learnt (row "zero-length scope")
		"akv-v9-data+templates":        {{0, "120.120.28.238", "120.120.244.112", 63308, 31424, 17, 100, 4800, 701, 946, 100}},
		"akv-ipfix-datalink":           {{0, "51.51.51.51", "52.52.52.52", 55501, 11777, 17, 1, 96, 582, 0, 0}},
		"akv-ipfix-juniper-cpid":       {{0, "fc30:2200:1b::f", "fc30:2200:23:e009::", 0, 0, 4, 1, 104, 737, 0, 0}},
		"akv-ipfix-physicalinterfaces": {{0, "147.53.240.75", "212.82.101.24", 55629, 993, 6, 3000, 4506000, 1342177291, 0, 1000}},
		"akv-ipfix-ipfixprobe-biflow": {
			{0, "10.10.1.4", "10.10.1.1", 56166, 53, 17, 1, 62, 10, 0, 0},
			{1, "10.10.1.1", "10.10.1.4", 53, 56166, 17, 1, 128, 0, 10, 0},
			{4, "74.53.140.153", "10.10.1.4", 25, 1470, 6, 25, 1546, 0, 10, 0},
		},
		"ls-v9-cisco-asa-2": {
			{0, "192.168.0.2", "192.168.0.17", 61775, 80, 6, 0, 81, 3, 4, 0},
			{1, "192.168.0.17", "192.168.0.2", 80, 61775, 6, 0, 763, 4, 3, 0},
		},
		"ls-v9-h3c-varstring":  {{0, "20.20.20.20", "20.20.255.255", 137, 137, 17, 9, 702, 17, 0, 0}},
		"ls-v9-0length-fields": {{0, "192.168.1.80", "239.255.255.250", 0, 0, 2, 1, 32, 2, 3, 0}},
		"ls-v9-cisco-aci":      {{0, "10.154.231.145", "10.154.231.146", 179, 49411, 6, 2, 99, 369139712, 0, 0}},
		"ls-ipfix-ixia-271":    {{1, "104.244.42.130", "202.170.60.252", 443, 8732, 6, 6, 625, 45, 45, 0}},
	}
	for name, ws := range cases {
		_, recs := decodeVendorCase(t, dir, find(name))
		for _, w := range ws {
			if w.index >= len(recs) {
				t.Errorf("%s: no record %d", name, w.index)
				continue
			}
			r := recs[w.index]
			got := want{w.index, r.SIP.String(), r.DIP.String(), r.SPort, r.DPort, r.Proto, r.Packets, r.Bytes, r.In, r.Out, r.SamplingRate}
			if got != w {
				t.Errorf("%s record %d:\n got  %+v\n want %+v", name, w.index, got, w)
			}
		}
	}
}

// TestVendorSequenceJump: the H3C template and data packets are numbered
// 2,855 and 60,342,277 24 s apart: a jump, not 60 million lost packets.
func TestVendorSequenceJump(t *testing.T) {
	dir := vendorDir(t)
	d := newTestDecoder(nil)
	for _, f := range []string{"logstash/netflow9_test_h3c_tpl3281.dat", "logstash/netflow9_test_h3c_data3281.dat"} {
		for _, p := range vendorPackets(t, dir, f) {
			if _, err := d.Decode(nil, p, exporterAddr); err != nil {
				t.Fatal(err)
			}
		}
	}
	if e := exporterStats(t, d); e.LostExports != 0 || e.SequenceJumps != 1 {
		t.Errorf("lost exports %d, sequence jumps %d; want 0 and 1", e.LostExports, e.SequenceJumps)
	}
}
