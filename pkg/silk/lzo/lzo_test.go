package lzo

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"
)

func TestHandMadeStreams(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []byte
		want string
	}{
		// first byte 17+n: n literals; 0x11 0 0 ends every stream
		{"literals", []byte{17 + 5, 'h', 'e', 'l', 'l', 'o', 0x11, 0, 0}, "hello"},
		// 3 literals, then an overlapping 8-byte match 3 back (opcode
		// 1 LL DDD SS: L=3, D=2, S=0; distance (H<<3)+D+1)
		{"overlapping match", []byte{17 + 3, 'a', 'b', 'c', 0xE8, 0x00, 0x11, 0, 0}, "abcabcabcab"},
		// a long literal run: opcode 0 with a length extension (0 then
		// 1: 255+15+1+3... here 0, then 2 gives 15+2+3 = 20 literals)
		{"long literal run", append(append([]byte{0x00, 2}, bytes.Repeat([]byte{'x'}, 20)...), 0x11, 0, 0), "xxxxxxxxxxxxxxxxxxxx"},
	} {
		got, err := Decompress(nil, c.in, len(c.want))
		if err != nil || string(got) != c.want {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestBadStreams(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []byte
		size int
	}{
		{"empty", nil, 0},
		{"no end marker", []byte{17 + 2, 'h', 'i'}, 2},
		{"match before the start", []byte{17 + 1, 'a', 0xE8, 0x07, 0x11, 0, 0}, 9},
		{"more output than announced", []byte{17 + 5, 'h', 'e', 'l', 'l', 'o', 0x11, 0, 0}, 4},
		{"less output than announced", []byte{17 + 5, 'h', 'e', 'l', 'l', 'o', 0x11, 0, 0}, 6},
		{"bytes after the end", []byte{17 + 2, 'h', 'i', 0x11, 0, 0, 0}, 2},
		{"literal run past the input", []byte{0x00, 0x00, 0x00}, 1000},
	} {
		if got, err := Decompress(nil, c.in, c.size); err == nil {
			t.Errorf("%s: decompressed to %q without an error", c.name, got)
		}
	}
}

// TestSilkBlocks decompresses the blocks of a real SiLK file (rwtuc
// --compression-method=lzo1x) and compares them with the uncompressed
// file's records.
func TestSilkBlocks(t *testing.T) {
	lz, err := os.ReadFile("../testdata/ipv6routing-lzo1x.rw")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := os.ReadFile("../testdata/ipv6routing-none.rw")
	if err != nil {
		t.Fatal(err)
	}
	body := plain[176:] // both headers are 176 bytes long
	var got []byte
	blocks := 0
	for off := 176; off < len(lz); blocks++ {
		stored := int(binary.BigEndian.Uint32(lz[off:]))
		size := int(binary.BigEndian.Uint32(lz[off+4:]))
		out, err := Decompress(nil, lz[off+8:off+8+stored], size)
		if err != nil {
			t.Fatalf("block at %d: %v", off, err)
		}
		got = append(got, out...)
		off += 8 + stored
	}
	if !bytes.Equal(got, body) {
		t.Errorf("%d blocks decompress to %d bytes that differ from the %d of the uncompressed file", blocks, len(got), len(body))
	}
}

// FuzzDecompress: no input makes Decompress panic, read or write out of
// bounds, or return other than the size announced.
func FuzzDecompress(f *testing.F) {
	f.Add([]byte{17 + 3, 'a', 'b', 'c', 0xE8, 0x00, 0x11, 0, 0}, uint16(11))
	f.Add([]byte{0x00, 2, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x', 0x11, 0, 0}, uint16(20))
	if lz, err := os.ReadFile("../testdata/ipv6routing-lzo1x.rw"); err == nil {
		stored := int(binary.BigEndian.Uint32(lz[176:]))
		size := binary.BigEndian.Uint32(lz[180:])
		f.Add(lz[184:184+stored], uint16(size))
	}
	f.Fuzz(func(t *testing.T, in []byte, size uint16) {
		out, err := Decompress(nil, in, int(size))
		if err == nil && len(out) != int(size) {
			t.Fatalf("%d bytes out, %d announced", len(out), size)
		}
	})
}
