package clickhouse

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Layout is one of the two forms of the flow table.
type Layout int

const (
	// Portable works on every server from 18.x on: DateTime seconds plus
	// a milliseconds column, addresses as FixedString(16) and UInt32.
	Portable Layout = iota
	// Modern uses DateTime64(3) and the IPv6/IPv4 types (servers 21.8+).
	Modern
)

func (l Layout) String() string {
	if l == Modern {
		return "modern"
	}
	return "portable"
}

// ModernSince is the first server version given the Modern layout: an LTS
// release that has DateTime64, the IPv6 and IPv4 types and
// toUnixTimestamp64Milli, all of which arrived in 20.x.
var ModernSince = Version{21, 8}

// Version is a server's major.minor.
type Version struct{ Major, Minor int }

// ParseVersion reads the answer of SELECT version() ("18.16.1",
// "24.3.2.23").
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 {
		return Version{}, fmt.Errorf("unexpected server version %q", s)
	}
	maj, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return Version{}, fmt.Errorf("unexpected server version %q", s)
	}
	return Version{maj, minor}, nil
}

// Less orders versions.
func (v Version) Less(w Version) bool {
	return v.Major < w.Major || v.Major == w.Major && v.Minor < w.Minor
}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// LayoutFor is the layout a new table gets on a server of version v.
func LayoutFor(v Version) Layout {
	if v.Less(ModernSince) {
		return Portable
	}
	return Modern
}

// Column is one column of the flow table. Names are gflow's field names
// (gcut, gstats) in lower case, so `gstats --fields=dcc --values=bytes`
// reads as `SELECT dcc, sum(bytes)`; Parquet files use the same names.
type Column struct {
	Name     string
	Portable string // type in the portable layout
	Modern   string // type in the modern layout ("" = as Portable)
	// ModernAlias, when set, makes the column computed in the modern
	// layout (the milliseconds are part of the DateTime64 there), so the
	// same queries work on both.
	ModernAlias string
	// Alias makes the column computed in both layouts: Alias[layout].
	Alias   [2]string
	Comment string
	// Only for ClickHouse: not a flow field (the insert's batch id, the
	// milliseconds of the portable layout).
	ClickHouseOnly bool
}

// typeEnum is the Enum8 of SiLK's flow types, by their stored numbers.
func typeEnum() string {
	var b strings.Builder
	b.WriteString("Enum8(")
	for i, t := range flowfile.AllTypes() {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "'%s' = %d", t, uint8(t))
	}
	b.WriteString(")")
	return b.String()
}

