package collector

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// BatchReader reads many datagrams per system call with recvmmsg(2), into
// buffers it allocates once: reading allocates nothing.
type BatchReader struct {
	rc    syscall.RawConn
	hdrs  []unix.Mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6
	bufs  [][]byte

	// result of the last call of read, set inside the RawConn callback
	n     int
	errno syscall.Errno
	fn    func(fd uintptr) bool // s.read, bound once so that Read does not allocate
}

// NewBatchReader prepares to read up to batch datagrams per call from s.
func NewBatchReader(s *Socket, batch int) (*BatchReader, error) {
	rc, err := s.Conn.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("batch reader: %w", err)
	}
	if batch < 1 {
		batch = 1
	}
	r := &BatchReader{
		rc:    rc,
		hdrs:  make([]unix.Mmsghdr, batch),
		iovs:  make([]unix.Iovec, batch),
		names: make([]unix.RawSockaddrInet6, batch),
		bufs:  make([][]byte, batch),
	}
	for i := range r.hdrs {
		r.bufs[i] = make([]byte, maxDatagram)
		r.iovs[i].Base = &r.bufs[i][0]
		r.iovs[i].SetLen(maxDatagram)
		h := &r.hdrs[i].Hdr
		h.Iov = &r.iovs[i]
		h.SetIovlen(1)
		h.Name = (*byte)(unsafe.Pointer(&r.names[i]))
	}
	r.fn = r.read
	return r, nil
}

func (r *BatchReader) read(fd uintptr) bool {
	for i := range r.hdrs {
		r.hdrs[i].Hdr.Namelen = unix.SizeofSockaddrInet6
		r.hdrs[i].Len = 0
	}
	n, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.hdrs[0])),
		uintptr(len(r.hdrs)), unix.MSG_DONTWAIT, 0, 0)
	if e == unix.EAGAIN || e == unix.EINTR {
		return false // let the runtime poller wait for readability
	}
	r.n, r.errno = int(n), e
	return true
}

// ReadBatch blocks until at least one datagram is there and fills pkts (which
// must have room for the batch size) with what one recvmmsg returned. The
// packets' Data alias the reader's buffers until the next call.
func (r *BatchReader) ReadBatch(pkts []Packet) (int, error) {
	r.n, r.errno = 0, 0
	if err := r.rc.Read(r.fn); err != nil {
		return 0, err
	}
	if r.errno != 0 {
		return 0, fmt.Errorf("recvmmsg: %w", r.errno)
	}
	n := min(r.n, len(pkts))
	for i := 0; i < n; i++ {
		pkts[i].Data = r.bufs[i][:r.hdrs[i].Len]
		pkts[i].From = sockaddrAddrPort(&r.names[i])
	}
	if n == 0 {
		return 0, errors.New("recvmmsg returned no datagram")
	}
	return n, nil
}

func sockaddrAddrPort(sa *unix.RawSockaddrInet6) netip.AddrPort {
	// Port is in network byte order in both layouts, at the same offset.
	port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:])
	switch sa.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), port)
	case unix.AF_INET6:
		// A dual-stack socket gives IPv4 exporters as ::ffff:a.b.c.d; records
		// and --allow want the plain IPv4 address.
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), port)
	}
	return netip.AddrPort{}
}
