// profile runs one of the tools in this process under Go's CPU profiler,
// so that the real query on a real repository can be read with
// go tool pprof:
//
//	profile -cpu gstats.pprof gstats --fields=sip --values=bytes --count=20 <stream
//	go tool pprof -top bin/profile gstats.pprof
//
// The tool reads and writes the process's standard streams as its own
// binary would.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/gflow/gflow/pkg/cli"
	_ "github.com/gflow/gflow/pkg/count"
	_ "github.com/gflow/gflow/pkg/filter/gfilter"
	_ "github.com/gflow/gflow/pkg/stats"
)

func main() {
	out := flag.String("cpu", "cpu.pprof", "write the CPU profile to this file")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: profile [-cpu FILE] TOOL [SWITCHES]")
		os.Exit(2)
	}
	var tool *cli.Tool
	for _, t := range cli.Tools() {
		if t.Name == flag.Arg(0) {
			tool = &t
		}
	}
	if tool == nil {
		fmt.Fprintf(os.Stderr, "profile: no tool %q\n", flag.Arg(0))
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "profile: %v\n", err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "profile: %v\n", err)
		os.Exit(1)
	}
	std := cli.StdIO()
	status := cli.Run(tool.NewCommand(std), flag.Args()[1:], std)
	pprof.StopCPUProfile()
	f.Close()
	os.Exit(status)
}
