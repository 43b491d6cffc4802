package flowfile

import (
	"bytes"
	"io"
	"net/netip"
	"testing"
	"time"
)

// A block with thousands of IPv4 hosts (kept in the packed endpoint table)
// followed by IPv6 hosts (kept in the generic one) once made the generic
// table re-insert every key on growth, fill up and spin forever: the
// collector hung on its first IPv6 flow after a busy IPv4 minute.
func TestDictionaryManyIPv4ThenIPv6(t *testing.T) {
	var recs []Record
	for i := range 5000 {
		recs = append(recs, Record{
			SIP: netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)}), DIP: netip.AddrFrom4([4]byte{203, 0, 113, byte(i)}),
			STime: 1_700_000_000_000 + int64(i), ETime: 1_700_000_000_100 + int64(i), Packets: 1, Bytes: 40, Proto: 6,
			In: uint32(i), Out: uint32(i) + 1, // many classes too
		})
	}
	for i := range 3000 {
		var a [16]byte
		a[0], a[1], a[14], a[15] = 0x20, 0x01, byte(i>>8), byte(i)
		recs = append(recs, Record{
			SIP: netip.AddrFrom16(a), DIP: netip.MustParseAddr("2001:db8::1"),
			STime: 1_700_000_001_000 + int64(i), ETime: 1_700_000_001_000 + int64(i), Packets: 2, Bytes: 120, Proto: 17,
			NhIP: netip.AddrFrom16(a), In: uint32(i), // IPv6 next hops go through the generic class table
		})
	}
	var buf bytes.Buffer
	done := make(chan error, 1)
	go func() {
		w, err := NewWriter(&buf, Header{Kind: KindStream, Codec: CodecZstd})
		if err != nil {
			done <- err
			return
		}
		for i := range recs {
			if err := w.Write(&recs[i]); err != nil {
				done <- err
				return
			}
		}
		done <- w.Close()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("writing 5000 IPv4 then 3000 IPv6 records did not finish: the dictionary hangs")
	}
	r, err := NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		w := recs[n]
		if rec.SIP != w.SIP || rec.DIP != w.DIP || rec.NhIP != w.NhIP || rec.In != w.In || rec.Out != w.Out || rec.Bytes != w.Bytes {
			t.Fatalf("record %d: got %+v, want %+v", n, *rec, w)
		}
		n++
	}
	if n != len(recs) {
		t.Fatalf("read %d records, wrote %d", n, len(recs))
	}
}
