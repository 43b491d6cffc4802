package flowfile_test

import (
	"fmt"
	"math"
	"os"
	"testing"
	"time"

	"github.com/gflow/gflow/internal/flowgen"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/klauspost/compress/zstd"
)

func TestColumnSizes(t *testing.T) {
	if os.Getenv("GFLOW_COLSIZE") == "" {
		t.Skip("measurement; set GFLOW_COLSIZE=1")
	}
	recs := make([]flowfile.Record, 1<<16)
	flowgen.New(7, flowgen.Options{}).Fill(recs)
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBetterCompression))
	tot := 0
	for i, c := range flowfile.ColumnData(recs) {
		z := enc.EncodeAll(c, nil)
		tot += len(z)
		fmt.Printf("col %2d raw %8d zstd %8d  %.2f B/rec\n", i, len(c), len(z), float64(len(z))/float64(len(recs)))
	}
	fmt.Printf("total %.2f B/rec\n", float64(tot)/float64(len(recs)))
}

func transpose(b []byte, w int) []byte {
	n := len(b) / w
	out := make([]byte, len(b))
	for i := 0; i < n; i++ {
		for j := 0; j < w; j++ {
			out[j*n+i] = b[i*w+j]
		}
	}
	return out
}

func TestColumnExperiments(t *testing.T) {
	if os.Getenv("GFLOW_COLSIZE") == "" {
		t.Skip("measurement; set GFLOW_COLSIZE=1")
	}
	recs := make([]flowfile.Record, 1<<16)
	flowgen.New(7, flowgen.Options{}).Fill(recs)
	cols := flowfile.ColumnData(recs)
	for _, lvl := range []zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault, zstd.SpeedBetterCompression, zstd.SpeedBestCompression} {
		enc, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(lvl))
		z := func(b []byte) float64 { return float64(len(enc.EncodeAll(b, nil))) / float64(len(recs)) }
		fmt.Printf("level %v: sip4 %.2f T %.2f | sport %.2f T %.2f | dport %.2f T %.2f | cc %.2f T %.2f\n", lvl,
			z(cols[1]), z(transpose(cols[1], 4)), z(cols[7]), z(transpose(cols[7], 2)), z(cols[8]), z(transpose(cols[8], 2)),
			z(cols[27]), z(transpose(cols[27], 2)))
		// fixed-width alternatives for varint columns
		dur := make([]byte, 0, 4*len(recs))
		byt := make([]byte, 0, 4*len(recs))
		for i := range recs {
			d := uint32(recs[i].ETime - recs[i].STime)
			dur = append(dur, byte(d), byte(d>>8), byte(d>>16), byte(d>>24))
			b := uint32(recs[i].Bytes)
			byt = append(byt, byte(b), byte(b>>8), byte(b>>16), byte(b>>24))
		}
		fmt.Printf("   dur varint %.2f fixedT %.2f | bytes varint %.2f fixedT %.2f\n", z(cols[11]), z(transpose(dur, 4)), z(cols[13]), z(transpose(byt, 4)))
	}
}

func TestBlockSizes(t *testing.T) {
	if os.Getenv("GFLOW_COLSIZE") == "" {
		t.Skip("measurement; set GFLOW_COLSIZE=1")
	}
	recs := make([]flowfile.Record, 1<<18)
	flowgen.New(7, flowgen.Options{}).Fill(recs)
	for _, bs := range []int{1 << 14, 1 << 15, 1 << 16} {
		for _, lvl := range []zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault, zstd.SpeedBetterCompression, zstd.SpeedBestCompression} {
			tot := 0
			start := time.Now()
			for i := 0; i < len(recs); i += bs {
				tot += flowfile.PayloadSize(recs[i:i+bs], lvl)
			}
			fmt.Printf("block %6d %-8v %.2f B/rec  %v\n", bs, lvl, float64(tot)/float64(len(recs)), time.Since(start)/time.Duration(len(recs)))
		}
	}
}

func TestAddrEntropy(t *testing.T) {
	if os.Getenv("GFLOW_COLSIZE") == "" {
		t.Skip("measurement; set GFLOW_COLSIZE=1")
	}
	recs := make([]flowfile.Record, 1<<16)
	flowgen.New(7, flowgen.Options{}).Fill(recs)
	cnt := map[any]int{}
	pc := map[uint16]int{}
	for i := range recs {
		cnt[recs[i].SIP]++
		pc[max(recs[i].SPort, recs[i].DPort)]++
	}
	h := 0.0
	for _, c := range cnt {
		p := float64(c) / float64(len(recs))
		h -= p * math.Log2(p)
	}
	hp := 0.0
	for _, c := range pc {
		p := float64(c) / float64(len(recs))
		hp -= p * math.Log2(p)
	}
	fmt.Printf("distinct sip %d, empirical entropy %.2f bits; hiport entropy %.2f\n", len(cnt), h, hp)
}
