// Package silk reads and writes the binary flow files of SiLK (CERT's
// System for Internet-Level Knowledge): the files of a SiLK repository
// (FT_RWSPLIT, FT_RWWWW, FT_RWROUTED, FT_RWAUGMENTED, FT_RWAUGWEB,
// FT_RWIPV6) and the streams its tools write (FT_RWIPV6ROUTING,
// FT_RWGENERIC), compressed with zlib, lzo1x or snappy or not at all.
//
// Importing the package registers the format with flowfile, so every
// Reader (and so every gflow tool) reads SiLK files and streams as it
// reads gflow's own, recognising them by their magic number. Writer writes
// FT_RWIPV6ROUTING streams that SiLK's tools read.
//
// The layouts are SiLK 3.19's (libsilk's rw*io.c and skheader.c); the
// header is big-endian, record bodies are in the byte order the header
// names.
package silk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Magic opens every SiLK file with a version 16 (SiLK 1.0 and later)
// header.
const Magic = "\xDE\xAD\xBE\xEF"

// FileVersion is the header version of every SiLK file since SiLK 1.0;
// earlier ("legacy") headers are not read.
const FileVersion = 16

// headerFixed is the length of the header before its entries.
const headerFixed = 16

// maxHeader bounds a header's length: no entry can make a reader allocate
// more. SiLK's own headers are a few hundred bytes (command lines,
// annotations).
const maxHeader = 1 << 20

// Format is a SiLK file format id (FT_*).
type Format uint8

// The record formats gflow reads, and FT_RWIPV6ROUTING, which it writes.
const (
	FormatIPv6        Format = 0x0B // FT_RWIPV6: repository, IPv6 build
	FormatIPv6Routing Format = 0x0C // FT_RWIPV6ROUTING: tool output, IPv6 build
	FormatRouted      Format = 0x10 // FT_RWROUTED: repository, --pack-interfaces
	FormatSplit       Format = 0x12 // FT_RWSPLIT: repository, NetFlow v5
	FormatAugmented   Format = 0x14 // FT_RWAUGMENTED: repository, IPFIX
	FormatAugWeb      Format = 0x15 // FT_RWAUGWEB: repository, IPFIX web types
	FormatGeneric     Format = 0x16 // FT_RWGENERIC: tool output, IPv4 build
	FormatWWW         Format = 0x1F // FT_RWWWW: repository, NetFlow v5 web types
)

// formatNames are SiLK's names of its file formats (skfileformat.c).
var formatNames = map[Format]string{
	0x00: "FT_TCPDUMP", 0x01: "FT_GRAPH", 0x02: "FT_ADDRESSES", 0x03: "FT_PORTMAP",
	0x04: "FT_SERVICEMAP", 0x05: "FT_NIDSMAP", 0x06: "FT_EXPERIMENT1", 0x07: "FT_EXPERIMENT2",
	0x08: "FT_TEMPFILE", 0x09: "FT_AGGREGATEBAG", 0x0A: "FT_IPFIX", 0x0B: "FT_RWIPV6",
	0x0C: "FT_RWIPV6ROUTING", 0x0D: "FT_RWAUGSNMPOUT", 0x0E: "FT_RWAUGROUTING", 0x0F: "FT_RESERVED_0F",
	0x10: "FT_RWROUTED", 0x11: "FT_RWNOTROUTED", 0x12: "FT_RWSPLIT", 0x13: "FT_RWFILTER",
	0x14: "FT_RWAUGMENTED", 0x15: "FT_RWAUGWEB", 0x16: "FT_RWGENERIC", 0x17: "FT_RESERVED_17",
	0x18: "FT_RWDAILY", 0x19: "FT_RWSCAN", 0x1A: "FT_RWACL", 0x1B: "FT_RWCOUNT",
	0x1C: "FT_FLOWCAP", 0x1D: "FT_IPSET", 0x1E: "FT_TAGTREE", 0x1F: "FT_RWWWW",
	0x20: "FT_SHUFFLE", 0x21: "FT_RWBAG", 0x22: "FT_BLOOM", 0x23: "FT_RWPRINTSTATS",
	0x24: "FT_PMAPFILE", 0x25: "FT_PREFIXMAP", 0x26: "FT_SHUFFLEMAP",
}

// String returns SiLK's name and id, as rwfileinfo prints them:
// "FT_RWIPV6ROUTING(0x0c)".
func (f Format) String() string {
	name, ok := formatNames[f]
	if !ok {
		name = "unknown format"
	}
	return fmt.Sprintf("%s(0x%02x)", name, uint8(f))
}

// Compression is a SiLK file's block compression method.
type Compression uint8

// SiLK's compression methods.
const (
	CompressNone   Compression = 0
	CompressZlib   Compression = 1
	CompressLZO1X  Compression = 2
	CompressSnappy Compression = 3
)

// String returns SiLK's name and id, as rwfileinfo prints them: "zlib(1)".
func (c Compression) String() string {
	names := [...]string{"none", "zlib", "lzo1x", "snappy"}
	if int(c) < len(names) {
		return fmt.Sprintf("%s(%d)", names[c], c)
	}
	return fmt.Sprintf("unknown(%d)", c)
}

// Header entry ids (skheader.h).
const (
	EntryPackedFile = 1 // hour, flowtype and sensor of a repository file
	EntryInvocation = 2 // a command line that made the file
	EntryAnnotation = 3 // a note added with --notes-add
	EntryProbeName  = 4 // the probe of a flowcap file
)

