package netflow

import "encoding/binary"

// ExportTime returns the export time an export packet's header gives, in
// ms since the epoch (v5 with its nanoseconds; v9 and IPFIX to the
// second), and whether pkt starts with a header of a version the decoder
// reads. The collector compares its flows' times with it.
func ExportTime(pkt []byte) (int64, bool) {
	if len(pkt) < 2 {
		return 0, false
	}
	switch binary.BigEndian.Uint16(pkt) {
	case 5:
		if len(pkt) >= 16 {
			return int64(binary.BigEndian.Uint32(pkt[8:12]))*1000 + int64(binary.BigEndian.Uint32(pkt[12:16])%1e9)/1e6, true
		}
	case 9:
		if len(pkt) >= 12 {
			return int64(binary.BigEndian.Uint32(pkt[8:12])) * 1000, true
		}
	case 10:
		if len(pkt) >= 8 {
			return int64(binary.BigEndian.Uint32(pkt[4:8])) * 1000, true
		}
	}
	return 0, false
}
