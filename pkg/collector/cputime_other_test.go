//go:build !unix

package collector

import "time"

// cpuTime is not measured here; the CPU figure of BenchmarkIngest reads 0.
func cpuTime() time.Duration { return 0 }
