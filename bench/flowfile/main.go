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
	flag.Parse()
	if err := run(*n, *dir, *seed, *as); err != nil {
		fmt.Fprintln(os.Stderr, "flowfile:", err)
		os.Exit(1)
	}
}

func run(n int, dir string, seed int64, as bool) error {
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
	gen := flowgen.New(seed, flowgen.Options{AS: as})
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
	fmt.Printf("records             %d (flowgen seed %d, AS numbers %v)\n", n, seed, as)
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
