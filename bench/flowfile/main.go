// Command flowfile measures gflow's flow file on synthetic flows: it
// writes N flowgen records to an hourly file on disk, then reads them back
// with one Reader and with a ParallelReader, and prints bytes per record
// on disk and records per second (wall and CPU) for each step.
//
//	go run ./bench/flowfile -n 10000000
//
// bench/flowfile.sh runs it together with the package benchmarks.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net/netip"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
)

func main() {
	n := flag.Int("n", 10_000_000, "records to write")
	dir := flag.String("dir", "", "directory for the file (default a new temporary one, removed after)")
	seed := flag.Int64("seed", 7, "flowgen seed")
	as := flag.Bool("as", false, "fill AS numbers too")
	nf9 := flag.Bool("nf9send", false, "generate flows the way ../shared/tools/nf9send does (Load 2) instead of flowgen's")
	flag.Parse()
	if err := run(*n, *dir, *seed, *as, *nf9); err != nil {
		fmt.Fprintln(os.Stderr, "flowfile:", err)
		os.Exit(1)
	}
}

// filler fills records with synthetic flows.
type filler interface{ Fill([]flowfile.Record) }

func run(n int, dir string, seed int64, as, nf9 bool) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "gflow-flowfile-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	hour := flowgen.DefaultStart
	path := filepath.Join(dir, flowfile.RepoFileName(flowfile.TypeIn, "S0", hour))
	var gen filler = flowgen.New(seed, flowgen.Options{AS: as})
	source := "flowgen"
	if nf9 {
		gen = newNF9Send(seed, 50000, hour)
		source = "nf9send's distributions"
	}
	chunk := make([]flowfile.Record, flowfile.MaxBlockRecords)

	// Generating is not part of the write figure: time only Write.
	w, err := flowfile.Create(path, flowfile.Header{Kind: flowfile.KindFile, Codec: flowfile.CodecZstd,
		Type: flowfile.TypeIn, Sensor: "S0", Hour: hour, Writer: "bench/flowfile"})
	if err != nil {
		return err
	}
	var wall, cpu time.Duration
	for done := 0; done < n; {
		m := min(len(chunk), n-done)
		gen.Fill(chunk[:m])
		t0, c0 := time.Now(), cpuTime()
		if err := w.WriteBlock(chunk[:m]); err != nil {
			return err
		}
		wall += time.Since(t0)
		cpu += cpuTime() - c0
		done += m
	}
	t0, c0 := time.Now(), cpuTime()
	if err := w.Close(); err != nil {
		return err
	}
	wall += time.Since(t0)
	cpu += cpuTime() - c0
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Printf("records             %d (%s, seed %d, AS numbers %v)\n", n, source, seed, as)
	fmt.Printf("file size           %d bytes, %.2f bytes/record (zstd)\n", fi.Size(), float64(fi.Size())/float64(n))
	report("write", n, wall, cpu)

	for _, workers := range []int{0, 1000, 1, 2, -1, -2} {
		name := "read, Reader.NextRun"
		if workers == 1000 {
			name = "read, Reader.NextBlock"
		} else if workers > 0 {
			name = fmt.Sprintf("read, ParallelReader %d", workers)
		} else if workers < 0 {
			name = fmt.Sprintf("read, Process %d", -workers)
		}
		got, wall, cpu, err := read(path, workers)
		if err != nil {
			return err
		}
		if got != n {
			return fmt.Errorf("%s: read %d records, wrote %d", name, got, n)
		}
		report(name, n, wall, cpu)
	}
	return nil
}

