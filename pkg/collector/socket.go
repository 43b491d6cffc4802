package collector

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"
)

// Packet is one received datagram. Data aliases a buffer owned by the reader
// and is valid until the reader's next ReadBatch.
type Packet struct {
	Data []byte
	From netip.AddrPort
}

// maxDatagram is the largest UDP payload; IPFIX over UDP may use all of it.
const maxDatagram = 65535

// Socket is one bound UDP socket with the receive buffer it was granted.
type Socket struct {
	Conn *net.UDPConn
	// Granted is the receive buffer the kernel gave, in bytes as requested
	// (Linux reports twice the usable size; this is already halved).
	Granted int
	// Requested is what --rcvbuf asked for.
	Requested int
	ino       uint64        // socket inode, to find the kernel's drop counter
	drops     atomic.Uint64 // last drop count read, kept after Close
}

// ListenUDP binds addr ("127.0.0.1:2055", "[::]:2055") with a receive buffer
// of rcvbuf bytes. With reusePort the socket sets SO_REUSEPORT so that several
// sockets share the address and the kernel spreads exporters among them.
func ListenUDP(ctx context.Context, addr string, rcvbuf int, reusePort bool) (*Socket, error) {
	lc := net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			if reusePort {
				serr = setReusePort(fd)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
	pc, err := lc.ListenPacket(ctx, "udp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	conn := pc.(*net.UDPConn)
	s := &Socket{Conn: conn, Requested: rcvbuf}
	if rcvbuf > 0 {
		granted, err := setRcvbuf(conn, rcvbuf)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("set receive buffer on %s: %w", addr, err)
		}
		s.Granted = granted
	}
	s.ino = socketInode(conn)
	return s, nil
}

// Short reports whether the kernel granted less receive buffer than asked.
func (s *Socket) Short() bool { return s.Requested > 0 && s.Granted < s.Requested }

// KernelDrops returns the number of datagrams the kernel dropped on this
// socket because its receive buffer was full, and whether the count is known.
// After Close it returns the count read last.
func (s *Socket) KernelDrops() (uint64, bool) {
	d, ok := kernelDrops(s.ino)
	if !ok {
		d = s.drops.Load()
		return d, d > 0 || s.ino != 0
	}
	s.drops.Store(d)
	return d, true
}

// Close closes the socket; a blocked ReadBatch returns an error. The drop
// count is read first, so the final summary still has it.
func (s *Socket) Close() error {
	s.KernelDrops()
	return s.Conn.Close()
}

// LocalAddr is the bound address (with the port the kernel chose for ":0").
func (s *Socket) LocalAddr() netip.AddrPort {
	return s.Conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// RmemSysctlHint is what a user runs to let sockets have big receive buffers.
const RmemSysctlHint = "sysctl -w net.core.rmem_max=33554432"
