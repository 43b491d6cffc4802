// Command gstatsconv prepares the inputs of bench/gstats.sh.
//
//	nfdump -R DIR -N -q -o 'fmt:%ts|%te|%sa|%da|%sp|%dp|%pr|%flg|%ipkt|%ibyt|%in|%out|%tos' |
//	    gstatsconv -o flows.gf
//
// turns nfdump's text for the flows nfcapd stored into a gflow flow file,
// so gstats and nfdump are timed on the same flows.
//
//	gstatsconv -synth-bins 6500000 -records 7000000 -o bins.gf
//
// writes records whose sip,sport keys take the given number of distinct
// values, for the memory target (6.5 M bins, as SiLK's measured rwstats
// run).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/pipe"
)

func main() {
	out := flag.String("o", "", "output flow file")
	bins := flag.Int("synth-bins", 0, "write synthetic records with this many distinct sip,sport keys instead of converting stdin")
	records := flag.Int("records", 0, "number of synthetic records (default: synth-bins)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gstatsconv: -o is required")
		os.Exit(1)
	}
	w, err := flowfile.Create(*out, flowfile.Header{Kind: flowfile.KindStream, Codec: pipe.StreamCodec})
	if err != nil {
		fmt.Fprintf(os.Stderr, "gstatsconv: %v\n", err)
		os.Exit(1)
	}
	var n int
	if *bins > 0 {
		n, err = synth(w, *bins, max(*records, *bins))
	} else {
		n, err = convert(w)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gstatsconv: %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gstatsconv: wrote %d records to %s\n", n, *out)
}

func convert(w *flowfile.Writer) (int, error) {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var r flowfile.Record
	n := 0
	for sc.Scan() {
		line := sc.Text()
		f := strings.Split(line, "|")
		if len(f) < 13 {
			continue // summary lines
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		st, err1 := time.ParseInLocation("2006-01-02 15:04:05.000", f[0], time.UTC)
		et, err2 := time.ParseInLocation("2006-01-02 15:04:05.000", f[1], time.UTC)
		sip, err3 := netip.ParseAddr(f[2])
		dip, err4 := netip.ParseAddr(f[3])
		if err := firstErr(err1, err2, err3, err4); err != nil {
			return n, fmt.Errorf("line %q: %w", line, err)
		}
		r = flowfile.Record{SIP: sip.Unmap(), DIP: dip.Unmap(), STime: st.UnixMilli(), ETime: et.UnixMilli()}
		r.SPort = uint16(atoi(f[4]))
		r.DPort = uint16(atoi(f[5]))
		r.Proto = uint8(atoi(f[6]))
		for i := 0; i < len(f[7]) && i < 8; i++ {
			// nfdump's flag string has one slot per flag, CEUAPRSF:
			// CWR (bit 7) first, FIN (bit 0) last
			if f[7][i] != '.' {
				r.Flags |= 1 << (7 - i)
			}
		}
		r.Packets = uint64(atoi(f[8]))
		r.Bytes = uint64(atoi(f[9]))
		r.In = uint32(atoi(f[10]))
		r.Out = uint32(atoi(f[11]))
		r.TOS = uint8(atoi(f[12]))
		if err := w.Write(&r); err != nil {
			return n, err
		}
		n++
	}
	return n, sc.Err()
}

func atoi(s string) uint64 {
	v, _ := strconv.ParseUint(s, 10, 64)
	return v
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// synth writes records cycling over bins distinct (sip, sport) keys.
func synth(w *flowfile.Writer, bins, records int) (int, error) {
	base := time.Date(2015, 10, 9, 0, 0, 0, 0, time.UTC).UnixMilli()
	var r flowfile.Record
	for i := 0; i < records; i++ {
		k := uint32(i % bins)
		// spread keys over addresses and ports: 4096 ports per address
		ip := 0x0a000000 | k>>12
		r = flowfile.Record{
			SIP:     netip.AddrFrom4([4]byte{byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)}),
			DIP:     netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}),
			SPort:   uint16(1024 + k&4095),
			DPort:   443,
			Proto:   6,
			Packets: uint64(1 + i%20),
			Bytes:   uint64(40 + (i*7919)%100000),
			STime:   base + int64(i),
			ETime:   base + int64(i) + 1000,
		}
		if err := w.Write(&r); err != nil {
			return i, err
		}
	}
	return records, nil
}