// Columns is the flow table, in order.
var Columns = []Column{
	{Name: "stime", Portable: "DateTime('UTC')", Modern: "DateTime64(3, 'UTC')", Comment: "flow start (UTC)"},
	{Name: "stime_ms", Portable: "UInt16", ModernAlias: "toUInt16(toUnixTimestamp64Milli(stime) % 1000)", Comment: "milliseconds of the start", ClickHouseOnly: true},
	{Name: "etime", Portable: "DateTime('UTC')", Modern: "DateTime64(3, 'UTC')", Comment: "flow end (UTC)"},
	{Name: "etime_ms", Portable: "UInt16", ModernAlias: "toUInt16(toUnixTimestamp64Milli(etime) % 1000)", Comment: "milliseconds of the end", ClickHouseOnly: true},
	{Name: "duration", Portable: "UInt32", Alias: [2]string{
		"(toUInt32(etime) - toUInt32(stime)) * 1000 + etime_ms - stime_ms",
		"toUnixTimestamp64Milli(etime) - toUnixTimestamp64Milli(stime)"},
		Comment: "milliseconds", ClickHouseOnly: true},
	{Name: "sensor", Portable: "String", Modern: "LowCardinality(String)", Comment: "sensor name (site configuration)"},
	{Name: "sensor_id", Portable: "UInt16", Comment: "sensor id"},
	{Name: "type", Portable: typeEnum(), Comment: "SiLK flow type"},
	{Name: "sip", Portable: "FixedString(16)", Modern: "IPv6", Comment: "source address; IPv4 as ::ffff:a.b.c.d"},
	{Name: "dip", Portable: "FixedString(16)", Modern: "IPv6", Comment: "destination address"},
	{Name: "nhip", Portable: "FixedString(16)", Modern: "IPv6", Comment: "next hop (zero: none)"},
	{Name: "sip4", Portable: "UInt32", Modern: "IPv4", Comment: "IPv4 source, 0 for IPv6 flows"},
	{Name: "dip4", Portable: "UInt32", Modern: "IPv4", Comment: "IPv4 destination, 0 for IPv6 flows"},
	{Name: "sport", Portable: "UInt16"},
	{Name: "dport", Portable: "UInt16", Comment: "for ICMP: type*256+code"},
	{Name: "protocol", Portable: "UInt8"},
	{Name: "packets", Portable: "UInt64"},
	{Name: "bytes", Portable: "UInt64"},
	{Name: "flags", Portable: "UInt8", Comment: "TCP flags of all packets"},
	{Name: "initial_flags", Portable: "UInt8"},
	{Name: "session_flags", Portable: "UInt8"},
	{Name: "attributes", Portable: "UInt8", Comment: "SiLK attributes (S T C F)"},
	{Name: "tos", Portable: "UInt8"},
	{Name: "application", Portable: "UInt16"},
	{Name: "input", Portable: "UInt32", Comment: "input interface (SNMP index)"},
	{Name: "output", Portable: "UInt32", Comment: "output interface"},
	{Name: "sas", Portable: "UInt32", Comment: "source AS"},
	{Name: "das", Portable: "UInt32", Comment: "destination AS"},
	{Name: "sampling_rate", Portable: "UInt32", Comment: "exporter's sampling interval (0 or 1: none)"},
	{Name: "scc", Portable: "FixedString(2)", Modern: "LowCardinality(FixedString(2))", Comment: "source country, lower case (\"--\": none)"},
	{Name: "dcc", Portable: "FixedString(2)", Modern: "LowCardinality(FixedString(2))", Comment: "destination country"},
	{Name: "batch_id", Portable: "UInt64", Comment: "insert batch, so that a batch sent again is recognised", ClickHouseOnly: true},
}

// Type returns the column's type in layout l.
func (c Column) Type(l Layout) string {
	if l == Modern && c.Modern != "" {
		return c.Modern
	}
	return c.Portable
}

// alias returns the column's expression when it is computed in layout l.
func (c Column) alias(l Layout) string {
	if c.Alias[l] != "" {
		return c.Alias[l]
	}
	if l == Modern {
		return c.ModernAlias
	}
	return ""
}

// Stored reports whether the column is stored (not computed) in layout l.
func (c Column) Stored(l Layout) bool { return c.alias(l) == "" }

// Engine is the table's storage: partitions of one day, so that a day
// is dropped at once, and ordered by hour, type and country, which is
// what the map and the drill-downs ask for.
const Engine = "ENGINE = MergeTree\nPARTITION BY toYYYYMMDD(stime)\nORDER BY (toStartOfHour(stime), type, dcc, scc)"

// DDL is the CREATE TABLE statement of the flow table.
func DDL(table string, l Layout) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s\n(\n", table)
	for i, c := range Columns {
		typ := c.Type(l)
		fmt.Fprintf(&b, "    %-14s %s", c.Name, typ)
		if a := c.alias(l); a != "" {
			fmt.Fprintf(&b, " ALIAS %s", a)
		}
		if i < len(Columns)-1 {
			b.WriteByte(',')
		}
		if c.Comment != "" {
			fmt.Fprintf(&b, " -- %s", c.Comment)
		}
		b.WriteByte('\n')
	}
	b.WriteString(")\n")
	b.WriteString(Engine)
	b.WriteString(";\n")
	return b.String()
}

// encodeFunc appends one column of a record as RowBinary.
type encodeFunc func(dst []byte, r *flowfile.Record, e *rowEnv) []byte

// rowEnv is what a row needs besides its record.
type rowEnv struct {
	sensorName func(uint16) string
	batch      uint64
}

