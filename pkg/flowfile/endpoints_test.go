package flowfile_test

import (
	"bytes"
	"math/rand"
	"net/netip"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// TestDictionaryKeyKinds writes blocks whose endpoints mix the kinds the
// writer keys differently (IPv4 with a small AS number, IPv4 with a large
// one, IPv6, none) and the same address under several of them, and whose
// classes mix next hops (none, IPv4 including 0.0.0.0, IPv6) with values
// of every class field, each seen many times, and reads them back
// unchanged.
func TestDictionaryKeyKinds(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	v4 := []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("0.0.0.0")}
	v6 := netip.MustParseAddr("2001:db8::1")
	ases := []uint32{0, 1, 0xFFFF, 0x10000, 4200000000}
	ccs := []flowfile.Country{0, flowfile.Country('c'<<8 | 'h'), flowfile.Country('u'<<8 | 's')}
	pick := func() (netip.Addr, uint32, flowfile.Country) {
		a := v4[rng.Intn(len(v4))]
		if rng.Intn(4) == 0 {
			a = v6
		}
		return a, ases[rng.Intn(len(ases))], ccs[rng.Intn(len(ccs))]
	}
	recs := make([]flowfile.Record, 5000)
	for i := range recs {
		r := &recs[i]
		r.SIP, r.SrcAS, r.SCC = pick()
		r.DIP, r.DstAS, r.DCC = pick()
		if r.SIP.Is4() != r.DIP.Is4() {
			r.DIP = r.SIP
		}
		r.STime = testHour.UnixMilli() + int64(i)
		r.ETime = r.STime + 10
		r.Packets, r.Bytes = 1, 40
		nhs := []netip.Addr{{}, netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("192.0.2.1"), v6}
		r.NhIP = nhs[rng.Intn(len(nhs))]
		small := func() uint32 { return []uint32{0, 1, 0xFFFFFFFF}[rng.Intn(3)] }
		r.In, r.Out, r.SamplingRate = small(), small(), small()
		r.Sensor, r.Application = uint16(small()), uint16(small())
		r.Proto, r.Flags, r.InitFlags = uint8(small()), uint8(small()), uint8(small())
		r.SessionFlags, r.Attributes, r.TOS = uint8(small()), uint8(small()), uint8(small())
		r.Type = flowfile.FlowType(rng.Intn(11))
		r.SPort, r.DPort = uint16(rng.Intn(3)), uint16(rng.Intn(3))
	}
	// Random fresh IPv4 hosts too, so that the tables grow mid-block.
	for i := range 3000 {
		r := &recs[rng.Intn(len(recs))]
		r.SIP = netip.AddrFrom4([4]byte{byte(i >> 8), byte(i), 1, 2})
		r.DIP = netip.AddrFrom4([4]byte{byte(i >> 8), byte(i), 3, 4})
	}
	var buf bytes.Buffer
	w, err := flowfile.NewWriter(&buf, fileHeader())
	if err != nil {
		t.Fatal(err)
	}
	w.SetBlockRecords(1500) // several blocks: the tables are reset between them
	if err := w.WriteBlock(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := flowfile.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sameRecords(t, readAll(t, r), recs)
}
