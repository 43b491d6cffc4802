package flowfile

import (
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/huff0"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// zstd encoders and decoders are expensive to build (tables, history
// windows), so each Writer and Reader borrows one from a pool for its
// lifetime and returns it on Close.
var (
	zstdEncoders [zstd.SpeedBestCompression + 1]sync.Pool // by level
	zstdDecoders sync.Pool
)

// zstdLevel is the level of files at rest. With byte planes Huffman-coded
// apart, "better" and "best" save under 1% more for 1.4 and 4.6 times the
// CPU (BenchmarkZstdLevels, bench/flowfile.sh).
const zstdLevel = zstd.SpeedDefault

func getZstdEncoder(level zstd.EncoderLevel) (*zstd.Encoder, error) {
	if e, ok := zstdEncoders[level].Get().(*zstd.Encoder); ok {
		return e, nil
	}
	return zstd.NewWriter(nil,
		zstd.WithEncoderLevel(level),
		zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(1<<22),
		// The block's CRC-32C already covers every stored byte.
		zstd.WithEncoderCRC(false),
	)
}

func getZstdDecoder() (*zstd.Decoder, error) {
	if d, ok := zstdDecoders.Get().(*zstd.Decoder); ok {
		return d, nil
	}
	return zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderMaxMemory(MaxBlockBytes),
		zstd.WithDecoderMaxWindow(MaxBlockBytes),
		zstd.IgnoreChecksum(true),
	)
}

// compressor compresses block payloads for one Writer.
type compressor struct {
	codec Codec
	level zstd.EncoderLevel // 0 means zstdLevel
	zenc  *zstd.Encoder
	huff  huff0.Scratch
	tmp   []byte
}

// Methods of a packed column, its first stored byte (FORMAT.md, "Block data").
const (
	packCodec   = 1 // the rest is the column compressed with the block's codec
	packHuffman = 2 // the rest is a Huffman table and four streams (huff0 4X)
)

// pack appends a packed column to dst: byte planes with Huffman coding
// alone (their bytes have no longer matches to find, and zstd's fast
// levels leave them uncoded), other columns with the block's codec. An
// empty result means the column does not compress.
func (c *compressor) pack(dst, data []byte, plane bool) ([]byte, error) {
	if plane && len(data) <= huff0.BlockSizeMax {
		c.huff.Reuse = huff0.ReusePolicyNone
		out, _, err := huff0.Compress4X(data, &c.huff)
		if err != nil {
			return dst[:0], nil // incompressible or a single byte value
		}
		dst = append(dst, packHuffman)
		return append(dst, out...), nil
	}
	out, err := c.compress(c.tmp, data)
	if err != nil {
		return nil, err
	}
	c.tmp = out
	dst = append(dst, packCodec)
	return append(dst, out...), nil
}

// compress returns raw compressed with the codec, appended to dst[:0].
func (c *compressor) compress(dst, raw []byte) ([]byte, error) {
	switch c.codec {
	case CodecZstd:
		if c.zenc == nil {
			if c.level == 0 {
				c.level = zstdLevel
			}
			e, err := getZstdEncoder(c.level)
			if err != nil {
				return nil, err
			}
			c.zenc = e
		}
		return c.zenc.EncodeAll(raw, dst[:0]), nil
	case CodecS2:
		if n := s2.MaxEncodedLen(len(raw)); cap(dst) < n {
			dst = make([]byte, n)
		}
		return s2.Encode(dst[:cap(dst)], raw), nil
	}
	return append(dst[:0], raw...), nil
}

func (c *compressor) release() {
	if c.zenc != nil {
		zstdEncoders[c.level].Put(c.zenc)
		c.zenc = nil
	}
}

// decompressor decodes block payloads for one Reader or worker, reusing
// its output buffer.
type decompressor struct {
	zdec *zstd.Decoder
	huff huff0.Scratch
	raw  []byte
	blk  blockDecoder
}

// column decompresses one packed column of rawLen bytes, appending it to
// d.raw, whose capacity prepare has set to the block's total, so the
// columns decoded before stay where they are.
func (d *decompressor) column(codec Codec, stored []byte, rawLen int) ([]byte, error) {
	start := len(d.raw)
	if rawLen > cap(d.raw)-start {
		return nil, errors.New("column overruns the block")
	}
	if len(stored) < 1 {
		return nil, errors.New("empty packed column")
	}
	method := stored[0]
	stored = stored[1:]
	switch method {
	case packHuffman:
		if rawLen > huff0.BlockSizeMax {
			return nil, errors.New("huffman column too long")
		}
		s, rest, err := huff0.ReadTable(stored, &d.huff)
		if err != nil {
			return nil, fmt.Errorf("huffman table: %w", err)
		}
		out, err := s.Decoder().Decompress4X(d.raw[start:start:start+rawLen], rest)
		if err != nil {
			return nil, fmt.Errorf("huffman: %w", err)
		}
		if len(out) != rawLen {
			return nil, fmt.Errorf("huffman: decoded length %d, column header says %d", len(out), rawLen)
		}
		d.raw = d.raw[:start+rawLen]
		return d.raw[start:], nil
	case packCodec:
	default:
		return nil, fmt.Errorf("unknown packing method %d", method)
	}
	switch codec {
	case CodecS2:
		n, err := s2.DecodedLen(stored)
		if err != nil {
			return nil, fmt.Errorf("s2: %w", err)
		}
		if n != rawLen {
			return nil, fmt.Errorf("s2: decoded length %d, column header says %d", n, rawLen)
		}
		out, err := s2.Decode(d.raw[start:start+rawLen], stored)
		if err != nil {
			return nil, fmt.Errorf("s2: %w", err)
		}
		if len(out) != rawLen || (rawLen > 0 && &out[0] != &d.raw[start : start+1][0]) {
			return nil, errors.New("s2: decoded into the wrong buffer")
		}
		d.raw = d.raw[:start+rawLen]
		return d.raw[start:], nil
	case CodecZstd:
		if d.zdec == nil {
			z, err := getZstdDecoder()
			if err != nil {
				return nil, err
			}
			d.zdec = z
		}
		out, err := d.zdec.DecodeAll(stored, d.raw[start:start:start+rawLen])
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		if len(out) != rawLen {
			return nil, fmt.Errorf("zstd: decoded length %d, column header says %d", len(out), rawLen)
		}
		if rawLen > 0 && &out[0] != &d.raw[start : start+1][0] {
			copy(d.raw[start:start+rawLen], out) // cannot happen with a length-checked frame; stay correct anyway
		}
		d.raw = d.raw[:start+rawLen]
		return d.raw[start:], nil
	}
	return nil, fmt.Errorf("codec %s does not pack columns", codec)
}

func (d *decompressor) release() {
	if d.zdec != nil {
		zstdDecoders.Put(d.zdec)
		d.zdec = nil
	}
}

// decodeBlock decodes one block, with the selection sel (empty: none),
// into recs (grown as needed, up to MaxBlockRecords) and returns the
// records.
func (d *decompressor) decodeBlock(s *BlockSummary, payload []byte, sel []uint64, recs []Record) ([]Record, error) {
	if cap(recs) < s.Stored {
		recs = make([]Record, s.Stored)
	}
	recs = recs[:s.Stored]
	if err := d.blk.prepare(payload, s, d, sel, AllFields); err != nil {
		return recs[:0], err
	}
	n, err := d.blk.run(recs)
	if err != nil {
		return recs[:0], err
	}
	return recs[:n], nil
}
