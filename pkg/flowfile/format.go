package flowfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/bits"
	"slices"
	"time"
)

// The constants of the on-disk format. docs/FORMAT.md describes every byte;
// the section named in each comment is the one to read before changing it.
const (
	// FileMagic opens every flow file and stream (FORMAT.md, "File header").
	FileMagic = "GFLW"
	// Version is the format version this package writes. Readers accept
	// every version from 1 to Version (FORMAT.md, "Versions").
	Version = 2

	// BlockMagic opens every block; readers scan for it to resynchronise
	// after a corrupt block (FORMAT.md, "Blocks").
	BlockMagic = "\xF6GFB"

	// MaxBlockRecords bounds the records in one block (FORMAT.md, "Blocks").
	MaxBlockRecords = 1 << 16
	// MaxBlockBytes bounds a block's stored payload and its decompressed
	// column data. No length field can make a reader allocate more.
	MaxBlockBytes = 16 << 20

	// DefaultBlockRecords is how many records a Writer puts in a full block.
	DefaultBlockRecords = 1 << 16

	fileHeaderFixed = 22   // magic..hour, before the two strings
	fileHeaderMax   = 1024 // header_len upper bound
	blockHeaderSize = 88
)

// Kind says what a flow file holds (FORMAT.md, "File header", kind).
type Kind uint8

const (
	// KindFile is an hourly repository file: one sensor, one flow type, one hour.
	KindFile Kind = 1
	// KindStream is a record stream (a pipe or a tool's output file):
	// records of any sensor, type and time.
	KindStream Kind = 2
)

func (k Kind) String() string {
	switch k {
	case KindFile:
		return "hourly file"
	case KindStream:
		return "stream"
	}
	return fmt.Sprintf("kind%d", uint8(k))
}

// Codec is the compression of block payloads (FORMAT.md, "Codecs").
type Codec uint8

const (
	CodecNone Codec = 0 // column data stored as is
	CodecZstd Codec = 1 // Zstandard (github.com/klauspost/compress/zstd); files at rest
	CodecS2   Codec = 2 // S2 (github.com/klauspost/compress/s2); pipes
)

func (c Codec) String() string {
	switch c {
	case CodecNone:
		return "none"
	case CodecZstd:
		return "zstd"
	case CodecS2:
		return "s2"
	}
	return fmt.Sprintf("codec%d", uint8(c))
}

func (c Codec) valid() bool { return c <= CodecS2 }

// Header is a flow file's header. Type, SensorID, Sensor and Hour describe
// an hourly file (KindFile); a stream may leave them zero.
type Header struct {
	Kind     Kind
	Codec    Codec    // codec of the blocks this writer writes
	Type     FlowType // flow type of every record in an hourly file
	SensorID uint16   // sensor id of every record in an hourly file
	Sensor   string   // sensor name (at most 255 bytes), so a file describes itself
	Hour     time.Time
	// Writer names the program that wrote the file (at most 255 bytes);
	// empty means DefaultWriterName.
	Writer string
	// Version is the format version read from the file; writers ignore it
	// and always write Version.
	Version uint8
}

// DefaultWriterName goes into headers that do not name their writer.
const DefaultWriterName = "gflow"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrNotFlowFile is returned (wrapped) when the input does not start with FileMagic.
var ErrNotFlowFile = errors.New("not a gflow flow file (bad magic)")

// ErrTruncatedHeader is returned (wrapped) when the input ends inside the file header.
var ErrTruncatedHeader = errors.New("truncated file header")

func (h *Header) check() error {
	if h.Kind != KindFile && h.Kind != KindStream {
		return fmt.Errorf("header: unknown kind %d", h.Kind)
	}
	if !h.Codec.valid() {
		return fmt.Errorf("header: unknown codec %d", h.Codec)
	}
	if len(h.Sensor) > 255 || len(h.Writer) > 255 {
		return errors.New("header: sensor or writer name longer than 255 bytes")
	}
	if h.Kind == KindFile {
		if !h.Type.Valid() {
			return fmt.Errorf("header: invalid flow type %d", h.Type)
		}
		if h.Hour.IsZero() || !h.Hour.Equal(h.Hour.Truncate(time.Hour)) {
			return fmt.Errorf("header: hour %v is not the start of an hour", h.Hour)
		}
	}
	return nil
}

