package stats

import (
	"slices"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Result is an aggregation: the input counts and the bins.
type Result struct {
	agg     *Aggregator
	Records uint64 // records read (after the IPv6 policy)
	Bins    uint64 // distinct keys
	Total   uint64 // total of the primary value (distinct: over all input)
}

// Row is one selected bin.
type Row struct {
	Key    flowfile.Record // the key fields, rebuilt as a record for printing
	Values []uint64        // in --values order
}

// Selection is the outcome of applying the limit: the selected bins,
// best first, read one at a time with Row. It holds a small entry per bin
// and builds a bin's Row only when asked, so that printing every bin
// (--count=0, millions of them) costs little more than the bins
// themselves.
type Selection struct {
	Count     uint64 // N of the OUTPUT line
	Threshold uint64 // for --threshold and --percentage

	res    *Result
	picked []entry
}

// Len returns the number of rows selected.
func (s *Selection) Len() int { return len(s.picked) }

// Row sets row to the i-th selected bin (0 is the best). row.Values is
// reused from one call to the next.
func (s *Selection) Row(i int, row *Row) {
	a := s.res.agg
	e := &s.picked[i]
	t := a.subs[e.sub].bins[e.fam]
	row.Key = a.k.unpack(t.key(int(e.slot)), e.fam)
	if cap(row.Values) < a.nvals {
		row.Values = make([]uint64, a.nvals)
	}
	row.Values = row.Values[:a.nvals]
	copy(row.Values, t.vals(int(e.slot)))
}

type entry struct {
	val   uint64
	fam   family
	sub   uint8
	slot  int32
	canon int32 // offset of the canonical key in the arena
}

type selector struct {
	res    *Result
	bottom bool
	cw     int
	arena  []uint64
	tmp    []uint64
}

// canon writes a bin's key in the IPv6 layout (IPv4 addresses as
// ::ffff:a.b.c.d), so keys of both families compare field by field.
func (s *selector) canon(e *entry, out []uint64) {
	k := s.res.agg.k
	t := s.res.agg.subs[e.sub].bins[e.fam]
	key := t.key(int(e.slot))
	clear(out)
	if e.fam == fam6 {
		copy(out, key)
		return
	}
	rd := bitReader{in: key}
	w := bitWriter{out: out}
	for _, id := range k.comps {
		b := fieldBits(id, fam4)
		v := rd.get(b)
		if id.IsIP() {
			w.put(0, 64)
			w.put(0xffff<<32|v, 64)
			continue
		}
		w.put(v, b)
	}
}

func lessWords(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// better reports whether a ranks before b: by the primary value (larger
// for top, smaller for bottom), ties by key ascending.
func (s *selector) better(a, b *entry) bool {
	if a.val != b.val {
		if s.bottom {
			return a.val < b.val
		}
		return a.val > b.val
	}
	return lessWords(s.arena[a.canon:a.canon+int32(s.cw)], s.arena[b.canon:b.canon+int32(s.cw)])
}

// each calls fn for every bin with its primary value.
func (r *Result) each(fn func(e entry)) {
	a := r.agg
	for si := range a.subs {
		for f := range a.subs[si].bins {
			t := a.subs[si].bins[f]
			if t == nil {
				continue
			}
			for i, c := range t.ctrl {
				if c != 0 {
					fn(entry{val: t.data[i*t.stride+t.w], fam: family(f), sub: uint8(si), slot: int32(i)})
				}
			}
		}
	}
}

// Select applies the spec's limit and returns the rows, best first. Ties
// are ordered by key ascending (fields in --fields order, addresses
// numerically with IPv4 as ::ffff:a.b.c.d).
func (r *Result) Select() *Selection {
	spec := &r.agg.spec
	s := &selector{res: r, bottom: spec.Bottom, cw: r.agg.k.lay[fam6].words}
	s.tmp = make([]uint64, s.cw)
	sel := &Selection{res: r}
	var picked []entry
	switch {
	case spec.Limit == LimitCount && spec.Count > 0:
		picked = s.topN(int(min(spec.Count, 1<<31)))
		sel.Count = spec.Count
	default:
		th := uint64(0)
		all := spec.Limit == LimitCount
		switch spec.Limit {
		case LimitThreshold:
			th = spec.Threshold
		case LimitPercentage:
			th = uint64(spec.Percentage * float64(r.Total) / 100.0)
		}
		sel.Threshold = th
		if all {
			// every bin: no growing by doubling
			picked = make([]entry, 0, r.Bins)
			s.arena = make([]uint64, 0, int(r.Bins)*s.cw)
		}
		r.each(func(e entry) {
			if !all && !meets(e.val, th, spec.Bottom) {
				return
			}
			e.canon = int32(len(s.arena))
			s.arena = append(s.arena, make([]uint64, s.cw)...)
			s.canon(&e, s.arena[e.canon:])
			picked = append(picked, e)
		})
		slices.SortFunc(picked, func(a, b entry) int {
			if s.better(&a, &b) {
				return -1
			}
			if s.better(&b, &a) {
				return 1
			}
			return 0
		})
		sel.Count = uint64(len(picked))
	}
	sel.picked = picked
	return sel
}

// meets is rwstats' threshold test: >= for top, <= for bottom.
func meets(v, th uint64, bottom bool) bool {
	if bottom {
		return v <= th
	}
	return v >= th
}

// topN keeps the best n bins in a heap whose root is the worst of them.
func (s *selector) topN(n int) []entry {
	h := make([]entry, 0, min(n, 1<<16))
	// worse(i, j): entry i ranks after entry j; the root is the worst
	worse := func(i, j int) bool { return s.better(&h[j], &h[i]) }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && worse(r, l) {
				m = r
			}
			if !worse(m, i) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	up := func(i int) {
		for i > 0 {
			p := (i - 1) / 2
			if !worse(i, p) {
				return
			}
			h[i], h[p] = h[p], h[i]
			i = p
		}
	}
	s.res.each(func(e entry) {
		if len(h) < n {
			e.canon = int32(len(s.arena))
			s.arena = append(s.arena, make([]uint64, s.cw)...)
			s.canon(&e, s.arena[e.canon:])
			h = append(h, e)
			up(len(h) - 1)
			return
		}
		root := &h[0]
		if e.val != root.val {
			if s.bottom == (e.val > root.val) {
				return // worse than the worst kept
			}
		} else {
			s.canon(&e, s.tmp)
			if !lessWords(s.tmp, s.arena[root.canon:root.canon+int32(s.cw)]) {
				return
			}
		}
		e.canon = root.canon
		s.canon(&e, s.arena[e.canon:e.canon+int32(s.cw)])
		h[0] = e
		down(0)
	})
	slices.SortFunc(h, func(a, b entry) int {
		if s.better(&a, &b) {
			return -1
		}
		if s.better(&b, &a) {
			return 1
		}
		return 0
	})
	return h
}
