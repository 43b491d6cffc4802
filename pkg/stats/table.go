package stats

// table is an open-addressing hash table with linear probing over
// fixed-width keys of w words. Slot i holds its key and its value columns
// side by side in data[i*stride:(i+1)*stride] (key words first), so a
// lookup touches one cache line of data. ctrl[i] is 0 for an empty slot,
// otherwise 0x80 | 7 bits of the key's hash, so most probes of other keys
// end after a one-byte compare.
type table struct {
	w      int
	nvals  int
	stride int
	mask   uint64
	n      int
	limit  int // grow when n reaches it
	ctrl   []byte
	data   []uint64
}

// maxLoad is the fill ratio that triggers growth, in 1/16ths: 14/16 keeps
// memory near the bins' own size; the control bytes keep long probe runs
// cheap.
const maxLoad = 14

func newTable(w, nvals, capacity int) *table {
	c := 16
	for c < capacity {
		c <<= 1
	}
	t := &table{w: w, nvals: nvals, stride: w + nvals}
	t.alloc(c)
	return t
}

func (t *table) alloc(c int) {
	t.mask = uint64(c - 1)
	t.limit = c * maxLoad / 16
	t.ctrl = allocBytes(c)
	t.data = allocWords(c * t.stride)
}

func (t *table) free() {
	freeBytes(t.ctrl)
	freeWords(t.data)
	t.ctrl, t.data = nil, nil
}

// vals returns slot i's value columns.
func (t *table) vals(i int) []uint64 {
	o := i*t.stride + t.w
	return t.data[o : o+t.nvals : o+t.nvals]
}

func (t *table) capacity() int { return len(t.ctrl) }

func tag(h uint64) byte { return byte(h>>48) | 0x80 }

// hashKey mixes a key's words with murmur3's 64-bit finalizer after each
// word, so every bit of the key reaches the low bits that pick a slot.
func hashKey(key []uint64) uint64 {
	h := uint64(0x243f6a8885a308d3)
	for _, w := range key {
		h = fmix64(h ^ w)
	}
	return h
}

func fmix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// insert finds key's slot, adding the key if it is new.
func (t *table) insert(key []uint64, h uint64) (slot int, added bool) {
	if t.n >= t.limit {
		t.grow()
	}
	tg := tag(h)
	w := t.w
	i := h & t.mask
	for {
		c := t.ctrl[i]
		if c == 0 {
			t.ctrl[i] = tg
			copy(t.data[int(i)*t.stride:], key)
			t.n++
			return int(i), true
		}
		if c == tg && equalKey(t.data[int(i)*t.stride:int(i)*t.stride+w], key) {
			return int(i), false
		}
		i = (i + 1) & t.mask
	}
}

func equalKey(a, b []uint64) bool {
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (t *table) grow() {
	old := *t
	t.alloc(old.capacity() * 2)
	st := t.stride
	for i, c := range old.ctrl {
		if c == 0 {
			continue
		}
		slot := old.data[i*st : i*st+st]
		j := hashKey(slot[:t.w]) & t.mask
		for t.ctrl[j] != 0 {
			j = (j + 1) & t.mask
		}
		t.ctrl[j] = c
		copy(t.data[int(j)*st:], slot)
	}
	old.free()
}

// key returns slot i's key.
func (t *table) key(i int) []uint64 { return t.data[i*t.stride : i*t.stride+t.w] }

// touch reads the home slot of each entry (hash first, stride words
// apart) before they are inserted. The loads do not depend on each other,
// so the CPU has many cache misses in flight at once instead of one per
// insert; the inserts then find their slots in the cache. The sum is
// returned so the loads are not optimised away.
func (t *table) touch(e []uint64, stride int) uint64 {
	var x uint64
	for i := 0; i+stride <= len(e); i += stride {
		j := e[i] & t.mask
		x += uint64(t.ctrl[j]) + t.data[int(j)*t.stride]
	}
	return x
}
