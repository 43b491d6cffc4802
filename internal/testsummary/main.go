// Command testsummary reads `go test -json` on standard input and prints
// what `go test` would (each package's result, the output of the tests
// that failed), then says how many tests were skipped and which, with
// their reasons, so that a test that cannot run here (a missing program,
// a missing file) is seen rather than passing silently. With -rerun, it
// then runs again, without the race detector, the tests that skipped
// because of it (allocation counts), and reports them too. Its exit
// status is 1 when a test, a package or a build failed.
//
//	go test -race -json ./... | go run ./internal/testsummary -rerun
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// skip is a test that skipped, and why.
type skip struct {
	pkg, test, reason string
}

// summary is what one run of go test did.
type summary struct {
	failed  bool
	passed  int
	skipped []skip
}

// read reads go test -json from in, printing as go test does to out.
func read(in io.Reader, out io.Writer) (summary, error) {
	var s summary
	outputs := map[string][]string{} // test output so far, by package and test
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			fmt.Fprintf(out, "%s\n", line) // not JSON: go's own message
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output", "build-output":
			if e.Test == "" {
				fmt.Fprint(out, e.Output)
			} else {
				outputs[key] = append(outputs[key], e.Output)
			}
		case "build-fail":
			s.failed = true
		case "pass":
			if e.Test != "" {
				s.passed++
			}
			delete(outputs, key)
		case "fail":
			s.failed = true
			if e.Test != "" {
				fmt.Fprint(out, strings.Join(outputs[key], ""))
			}
			delete(outputs, key)
		case "skip":
			if e.Test != "" {
				s.skipped = append(s.skipped, skip{e.Package, e.Test, reason(outputs[key])})
			}
			delete(outputs, key)
		}
	}
	return s, sc.Err()
}

// reason is the message a skipped test gave, from its output.
func reason(lines []string) string {
	var msg []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		if _, after, ok := strings.Cut(l, ": "); ok && strings.Contains(l[:len(l)-len(after)], ".go:") {
			l = after // file.go:12: message
		}
		msg = append(msg, l)
	}
	if len(msg) == 0 {
		return "(no reason given)"
	}
	return strings.Join(msg, " ")
}

// raceSkips returns, by package, the top-level tests that skipped because
// they cannot run under the race detector.
func raceSkips(skipped []skip) map[string][]string {
	by := map[string][]string{}
	for _, s := range skipped {
		if strings.Contains(s.reason, "-race") && !strings.Contains(s.test, "/") {
			by[s.pkg] = append(by[s.pkg], s.test)
		}
	}
	return by
}

func main() {
	rerun := flag.Bool("rerun", false, "run the tests that skipped under -race again without it")
	flag.Parse()
	s, err := read(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
		os.Exit(1)
	}
	failed := s.failed
	skipped := s.skipped
	if *rerun {
		by := raceSkips(s.skipped)
		if len(by) > 0 {
			fmt.Println("== again without -race: the tests that skip under it")
		}
		var pkgs []string
		for p := range by {
			pkgs = append(pkgs, p)
		}
		slices.Sort(pkgs)
		for _, p := range pkgs {
			cmd := exec.Command("go", "test", "-count=1", "-json", "-run", "^("+strings.Join(by[p], "|")+")$", p)
			cmd.Stderr = os.Stderr
			pipe, err := cmd.StdoutPipe()
			if err != nil {
				fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
				os.Exit(1)
			}
			if err := cmd.Start(); err != nil {
				fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
				os.Exit(1)
			}
			again, err := read(pipe, os.Stdout)
			if werr := cmd.Wait(); err == nil && werr != nil && !again.failed {
				err = werr
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "testsummary: %s: %v\n", p, err)
				failed = true
			}
			failed = failed || again.failed
			// the tests that ran this time are no longer skipped
			skipped = slices.DeleteFunc(skipped, func(k skip) bool {
				return k.pkg == p && slices.Contains(by[p], k.test) && !slices.ContainsFunc(again.skipped, func(a skip) bool { return a.test == k.test })
			})
		}
	}
	fmt.Printf("\n%d tests skipped", len(skipped))
	if len(skipped) > 0 {
		fmt.Print(":")
	}
	fmt.Println()
	for _, k := range skipped {
		fmt.Printf("  %s %s: %s\n", k.pkg, k.test, k.reason)
	}
	if failed {
		fmt.Println("FAIL")
		os.Exit(1)
	}
}
