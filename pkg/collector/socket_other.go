//go:build !linux

package collector

import (
	"errors"
	"net"
)

func setReusePort(fd uintptr) error { return errors.New("SO_REUSEPORT is only supported on Linux") }

func setRcvbuf(conn *net.UDPConn, n int) (int, error) {
	if err := conn.SetReadBuffer(n); err != nil {
		return 0, err
	}
	return n, nil
}

func socketInode(conn *net.UDPConn) uint64 { return 0 }

func kernelDrops(ino uint64) (uint64, bool) { return 0, false }
