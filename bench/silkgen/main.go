// Command silkgen writes N flowgen flows as a SiLK FT_RWIPV6ROUTING file
// (pkg/silk's Writer), the input of bench/silk.sh.
//
//	go run ./bench/silkgen -n 7000000 -compression none -o flows.rw
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/silk"
)

func main() {
	n := flag.Int("n", 7_000_000, "records to write")
	out := flag.String("o", "flows.rw", "output file")
	comp := flag.String("compression", "none", "none, zlib or snappy")
	ipv4 := flag.Bool("ipv4", false, "IPv4 flows only (as an IPv4-only SiLK's data)")
	flag.Parse()
	if err := run(*n, *out, *comp, *ipv4); err != nil {
		fmt.Fprintln(os.Stderr, "silkgen:", err)
		os.Exit(1)
	}
}

func run(n int, path, comp string, ipv4 bool) error {
	c := map[string]silk.Compression{"none": silk.CompressNone, "zlib": silk.CompressZlib, "snappy": silk.CompressSnappy}
	method, ok := c[comp]
	if !ok {
		return fmt.Errorf("compression %q: use none, zlib or snappy", comp)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w, err := silk.NewWriteCloser(f, silk.WriterOptions{Compression: method, Invocation: "silkgen"})
	if err != nil {
		f.Close()
		return err
	}
	gen := flowgen.New(7, flowgen.Options{NoIPv6: ipv4})
	buf := make([]flowfile.Record, 1<<16)
	for left := n; left > 0; left -= len(buf) {
		chunk := buf[:min(left, len(buf))]
		gen.Fill(chunk)
		if err := w.WriteBlock(chunk); err != nil {
			w.Close()
			return err
		}
	}
	return w.Close()
}
