//go:build linux || darwin || freebsd

package stats

import (
	"syscall"
	"unsafe"
)

// Table arrays live in anonymous mappings outside the Go heap: they hold no
// pointers, and a table that grows gives its old arrays back to the system
// at once instead of leaving them to the garbage collector, so resident
// memory tracks what the bins need.

func allocWords(n int) []uint64 {
	if n == 0 {
		return nil
	}
	b, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]uint64, n) // fall back to the Go heap
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n)
}

func freeWords(s []uint64) {
	if len(s) == 0 {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*8)
	_ = syscall.Munmap(b) // fails harmlessly for a heap fallback
}

func allocBytes(n int) []byte {
	if n == 0 {
		return nil
	}
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n)
	}
	return b
}

func freeBytes(b []byte) {
	if len(b) == 0 {
		return
	}
	_ = syscall.Munmap(b)
}
