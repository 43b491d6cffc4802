package collector

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gflow/gflow/pkg/flowfile"
)

// readRepo reads back every hourly file under root, as a user's query would.
func readRepo(t testing.TB, root string) (recs []flowfile.Record, files []string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if _, err := flowfile.ParseRepoPath(path); err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		files = append(files, rel)
		r, err := flowfile.Open(path)
		if err != nil {
			return err
		}
		defer r.Close()
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			var te *flowfile.TruncatedError
			if errors.As(err, &te) {
				continue // a torn last block: the writer died in its write
			}
			if err != nil {
				return err
			}
			recs = append(recs, *rec)
		}
	})
	if err != nil {
		t.Fatalf("read repository %s: %v", root, err)
	}
	return recs, files
}

type v5flow struct {
	src, dst     netip.Addr
	sport, dport uint16
	proto        uint8
	pkts, bytes  uint32
	first, last  uint32 // sysUptime ms
	srcAS, dstAS uint16 // the exporter's BGP AS numbers, 0 for none
}

// v5Packet builds a NetFlow v5 export packet: 24-byte header, 48-byte records.
func v5Packet(seq uint32, uptimeMs uint32, unixSecs uint32, flows []v5flow) []byte {
	b := make([]byte, 24+48*len(flows))
	be := binary.BigEndian
	be.PutUint16(b[0:], 5)
	be.PutUint16(b[2:], uint16(len(flows)))
	be.PutUint32(b[4:], uptimeMs)
	be.PutUint32(b[8:], unixSecs)
	be.PutUint32(b[16:], seq)
	for i, f := range flows {
		r := b[24+48*i:]
		s4, d4 := f.src.As4(), f.dst.As4()
		copy(r[0:], s4[:])
		copy(r[4:], d4[:])
		be.PutUint32(r[16:], f.pkts)
		be.PutUint32(r[20:], f.bytes)
		be.PutUint32(r[24:], f.first)
		be.PutUint32(r[28:], f.last)
		be.PutUint16(r[32:], f.sport)
		be.PutUint16(r[34:], f.dport)
		r[38] = f.proto
		be.PutUint16(r[40:], f.srcAS)
		be.PutUint16(r[42:], f.dstAS)
	}
	return b
}

type totals struct{ flows, packets, bytes uint64 }

func sum(recs []flowfile.Record) totals {
	var t totals
	for i := range recs {
		t.flows++
		t.packets += recs[i].Packets
		t.bytes += recs[i].Bytes
	}
	return t
}

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
