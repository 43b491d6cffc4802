//go:build race

package asn

const raceEnabled = true
