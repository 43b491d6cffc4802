package pcapfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRealCapture(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "testdata", "softflowd-v9-a.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if r.LinkType() != LinkEthernet {
		t.Errorf("link type %d", r.LinkType())
	}
	n, payload := 0, 0
	var first Packet
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			first = p
			first.Payload = bytes.Clone(p.Payload)
		}
		n++
		payload += len(p.Payload)
	}
	// tshark: 39 frames, the first from 127.0.0.1:57125 to 127.0.0.1:9996
	// with a 1340-byte NetFlow v9 payload.
	if n != 39 {
		t.Errorf("%d packets, want 39", n)
	}
	if first.Src != netip.MustParseAddrPort("127.0.0.1:57125") || first.Dst != netip.MustParseAddrPort("127.0.0.1:9996") ||
		len(first.Payload) != 1340 || binary.BigEndian.Uint16(first.Payload) != 9 {
		t.Errorf("first packet %v -> %v, %d bytes", first.Src, first.Dst, len(first.Payload))
	}
	if first.Time.Year() < 2023 || first.Time.Location() != time.UTC {
		t.Errorf("time %v", first.Time)
	}
	if s := r.Skipped(); s != (Skipped{}) {
		t.Errorf("skipped %+v", s)
	}
}

// Building captures for the tests.

type frame struct {
	sec, frac uint32
	data      []byte
	capLen    int // 0: all of data
}

func file(order binary.AppendByteOrder, magic uint32, link uint32, frames ...frame) []byte {
	var b []byte
	b = order.AppendUint32(b, magic)
	b = order.AppendUint16(b, 2)
	b = order.AppendUint16(b, 4)
	b = order.AppendUint32(b, 0)
	b = order.AppendUint32(b, 0)
	b = order.AppendUint32(b, 65535)
	b = order.AppendUint32(b, link)
	for _, f := range frames {
		n := len(f.data)
		if f.capLen != 0 {
			n = f.capLen
		}
		b = order.AppendUint32(b, f.sec)
		b = order.AppendUint32(b, f.frac)
		b = order.AppendUint32(b, uint32(n))
		b = order.AppendUint32(b, uint32(len(f.data)))
		b = append(b, f.data[:min(n, len(f.data))]...)
	}
	return b
}

func udp(sport, dport uint16, payload []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = binary.BigEndian.AppendUint16(b, uint16(8+len(payload)))
	b = binary.BigEndian.AppendUint16(b, 0)
	return append(b, payload...)
}

func ipv4(proto uint8, frag uint16, src, dst string, body []byte) []byte {
	b := []byte{0x45, 0, 0, 0, 0, 0, 0, 0, 64, proto, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(body)))
	binary.BigEndian.PutUint16(b[6:], frag)
	b = append(b, netip.MustParseAddr(src).AsSlice()...)
	b = append(b, netip.MustParseAddr(dst).AsSlice()...)
	return append(b, body...)
}

func ipv6(next uint8, src, dst string, body []byte) []byte {
	b := []byte{0x60, 0, 0, 0, 0, 0, next, 64}
	binary.BigEndian.PutUint16(b[4:], uint16(len(body)))
	b = append(b, netip.MustParseAddr(src).AsSlice()...)
	b = append(b, netip.MustParseAddr(dst).AsSlice()...)
	return append(b, body...)
}

func ether(etherType uint16, vlan bool, body []byte) []byte {
	b := make([]byte, 12)
	if vlan {
		b = append(b, 0x81, 0x00, 0, 10)
	}
	b = binary.BigEndian.AppendUint16(b, etherType)
	return append(b, body...)
}

func sll(etherType uint16, body []byte) []byte {
	b := make([]byte, 14)
	b = binary.BigEndian.AppendUint16(b, etherType)
	return append(b, body...)
}

func sll2(etherType uint16, body []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, etherType)
	b = append(b, make([]byte, 18)...)
	return append(b, body...)
}

