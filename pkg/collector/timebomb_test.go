package collector

import (
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTimeBombMemory measures a real gflowcap receiving 20,000 flows, each
// starting in an hour of its own (up to a thousand years from their export
// time), with the default flow-time window and without one (what
// --reject-hours-past=0 --reject-hours-future=0 asks for, and what every
// version before the window did): its memory, and the files and
// directories it makes. It runs on demand, with GFLOW_FLOOD_TEST=1 (the
// figures are in docs/vendors.md).
func TestTimeBombMemory(t *testing.T) {
	if os.Getenv("GFLOW_FLOOD_TEST") != "1" {
		t.Skip("on demand: GFLOW_FLOOD_TEST=1 go test -run TestTimeBombMemory -v ./pkg/collector")
	}
	for _, tc := range []struct {
		name  string
		extra []string
	}{
		{"default window", nil},
		{"no window", []string{"--reject-hours-past=0", "--reject-hours-future=0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			c := startChild(t, root, time.Second, tc.extra...)
			vm := func(field string) string { // from /proc: "123456 kB"
				status, _ := os.ReadFile("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/status")
				for _, l := range strings.Split(string(status), "\n") {
					if strings.HasPrefix(l, field+":") {
						return strings.Join(strings.Fields(l)[1:], " ")
					}
				}
				return "?"
			}
			started := vm("VmRSS")
			conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(c.udp))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			export := time.Now().UTC().Truncate(time.Second)
			const flows, per = 20000, 200
			for p := range flows / per {
				starts := make([]int64, per)
				for i := range starts {
					k := int64(p*per + i)
					starts[i] = export.UnixMilli() + (k-flows/2)*877*int64(time.Hour/time.Millisecond)
				}
				conn.Write(ipfixTimes(export, uint32(p*per), starts)) //nolint:errcheck // counted below
				time.Sleep(2 * time.Millisecond)
			}
			waitFor(t, "every flow written or dropped", func() bool {
				in, _ := c.metric("gflowcap_records_written_total")
				out, _ := c.metric("gflowcap_flows_outside_window_total")
				return in+out >= flows
			})
			time.Sleep(3 * time.Second) // a flush or two
			files, dirs := 0, 0
			filepath.WalkDir(root, func(_ string, d fs.DirEntry, _ error) error {
				switch {
				case d == nil:
				case d.IsDir():
					dirs++
				default:
					files++
				}
				return nil
			})
			out, _ := c.metric("gflowcap_flows_outside_window_total")
			t.Logf("%s: RSS %s at start, peak %s; %d files, %d directories; %v flows outside the window", tc.name, started, vm("VmHWM"), files, dirs, out)
			if tc.extra == nil && (files > 10 || out < flows-100) {
				t.Errorf("%d files, %v flows outside the window", files, out)
			}
		})
	}
}