// encoderFor returns the RowBinary encoder of column name when the table
// holds it as typ, or an error naming the types gflow writes.
func encoderFor(name, typ string) (encodeFunc, error) {
	if inner, ok := strings.CutPrefix(typ, "LowCardinality("); ok {
		typ = strings.TrimSuffix(inner, ")") // RowBinary of LowCardinality(T) is that of T
	}
	c, ok := columnByName(name)
	if !ok {
		return nil, nil // not one of ours: the server fills its default
	}
	want := func() error {
		types := c.Portable
		if m := c.Type(Modern); m != types {
			types += " or " + m
		}
		return fmt.Errorf("column %s is %s; gflow writes %s (docs/clickhouse.sql)", name, typ, types)
	}
	le := binary.LittleEndian
	u8 := func(f func(r *flowfile.Record) uint8) encodeFunc {
		return func(dst []byte, r *flowfile.Record, _ *rowEnv) []byte { return append(dst, f(r)) }
	}
	u16 := func(f func(r *flowfile.Record) uint16) encodeFunc {
		return func(dst []byte, r *flowfile.Record, _ *rowEnv) []byte { return le.AppendUint16(dst, f(r)) }
	}
	u32 := func(f func(r *flowfile.Record) uint32) encodeFunc {
		return func(dst []byte, r *flowfile.Record, _ *rowEnv) []byte { return le.AppendUint32(dst, f(r)) }
	}
	u64 := func(f func(r *flowfile.Record) uint64) encodeFunc {
		return func(dst []byte, r *flowfile.Record, _ *rowEnv) []byte { return le.AppendUint64(dst, f(r)) }
	}
	addr16 := func(f func(r *flowfile.Record) netip.Addr) encodeFunc {
		return func(dst []byte, r *flowfile.Record, _ *rowEnv) []byte {
			a := Addr16(f(r), r.IsIPv6())
			return append(dst, a[:]...)
		}
	}
	ms := func(f func(r *flowfile.Record) int64) (encodeFunc, error) {
		switch {
		case strings.HasPrefix(typ, "DateTime64(3"):
			return func(dst []byte, r *flowfile.Record, _ *rowEnv) []byte { return le.AppendUint64(dst, uint64(f(r))) }, nil
		case typ == "DateTime" || strings.HasPrefix(typ, "DateTime("):
			return func(dst []byte, r *flowfile.Record, _ *rowEnv) []byte { return le.AppendUint32(dst, Seconds(f(r))) }, nil
		}
		return nil, want()
	}
	is := func(types ...string) bool {
		for _, t := range types {
			if typ == t {
				return true
			}
		}
		return false
	}
	switch name {
	case "stime":
		return ms(func(r *flowfile.Record) int64 { return r.STime })
	case "etime":
		return ms(func(r *flowfile.Record) int64 { return r.ETime })
	case "stime_ms", "etime_ms":
		if !is("UInt16") {
			return nil, want()
		}
		if name == "stime_ms" {
			return u16(func(r *flowfile.Record) uint16 { return Millis(r.STime) }), nil
		}
		return u16(func(r *flowfile.Record) uint16 { return Millis(r.ETime) }), nil
	case "sensor":
		if !is("String") {
			return nil, want()
		}
		return func(dst []byte, r *flowfile.Record, e *rowEnv) []byte {
			s := e.sensorName(r.Sensor)
			dst = binary.AppendUvarint(dst, uint64(len(s)))
			return append(dst, s...)
		}, nil
	case "type":
		if !strings.HasPrefix(typ, "Enum8(") {
			return nil, want()
		}
		// a type outside the enum would make the server refuse the whole
		// batch, again at every retry
		return u8(func(r *flowfile.Record) uint8 {
			if !r.Type.Valid() {
				return uint8(flowfile.TypeOther)
			}
			return uint8(r.Type)
		}), nil
	case "sip", "dip", "nhip":
		if !is("FixedString(16)", "IPv6") {
			return nil, want()
		}
		switch name {
		case "sip":
			return addr16(func(r *flowfile.Record) netip.Addr { return r.SIP }), nil
		case "dip":
			return addr16(func(r *flowfile.Record) netip.Addr { return r.DIP }), nil
		}
		return addr16(func(r *flowfile.Record) netip.Addr { return r.NhIP }), nil
	case "sip4", "dip4":
		if !is("UInt32", "IPv4") {
			return nil, want()
		}
		if name == "sip4" {
			return u32(func(r *flowfile.Record) uint32 { v, _ := IPv4(r.SIP); return v }), nil
		}
		return u32(func(r *flowfile.Record) uint32 { v, _ := IPv4(r.DIP); return v }), nil
	case "scc", "dcc":
		if !is("FixedString(2)") {
			return nil, want()
		}
		if name == "scc" {
			return func(dst []byte, r *flowfile.Record, _ *rowEnv) []byte { return appendCountry(dst, r.SCC) }, nil
		}
		return func(dst []byte, r *flowfile.Record, _ *rowEnv) []byte { return appendCountry(dst, r.DCC) }, nil
	case "batch_id":
		if !is("UInt64") {
			return nil, want()
		}
		return func(dst []byte, _ *flowfile.Record, e *rowEnv) []byte { return le.AppendUint64(dst, e.batch) }, nil
	}
	// the plain numbers
	if typ != c.Portable {
		return nil, want()
	}
	switch name {
	case "sensor_id":
		return u16(func(r *flowfile.Record) uint16 { return r.Sensor }), nil
	case "sport":
		return u16(func(r *flowfile.Record) uint16 { return r.SPort }), nil
	case "dport":
		return u16(func(r *flowfile.Record) uint16 { return r.DPort }), nil
	case "protocol":
		return u8(func(r *flowfile.Record) uint8 { return r.Proto }), nil
	case "packets":
		return u64(func(r *flowfile.Record) uint64 { return r.Packets }), nil
	case "bytes":
		return u64(func(r *flowfile.Record) uint64 { return r.Bytes }), nil
	case "flags":
		return u8(func(r *flowfile.Record) uint8 { return r.Flags }), nil
	case "initial_flags":
		return u8(func(r *flowfile.Record) uint8 { return r.InitFlags }), nil
	case "session_flags":
		return u8(func(r *flowfile.Record) uint8 { return r.SessionFlags }), nil
	case "attributes":
		return u8(func(r *flowfile.Record) uint8 { return r.Attributes }), nil
	case "tos":
		return u8(func(r *flowfile.Record) uint8 { return r.TOS }), nil
	case "application":
		return u16(func(r *flowfile.Record) uint16 { return r.Application }), nil
	case "input":
		return u32(func(r *flowfile.Record) uint32 { return r.In }), nil
	case "output":
		return u32(func(r *flowfile.Record) uint32 { return r.Out }), nil
	case "sas":
		return u32(func(r *flowfile.Record) uint32 { return r.SrcAS }), nil
	case "das":
		return u32(func(r *flowfile.Record) uint32 { return r.DstAS }), nil
	case "sampling_rate":
		return u32(func(r *flowfile.Record) uint32 { return r.SamplingRate }), nil
	}
	return nil, fmt.Errorf("column %s: no encoder", name) // a Columns entry without a case here
}

