//go:build race

package flowfile_test

// raceEnabled: the race detector changes allocation counts (sync.Pool
// drops objects at random under it), so allocation tests skip.
const raceEnabled = true
