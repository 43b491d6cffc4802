package flowfile

import (
	"fmt"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// zstd encoders and decoders are expensive to build (tables, history
// windows), so each Writer and Reader borrows one from a pool for its
// lifetime and returns it on Close.
var (
	zstdEncoders sync.Pool
	zstdDecoders sync.Pool
)

// zstdLevel is the level of files at rest: see docs/PERFORMANCE.md for the
// measurement behind the choice.
const zstdLevel = zstd.SpeedDefault

func getZstdEncoder() (*zstd.Encoder, error) {
	if e, ok := zstdEncoders.Get().(*zstd.Encoder); ok {
		return e, nil
	}
	return zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstdLevel),
		zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(1<<22),
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
	)
}

// compressor compresses block payloads for one Writer.
type compressor struct {
	codec Codec
	zenc  *zstd.Encoder
}

func (c *compressor) compress(dst, raw []byte) ([]byte, error) {
	switch c.codec {
	case CodecZstd:
		if c.zenc == nil {
			e, err := getZstdEncoder()
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
		zstdEncoders.Put(c.zenc)
		c.zenc = nil
	}
}

// decompressor decodes block payloads for one Reader or worker, reusing
// its output buffer.
type decompressor struct {
	zdec *zstd.Decoder
	raw  []byte
}

// decompress returns the payload's column data, which must be exactly
// rawLen bytes (at most MaxBlockBytes, checked by parseBlockHeader).
func (d *decompressor) decompress(codec Codec, payload []byte, rawLen int) ([]byte, error) {
	switch codec {
	case CodecNone:
		if len(payload) != rawLen {
			return nil, fmt.Errorf("stored length %d, header says %d", len(payload), rawLen)
		}
		return payload, nil
	case CodecS2:
		n, err := s2.DecodedLen(payload)
		if err != nil {
			return nil, fmt.Errorf("s2: %w", err)
		}
		if n != rawLen {
			return nil, fmt.Errorf("s2: decoded length %d, header says %d", n, rawLen)
		}
		d.grow(rawLen)
		out, err := s2.Decode(d.raw[:rawLen], payload)
		if err != nil {
			return nil, fmt.Errorf("s2: %w", err)
		}
		return out, nil
	case CodecZstd:
		if d.zdec == nil {
			z, err := getZstdDecoder()
			if err != nil {
				return nil, err
			}
			d.zdec = z
		}
		d.grow(rawLen)
		out, err := d.zdec.DecodeAll(payload, d.raw[:0])
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		if len(out) != rawLen {
			return nil, fmt.Errorf("zstd: decoded length %d, header says %d", len(out), rawLen)
		}
		if cap(out) > cap(d.raw) {
			d.raw = out[:0]
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown codec %d", codec)
}

func (d *decompressor) grow(n int) {
	if cap(d.raw) < n {
		d.raw = make([]byte, n)
	}
}

func (d *decompressor) release() {
	if d.zdec != nil {
		zstdDecoders.Put(d.zdec)
		d.zdec = nil
	}
}

// decodeBlock decompresses and decodes one block into recs (grown as
// needed, up to MaxBlockRecords) and returns the records.
func (d *decompressor) decodeBlock(s *BlockSummary, payload []byte, recs []Record) ([]Record, error) {
	raw, err := d.decompress(s.Codec, payload, s.rawLen)
	if err != nil {
		return recs[:0], err
	}
	if cap(recs) < s.Records {
		recs = make([]Record, s.Records)
	}
	recs = recs[:s.Records]
	if err := decodeColumns(raw, s.Records, s.MinSTime, recs); err != nil {
		return recs[:0], err
	}
	return recs, nil
}