// read reads the file through the page cache (warmed by a first pass) and
// returns the records read and the time taken.
func read(path string, workers int) (int, time.Duration, time.Duration, error) {
	var n int
	var wall, cpu time.Duration
	for pass := range 2 {
		r, err := flowfile.Open(path)
		if err != nil {
			return 0, 0, 0, err
		}
		if workers < 0 {
			t0, c0 := time.Now(), cpuTime()
			counts := make([]int, -workers)
			sums := make([]uint64, -workers)
			err := flowfile.Process(r, -workers, func(w int, run []flowfile.Record) error {
				for i := range run {
					sums[w] += run[i].Bytes
				}
				counts[w] += len(run)
				return nil
			}, nil)
			wall, cpu = time.Since(t0), cpuTime()-c0
			r.Close()
			if err != nil {
				return 0, 0, 0, err
			}
			n = 0
			for _, c := range counts {
				n += c
			}
			continue
		}
		next := r.NextRun
		var pr *flowfile.ParallelReader
		if workers == 1000 {
			next = r.NextBlock
		} else if workers > 0 {
			pr = flowfile.NewParallelReader(r, workers)
			next = pr.NextRun
		}
		t0, c0 := time.Now(), cpuTime()
		n = 0
		var sum uint64
		for {
			blk, err := next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return 0, 0, 0, err
			}
			for i := range blk {
				sum += blk[i].Bytes // look at every record, as a reader would
			}
			n += len(blk)
		}
		wall, cpu = time.Since(t0), cpuTime()-c0
		if pr != nil {
			pr.Close()
		}
		r.Close()
		_ = pass
		_ = sum
	}
	return n, wall, cpu, nil
}

func report(what string, n int, wall, cpu time.Duration) {
	fmt.Printf("%-24s %6.2f M rec/s wall, %6.1f ns/rec wall; %6.2f M rec/CPU-s, %6.1f CPU-ns/rec\n", what,
		float64(n)/wall.Seconds()/1e6, float64(wall.Nanoseconds())/float64(n),
		float64(n)/cpu.Seconds()/1e6, float64(cpu.Nanoseconds())/float64(n))
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// nf9send draws flows as ../shared/tools/nf9send does for Load 2 of
// ../shared/docs/BENCH.md: hosts uniform from an inside and an outside
// pool, source port uniform, packets and bytes per packet uniform, start
// up to 60 s and end up to 1 s before the export, interfaces uniform.
// The export clock advances one millisecond per 800 flows (800 k
// flows/s). Country codes go by the first octet, as a geolocation
// database would give one per network.
type nf9send struct {
	rng             *rand.Rand
	inside, outside []uint32
	ports           []uint16
	now             int64 // ms
	k               int
}

func newNF9Send(seed int64, hosts int, start time.Time) *nf9send {
	rng := rand.New(rand.NewSource(seed))
	g := &nf9send{rng: rng, inside: make([]uint32, hosts), outside: make([]uint32, hosts),
		ports: []uint16{443, 443, 443, 80, 53, 123, 22, 25, 8080, 993}, now: start.UnixMilli() + 60_000}
	for i := range g.inside {
		g.inside[i] = 0x0a000000 | uint32(rng.Intn(1<<24))
		g.outside[i] = uint32(1+rng.Intn(222))<<24 | uint32(rng.Intn(1<<24))
	}
	return g
}

func addr(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func (g *nf9send) Fill(recs []flowfile.Record) {
	rng := g.rng
	for i := range recs {
		if g.k++; g.k%800 == 0 {
			g.now++
		}
		src, dst := g.inside[rng.Intn(len(g.inside))], g.outside[rng.Intn(len(g.outside))]
		sp, dp := uint16(1024+rng.Intn(64000)), g.ports[rng.Intn(len(g.ports))]
		typ := flowfile.TypeOut
		if rng.Intn(2) == 0 {
			src, dst, sp, dp = dst, src, dp, sp
			typ = flowfile.TypeIn
		}
		proto, flags := uint8(6), uint8(0x1b)
		if rng.Intn(10) >= 7 {
			proto, flags = 17, 0
		}
		p := uint64(1 + rng.Intn(100))
		b := p * uint64(40+rng.Intn(1400))
		first := g.now - int64(rng.Intn(60000))
		last := g.now - int64(rng.Intn(1000))
		recs[i] = flowfile.Record{SIP: addr(src), DIP: addr(dst), SPort: sp, DPort: dp, Proto: proto, Flags: flags,
			Packets: p, Bytes: b, STime: first, ETime: max(first, last), In: uint32(1 + rng.Intn(8)), Out: uint32(1 + rng.Intn(8)),
			Type: typ, SCC: country(src), DCC: country(dst)}
	}
}

var countries = []string{"us", "de", "cn", "gb", "fr", "jp", "nl", "ch", "ru", "br", "in", "ca", "kr", "se", "it", "es", "pl", "au", "sg", "ie"}

func country(a uint32) flowfile.Country {
	if a>>24 == 10 {
		return flowfile.NoCountry
	}
	return flowfile.MakeCountry(countries[(a>>24)%uint32(len(countries))])
}