// Header is a SiLK file's header.
type Header struct {
	BigEndian     bool // records are big-endian (file_flags bit 0)
	Format        Format
	Version       uint8 // header version: 16
	Compression   Compression
	SilkVersion   uint32 // the writer's SiLK version, 3019001 for 3.19.1
	RecordSize    uint16
	RecordVersion uint16
	Length        int     // the header's length in bytes, padding included
	Entries       []Entry // in file order, without the end marker
}

// Entry is one header entry.
type Entry struct {
	ID   uint32
	Data []byte // the entry after its id and length
}

// PackedFile is the packed-file header entry of a repository file: the
// hour its records start in, their flowtype and sensor ids (silk.conf's).
// The records of repository formats store only an offset from the hour,
// and neither sensor nor flowtype.
type PackedFile struct {
	Hour     time.Time // UTC
	FlowType uint32
	Sensor   uint32
}

// PackedFile returns the packed-file entry, if the header has one.
func (h *Header) PackedFile() (PackedFile, bool) {
	for _, e := range h.Entries {
		if e.ID == EntryPackedFile && len(e.Data) >= 16 {
			ms := int64(binary.BigEndian.Uint64(e.Data))
			return PackedFile{
				Hour:     time.UnixMilli(ms).UTC(),
				FlowType: binary.BigEndian.Uint32(e.Data[8:]),
				Sensor:   binary.BigEndian.Uint32(e.Data[12:]),
			}, true
		}
	}
	return PackedFile{}, false
}

// Strings returns the text of the entries with the given id (command
// lines, annotations, probe names), in file order.
func (h *Header) Strings(id uint32) []string {
	var out []string
	for _, e := range h.Entries {
		if e.ID == id {
			s, _, _ := strings.Cut(string(e.Data), "\x00")
			out = append(out, s)
		}
	}
	return out
}

// SilkVersionString returns the writer's SiLK version as rwfileinfo
// prints it: "3.19.1".
func (h *Header) SilkVersionString() string {
	v := h.SilkVersion
	return fmt.Sprintf("%d.%d.%d", v/1000000, v/1000%1000, v%1000)
}

// ByteOrder returns "littleEndian" or "bigEndian", as rwfileinfo prints
// the records' byte order.
func (h *Header) ByteOrder() string {
	if h.BigEndian {
		return "bigEndian"
	}
	return "littleEndian"
}

// ErrNotSilk is returned (wrapped) for input that does not start with
// Magic.
var ErrNotSilk = errors.New("not a SiLK file (bad magic)")

// ReadHeader reads and checks a SiLK file's header from r, leaving r at
// the first byte after it.
func ReadHeader(r io.Reader) (*Header, error) {
	var fixed [headerFixed]byte
	if n, err := io.ReadFull(r, fixed[:]); err != nil {
		if n >= 4 && string(fixed[:4]) != Magic {
			return nil, ErrNotSilk
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("truncated SiLK header: %d of at least %d bytes", n, headerFixed)
		}
		return nil, err
	}
	if string(fixed[:4]) != Magic {
		return nil, ErrNotSilk
	}
	h := &Header{
		BigEndian:     fixed[4]&1 != 0,
		Format:        Format(fixed[5]),
		Version:       fixed[6],
		Compression:   Compression(fixed[7]),
		SilkVersion:   binary.BigEndian.Uint32(fixed[8:]),
		RecordSize:    binary.BigEndian.Uint16(fixed[12:]),
		RecordVersion: binary.BigEndian.Uint16(fixed[14:]),
		Length:        headerFixed,
	}
	if h.Version != FileVersion {
		return nil, fmt.Errorf("SiLK header version %d is not supported (gflow reads version %d, written since SiLK 1.0; rwcat from a recent SiLK converts older files)", h.Version, FileVersion)
	}
	for {
		var spec [8]byte
		if _, err := io.ReadFull(r, spec[:]); err != nil {
			return nil, fmt.Errorf("truncated SiLK header: entry at byte %d: %w", h.Length, unexpected(err))
		}
		id := binary.BigEndian.Uint32(spec[:])
		n := binary.BigEndian.Uint32(spec[4:])
		if n < 8 || int64(h.Length)+int64(n) > maxHeader {
			return nil, fmt.Errorf("bad SiLK header: entry %d at byte %d has length %d", id, h.Length, n)
		}
		data := make([]byte, n-8)
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, fmt.Errorf("truncated SiLK header: entry %d at byte %d: %w", id, h.Length, unexpected(err))
		}
		h.Length += int(n)
		if id == 0 {
			return h, nil // the end marker, whose length covers the padding
		}
		h.Entries = append(h.Entries, Entry{ID: id, Data: data})
	}
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// appendHeader appends h's encoding, padded with the end marker to a
// multiple of the record size as SiLK pads it.
func appendHeader(b []byte, h *Header) []byte {
	start := len(b)
	var flags byte
	if h.BigEndian {
		flags = 1
	}
	b = append(b, Magic...)
	b = append(b, flags, byte(h.Format), FileVersion, byte(h.Compression))
	b = binary.BigEndian.AppendUint32(b, h.SilkVersion)
	b = binary.BigEndian.AppendUint16(b, h.RecordSize)
	b = binary.BigEndian.AppendUint16(b, h.RecordVersion)
	for _, e := range h.Entries {
		b = binary.BigEndian.AppendUint32(b, e.ID)
		b = binary.BigEndian.AppendUint32(b, uint32(8+len(e.Data)))
		b = append(b, e.Data...)
	}
	end := 8
	if rs := int(h.RecordSize); rs > 0 {
		if over := (len(b) - start + end) % rs; over != 0 {
			end += rs - over
		}
	}
	b = binary.BigEndian.AppendUint32(b, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(end))
	return append(b, make([]byte, end-8)...)
}