// appendHeader appends the encoded header (FORMAT.md, "File header").
func appendHeader(b []byte, h *Header) []byte {
	writer := h.Writer
	if writer == "" {
		writer = DefaultWriterName
	}
	start := len(b)
	total := fileHeaderFixed + 1 + len(h.Sensor) + 1 + len(writer) + 4
	b = append(b, FileMagic...)
	b = append(b, Version, byte(h.Kind), byte(h.Codec), 0)
	b = binary.BigEndian.AppendUint16(b, uint16(total))
	b = append(b, byte(h.Type), 0)
	b = binary.BigEndian.AppendUint16(b, h.SensorID)
	var hour int64
	if !h.Hour.IsZero() {
		hour = h.Hour.Unix()
	}
	b = binary.BigEndian.AppendUint64(b, uint64(hour))
	b = append(b, byte(len(h.Sensor)))
	b = append(b, h.Sensor...)
	b = append(b, byte(len(writer)))
	b = append(b, writer...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// headerLen returns the total header length announced by the first
// fileHeaderFixed bytes, after checking magic and version.
func headerLen(b []byte) (int, error) {
	if string(b[0:4]) != FileMagic {
		return 0, ErrNotFlowFile
	}
	if v := b[4]; v == 0 || v > Version {
		return 0, fmt.Errorf("format version %d is newer than this program reads (%d)", v, Version)
	}
	n := int(binary.BigEndian.Uint16(b[8:10]))
	if n < fileHeaderFixed+1+1+4 || n > fileHeaderMax {
		return 0, fmt.Errorf("header length %d out of range", n)
	}
	return n, nil
}

// parseHeader decodes a complete header of headerLen(b) bytes.
func parseHeader(b []byte) (Header, error) {
	var h Header
	n := len(b)
	if got, want := binary.BigEndian.Uint32(b[n-4:]), crc32.Checksum(b[:n-4], castagnoli); got != want {
		return h, fmt.Errorf("header checksum mismatch (stored %08x, computed %08x)", got, want)
	}
	h.Version = b[4]
	h.Kind = Kind(b[5])
	h.Codec = Codec(b[6])
	h.Type = FlowType(b[10])
	h.SensorID = binary.BigEndian.Uint16(b[12:14])
	if hour := int64(binary.BigEndian.Uint64(b[14:22])); hour != 0 {
		h.Hour = time.Unix(hour, 0).UTC()
	}
	rest := b[fileHeaderFixed : n-4]
	str := func() (string, bool) {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return "", false
		}
		s := string(rest[1 : 1+int(rest[0])])
		rest = rest[1+int(rest[0]):]
		return s, true
	}
	var ok1, ok2 bool
	h.Sensor, ok1 = str()
	h.Writer, ok2 = str()
	if !ok1 || !ok2 {
		return h, errors.New("header strings overrun the header length")
	}
	// Bytes left in rest belong to fields of a later minor revision; a
	// reader of this version ignores them (FORMAT.md, "Versions").
	if h.Kind != KindFile && h.Kind != KindStream {
		return h, fmt.Errorf("unknown kind %d", h.Kind)
	}
	if !h.Codec.valid() {
		return h, fmt.Errorf("unknown codec %d", h.Codec)
	}
	return h, nil
}

// BlockSummary is what a block's header says about its records, so a
// reader can skip a block without decompressing it (FORMAT.md, "Block
// header"). Offset and Index locate the block.
type BlockSummary struct {
	Records   int
	Codec     Codec
	HasIPv4   bool   // some record has IPv4 addresses
	HasIPv6   bool   // some record has IPv6 addresses (Record.IsIPv6)
	Types     uint16 // bit t set: some record has Type t
	MinSensor uint16
	MaxSensor uint16
	MinSTime  int64 // ms since the epoch
	MaxSTime  int64
	MaxETime  int64
	Protocols [4]uint64 // bit p set: some record has Proto p

	Offset int64 // byte offset of the block's magic in the file
	Index  int   // block number, counting from 0, corrupt blocks included

	// Stored is the number of records the block's payload holds. It is
	// Records unless a selection (FORMAT.md, "Selection") picks some of
	// them; the other fields of the summary describe all stored records.
	Stored int

	payloadLen int
	rawLen     int
	payloadCRC uint32
	selected   bool // a selection follows the payload
}

// frameLen returns the length of the whole block: header, payload and
// selection.
func (s *BlockSummary) frameLen() int {
	n := blockHeaderSize + s.payloadLen
	if s.selected {
		n += selectionLen(s.Stored)
	}
	return n
}

// HasProto reports whether some record of the block may have protocol p.
func (s *BlockSummary) HasProto(p uint8) bool { return s.Protocols[p>>6]&(1<<(p&63)) != 0 }

// HasType reports whether some record of the block may have flow type t.
func (s *BlockSummary) HasType(t FlowType) bool { return t < 16 && s.Types&(1<<t) != 0 }

// Overlaps reports whether some record of the block may start in
// [start, end] (ms since the epoch, inclusive).
func (s *BlockSummary) Overlaps(start, end int64) bool {
	return s.MaxSTime >= start && s.MinSTime <= end
}

const (
	blockFlagIPv4      = 1 << 0
	blockFlagIPv6      = 1 << 1
	blockFlagSelection = 1 << 2 // a selection follows the payload (version 2)
	blockFlagsKnown    = blockFlagIPv4 | blockFlagIPv6 | blockFlagSelection
)

// appendBlockHeader appends the 88-byte block header (FORMAT.md, "Block header").
func appendBlockHeader(b []byte, s *BlockSummary) []byte {
	start := len(b)
	b = append(b, BlockMagic...)
	b = binary.BigEndian.AppendUint32(b, uint32(s.payloadLen))
	b = binary.BigEndian.AppendUint32(b, uint32(s.rawLen))
	b = binary.BigEndian.AppendUint32(b, uint32(s.Stored))
	var flags byte
	if s.HasIPv4 {
		flags |= blockFlagIPv4
	}
	if s.HasIPv6 {
		flags |= blockFlagIPv6
	}
	if s.selected {
		flags |= blockFlagSelection
	}
	b = append(b, byte(s.Codec), flags)
	b = binary.BigEndian.AppendUint16(b, s.Types)
	b = binary.BigEndian.AppendUint16(b, s.MinSensor)
	b = binary.BigEndian.AppendUint16(b, s.MaxSensor)
	b = binary.BigEndian.AppendUint64(b, uint64(s.MinSTime))
	b = binary.BigEndian.AppendUint64(b, uint64(s.MaxSTime))
	b = binary.BigEndian.AppendUint64(b, uint64(s.MaxETime))
	for _, w := range s.Protocols {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	b = binary.BigEndian.AppendUint32(b, s.payloadCRC)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b[start+4:], castagnoli))
}

