//go:build !race

package flowfile_test

const raceEnabled = false
