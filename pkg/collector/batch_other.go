//go:build !linux

package collector

import (
	"fmt"
	"net/netip"
)

// BatchReader reads one datagram per call where recvmmsg(2) is not available.
type BatchReader struct {
	s   *Socket
	buf []byte
}

// NewBatchReader prepares to read from s; batch is ignored on this system.
func NewBatchReader(s *Socket, batch int) (*BatchReader, error) {
	return &BatchReader{s: s, buf: make([]byte, maxDatagram)}, nil
}

// ReadBatch reads one datagram into pkts[0].
func (r *BatchReader) ReadBatch(pkts []Packet) (int, error) {
	n, from, err := r.s.Conn.ReadFromUDPAddrPort(r.buf)
	if err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	pkts[0] = Packet{Data: r.buf[:n], From: netip.AddrPortFrom(from.Addr().Unmap(), from.Port())}
	return 1, nil
}