// parseBlockHeader decodes and checks a block header of blockHeaderSize
// bytes. The error says what is wrong; the caller wraps it in a BlockError.
func parseBlockHeader(b []byte, s *BlockSummary) error {
	if string(b[:4]) != BlockMagic {
		return errors.New("bad block magic")
	}
	if got, want := binary.BigEndian.Uint32(b[84:88]), crc32.Checksum(b[4:84], castagnoli); got != want {
		return fmt.Errorf("block header checksum mismatch (stored %08x, computed %08x)", got, want)
	}
	plen := binary.BigEndian.Uint32(b[4:8])
	rlen := binary.BigEndian.Uint32(b[8:12])
	count := binary.BigEndian.Uint32(b[12:16])
	if plen > MaxBlockBytes || rlen > MaxBlockBytes {
		return fmt.Errorf("block length %d/%d exceeds the maximum %d", plen, rlen, MaxBlockBytes)
	}
	if count == 0 || count > MaxBlockRecords {
		return fmt.Errorf("block record count %d out of range 1..%d", count, MaxBlockRecords)
	}
	codec := Codec(b[16])
	if !codec.valid() {
		return fmt.Errorf("unknown block codec %d", b[16])
	}
	if b[17]&^blockFlagsKnown != 0 {
		return fmt.Errorf("unknown block flags %#x", b[17])
	}
	*s = BlockSummary{
		Records:    int(count),
		Stored:     int(count),
		selected:   b[17]&blockFlagSelection != 0,
		Codec:      codec,
		HasIPv4:    b[17]&blockFlagIPv4 != 0,
		HasIPv6:    b[17]&blockFlagIPv6 != 0,
		Types:      binary.BigEndian.Uint16(b[18:20]),
		MinSensor:  binary.BigEndian.Uint16(b[20:22]),
		MaxSensor:  binary.BigEndian.Uint16(b[22:24]),
		MinSTime:   int64(binary.BigEndian.Uint64(b[24:32])),
		MaxSTime:   int64(binary.BigEndian.Uint64(b[32:40])),
		MaxETime:   int64(binary.BigEndian.Uint64(b[40:48])),
		payloadLen: int(plen),
		rawLen:     int(rlen),
		payloadCRC: binary.BigEndian.Uint32(b[80:84]),
	}
	for i := range s.Protocols {
		s.Protocols[i] = binary.LittleEndian.Uint64(b[48+8*i:])
	}
	return nil
}

