// Package parquetflow writes flows as Parquet, for DuckDB, Spark, Trino,
// pandas and ClickHouse's file() and s3(): one file, or a directory of
// Hive-style partitions date=YYYY-MM-DD/hour=HH/*.parquet (UTC, by start
// time) that those engines read as one table with date and hour columns.
// It reads them back as flow records too.
//
// The columns carry the names of the ClickHouse table (docs/clickhouse.sql),
// so one query fits both. Times are TIMESTAMP(MILLIS, UTC), which holds
// what ClickHouse spreads over DateTime and a milliseconds column.
// Addresses are 16-byte FIXED_LEN_BYTE_ARRAY, IPv4 as ::ffff:a.b.c.d: one
// column for both families that sorts and compares as bytes, the layout of
// ClickHouse's IPv6 type and of DuckDB's and Spark's usual conversions.
// sip4 and dip4 repeat IPv4 addresses as UINT32 (NULL for IPv6 flows), so
// that the common IPv4 question is a plain integer range in engines that
// have no address type; a NULL, unlike ClickHouse's 0, keeps an IPv6 flow
// out of such a range.
package parquetflow

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"

	"github.com/gflow/gflow/pkg/clickhouse"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// Row is one flow as a Parquet row.
type Row struct {
	STime        int64    `parquet:"stime,timestamp(millisecond)"`
	ETime        int64    `parquet:"etime,timestamp(millisecond)"`
	Sensor       string   `parquet:"sensor,dict"`
	SensorID     uint16   `parquet:"sensor_id"`
	Type         string   `parquet:"type,dict"`
	SIP          [16]byte `parquet:"sip"`
	DIP          [16]byte `parquet:"dip"`
	NhIP         [16]byte `parquet:"nhip"`
	SIP4         *uint32  `parquet:"sip4,optional"`
	DIP4         *uint32  `parquet:"dip4,optional"`
	SPort        uint16   `parquet:"sport"`
	DPort        uint16   `parquet:"dport"`
	Protocol     uint8    `parquet:"protocol"`
	Packets      uint64   `parquet:"packets"`
	Bytes        uint64   `parquet:"bytes"`
	Flags        uint8    `parquet:"flags"`
	InitialFlags uint8    `parquet:"initial_flags"`
	SessionFlags uint8    `parquet:"session_flags"`
	Attributes   uint8    `parquet:"attributes"`
	TOS          uint8    `parquet:"tos"`
	Application  uint16   `parquet:"application"`
	Input        uint32   `parquet:"input"`
	Output       uint32   `parquet:"output"`
	SAS          uint32   `parquet:"sas"`
	DAS          uint32   `parquet:"das"`
	SamplingRate uint32   `parquet:"sampling_rate"`
	SCC          string   `parquet:"scc,dict"`
	DCC          string   `parquet:"dcc,dict"`
}

// Options shape a Writer.
type Options struct {
	// SensorName names sensor ids for the sensor column; nil gives "S<id>"
	// (what gcut prints without a site configuration).
	SensorName func(id uint16) string
	// RowGroupRows bounds a row group (default 262144), which bounds the
	// memory a writer holds.
	RowGroupRows int64
}

// bufferRows is how many rows a Writer converts before handing them on.
const bufferRows = 4096

// Writer writes records as one Parquet file.
type Writer struct {
	pw     *parquet.GenericWriter[Row]
	closer io.Closer // closed by Close when set
	names  *names
	rows   []Row
	v4     []uint32 // backing store of the rows' sip4, dip4
	err    error
}

// NewWriter writes a Parquet file to w; Close writes its footer (and
// closes w when it is an io.WriteCloser given to NewWriteCloser).
func NewWriter(w io.Writer, o Options) *Writer {
	if o.SensorName == nil {
		o.SensorName = func(id uint16) string { return "S" + strconv.Itoa(int(id)) }
	}
	if o.RowGroupRows <= 0 {
		o.RowGroupRows = 1 << 18
	}
	return &Writer{
		pw: parquet.NewGenericWriter[Row](w,
			parquet.Compression(&zstd.Codec{Level: zstd.SpeedDefault}),
			parquet.MaxRowsPerRowGroup(o.RowGroupRows),
			parquet.CreatedBy("gflow", "", ""),
		),
		names: newNames(o.SensorName),
		rows:  make([]Row, 0, bufferRows),
		v4:    make([]uint32, 0, 2*bufferRows),
	}
}

// NewWriteCloser is NewWriter for a file the Writer closes.
func NewWriteCloser(wc io.WriteCloser, o Options) *Writer {
	w := NewWriter(wc, o)
	w.closer = wc
	return w
}

// Write adds one record.
func (w *Writer) Write(r *flowfile.Record) error {
	if w.err != nil {
		return w.err
	}
	w.rows = append(w.rows, Row{})
	row := &w.rows[len(w.rows)-1]
	fromRecord(row, r, w.names)
	if a, ok := ipv4(r.SIP); ok {
		w.v4 = append(w.v4, a)
		row.SIP4 = &w.v4[len(w.v4)-1]
	}
	if a, ok := ipv4(r.DIP); ok {
		w.v4 = append(w.v4, a)
		row.DIP4 = &w.v4[len(w.v4)-1]
	}
	if len(w.rows) == cap(w.rows) {
		return w.flushRows()
	}
	return nil
}

