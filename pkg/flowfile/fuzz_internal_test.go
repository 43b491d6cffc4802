package flowfile

import (
	"net/netip"
	"testing"
)

// FuzzBlockDecode feeds arbitrary payloads, record counts and codecs to
// the block decoder, past the CRC check a damaged file would stop at.
func FuzzBlockDecode(f *testing.F) {
	recs := []Record{
		{SIP: netip.MustParseAddr("10.0.0.1"), DIP: netip.MustParseAddr("192.0.2.7"), SPort: 40000, DPort: 443, Proto: 6, Packets: 3, Bytes: 180, STime: 1444348800000, ETime: 1444348800100},
		{SIP: netip.MustParseAddr("2001:db8::1"), DIP: netip.MustParseAddr("2001:db8::2"), NhIP: netip.MustParseAddr("fe80::1"), SPort: 53, DPort: 5353, Proto: 17, Packets: 1, Bytes: 80, STime: 1444348800050, ETime: 1444348800050, In: 70000, SCC: MakeCountry("ch")},
		{SIP: netip.MustParseAddr("10.0.0.1"), DPort: 8 << 8, Proto: 1, Packets: 1, Bytes: 84, STime: 1444348800000, ETime: 1444348800000},
	}
	// Enough records that columns are packed (zstd, S2 and Huffman).
	for i := range 400 {
		recs = append(recs, Record{
			SIP: netip.AddrFrom4([4]byte{10, 0, byte(i % 7), byte(i % 13)}), DIP: netip.AddrFrom4([4]byte{192, 0, 2, byte(i * 37)}),
			SPort: uint16(32768 + i*7919%28000), DPort: []uint16{443, 80, 53}[i%3], Proto: 6, Packets: uint64(i%17 + 1),
			Bytes: uint64(i*i%100000 + 40), STime: 1444348800000 + int64(i*3), ETime: 1444348800000 + int64(i*3+i%50),
		})
	}
	for _, codec := range []Codec{CodecNone, CodecZstd, CodecS2} {
		var c columns
		for i := range recs {
			c.add(&recs[i])
		}
		comp := compressor{codec: codec}
		payload, rawLen, err := c.appendPayload(nil, &comp)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(payload, uint32(len(recs)), uint32(rawLen), uint8(codec))
	}
	var d decompressor
	recBuf := make([]Record, MaxBlockRecords)
	f.Fuzz(func(t *testing.T, payload []byte, n, rawLen uint32, codec uint8) {
		// The block header bounds these before decoding starts.
		if n == 0 || n > MaxBlockRecords || rawLen > MaxBlockBytes || !Codec(codec).valid() {
			return
		}
		s := BlockSummary{Records: int(n), Stored: int(n), Codec: Codec(codec), rawLen: int(rawLen), MinSTime: 1444348800000}
		out, err := d.decodeBlock(&s, payload, nil, recBuf)
		if err == nil && len(out) != int(n) {
			t.Fatalf("decoded %d records, block says %d", len(out), n)
		}
	})
}
