package silk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A tool that describes files (as rwfileinfo does) reads a SiLK file's
// header with ReadHeader, or takes it from an open flowfile.Reader:
//
//	if s, ok := r.Foreign().(*silk.Source); ok {
//		h := s.Header() // h.Format, h.Version, h.Compression, h.Entries...
//	}
//
// and counts its records with Count.

// Count reads a SiLK file's header and counts its records without
// decompressing them: an uncompressed file's length says it, a compressed
// file's blocks say how many bytes each holds. src is read to its end.
func Count(src io.Reader) (*Header, uint64, error) {
	h, err := ReadHeader(src)
	if err != nil {
		return nil, 0, err
	}
	if h.RecordSize == 0 {
		return h, 0, fmt.Errorf("SiLK file format %v: record size 0", h.Format)
	}
	size := uint64(h.RecordSize)
	if h.Compression == CompressNone {
		n, err := io.Copy(io.Discard, src)
		if err != nil {
			return h, 0, err
		}
		return h, uint64(n) / size, nil
	}
	var total uint64
	var lens [8]byte
	for {
		if _, err := io.ReadFull(src, lens[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return h, total, nil
			}
			return h, total, fmt.Errorf("truncated block header after %d records", total)
		}
		stored := int64(binary.BigEndian.Uint32(lens[:]))
		plain := uint64(binary.BigEndian.Uint32(lens[4:]))
		if n, err := io.CopyN(io.Discard, src, stored); err != nil {
			return h, total, fmt.Errorf("truncated block after %d records: %d of %d bytes", total, n, stored)
		}
		total += plain / size
	}
}
