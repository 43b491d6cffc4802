package collector

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

func setReusePort(fd uintptr) error {
	return unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
}

// setRcvbuf asks for n bytes of receive buffer and returns what was granted.
// SO_RCVBUFFORCE (root or CAP_NET_ADMIN) passes net.core.rmem_max; without
// the privilege the plain SO_RCVBUF is capped by it.
func setRcvbuf(conn *net.UDPConn, n int) (int, error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return 0, err
	}
	var got int
	var serr error
	err = rc.Control(func(fd uintptr) {
		if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, n) != nil {
			if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, n); serr != nil {
				return
			}
		}
		// Linux doubles the value for its bookkeeping and reports the doubled size.
		got, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		got /= 2
	})
	if err != nil {
		return 0, err
	}
	return got, serr
}

func socketInode(conn *net.UDPConn) uint64 {
	rc, err := conn.SyscallConn()
	if err != nil {
		return 0
	}
	var st unix.Stat_t
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.Fstat(int(fd), &st) }); err != nil || serr != nil {
		return 0
	}
	return st.Ino
}

// kernelDrops reads the drops column of /proc/net/udp and udp6 for the
// socket with inode ino.
func kernelDrops(ino uint64) (uint64, bool) {
	if ino == 0 {
		return 0, false
	}
	for _, f := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		if d, ok := procUDPDrops(f, ino); ok {
			return d, true
		}
	}
	return 0, false
}

func procUDPDrops(path string, ino uint64) (uint64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	return parseProcUDPDrops(f, ino)
}

// parseProcUDPDrops finds the line of inode ino in /proc/net/udp's format:
// "sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops".
func parseProcUDPDrops(f interface{ Read([]byte) (int, error) }, ino uint64) (uint64, bool) {
	sc := bufio.NewScanner(f)
	want := []byte(strconv.FormatUint(ino, 10))
	for sc.Scan() {
		fields := bytes.Fields(sc.Bytes())
		if len(fields) < 13 || !bytes.Equal(fields[9], want) {
			continue
		}
		d, err := strconv.ParseUint(string(fields[len(fields)-1]), 10, 64)
		return d, err == nil
	}
	return 0, false
}