func readAll(t *testing.T, data []byte) ([]Packet, Skipped, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, Skipped{}, err
	}
	var out []Packet
	for {
		p, err := r.Next()
		if err == io.EOF {
			return out, r.Skipped(), nil
		}
		if err != nil {
			return out, r.Skipped(), err
		}
		p.Payload = bytes.Clone(p.Payload)
		out = append(out, p)
	}
}

func TestLinkTypesAndIPVersions(t *testing.T) {
	pay := []byte("netflow!")
	v4 := ipv4(17, 0x4000, "192.0.2.1", "192.0.2.2", udp(5000, 2055, pay)) // DF set: not a fragment
	v6 := ipv6(17, "2001:db8::1", "2001:db8::2", udp(5000, 4739, pay))
	// IPv6 with a hop-by-hop options header before UDP
	v6ext := ipv6(0, "2001:db8::1", "2001:db8::2", append([]byte{17, 0, 0, 0, 0, 0, 0, 0}, udp(5001, 4739, pay)...))
	null4 := append(binary.LittleEndian.AppendUint32(nil, 2), v4...)
	null6 := append(binary.BigEndian.AppendUint32(nil, 30), v6...)
	cases := []struct {
		name   string
		link   uint32
		frames [][]byte
	}{
		{"ethernet", LinkEthernet, [][]byte{ether(0x0800, false, v4), ether(0x86dd, true, v6), ether(0x86dd, false, v6ext)}},
		{"linux cooked", LinkLinuxSLL, [][]byte{sll(0x0800, v4), sll(0x86dd, v6), sll(0x86dd, v6ext)}},
		{"linux cooked v2", LinkLinuxSLL2, [][]byte{sll2(0x0800, v4), sll2(0x86dd, v6), sll2(0x86dd, v6ext)}},
		{"raw", LinkRaw, [][]byte{v4, v6, v6ext}},
		{"bsd loopback", LinkNull, [][]byte{null4, null6, append(binary.LittleEndian.AppendUint32(nil, 30), v6ext...)}},
	}
	for _, c := range cases {
		for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
			for _, magic := range []uint32{0xa1b2c3d4, 0xa1b23c4d} {
				var frames []frame
				for i, d := range c.frames {
					frames = append(frames, frame{sec: 1700000000 + uint32(i), frac: 500, data: d})
				}
				pkts, skipped, err := readAll(t, file(order, magic, c.link, frames...))
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				if len(pkts) != 3 || skipped != (Skipped{}) {
					t.Fatalf("%s: %d packets, skipped %+v", c.name, len(pkts), skipped)
				}
				want := []string{"192.0.2.1:5000", "[2001:db8::1]:5000", "[2001:db8::1]:5001"}
				for i, p := range pkts {
					if p.Src.String() != want[i] || string(p.Payload) != "netflow!" {
						t.Errorf("%s packet %d: %v %q", c.name, i, p.Src, p.Payload)
					}
				}
				wantNs := 500 * 1000
				if magic == 0xa1b23c4d {
					wantNs = 500
				}
				if pkts[0].Time != time.Unix(1700000000, int64(wantNs)).UTC() {
					t.Errorf("%s: time %v", c.name, pkts[0].Time)
				}
			}
		}
	}
}

