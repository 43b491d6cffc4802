package main

import (
	"strings"
	"testing"
)

const stream = `{"Action":"start","Package":"p/a"}
{"Action":"run","Package":"p/a","Test":"TestOK"}
{"Action":"output","Package":"p/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"pass","Package":"p/a","Test":"TestOK"}
{"Action":"run","Package":"p/a","Test":"TestAlloc"}
{"Action":"output","Package":"p/a","Test":"TestAlloc","Output":"    alloc_test.go:15: allocation counts (not with -short or -race)\n"}
{"Action":"output","Package":"p/a","Test":"TestAlloc","Output":"--- SKIP: TestAlloc (0.00s)\n"}
{"Action":"skip","Package":"p/a","Test":"TestAlloc"}
{"Action":"run","Package":"p/a","Test":"TestPeer/v5"}
{"Action":"output","Package":"p/a","Test":"TestPeer/v5","Output":"    peer_test.go:3: softflowd not installed: apt-get install softflowd\n"}
{"Action":"skip","Package":"p/a","Test":"TestPeer/v5"}
{"Action":"output","Package":"p/a","Output":"ok  \tp/a\t0.1s\n"}
{"Action":"pass","Package":"p/a"}
{"Action":"run","Package":"p/b","Test":"TestBroken"}
{"Action":"output","Package":"p/b","Test":"TestBroken","Output":"    b_test.go:9: got 1, want 2\n"}
{"Action":"fail","Package":"p/b","Test":"TestBroken"}
{"Action":"output","Package":"p/b","Output":"FAIL\tp/b\t0.1s\n"}
{"Action":"fail","Package":"p/b"}
`

func TestSummary(t *testing.T) {
	var out strings.Builder
	s, err := read(strings.NewReader(stream), &out)
	if err != nil {
		t.Fatal(err)
	}
	if !s.failed || s.passed != 1 || len(s.skipped) != 2 {
		t.Fatalf("failed %v, %d passed, skipped %+v", s.failed, s.passed, s.skipped)
	}
	if s.skipped[1].test != "TestPeer/v5" || s.skipped[1].reason != "softflowd not installed: apt-get install softflowd" {
		t.Errorf("skip %+v", s.skipped[1])
	}
	// a failing test's output is shown, a passing one's is not
	if !strings.Contains(out.String(), "got 1, want 2") || strings.Contains(out.String(), "=== RUN   TestOK") ||
		!strings.Contains(out.String(), "ok  \tp/a") || !strings.Contains(out.String(), "FAIL\tp/b") {
		t.Errorf("printed:\n%s", out.String())
	}
	if by := raceSkips(s.skipped); len(by) != 1 || len(by["p/a"]) != 1 || by["p/a"][0] != "TestAlloc" {
		t.Errorf("race skips %v", by)
	}
}
