//go:build !(linux || darwin || freebsd)

package stats

func allocWords(n int) []uint64 { return make([]uint64, n) }
func freeWords([]uint64)        {}
func allocBytes(n int) []byte   { return make([]byte, n) }
func freeBytes([]byte)          {}