// WriteBlock adds records.
func (w *Writer) WriteBlock(recs []flowfile.Record) error {
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) flushRows() error {
	if len(w.rows) == 0 {
		return w.err
	}
	_, err := w.pw.Write(w.rows)
	clear(w.rows) // the pointers into v4
	w.rows, w.v4 = w.rows[:0], w.v4[:0]
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("parquet: %w", err)
	}
	return w.err
}

// Close writes what is buffered and the file's footer.
func (w *Writer) Close() error {
	err := w.flushRows()
	if cerr := w.pw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("parquet: %w", cerr)
	}
	if w.closer != nil {
		if cerr := w.closer.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// names keeps the strings of sensors and countries, made once each
// rather than once per row.
type names struct {
	sensorName func(uint16) string
	sensors    map[uint16]string
	countries  map[flowfile.Country]string
}

func newNames(sensorName func(uint16) string) *names {
	return &names{sensorName: sensorName, sensors: map[uint16]string{}, countries: map[flowfile.Country]string{}}
}

func (n *names) sensor(id uint16) string {
	s, ok := n.sensors[id]
	if !ok {
		s = n.sensorName(id)
		n.sensors[id] = s
	}
	return s
}

func (n *names) country(c flowfile.Country) string {
	s, ok := n.countries[c]
	if !ok {
		s = c.String()
		n.countries[c] = s
	}
	return s
}

// fromRecord fills a row from a record; SIP4 and DIP4 are left to the
// caller, which owns their storage.
func fromRecord(row *Row, r *flowfile.Record, n *names) {
	v6 := r.IsIPv6()
	*row = Row{
		STime: r.STime, ETime: r.ETime,
		Sensor: n.sensor(r.Sensor), SensorID: r.Sensor, Type: r.Type.String(),
		SIP: addr16(r.SIP, v6), DIP: addr16(r.DIP, v6), NhIP: addr16(r.NhIP, v6),
		SPort: r.SPort, DPort: r.DPort, Protocol: r.Proto,
		Packets: r.Packets, Bytes: r.Bytes,
		Flags: r.Flags, InitialFlags: r.InitFlags, SessionFlags: r.SessionFlags,
		Attributes: r.Attributes, TOS: r.TOS, Application: r.Application,
		Input: r.In, Output: r.Out, SAS: r.SrcAS, DAS: r.DstAS, SamplingRate: r.SamplingRate,
		SCC: n.country(r.SCC), DCC: n.country(r.DCC),
	}
}

// ToRecord is the record a row holds (sensor names are not kept: the id
// is the record's).
func ToRecord(row *Row) (flowfile.Record, error) {
	t, err := flowfile.ParseFlowType(row.Type)
	if err != nil {
		return flowfile.Record{}, fmt.Errorf("type %q: %w", row.Type, err)
	}
	sip, dip := addrFrom16(row.SIP), addrFrom16(row.DIP)
	nh := addrFrom16(row.NhIP)
	if nh.IsUnspecified() {
		nh = netip.Addr{} // none, as a record without next hop has it
	}
	return flowfile.Record{
		SIP: sip, DIP: dip, NhIP: nh,
		STime: row.STime, ETime: row.ETime,
		Packets: row.Packets, Bytes: row.Bytes,
		SPort: row.SPort, DPort: row.DPort, Proto: row.Protocol,
		Flags: row.Flags, InitFlags: row.InitialFlags, SessionFlags: row.SessionFlags,
		Attributes: row.Attributes, TOS: row.TOS,
		Type: t, Sensor: row.SensorID, Application: row.Application,
		In: row.Input, Out: row.Output, SrcAS: row.SAS, DstAS: row.DAS,
		SamplingRate: row.SamplingRate,
		SCC:          flowfile.MakeCountry(row.SCC), DCC: flowfile.MakeCountry(row.DCC),
	}, nil
}

// ReadAll reads every record of a Parquet file written by Writer.
func ReadAll(r io.ReaderAt) ([]flowfile.Record, error) {
	pr := parquet.NewGenericReader[Row](r)
	defer pr.Close()
	var out []flowfile.Record
	rows := make([]Row, 1024)
	for {
		n, err := pr.Read(rows)
		for i := range rows[:n] {
			rec, cerr := ToRecord(&rows[i])
			if cerr != nil {
				return out, fmt.Errorf("row %d: %w", len(out), cerr)
			}
			out = append(out, rec)
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("parquet: %w", err)
		}
	}
}

func addr16(a netip.Addr, flowIsIPv6 bool) [16]byte { return clickhouse.Addr16(a, flowIsIPv6) }

func addrFrom16(b [16]byte) netip.Addr { return netip.AddrFrom16(b).Unmap() }

func ipv4(a netip.Addr) (uint32, bool) { return clickhouse.IPv4(a) }
