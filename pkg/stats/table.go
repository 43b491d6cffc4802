package stats

// table is an open-addressing hash table with linear probing over
// fixed-width keys of w words. Slot i's key is keys[i*w:(i+1)*w]; its values
// are vals[c][i] for each value column c. ctrl[i] is 0 for an empty slot,
// otherwise 0x80 | 7 bits of the key's hash, so most probes of other keys
// end after a one-byte compare.
type table struct {
	w     int
	mask  uint64
	n     int
	limit int // grow when n reaches it
	ctrl  []byte
	keys  []uint64
	vals  [][]uint64
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
	t := &table{w: w, vals: make([][]uint64, nvals)}
	t.alloc(c)
	return t
}

func (t *table) alloc(c int) {
	t.mask = uint64(c - 1)
	t.limit = c * maxLoad / 16
	t.ctrl = allocBytes(c)
	t.keys = allocWords(c * t.w)
	for i := range t.vals {
		t.vals[i] = allocWords(c)
	}
}

func (t *table) free() {
	freeBytes(t.ctrl)
	freeWords(t.keys)
	for i := range t.vals {
		freeWords(t.vals[i])
	}
	t.ctrl, t.keys = nil, nil
}

func (t *table) capacity() int { return len(t.ctrl) }

func tag(h uint64) byte { return byte(h>>48) | 0x80 }

// hashKey mixes a key's words (a multiply-xorshift hash).
func hashKey(key []uint64) uint64 {
	h := uint64(0x243f6a8885a308d3)
	for _, w := range key {
		h ^= w
		h *= 0x9e3779b97f4a7c15
		h ^= h >> 29
	}
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 32
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
			copy(t.keys[int(i)*w:], key)
			t.n++
			return int(i), true
		}
		if c == tg && equalKey(t.keys[int(i)*w:int(i)*w+w], key) {
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
	t.vals = make([][]uint64, len(old.vals))
	t.alloc(old.capacity() * 2)
	w := t.w
	for i, c := range old.ctrl {
		if c == 0 {
			continue
		}
		key := old.keys[i*w : i*w+w]
		j := hashKey(key) & t.mask
		for t.ctrl[j] != 0 {
			j = (j + 1) & t.mask
		}
		t.ctrl[j] = c
		copy(t.keys[int(j)*w:], key)
		for v := range t.vals {
			t.vals[v][j] = old.vals[v][i]
		}
	}
	old.free()
}

// key returns slot i's key.
func (t *table) key(i int) []uint64 { return t.keys[i*t.w : i*t.w+t.w] }
