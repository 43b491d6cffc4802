package flowfile

// Fields names groups of a Record's fields, as the block data stores
// them (FORMAT.md, "Block data"), so that a reader decompresses only the
// columns that hold what it needs (Reader.SetFields,
// Reader.VisitBlockWhere, Reader.SelectBlock).
type Fields uint8

const (
	// FieldClass: Proto, Flags, InitFlags, SessionFlags, Attributes, TOS,
	// Type, Sensor, Application, In, Out, SamplingRate and NhIP.
	FieldClass Fields = 1 << iota
	// FieldPorts: SPort and DPort.
	FieldPorts
	// FieldSrc: SIP, SCC and SrcAS.
	FieldSrc
	// FieldDst: DIP, DCC and DstAS.
	FieldDst
	// FieldTimes: STime and ETime.
	FieldTimes
	// FieldPackets: Packets.
	FieldPackets
	// FieldBytes: Bytes.
	FieldBytes
	// FieldFamily: enough of SIP for Record.IsIPv6 to be right. In a
	// block that holds no IPv6 record, SIP stays zero (IsIPv6 is false);
	// in others it is built whole, as with FieldSrc.
	FieldFamily

	// FieldEndpoints: SIP, DIP, SCC, DCC, SrcAS and DstAS.
	FieldEndpoints = FieldSrc | FieldDst
	// FieldCounts: Packets and Bytes.
	FieldCounts = FieldPackets | FieldBytes
	// AllFields is every field of a Record.
	AllFields = FieldClass | FieldPorts | FieldEndpoints | FieldTimes | FieldCounts | FieldFamily
)
