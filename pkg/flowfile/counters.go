package flowfile

import "math/bits"

// AddCount returns a+b, or the largest uint64 (18446744073709551615) when
// the sum does not fit: sums of records' packets and bytes saturate rather
// than wrap. A record's counters are 64-bit, as the exporter sent them;
// real traffic never sums to 2^64 bytes, but two bogus records can, and a
// wrapped sum would be a small, wrong number printed without a word,
// while a saturated one is the visible maximum and percentages of it stay
// within 0–100. Saturating costs one add with carry in the hot loops and
// no memory, where 128-bit sums would double every aggregation bin.
func AddCount(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	return s | -carry
}
