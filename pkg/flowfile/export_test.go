package flowfile

import "github.com/klauspost/compress/zstd"

// ColumnData returns, for tests and measurements, the raw bytes of each
// column of a block holding recs.
func ColumnData(recs []Record) [][]byte {
	var c columns
	for i := range recs {
		c.add(&recs[i])
	}
	c.finish()
	out := make([][]byte, numCols)
	for i := range out {
		out[i] = c.data[i]
	}
	return out
}

// BlockData returns the uncompressed data of a block holding recs.
func BlockData(recs []Record) []byte {
	var c columns
	for i := range recs {
		c.add(&recs[i])
	}
	b, _, _ := c.appendPayload(nil, nil)
	return b
}

// PayloadSize returns the size of the payload of a block holding recs,
// compressed with zstd at level.
func PayloadSize(recs []Record, level zstd.EncoderLevel) int {
	var c columns
	for i := range recs {
		c.add(&recs[i])
	}
	comp := compressor{codec: CodecZstd, level: level}
	b, _, err := c.appendPayload(nil, &comp)
	if err != nil {
		panic(err)
	}
	return len(b)
}
