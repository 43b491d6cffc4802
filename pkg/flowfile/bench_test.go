package flowfile_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/klauspost/compress/zstd"
)

// benchRecords is how many flowgen records the benchmarks write and read:
// GFLOW_BENCH_RECORDS, default 1 M (the reported figures use 10 M).
func benchRecords() int {
	if n, err := strconv.Atoi(os.Getenv("GFLOW_BENCH_RECORDS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var benchData = struct {
	sync.Mutex
	recs  []flowfile.Record
	files map[flowfile.Codec][]byte
}{files: map[flowfile.Codec][]byte{}}

func benchRecs() []flowfile.Record {
	benchData.Lock()
	defer benchData.Unlock()
	if benchData.recs == nil {
		benchData.recs = make([]flowfile.Record, benchRecords())
		flowgen.New(7, flowgen.Options{}).Fill(benchData.recs)
	}
	return benchData.recs
}

func benchFile(b *testing.B, codec flowfile.Codec) []byte {
	recs := benchRecs()
	benchData.Lock()
	defer benchData.Unlock()
	if f, ok := benchData.files[codec]; ok {
		return f
	}
	var buf bytes.Buffer
	w, err := flowfile.NewWriter(&buf, flowfile.Header{Kind: flowfile.KindStream, Codec: codec})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.WriteBlock(recs); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	benchData.files[codec] = buf.Bytes()
	return buf.Bytes()
}

// dropRecs frees the generated records (benchRecs makes them again).
func dropRecs() {
	benchData.Lock()
	benchData.recs = nil
	benchData.Unlock()
	runtime.GC()
}

var codecs = []flowfile.Codec{flowfile.CodecZstd, flowfile.CodecS2, flowfile.CodecNone}

// BenchmarkWrite measures encoding and compressing flowgen records into
// memory; bytes/rec is the size on disk.
func BenchmarkWrite(b *testing.B) {
	recs := benchRecs()
	for _, codec := range codecs {
		b.Run(codec.String(), func(b *testing.B) {
			var size int
			startCPU(b)
			for b.Loop() {
				var cw countWriter
				w, err := flowfile.NewWriter(&cw, flowfile.Header{Kind: flowfile.KindStream, Codec: codec})
				if err != nil {
					b.Fatal(err)
				}
				if err := w.WriteBlock(recs); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				size = cw.n
			}
			reportRecords(b, len(recs))
			b.ReportMetric(float64(size)/float64(len(recs)), "bytes/rec")
		})
	}
}

// BenchmarkRead measures reading and decoding records from memory, one
// core, in runs (NextRun, what Next uses) and in whole blocks (NextBlock).
func BenchmarkRead(b *testing.B) {
	// Encode the files, then drop the records: a heap of millions of
	// records (with netip.Addr's pointers) would keep the garbage
	// collector busy and its write barriers on, which a reading tool does
	// not have to bear.
	for _, codec := range codecs {
		benchFile(b, codec)
	}
	dropRecs()
	for _, c := range []struct {
		codec flowfile.Codec
		block bool
	}{{flowfile.CodecZstd, false}, {flowfile.CodecZstd, true}, {flowfile.CodecS2, false}, {flowfile.CodecNone, false}} {
		codec := c.codec
		name := codec.String() + "/runs"
		if c.block {
			name = codec.String() + "/blocks"
		}
		b.Run(name, func(b *testing.B) {
			data := benchFile(b, codec)
			n := 0
			startCPU(b)
			for b.Loop() {
				r, err := flowfile.NewReader(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				next := r.NextRun
				if c.block {
					next = r.NextBlock
				}
				n = 0
				for {
					blk, err := next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n += len(blk)
				}
				r.Close()
			}
			reportRecords(b, n)
		})
	}
}

// BenchmarkReadFields measures reading the zstd file when the reader
// builds only the fields a query needs (Reader.SetFields), as gstats
// does, and selecting records on their protocol and port
// (Reader.SelectBlock), as gfilter does into a pipe.
func BenchmarkReadFields(b *testing.B) {
	benchFile(b, flowfile.CodecZstd)
	dropRecs()
	for _, c := range []struct {
		name   string
		fields flowfile.Fields
	}{
		{"all", flowfile.AllFields},
		{"dip+bytes", flowfile.FieldDst | flowfile.FieldBytes | flowfile.FieldFamily},
		{"sip+sport+bytes", flowfile.FieldSrc | flowfile.FieldPorts | flowfile.FieldBytes | flowfile.FieldFamily},
		{"5-tuple+bytes", flowfile.FieldEndpoints | flowfile.FieldPorts | flowfile.FieldClass | flowfile.FieldBytes | flowfile.FieldFamily},
		{"select-proto-dport", 0},
	} {
		b.Run(c.name, func(b *testing.B) {
			data := benchFile(b, flowfile.CodecZstd)
			n := 0
			web := func(r *flowfile.Record) bool { return r.Proto == 6 && r.DPort == 443 }
			startCPU(b)
			for b.Loop() {
				r, err := flowfile.NewReader(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				r.SetFields(c.fields)
				n = 0
				for {
					var err error
					if c.fields == 0 {
						var k int
						_, k, err = r.SelectBlock(nil, flowfile.FieldClass|flowfile.FieldPorts, web)
						if err == nil {
							n += r.Summary().Records
						}
						_ = k
					} else {
						var run []flowfile.Record
						run, err = r.NextRun()
						n += len(run)
					}
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				r.Close()
			}
			reportRecords(b, n)
		})
	}
}

// reportRecords reports wall-clock and CPU figures per record. The CPU
// figures (process user+system time) are the ones to quote on a shared
// machine, where wall time counts other people's work too.
func reportRecords(b *testing.B, perOp int) {
	total := float64(perOp) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "rec/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/rec")
	if cpu := cpuTime() - benchCPUStart; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/total, "cpu-ns/rec")
		b.ReportMetric(total/cpu.Seconds(), "rec/cpu-s")
	}
	b.ReportMetric(0, "ns/op")
}

var benchCPUStart time.Duration

// startCPU marks the start of the measured loop for reportRecords.
func startCPU(b *testing.B) {
	b.Helper()
	runtime.GC()
	benchCPUStart = cpuTime()
	b.ResetTimer()
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

// BenchmarkZstdLevels compares the size and the CPU cost of writing one
// full block at each zstd level (the measurement behind zstdLevel).
func BenchmarkZstdLevels(b *testing.B) {
	recs := benchRecs()[:flowfile.MaxBlockRecords]
	for _, lvl := range []zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault, zstd.SpeedBetterCompression, zstd.SpeedBestCompression} {
		b.Run(lvl.String(), func(b *testing.B) {
			size := 0
			startCPU(b)
			for b.Loop() {
				size = flowfile.PayloadSize(recs, lvl)
			}
			reportRecords(b, len(recs))
			b.ReportMetric(float64(size)/float64(len(recs)), "bytes/rec")
		})
	}
}

// BenchmarkParallelRead measures ParallelReader over the zstd file with
// GOMAXPROCS workers; rec/s is the figure gfilter and gstats get.
func BenchmarkParallelRead(b *testing.B) {
	data := benchFile(b, flowfile.CodecZstd)
	dropRecs()
	n := 0
	startCPU(b)
	for b.Loop() {
		r, err := flowfile.NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		pr := flowfile.NewParallelReader(r, 0)
		n = 0
		for {
			blk, err := pr.NextBlock()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n += len(blk)
		}
		pr.Close()
		r.Close()
	}
	reportRecords(b, n)
}

// BenchmarkPipe measures the codec choice for streams: a writer and a
// reader in two goroutines joined by an OS pipe, as `gfilter | gstats`.
// cpu-ns/rec counts both ends.
func BenchmarkPipe(b *testing.B) {
	recs := benchRecs()
	for _, c := range []struct {
		name  string
		codec flowfile.Codec
		level zstd.EncoderLevel
	}{
		{"none", flowfile.CodecNone, 0}, {"s2", flowfile.CodecS2, 0},
		{"zstd-fastest", flowfile.CodecZstd, zstd.SpeedFastest}, {"zstd-default", flowfile.CodecZstd, zstd.SpeedDefault},
	} {
		b.Run(c.name, func(b *testing.B) {
			var size int64
			startCPU(b)
			for b.Loop() {
				pr, pw, err := os.Pipe()
				if err != nil {
					b.Fatal(err)
				}
				done := make(chan error, 1)
				go func() {
					defer pw.Close()
					w, err := flowfile.NewWriter(pw, flowfile.Header{Kind: flowfile.KindStream, Codec: c.codec})
					if err != nil {
						done <- err
						return
					}
					if c.level != 0 {
						flowfile.SetZstdLevel(w, c.level)
					}
					if err := w.WriteBlock(recs); err != nil {
						done <- err
						return
					}
					err = w.Close()
					size = w.Offset()
					done <- err
				}()
				r, err := flowfile.NewReader(pr)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					run, err := r.NextRun()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n += len(run)
				}
				r.Close()
				pr.Close()
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				if n != len(recs) {
					b.Fatalf("read %d records, wrote %d", n, len(recs))
				}
			}
			reportRecords(b, len(recs))
			b.ReportMetric(float64(size)/float64(len(recs)), "bytes/rec")
		})
	}
}

// BenchmarkVisit measures what a filter pays to look at every record of
// a zstd file and keep one in sixteen: with whole blocks (NextBlock and a
// loop), with VisitBlock, and with VisitBlockWhere building only the
// ports before the test.
func BenchmarkVisit(b *testing.B) {
	benchFile(b, flowfile.CodecZstd)
	dropRecs()
	var kept []flowfile.Record
	keep := func(r *flowfile.Record) bool { return r.DPort&15 == 0 }
	for _, mode := range []string{"blocks", "visit", "where"} {
		b.Run(mode, func(b *testing.B) {
			data := benchFile(b, flowfile.CodecZstd)
			n := 0
			visit := func(r *flowfile.Record) {
				n++
				if keep(r) {
					kept = append(kept, *r)
				}
			}
			test := func(r *flowfile.Record) bool { n++; return keep(r) }
			add := func(r *flowfile.Record) { kept = append(kept, *r) }
			startCPU(b)
			for b.Loop() {
				r, err := flowfile.NewReader(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				n = 0
				for {
					kept = kept[:0]
					switch mode {
					case "blocks":
						var blk []flowfile.Record
						if blk, err = r.NextBlock(); err == nil {
							for i := range blk {
								visit(&blk[i])
							}
						}
					case "visit":
						_, err = r.VisitBlock(nil, visit)
					case "where":
						_, err = r.VisitBlockWhere(nil, flowfile.FieldPorts, test, add)
					}
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				r.Close()
			}
			reportRecords(b, n)
		})
	}
}