func TestSkippedFrames(t *testing.T) {
	pay := []byte("x")
	good := ether(0x0800, false, ipv4(17, 0, "192.0.2.1", "192.0.2.2", udp(1, 2, pay)))
	frames := []frame{
		{data: ether(0x0806, false, make([]byte, 28))},                                                        // ARP
		{data: ether(0x0800, false, ipv4(6, 0, "192.0.2.1", "192.0.2.2", make([]byte, 20)))},                  // TCP
		{data: ether(0x0800, false, ipv4(17, 0x2000, "192.0.2.1", "192.0.2.2", udp(1, 2, pay)))},              // first fragment
		{data: ether(0x0800, false, ipv4(17, 0x0010, "192.0.2.1", "192.0.2.2", make([]byte, 16)))},            // later fragment
		{data: ether(0x86dd, false, ipv6(44, "2001:db8::1", "2001:db8::2", make([]byte, 16)))},                // IPv6 fragment
		{data: good, capLen: len(good) - 1},                                                                   // cut by the snap length
		{data: ether(0x0800, false, ipv4(17, 0, "192.0.2.1", "192.0.2.2", []byte{0, 1, 0, 2, 0, 200, 0, 0}))}, // UDP length lies
		{data: good},
	}
	pkts, skipped, err := readAll(t, file(binary.LittleEndian, 0xa1b2c3d4, LinkEthernet, frames...))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkts) != 1 {
		t.Fatalf("%d packets, want 1", len(pkts))
	}
	if want := (Skipped{NotUDP: 2, Fragment: 3, Truncated: 2}); skipped != want {
		t.Errorf("skipped %+v, want %+v", skipped, want)
	}
}

func TestDamagedFiles(t *testing.T) {
	good := file(binary.LittleEndian, 0xa1b2c3d4, LinkRaw,
		frame{data: ipv4(17, 0, "192.0.2.1", "192.0.2.2", udp(1, 2, []byte("abc")))},
		frame{data: ipv4(17, 0, "192.0.2.1", "192.0.2.2", udp(1, 2, []byte("def")))})
	if _, err := NewReader(bytes.NewReader(nil)); err == nil {
		t.Error("empty file accepted")
	}
	if _, err := NewReader(bytes.NewReader(make([]byte, 24))); !errors.Is(err, ErrNotPcap) {
		t.Errorf("zero magic: %v", err)
	}
	// Every truncation: an error or fewer packets, never a panic; cuts inside
	// a record give io.ErrUnexpectedEOF.
	for n := range len(good) {
		pkts, _, err := readAll(t, good[:n])
		if n > 24 && n != 24+16+31 && n != len(good) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("cut at %d: %d packets, err %v", n, len(pkts), err)
		}
	}
	// A record that claims a huge length.
	bad := bytes.Clone(good)
	binary.LittleEndian.PutUint32(bad[24+8:], 1<<30)
	if _, _, err := readAll(t, bad); err == nil {
		t.Error("1 GiB record accepted")
	}
}

