// Package lzo decompresses LZO1X data, the block compression SiLK calls
// lzo1x (lzo1x_1_15_compress, read with lzo1x_decompress_safe). Only
// decompression is here: gflow writes SiLK files uncompressed, with zlib or
// with snappy.
//
// The format, as LZO's own lzo1x_d.ch decodes it: a stream of literal runs
// and back-references ("matches") into the output written so far, ended
// by a match of distance 0 (the bytes 0x11 0x00 0x00). Every read and
// write is checked against the input's and the output's bounds, so no
// input can make Decompress read outside src, write past the size the
// caller expects, or loop: each instruction consumes at least one input
// byte.
package lzo

import (
	"errors"
	"fmt"
)

var (
	errInputOverrun  = errors.New("lzo1x: input ends inside an instruction")
	errOutputOverrun = errors.New("lzo1x: output larger than announced")
	errLookBehind    = errors.New("lzo1x: match reaches before the start of the output")
)

// Decompress appends the decompression of src to dst[:0] and returns it.
// size is the decompressed length the caller expects (SiLK stores it with
// each block); more output is an error, and so is less.
func Decompress(dst, src []byte, size int) ([]byte, error) {
	if cap(dst) < size {
		dst = make([]byte, 0, size)
	}
	out := dst[:size]
	op, ip := 0, 0
	in := src

	// need checks that n more input bytes are there.
	need := func(n int) bool { return ip+n <= len(in) }
	// literals copies n input bytes to the output.
	literals := func(n int) error {
		if !need(n) {
			return errInputOverrun
		}
		if op+n > size {
			return errOutputOverrun
		}
		copy(out[op:], in[ip:ip+n])
		op += n
		ip += n
		return nil
	}
	// match copies n bytes from dist bytes back in the output, byte by
	// byte when they overlap (a run).
	match := func(dist, n int) error {
		if dist > op || dist <= 0 {
			return errLookBehind
		}
		if op+n > size {
			return errOutputOverrun
		}
		from := op - dist
		if dist >= n {
			copy(out[op:op+n], out[from:from+n])
		} else {
			for i := range n {
				out[op+i] = out[from+i]
			}
		}
		op += n
		return nil
	}
	// runLength reads the extension of a length field that was zero:
	// zero bytes add 255 each, the first non-zero byte ends it.
	runLength := func(base int) (int, error) {
		n := 0
		for {
			if !need(1) {
				return 0, errInputOverrun
			}
			b := in[ip]
			ip++
			if b != 0 {
				return n + base + int(b), nil
			}
			n += 255
		}
	}

	if len(in) == 0 {
		return nil, errInputOverrun
	}
	// state: how many literals the previous instruction copied (0..3, or
	// 4 for "a literal run of 4 or more"); it decides what the opcodes
	// 0..15 mean.
	state := 0
	if in[0] > 17 {
		t := int(in[0]) - 17
		ip++
		if err := literals(t); err != nil {
			return nil, err
		}
		state = min(t, 4)
	}
	for {
		if !need(1) {
			return nil, errInputOverrun
		}
		t := int(in[ip])
		ip++
		var trailing int // literals that follow a match (S, the low bits)
		switch {
		case t < 16 && state == 0:
			// a literal run of 4 or more
			n := t + 3
			if t == 0 {
				var err error
				if n, err = runLength(15 + 3); err != nil {
					return nil, err
				}
			}
			if err := literals(n); err != nil {
				return nil, err
			}
			state = 4
			continue
		case t < 16 && state == 4:
			// after a literal run: 3 bytes from 2049..3072 back
			if !need(1) {
				return nil, errInputOverrun
			}
			dist := 1 + 0x800 + t>>2 + int(in[ip])<<2
			ip++
			if err := match(dist, 3); err != nil {
				return nil, err
			}
			trailing = t & 3
		case t < 16:
			// after 1..3 trailing literals: 2 bytes from up to 1 KiB back
			if !need(1) {
				return nil, errInputOverrun
			}
			dist := 1 + t>>2 + int(in[ip])<<2
			ip++
			if err := match(dist, 2); err != nil {
				return nil, err
			}
			trailing = t & 3
		case t >= 64:
			// 3..8 bytes from up to 2 KiB back
			if !need(1) {
				return nil, errInputOverrun
			}
			dist := 1 + (t>>2)&7 + int(in[ip])<<3
			ip++
			if err := match(dist, t>>5+1); err != nil {
				return nil, err
			}
			trailing = t & 3
		case t >= 32:
			// up to 16 KiB back, any length
			n := t&31 + 2
			if t&31 == 0 {
				var err error
				if n, err = runLength(31 + 2); err != nil {
					return nil, err
				}
			}
			if !need(2) {
				return nil, errInputOverrun
			}
			dist := 1 + int(in[ip])>>2 + int(in[ip+1])<<6
			trailing = int(in[ip]) & 3
			ip += 2
			if err := match(dist, n); err != nil {
				return nil, err
			}
		default: // 16..31
			// 16..48 KiB back, any length; distance 0 ends the stream
			n := t&7 + 2
			if t&7 == 0 {
				var err error
				if n, err = runLength(7 + 2); err != nil {
					return nil, err
				}
			}
			if !need(2) {
				return nil, errInputOverrun
			}
			dist := (t&8)<<11 + int(in[ip])>>2 + int(in[ip+1])<<6
			trailing = int(in[ip]) & 3
			ip += 2
			if dist == 0 {
				return finish(out, op, size, ip, len(in))
			}
			if err := match(dist+0x4000, n); err != nil {
				return nil, err
			}
		}
		if err := literals(trailing); err != nil {
			return nil, err
		}
		state = trailing
	}
}

// finish checks the end of the stream: the whole output written, the
// whole input read.
func finish(out []byte, op, size, ip, inLen int) ([]byte, error) {
	if op != size {
		return nil, fmt.Errorf("lzo1x: %d bytes decompressed, %d announced", op, size)
	}
	if ip != inLen {
		return nil, fmt.Errorf("lzo1x: %d bytes after the end of the stream", inLen-ip)
	}
	return out, nil
}
