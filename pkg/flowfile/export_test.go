package flowfile

import (
	"os"

	"github.com/klauspost/compress/zstd"
)

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

// SetZstdLevel sets the zstd level of a Writer's blocks, for benchmarks.
func SetZstdLevel(w *Writer, level zstd.EncoderLevel) {
	w.comp.release()
	w.comp.level = level
}

// LockWriting takes a writer's lock on f, as Create and OpenAppend do,
// for tests that write through NewWriter.
func LockWriting(f *os.File) error { return lockWriting(f) }
