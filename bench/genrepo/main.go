// Command genrepo writes a synthetic repository of hourly files with
// internal/repogen, for bench/gsiteinfo.sh:
//
//	go run ./bench/genrepo -root /tmp/year -hours 8760 -blocks 60 -records 10
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gflow/gflow/internal/repogen"
	"github.com/gflow/gflow/pkg/flowfile"
)

func main() {
	root := flag.String("root", "", "repository root `DIR` (created)")
	hours := flag.Int("hours", 8760, "hours of files")
	blocks := flag.Int("blocks", 60, "blocks per file (one per collector flush)")
	records := flag.Int("records", 10, "records per block")
	sensors := flag.Int("sensors", 1, "sensors S0, S1, ...")
	startFlag := flag.String("start", "2025-01-01", "first day, UTC (YYYY-MM-DD)")
	flag.Parse()
	start, err := time.Parse("2006-01-02", *startFlag)
	if *root == "" || err != nil {
		fmt.Fprintln(os.Stderr, "genrepo: -root DIR is required; -start is YYYY-MM-DD")
		os.Exit(2)
	}
	var ss []repogen.Sensor
	for i := range *sensors {
		ss = append(ss, repogen.Sensor{Name: fmt.Sprintf("S%d", i), ID: uint16(i)})
	}
	// The types a home router's traffic fills every hour.
	types := []flowfile.FlowType{flowfile.TypeIn, flowfile.TypeOut, flowfile.TypeInWeb, flowfile.TypeOutWeb,
		flowfile.TypeInt2Int, flowfile.TypeExt2Ext}
	tot, err := repogen.Write(*root, repogen.Options{Start: start, Hours: *hours, Sensors: ss, Types: types,
		Blocks: *blocks, Records: *records, Seed: 1})
	if err != nil {
		fmt.Fprintf(os.Stderr, "genrepo: %v\n", err)
		os.Exit(1)
	}
	var files, recs, bytes int64
	for _, t := range tot {
		files, recs, bytes = files+t.Files, recs+t.Records, bytes+t.Bytes
	}
	fmt.Printf("%d files, %d records, %d bytes\n", files, recs, bytes)
}
