package flowfile

import (
	"fmt"
	"hash/crc32"
)

// BlockEncoder encodes records into complete blocks (block header and
// payload, as Writer.Flush writes them) in memory, so that several
// goroutines can encode the blocks of one stream at once and a single
// Writer copies them out in order with WriteRaw.
//
// A BlockEncoder is not safe for concurrent use; use one per goroutine.
type BlockEncoder struct {
	cols columns
	comp compressor
	raw  []byte
}

// NewBlockEncoder returns an encoder of blocks compressed with codec.
func NewBlockEncoder(codec Codec) *BlockEncoder {
	return &BlockEncoder{comp: compressor{codec: codec}}
}

// AppendBlock appends one block holding recs (1 to MaxBlockRecords
// records) to dst and returns the extended slice.
func (e *BlockEncoder) AppendBlock(dst []byte, recs []Record) ([]byte, error) {
	if len(recs) == 0 || len(recs) > MaxBlockRecords {
		return dst, fmt.Errorf("encode block: %d records, want 1 to %d", len(recs), MaxBlockRecords)
	}
	e.cols.reset()
	for i := range recs {
		e.cols.add(&recs[i])
	}
	return appendEncoded(dst, &e.cols, &e.comp, &e.raw)
}

// Close releases the compressor.
func (e *BlockEncoder) Close() { e.comp.release() }

// appendEncoded appends the block of the records in cols to dst: header
// and payload, the payload built in *scratch.
func appendEncoded(dst []byte, cols *columns, comp *compressor, scratch *[]byte) ([]byte, error) {
	sum := &cols.sum
	sum.Records, sum.Stored = cols.n, cols.n
	sum.Codec = comp.codec
	payload, rawLen, err := cols.appendPayload((*scratch)[:0], comp)
	*scratch = payload
	if err != nil {
		return dst, fmt.Errorf("compress: %w", err)
	}
	if rawLen > MaxBlockBytes || len(payload) > MaxBlockBytes {
		return dst, fmt.Errorf("%d bytes of column data exceed the maximum", rawLen)
	}
	sum.rawLen = rawLen
	sum.payloadLen = len(payload)
	sum.payloadCRC = crc32.Checksum(payload, castagnoli)
	dst = appendBlockHeader(dst, sum)
	return append(dst, payload...), nil
}