func columnByName(name string) (Column, bool) {
	for _, c := range Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Addr16 is an address as the 16 bytes of ClickHouse's IPv6 type: IPv4 as
// ::ffff:a.b.c.d. A missing address (a flow without next hop) is zero in
// the flow's family, as gcut prints it: 0.0.0.0 or ::.
func Addr16(a netip.Addr, flowIsIPv6 bool) [16]byte {
	if !a.IsValid() {
		if flowIsIPv6 {
			return [16]byte{}
		}
		a = netip.IPv4Unspecified()
	}
	if a.Is4() {
		a = netip.AddrFrom16(a.As16())
	}
	return a.As16()
}

// IPv4 returns an IPv4 address (or IPv4-mapped IPv6) as a number, and
// false for IPv6 and missing addresses.
func IPv4(a netip.Addr) (uint32, bool) {
	if !a.Is4() && !a.Is4In6() {
		return 0, false
	}
	b := a.Unmap().As4()
	return binary.BigEndian.Uint32(b[:]), true
}

// Seconds is a millisecond time as DateTime's seconds, clamped to its
// range (1970 to 2106): a broken exporter's time must not wrap.
func Seconds(ms int64) uint32 {
	s := ms / 1000
	switch {
	case ms < 0:
		return 0
	case s > 1<<32-1:
		return 1<<32 - 1
	}
	return uint32(s)
}

// Millis is the millisecond part of a time the way Seconds cuts it.
func Millis(ms int64) uint16 {
	if ms < 0 || ms/1000 > 1<<32-1 {
		return 0
	}
	return uint16(ms % 1000)
}

func appendCountry(dst []byte, c flowfile.Country) []byte {
	s := c.String()
	return append(dst, s[0], s[1])
}
