// Package count bins flow records by time: gcount, gflow's rwcount. Each
// bin holds the records, bytes and packets of the flows active in it,
// spread over the bins a flow spans by one of rwcount's load schemes.
package count

import (
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Scheme is how a flow's volume is spread over the bins it spans. The
// numbers are rwcount's.
type Scheme uint8

const (
	// BinUniform splits records, bytes and packets evenly over every bin
	// from the start bin to the end bin.
	BinUniform Scheme = 0
	// StartSpike puts the whole flow in the bin of its start time.
	StartSpike Scheme = 1
	// EndSpike puts the whole flow in the bin of its end time.
	EndSpike Scheme = 2
	// MiddleSpike puts the whole flow in the bin of its middle
	// (sTime + duration/2).
	MiddleSpike Scheme = 3
	// TimeProportional (the default) splits the flow in proportion to the
	// milliseconds it was active in each bin.
	TimeProportional Scheme = 4
	// MaximumVolume counts the whole flow in every bin it is active in.
	MaximumVolume Scheme = 5
	// MinimumVolume counts the record in every bin it is active in, but
	// its bytes and packets only when it lies within one bin.
	MinimumVolume Scheme = 6
)

var schemeNames = [...]string{"bin-uniform", "start-spike", "end-spike", "middle-spike",
	"time-proportional", "maximum-volume", "minimum-volume"}

func (s Scheme) String() string {
	if int(s) < len(schemeNames) {
		return schemeNames[s]
	}
	return "scheme" + strconv.Itoa(int(s))
}

// ParseScheme accepts a scheme's name, a unique prefix of one, or its
// number. Errors are rwcount's wording.
func ParseScheme(s string) (Scheme, error) {
	ls := strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.Atoi(ls); err == nil && ls != "" {
		if n >= 0 && n < len(schemeNames) {
			return Scheme(n), nil
		}
		return 0, fmt.Errorf("Invalid load-scheme: '%s' is not recognized", s)
	}
	found, n := Scheme(0), 0
	for i, name := range schemeNames {
		if name == ls {
			return Scheme(i), nil
		}
		if ls != "" && strings.HasPrefix(name, ls) {
			found, n = Scheme(i), n+1
		}
	}
	switch n {
	case 1:
		return found, nil
	case 0:
		return 0, fmt.Errorf("Invalid load-scheme: '%s' is not recognized", s)
	}
	return 0, fmt.Errorf("Invalid load-scheme: '%s' is ambiguous", s)
}

// Bin is one time bin's totals.
type Bin struct {
	Records, Bytes, Packets float64
}

// Unset values of Spec.Start and Spec.End.
const (
	NoStart int64 = 0
	NoEnd   int64 = math.MaxInt64
)

// Spec says how to bin.
type Spec struct {
	Size   int64 // bin size in ms, >= 1
	Scheme Scheme
	// Start and End (ms) limit the bins, as rwcount's --start-time and
	// --end-time do once parsed: bins start at Start, End is the end of
	// the last bin (exclusive). NoStart and NoEnd when not given.
	Start, End int64
}

const day = 86400000

// Counter accumulates flows into bins. Bins are aligned the way rwcount
// aligns them: to Start when given, else to End when given, else to a
// day boundary before the first flow (midnight of the day before
// yesterday for bins from 1 s to a day; a week earlier for longer bins;
// that day's midnight for sub-second bins). For bin sizes that divide a
// day that is the same as aligning to multiples of the size since the
// epoch.
type Counter struct {
	spec   Spec
	init   bool
	origin int64 // time of bin index 0
	lo     int64 // index of bins[0] relative to origin
	bins   []Bin
	endIdx int64 // with End: index one past the last bin
	// label is rwcount's window_min, from which --bin-slots numbers bins:
	// it moves back in steps of 2^21 bins when earlier flows arrive.
	label int64
	err   error
	dummy Bin // where flows go once err is set
}

// MaxBins bounds the bins between the earliest and the latest flow, so
// that one flow with a wild time cannot take all memory.
const MaxBins = 1 << 24

// Err reports that the flows spanned more than MaxBins bins; the counts
// are then incomplete.
func (c *Counter) Err() error { return c.err }

// NewCounter returns an empty counter.
func NewCounter(spec Spec) *Counter {
	if spec.Size < 1 {
		spec.Size = 1
	}
	if spec.End == 0 {
		spec.End = NoEnd
	}
	return &Counter{spec: spec}
}

// Spec returns the counter's spec.
func (c *Counter) Spec() Spec { return c.spec }

func (c *Counter) hasStart() bool { return c.spec.Start != NoStart }
func (c *Counter) hasEnd() bool   { return c.spec.End != NoEnd }

// start sets the alignment from the first flow's start time, as rwcount's
// initBins does.
func (c *Counter) start(sTime int64) {
	c.init = true
	size := c.spec.Size
	var origin int64
	switch {
	case c.hasStart():
		origin = c.spec.Start
	case size < 1000:
		origin = sTime - mod(sTime, day)
	case size > day:
		origin = sTime - mod(sTime, day) - 7*day
	default:
		origin = sTime - mod(sTime, day) - 2*day
	}
	if c.hasEnd() && !c.hasStart() {
		count := 1 + (c.spec.End-origin)/size
		origin = c.spec.End - size*count
	}
	c.origin, c.label = origin, origin
	// The window given is printed whole: hold it, so that MaxBins bounds
	// it too.
	if c.hasStart() {
		c.at(0)
	}
	if c.hasEnd() {
		c.endIdx = (c.spec.End - origin) / size
		c.at(c.endIdx - 1)
	}
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// index is the bin of time t.
func (c *Counter) index(t int64) int64 { return floorDiv(t-c.origin, c.spec.Size) }

// binsPerStep is rwcount's growth step (BIN_COUNT_STD), used only to
// number bins for --bin-slots as rwcount does.
const binsPerStep = 1 << 21

// at returns the bin of index i, growing the bins as needed.
func (c *Counter) at(i int64) *Bin {
	if c.err != nil {
		return &c.dummy
	}
	if len(c.bins) > 0 && (i < c.lo && c.lo-i+int64(len(c.bins)) > MaxBins ||
		i >= c.lo && i-c.lo >= MaxBins) {
		c.err = fmt.Errorf("Cannot allocate space for more than %d bins (bins up to %s); try a larger bin size or a shorter time window",
			MaxBins, time.UnixMilli(c.origin+i*c.spec.Size).UTC().Format("2006/01/02T15:04:05"))
		return &c.dummy
	}
	if len(c.bins) == 0 {
		c.lo = i
		c.bins = append(c.bins, Bin{})
	}
	if i < c.lo {
		n := c.lo - i
		grown := make([]Bin, int64(len(c.bins))+n, int64(cap(c.bins))+2*n)
		copy(grown[n:], c.bins)
		c.bins, c.lo = grown, i
		if t := c.origin + i*c.spec.Size; t < c.label {
			ext := 1 + (c.label-t)/c.spec.Size
			ext = max(ext, binsPerStep)
			c.label -= ext * c.spec.Size
		}
	}
	for i >= c.lo+int64(len(c.bins)) {
		c.bins = append(c.bins, Bin{})
	}
	return &c.bins[i-c.lo]
}

// Add counts one flow.
func (c *Counter) Add(r *flowfile.Record) {
	if !c.init {
		c.start(r.STime)
	}
	s, e := r.STime, r.ETime
	if e < s {
		e = s
	}
	bytes, pkts := float64(r.Bytes), float64(r.Packets)
	switch c.spec.Scheme {
	case StartSpike:
		c.spike(s, bytes, pkts)
	case EndSpike:
		c.spike(e, bytes, pkts)
	case MiddleSpike:
		c.spike(s+(e-s)/2, bytes, pkts)
	case BinUniform:
		c.uniform(s, e, bytes, pkts)
	case MaximumVolume, MinimumVolume:
		c.everyBin(s, e, bytes, pkts)
	default:
		c.proportional(s, e, bytes, pkts)
	}
}

// AddBlock counts a block of flows.
func (c *Counter) AddBlock(recs []flowfile.Record) {
	for i := range recs {
		c.Add(&recs[i])
	}
}

func (c *Counter) ignore(s, e int64) bool { return e < c.spec.Start || s >= c.spec.End }

func (c *Counter) spike(t int64, bytes, pkts float64) {
	if c.ignore(t, t) {
		return
	}
	b := c.at(c.index(t))
	b.Records++
	b.Bytes += bytes
	b.Packets += pkts
}

// span returns the first and last bins of a flow within the window, and
// whether the flow lies within one bin inside the window.
func (c *Counter) span(s, e int64) (first, last int64, single bool) {
	if s < c.spec.Start {
		first = 0
	} else {
		first = c.index(s)
	}
	if e >= c.spec.End {
		last = c.endIdx - 1
	} else {
		last = c.index(e)
	}
	single = first == last && s >= c.spec.Start && e < c.spec.End
	return first, last, single
}

func (c *Counter) uniform(s, e int64, bytes, pkts float64) {
	if c.ignore(s, e) {
		return
	}
	first, last, single := c.span(s, e)
	if single {
		c.addAll(first, first, 1, bytes, pkts)
		return
	}
	// Bins outside the window still share the flow (rwcount's extra_bins).
	var extra int64
	if s < c.spec.Start {
		extra += 1 + (c.origin-s)/c.spec.Size
	}
	if e >= c.spec.End {
		extra += 1 + (e-c.spec.End)/c.spec.Size
	}
	frac := 1.0 / float64(last-first+extra+1)
	c.addAll(first, last, frac, bytes*frac, pkts*frac)
}

func (c *Counter) everyBin(s, e int64, bytes, pkts float64) {
	if c.ignore(s, e) {
		return
	}
	first, last, single := c.span(s, e)
	if c.spec.Scheme == MinimumVolume && !single {
		bytes, pkts = 0, 0
	}
	c.addAll(first, last, 1, bytes, pkts)
}

func (c *Counter) addAll(first, last int64, recs, bytes, pkts float64) {
	if last < first {
		return
	}
	c.at(first)
	c.at(last)
	if c.err != nil {
		return
	}
	for i := first; i <= last; i++ {
		b := &c.bins[i-c.lo]
		b.Records += recs
		b.Bytes += bytes
		b.Packets += pkts
	}
}

// proportional spreads the flow over its milliseconds: a flow active
// for d ms (counting both ends, d = e-s+1) puts size/d of itself in every
// bin it covers fully, and the matching fraction in its first and last
// bins.
func (c *Counter) proportional(s, e int64, bytes, pkts float64) {
	if c.ignore(s, e) {
		return
	}
	first, last, single := c.span(s, e)
	if single {
		c.addAll(first, first, 1, bytes, pkts)
		return
	}
	if e >= c.spec.End {
		last = c.endIdx // one past the window: no partial last bin
	}
	size := float64(c.spec.Size)
	recs := size / float64(1+e-s)
	fb, fp := bytes*recs, pkts*recs
	if s >= c.spec.Start {
		ratio := float64(first) + 1 - float64(s-c.origin)/size
		c.addAll(first, first, ratio*recs, ratio*fb, ratio*fp)
		first++
	}
	if e < c.spec.End {
		ratio := float64(e+1-c.origin)/size - float64(last)
		c.addAll(last, last, ratio*recs, ratio*fb, ratio*fp)
	}
	if first < last {
		c.addAll(first, last-1, recs, fb, fp)
	}
}

// Row is one printed bin.
type Row struct {
	Start int64 // ms
	Slot  int64 // rwcount's bin index (--bin-slots)
	Bin
}

// Rows returns the bins rwcount prints (see All) as a slice.
func (c *Counter) Rows(skipZeroes bool) []Row { return slices.Collect(c.All(skipZeroes)) }

// All yields the bins rwcount prints: from the first bin with bytes (or
// Start) to the last bin with bytes (or End), zero bins included unless
// skipZeroes (which drops bins without records).
func (c *Counter) All(skipZeroes bool) iter.Seq[Row] {
	return func(yield func(Row) bool) {
		if !c.init || c.err != nil {
			return
		}
		size := c.spec.Size
		get := func(i int64) Bin {
			if i < c.lo || i >= c.lo+int64(len(c.bins)) {
				return Bin{}
			}
			return c.bins[i-c.lo]
		}
		var first, end int64
		if c.hasStart() {
			first = 0
		} else {
			found := false
			for i := range c.bins {
				if c.bins[i].Bytes > 0 {
					first, found = c.lo+int64(i), true
					break
				}
			}
			if !found {
				return
			}
		}
		if c.hasEnd() {
			end = c.endIdx
		} else {
			end = first
			for i := c.lo + int64(len(c.bins)) - 1; i > first; i-- {
				if get(i).Bytes > 0 {
					end = i
					break
				}
			}
			end++
		}
		for i := first; i < end; i++ {
			b := get(i)
			if b.Records > 0 || !skipZeroes {
				t := c.origin + i*size
				if !yield(Row{Start: t, Slot: (t - c.label) / size, Bin: b}) {
					return
				}
			}
		}
	}
}
