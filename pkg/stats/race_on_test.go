//go:build race

package stats

// raceEnabled: the race detector changes allocation counts, so allocation
// tests skip.
const raceEnabled = true
