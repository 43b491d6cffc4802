// gfilter-nfconv turns nfdump's CSV output (nfdump -R DIR -q -o csv) into a
// gflow repository, so that bench/gfilter.sh can query exactly the flows
// nfcapd stored, whatever the collectors lost under load. Flows are typed
// with the default site configuration; the hourly files are written with
// the repository's codec (zstd).
//
//	nfdump -R nfcapd-dir -q -o csv | gfilter-nfconv -root DIR
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/site"
)

var protoNames = map[string]uint8{"ICMP": 1, "IGMP": 2, "TCP": 6, "UDP": 17, "GRE": 47, "ESP": 50, "AH": 51, "ICMP6": 58, "SCTP": 132}

// nfdump prints TCP flags as 8 characters in the order CEUAPRSF.
var flagBits = [8]uint8{flowfile.FlagCWR, flowfile.FlagECE, flowfile.FlagURG, flowfile.FlagACK,
	flowfile.FlagPSH, flowfile.FlagRST, flowfile.FlagSYN, flowfile.FlagFIN}

func main() {
	root := flag.String("root", "", "repository root to write")
	flag.Parse()
	if *root == "" {
		fmt.Fprintln(os.Stderr, "gfilter-nfconv: -root is required")
		os.Exit(1)
	}
	n, err := convert(*root)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gfilter-nfconv: %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gfilter-nfconv: %d flows\n", n)
}

type fileKey struct {
	t    flowfile.FlowType
	hour int64
}

func convert(root string) (int, error) {
	cfg := site.Default()
	repo := flowfile.Repo{Root: root}
	writers := map[fileKey]*flowfile.Writer{}
	defer func() {
		for _, w := range writers {
			w.Close()
		}
	}()
	sc := bufio.NewScanner(bufio.NewReaderSize(os.Stdin, 1<<20))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	n := 0
	for line := 1; sc.Scan(); line++ {
		c := strings.Split(sc.Text(), ",")
		if len(c) < 24 || c[0] == "ts" {
			continue // title or summary lines
		}
		var r flowfile.Record
		if err := parse(c, &r); err != nil {
			return n, fmt.Errorf("line %d: %w", line, err)
		}
		cfg.Classify(&r, nil)
		k := fileKey{r.Type, r.STime / 3600000}
		w, ok := writers[k]
		if !ok {
			hour := time.UnixMilli(k.hour * 3600000).UTC()
			p := repo.Path(r.Type, "S0", hour)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return n, err
			}
			var err error
			w, err = flowfile.Create(p, flowfile.Header{Kind: flowfile.KindFile, Codec: flowfile.CodecZstd,
				Type: r.Type, Sensor: "S0", Hour: hour, Writer: "gfilter-nfconv"})
			if err != nil {
				return n, err
			}
			writers[k] = w
		}
		if err := w.Write(&r); err != nil {
			return n, err
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return n, err
	}
	for k, w := range writers {
		delete(writers, k)
		if err := w.Close(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// parse reads the fields of nfdump 1.7's CSV: ts,te,td,sa,da,sp,dp,pr,flg,
// fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,...
func parse(c []string, r *flowfile.Record) error {
	ts, err := time.Parse("2006-01-02 15:04:05", c[0])
	if err != nil {
		return err
	}
	td, err := strconv.ParseFloat(c[2], 64)
	if err != nil {
		return err
	}
	r.STime = ts.UnixMilli()
	r.ETime = r.STime + int64(td*1000+0.5)
	if r.SIP, err = netip.ParseAddr(c[3]); err != nil {
		return err
	}
	if r.DIP, err = netip.ParseAddr(c[4]); err != nil {
		return err
	}
	sp, err1 := strconv.ParseUint(c[5], 10, 16)
	dp, err2 := strconv.ParseUint(c[6], 10, 16)
	pk, err3 := strconv.ParseUint(c[11], 10, 64)
	by, err4 := strconv.ParseUint(c[12], 10, 64)
	in, err5 := strconv.ParseUint(c[15], 10, 32)
	out, err6 := strconv.ParseUint(c[16], 10, 32)
	tos, err7 := strconv.ParseUint(c[10], 10, 8)
	for _, e := range []error{err1, err2, err3, err4, err5, err6, err7} {
		if e != nil {
			return e
		}
	}
	r.SPort, r.DPort, r.Packets, r.Bytes = uint16(sp), uint16(dp), pk, by
	r.In, r.Out, r.TOS = uint32(in), uint32(out), uint8(tos)
	p, ok := protoNames[c[7]]
	if !ok {
		v, err := strconv.ParseUint(c[7], 10, 8)
		if err != nil {
			return fmt.Errorf("protocol %q", c[7])
		}
		p = uint8(v)
	}
	r.Proto = p
	for i := 0; i < len(c[8]) && i < 8; i++ {
		if c[8][i] != '.' {
			r.Flags |= flagBits[i]
		}
	}
	if nh, err := netip.ParseAddr(c[23]); err == nil && !nh.IsUnspecified() {
		r.NhIP = nh
	}
	return nil
}