func FuzzReader(f *testing.F) {
	real, err := os.ReadFile(filepath.Join("..", "testdata", "softflowd-v5-a.pcap"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real[:min(len(real), 3000)])
	f.Add(file(binary.BigEndian, 0xa1b23c4d, LinkLinuxSLL2, frame{data: sll2(0x86dd, ipv6(0, "2001:db8::1", "2001:db8::2", append([]byte{17, 0, 0, 0, 0, 0, 0, 0}, udp(1, 2, []byte("x"))...)))}))
	f.Add(file(binary.LittleEndian, 0xa1b2c3d4, LinkNull, frame{data: append([]byte{2, 0, 0, 0}, ipv4(17, 0, "192.0.2.1", "192.0.2.2", udp(1, 2, []byte("x")))...)}))
	ng, err := os.ReadFile(filepath.Join("..", "testdata", "softflowd-v9-a.pcapng"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ng[:min(len(ng), 3000)])
	be := binary.BigEndian
	f.Add(ngFile(be, []ngBlock{ngIDB(be, LinkEthernet, 0x80|20), {4, make([]byte, 8)},
		ngEPB(be, 0, 1<<40, ether(0x0800, true, ipv4(17, 0, "192.0.2.1", "192.0.2.2", udp(1, 2, []byte("x"))))),
		{3, append(be.AppendUint32(nil, 40), ipv4(17, 0, "192.0.2.1", "192.0.2.2", udp(1, 2, []byte("y")))...)}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		for range 10000 {
			p, err := r.Next()
			if err != nil {
				return
			}
			if !p.Src.IsValid() || !p.Dst.IsValid() || len(p.Payload) > len(data) {
				t.Fatalf("bad packet %+v", p)
			}
		}
	})
}

// Building pcapng files for the tests: a section in the given byte order,
// then blocks.

type ngBlock struct {
	typ  uint32
	body []byte
}

func ngFile(order binary.AppendByteOrder, sections ...[]ngBlock) []byte {
	var b []byte
	block := func(typ uint32, body []byte) {
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		b = order.AppendUint32(b, typ)
		b = order.AppendUint32(b, uint32(12+len(body)))
		b = append(b, body...)
		b = order.AppendUint32(b, uint32(12+len(body)))
	}
	for _, blocks := range sections {
		shb := order.AppendUint32(nil, 0x1A2B3C4D)
		shb = order.AppendUint16(shb, 1)
		shb = order.AppendUint16(shb, 0)
		shb = order.AppendUint64(shb, ^uint64(0))
		block(0x0A0D0D0A, shb)
		for _, bl := range blocks {
			block(bl.typ, bl.body)
		}
	}
	return b
}

// ngIDB is an interface description; tsresol 0 leaves the default.
func ngIDB(order binary.AppendByteOrder, link uint16, tsresol byte) ngBlock {
	b := order.AppendUint16(nil, link)
	b = order.AppendUint16(b, 0)
	b = order.AppendUint32(b, 0)
	if tsresol != 0 {
		b = order.AppendUint16(b, 9)
		b = order.AppendUint16(b, 1)
		b = append(b, tsresol, 0, 0, 0)
	}
	b = order.AppendUint32(b, 0) // end of options
	return ngBlock{1, b}
}

func ngEPB(order binary.AppendByteOrder, iface uint32, ts uint64, data []byte) ngBlock {
	b := order.AppendUint32(nil, iface)
	b = order.AppendUint32(b, uint32(ts>>32))
	b = order.AppendUint32(b, uint32(ts))
	b = order.AppendUint32(b, uint32(len(data)))
	b = order.AppendUint32(b, uint32(len(data)))
	return ngBlock{6, append(b, data...)}
}

func TestPcapngSameAsPcap(t *testing.T) {
	// editcap's pcapng of a capture gives the same datagrams, times and all.
	read := func(name string) []Packet {
		f, err := os.Open(filepath.Join("..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var pkts []Packet
		for {
			p, err := r.Next()
			if err == io.EOF {
				if r.LinkType() != LinkEthernet {
					t.Errorf("%s: link type %d", name, r.LinkType())
				}
				return pkts
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			p.Payload = bytes.Clone(p.Payload)
			pkts = append(pkts, p)
		}
	}
	classic, ng := read("softflowd-v9-a.pcap"), read("softflowd-v9-a.pcapng")
	if len(ng) != 39 || len(classic) != len(ng) {
		t.Fatalf("%d packets from pcapng, %d from pcap", len(ng), len(classic))
	}
	for i := range ng {
		if ng[i].Src != classic[i].Src || ng[i].Dst != classic[i].Dst || !ng[i].Time.Equal(classic[i].Time) || !bytes.Equal(ng[i].Payload, classic[i].Payload) {
			t.Fatalf("packet %d differs: %v %v %v", i, ng[i].Src, ng[i].Time, classic[i].Time)
		}
	}
}

func TestPcapngSectionsInterfacesBlocks(t *testing.T) {
	pay := []byte("netflow!")
	v4 := ipv4(17, 0, "192.0.2.1", "192.0.2.2", udp(5000, 2055, pay))
	v6 := ipv6(17, "2001:db8::1", "2001:db8::2", udp(5001, 4739, pay))
	for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		other := binary.AppendByteOrder(binary.BigEndian)
		if order == binary.BigEndian {
			other = binary.LittleEndian
		}
		simple := order.AppendUint32(nil, uint32(len(v4)))
		old := order.AppendUint16(nil, 1)
		old = order.AppendUint16(old, 0)
		old = order.AppendUint32(old, 0)
		old = order.AppendUint32(old, 1_700_000_000)
		old = order.AppendUint32(old, uint32(14+len(v6)))
		old = order.AppendUint32(old, uint32(14+len(v6)))
		file := append(ngFile(order, []ngBlock{
			ngIDB(order, LinkRaw, 0),      // 0: microseconds
			ngIDB(order, LinkEthernet, 9), // 1: nanoseconds
			{4, make([]byte, 20)},         // a name resolution block: skipped
			ngEPB(order, 0, 1_700_000_000_000_500, v4),
			ngEPB(order, 1, 1_700_000_000_000_000_007, ether(0x86dd, true, v6)),
			{3, append(simple, v4...)},
			{2, append(old, ether(0x86dd, false, v6)...)},
			{5, make([]byte, 24)}, // interface statistics: skipped
		}), ngFile(other, []ngBlock{ // a second section, in the other byte order
			ngIDB(other, LinkLinuxSLL, 0x80|10), // 2^-10 s
			ngEPB(other, 0, 1_700_000_000<<10|512, sll(0x0800, v4)),
		})...)
		pkts, skipped, err := readAll(t, file)
		if err != nil {
			t.Fatal(err)
		}
		if len(pkts) != 5 || skipped != (Skipped{}) {
			t.Fatalf("%d packets, skipped %+v", len(pkts), skipped)
		}
		want := []struct {
			src  string
			time time.Time
		}{
			{"192.0.2.1:5000", time.Unix(1_700_000_000, 500_000).UTC()},
			{"[2001:db8::1]:5001", time.Unix(1_700_000_000, 7).UTC()},
			{"192.0.2.1:5000", time.Time{}},
			{"[2001:db8::1]:5001", time.Unix(1, 700_000_000).UTC()}, // interface 1 counts nanoseconds
			{"192.0.2.1:5000", time.Unix(1_700_000_000, 500_000_000).UTC()},
		}
		for i, w := range want {
			if p := pkts[i]; p.Src.String() != w.src || !p.Time.Equal(w.time) || string(p.Payload) != "netflow!" {
				t.Errorf("packet %d: %v at %v %q, want %v at %v", i, p.Src, p.Time, p.Payload, w.src, w.time)
			}
		}
	}
}

func TestPcapngDamaged(t *testing.T) {
	order := binary.LittleEndian
	pay := ipv4(17, 0, "192.0.2.1", "192.0.2.2", udp(1, 2, []byte("abc")))
	good := ngFile(order, []ngBlock{ngIDB(order, LinkRaw, 0), ngEPB(order, 0, 1, pay), ngEPB(order, 0, 2, pay)})
	for n := range len(good) {
		if _, _, err := readAll(t, good[:n]); err == nil && n != len(good) && n != 28+20+len(good[48:])/2 {
			pkts, _, _ := readAll(t, good[:n])
			if n > 28 && len(pkts) == 2 {
				t.Errorf("cut at %d read as whole", n)
			}
		}
	}
	for name, bad := range map[string][]byte{
		"packet of an undescribed interface": ngFile(order, []ngBlock{ngEPB(order, 3, 1, pay)}),
		"block length not a multiple of 4":   append(ngFile(order, nil), 6, 0, 0, 0, 13, 0, 0, 0),
		"huge packet block":                  append(ngFile(order, nil), 6, 0, 0, 0, 0, 0, 0, 64),
		"captured length past the block": ngFile(order, []ngBlock{ngIDB(order, LinkRaw, 0),
			{6, order.AppendUint32(order.AppendUint32(order.AppendUint32(order.AppendUint32(order.AppendUint32(nil, 0), 0), 0), 999), 999)}}),
	} {
		if _, _, err := readAll(t, bad); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
}