// selectionLen is the length of the selection of a block of n stored
// records (FORMAT.md, "Selection").
func selectionLen(n int) int { return 4 + 8*selectionWords(n) + 4 }

// selectionWords is the number of bitmap words for n records.
func selectionWords(n int) int { return (n + 63) / 64 }

// appendSelection appends the selection of count records marked in sel,
// a bitmap of n stored records.
func appendSelection(b []byte, sel []uint64, n, count int) []byte {
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, uint32(count))
	for _, w := range sel[:selectionWords(n)] {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// parseSelection checks the selection b (selectionLen(n) bytes) of a
// block of n stored records and decodes its bitmap into sel, returning
// the number of records it selects.
func parseSelection(b []byte, n int, sel *[]uint64) (int, error) {
	end := len(b) - 4
	if got, want := binary.BigEndian.Uint32(b[end:]), crc32.Checksum(b[:end], castagnoli); got != want {
		return 0, fmt.Errorf("selection checksum mismatch (stored %08x, computed %08x)", got, want)
	}
	count := int(binary.BigEndian.Uint32(b))
	words := selectionWords(n)
	*sel = slices.Grow((*sel)[:0], words)[:words]
	total := 0
	for i := range words {
		w := binary.LittleEndian.Uint64(b[4+8*i:])
		(*sel)[i] = w
		total += bits.OnesCount64(w)
	}
	if extra := words*64 - n; extra > 0 && (*sel)[words-1]>>(64-extra) != 0 {
		return 0, errors.New("selection marks records past the block's end")
	}
	if total != count || count == 0 {
		return 0, fmt.Errorf("selection counts %d records, its bitmap marks %d", count, total)
	}
	return count, nil
}

// BlockError reports a corrupt block. It is not fatal: the reader's next
// call resumes at the next intact block.
type BlockError struct {
	File   string // file name, or "" for an unnamed stream
	Offset int64  // byte offset where the bad block starts
	Block  int    // block number, counting from 0
	Err    error
}

func (e *BlockError) Error() string {
	name := e.File
	if name == "" {
		name = "stream"
	}
	var te *TruncatedError
	if errors.As(e.Err, &te) {
		return fmt.Sprintf("%s: truncated: input ends inside block %d at byte offset %d %v", name, e.Block, e.Offset, te)
	}
	return fmt.Sprintf("%s: corrupt block %d at byte offset %d: %v", name, e.Block, e.Offset, e.Err)
}

// TruncatedError is the Err of the BlockError a Reader returns when its
// input ends inside a block that no writer can complete any more: a
// stream cut short (a broken pipe, head -c) or a file torn by a crash.
type TruncatedError struct {
	Have, Need int // bytes of the block there are, and that it needs
	// Records is the number of records in the blocks before it, as
	// their headers (checksums intact) count them.
	Records uint64
}

func (e *TruncatedError) Error() string {
	part := fmt.Sprintf("(%d of its %d bytes)", e.Have, e.Need)
	if e.Have < blockHeaderSize {
		part = fmt.Sprintf("(%d bytes of its header)", e.Have)
	}
	return fmt.Sprintf("%s, after %d records", part, e.Records)
}

func (e *BlockError) Unwrap() error { return e.Err }
