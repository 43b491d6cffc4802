package silk_test

import (
	"bytes"
	"errors"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/silk"
)

// BenchmarkRead reads FT_RWIPV6ROUTING streams through flowfile's Reader,
// as the tools do, in records per second (bench/silk.sh compares whole
// tools with rwfilter's figure). "nocc" asks for no source or destination
// fields, so no country lookups.
func BenchmarkRead(b *testing.B) {
	recs := make([]flowfile.Record, 200_000)
	flowgen.New(1, flowgen.Options{}).Fill(recs)
	for _, c := range []silk.Compression{silk.CompressNone, silk.CompressZlib, silk.CompressSnappy} {
		var buf bytes.Buffer
		w, err := silk.NewWriter(&buf, silk.WriterOptions{Compression: c})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.WriteBlock(recs); err != nil {
			b.Fatal(err)
		}
		w.Close()
		data := buf.Bytes()
		for _, fields := range []struct {
			name string
			f    flowfile.Fields
		}{{"all", flowfile.AllFields}, {"nocc", flowfile.FieldClass | flowfile.FieldPorts | flowfile.FieldCounts | flowfile.FieldTimes}} {
			b.Run(c.String()+"/"+fields.name, func(b *testing.B) {
				n := 0
				cpu0 := cpuTime()
				for b.Loop() {
					r, err := flowfile.NewReader(bytes.NewReader(data))
					if err != nil {
						b.Fatal(err)
					}
					r.SetFields(fields.f)
					for {
						blk, err := r.NextBlock()
						if errors.Is(err, io.EOF) {
							break
						}
						if err != nil {
							b.Fatal(err)
						}
						n += len(blk)
					}
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rec/s")
				if cpu := cpuTime() - cpu0; cpu > 0 {
					b.ReportMetric(float64(n)/cpu.Seconds(), "rec/cpu-s")
				}
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// cpuTime is the process's CPU time so far: a loaded machine slows the
// wall clock, not the work done.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
