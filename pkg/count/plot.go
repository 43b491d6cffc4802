package count

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// PlotValue is the series a chart shows.
type PlotValue uint8

const (
	PlotBytes PlotValue = iota
	PlotPackets
	PlotRecords
)

// ParsePlotValue accepts bytes, packets or records (or a unique prefix).
func ParsePlotValue(s string) (PlotValue, error) {
	ls := strings.ToLower(strings.TrimSpace(s))
	for i, name := range []string{"bytes", "packets", "records"} {
		if ls != "" && strings.HasPrefix(name, ls) {
			return PlotValue(i), nil
		}
	}
	return 0, fmt.Errorf("Invalid plot-value '%s': Choose bytes, packets or records", s)
}

func (v PlotValue) of(b Bin) float64 {
	switch v {
	case PlotPackets:
		return b.Packets
	case PlotRecords:
		return b.Records
	}
	return b.Bytes
}

func (v PlotValue) title() string {
	return [...]string{"Bytes", "Packets", "Records"}[v]
}

// Plot is a chart of the rows.
type Plot struct {
	Value   PlotValue
	BinSize int64  // ms
	Scheme  Scheme // named in the subtitle
	Width   int    // pixels; 0 means 1000
	Height  int    // pixels; 0 means 480
}

// chart geometry
const (
	marginLeft   = 78
	marginRight  = 28
	marginTop    = 64
	marginBottom = 58
)

// WriteSVG draws the rows as a step chart: one step per bin, a filled area
// under it, a grid with UTC time ticks below and value ticks (bytes in
// kB/MB/GB) on the left, and a title saying what is shown.
func (p Plot) WriteSVG(w io.Writer, rows []Row) error {
	W, H := p.Width, p.Height
	if W <= 0 {
		W = 1000
	}
	if H <= 0 {
		H = 480
	}
	px0, px1 := float64(marginLeft), float64(W-marginRight)
	py0, py1 := float64(H-marginBottom), float64(marginTop)

	var t0, t1 int64
	maxV := 0.0
	total := 0.0
	if len(rows) > 0 {
		t0, t1 = rows[0].Start, rows[len(rows)-1].Start+p.BinSize
		for _, r := range rows {
			v := p.Value.of(r.Bin)
			maxV = math.Max(maxV, v)
			total += v
		}
	} else {
		now := time.Now().UnixMilli()
		t0, t1 = now-now%3600000, now-now%3600000+3600000
	}
	// More bins than the chart has room for: each step shows the largest
	// of several bins, so peaks stay visible and the file stays small.
	steps, per := groupSteps(rows, p.Value, p.BinSize, 2*(W-marginLeft-marginRight))
	yTicks, yMax := niceTicks(maxV)
	xOf := func(t int64) float64 { return px0 + (px1-px0)*float64(t-t0)/float64(t1-t0) }
	yOf := func(v float64) float64 { return py0 - (py0-py1)*v/yMax }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n", W, H, W, H)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", W, H)

	// Title and subtitle.
	title := fmt.Sprintf("%s per %s bin", p.Value.title(), formatSpan(p.BinSize))
	fmt.Fprintf(&b, `<text x="%d" y="26" font-size="17" font-weight="bold" fill="#1f2933">%s</text>`+"\n", marginLeft, esc(title))
	sub := fmt.Sprintf("%s – %s UTC · %s load scheme · total %s",
		time.UnixMilli(t0).UTC().Format("2006-01-02 15:04:05"),
		time.UnixMilli(t1).UTC().Format(rangeEndLayout(t0, t1)),
		p.Scheme, formatValue(p.Value, total, true))
	if per > 1 {
		sub += fmt.Sprintf(" · each step the largest of %d bins", per)
	}
	fmt.Fprintf(&b, `<text x="%d" y="46" fill="#52606d">%s</text>`+"\n", marginLeft, esc(sub))

	// Horizontal grid and value labels.
	for _, v := range yTicks {
		y := yOf(v)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e4e7eb"/>`+"\n", px0, y, px1, y)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#52606d">%s</text>`+"\n", px0-8, y+4, esc(formatValue(p.Value, v, false)))
	}
	// Time ticks.
	step := timeStep(t1-t0, (px1-px0)/90)
	prevDay := ""
	for t := ceilTo(t0, step); t <= t1; t += step {
		x := xOf(t)
		tm := time.UnixMilli(t).UTC()
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e4e7eb"/>`+"\n", x, py1, x, py0)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#7b8794"/>`+"\n", x, py0, x, py0+5)
		label := tm.Format("15:04")
		if step < 60000 {
			label = tm.Format("15:04:05")
		}
		if step%1000 != 0 {
			label = tm.Format("15:04:05.000")
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#52606d">%s</text>`+"\n", x, py0+19, label)
		if d := tm.Format("2006-01-02"); d != prevDay {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#7b8794" font-size="11">%s</text>`+"\n", x, py0+34, d)
			prevDay = d
		}
	}
	// The series: a step per bin, its area filled.
	if len(rows) > 0 {
		var path strings.Builder
		fmt.Fprintf(&path, "M%.2f %.2f", xOf(steps[0].start), py0)
		next := steps[0].start
		for _, st := range steps {
			if st.start != next { // a gap left by --skip-zeroes: back to zero
				fmt.Fprintf(&path, "L%.2f %.2f L%.2f %.2f", xOf(next), py0, xOf(st.start), py0)
			}
			y := yOf(st.v)
			fmt.Fprintf(&path, "L%.2f %.2f L%.2f %.2f", xOf(st.start), y, xOf(st.end), y)
			next = st.end
		}
		fmt.Fprintf(&path, "L%.2f %.2f", xOf(next), py0)
		d := path.String()
		fmt.Fprintf(&b, `<path d="%sZ" fill="#3e7cb1" fill-opacity="0.22" stroke="none"/>`+"\n", d)
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="#1f5f99" stroke-width="1.5" stroke-linejoin="round"/>`+"\n", d)
	} else {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#7b8794" font-size="14">no flows</text>`+"\n", (px0+px1)/2, (py0+py1)/2)
	}
	// Axes.
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#7b8794"/>`+"\n", px0, py0, px1, py0)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#7b8794"/>`+"\n", px0, py0, px0, py1)
	fmt.Fprintf(&b, `<text transform="translate(16 %.1f) rotate(-90)" text-anchor="middle" fill="#52606d">%s</text>`+"\n", (py0+py1)/2, esc(strings.ToLower(p.Value.title())+" per bin"))
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="end" fill="#7b8794" font-size="11">time (UTC)</text>`+"\n", px1, H-6)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func rangeEndLayout(t0, t1 int64) string {
	if time.UnixMilli(t0).UTC().Format("20060102") == time.UnixMilli(t1).UTC().Format("20060102") {
		return "15:04:05"
	}
	return "2006-01-02 15:04:05"
}

func esc(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}

// niceTicks returns 4–8 round tick values from 0 covering max, and the top
// of the axis.
func niceTicks(max float64) ([]float64, float64) {
	if max <= 0 {
		return []float64{0, 1}, 1
	}
	raw := max / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	top := math.Ceil(max/step) * step
	var ticks []float64
	for v := 0.0; v <= top+step/2; v += step {
		ticks = append(ticks, v)
	}
	return ticks, top
}

// timeSteps are the tick intervals a time axis may use, in ms.
var timeSteps = []int64{
	1, 2, 5, 10, 20, 50, 100, 200, 500,
	1000, 2000, 5000, 10000, 15000, 30000,
	60000, 120000, 300000, 600000, 900000, 1800000,
	3600000, 7200000, 10800000, 21600000, 43200000,
	86400000, 2 * 86400000, 7 * 86400000, 14 * 86400000, 28 * 86400000,
}

// timeStep picks the smallest step giving at most maxTicks ticks.
func timeStep(span int64, maxTicks float64) int64 {
	for _, s := range timeSteps {
		if float64(span)/float64(s) <= maxTicks {
			return s
		}
	}
	return timeSteps[len(timeSteps)-1]
}

func ceilTo(t, step int64) int64 {
	m := mod(t, step)
	if m == 0 {
		return t
	}
	return t - m + step
}

// formatSpan writes a bin size: "30 s", "5 min", "1 h", "1.5 s".
func formatSpan(ms int64) string {
	switch {
	case ms%86400000 == 0:
		return strconv.FormatInt(ms/86400000, 10) + " d"
	case ms%3600000 == 0:
		return strconv.FormatInt(ms/3600000, 10) + " h"
	case ms%60000 == 0:
		return strconv.FormatInt(ms/60000, 10) + " min"
	}
	return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64) + " s"
}

// formatValue writes an axis or total value: bytes in SI units (kB, MB,
// GB, TB), counts with k/M/G.
func formatValue(v PlotValue, x float64, total bool) string {
	units := []string{"", " k", " M", " G", " T", " P"}
	if v == PlotBytes {
		units = []string{" B", " kB", " MB", " GB", " TB", " PB"}
	}
	i := 0
	for math.Abs(x) >= 1000 && i < len(units)-1 {
		x /= 1000
		i++
	}
	s := strconv.FormatFloat(x, 'f', 2, 64)
	if !total || i > 0 {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	} else if math.Abs(x-math.Round(x)) < 1e-6 {
		// whole records and packets, up to the error of splitting flows
		s = strconv.FormatFloat(math.Round(x), 'f', 0, 64)
	}
	if total && v != PlotBytes {
		return strings.TrimSpace(s+units[i]) + " " + strings.ToLower(v.title())
	}
	return strings.TrimSpace(s + units[i])
}

// step is one horizontal segment of the chart.
type step struct {
	start, end int64
	v          float64
}

// groupSteps makes one step per row, or, with more than max rows, one
// step per group of consecutive rows holding the group's largest value.
// It returns the steps and the rows per step.
func groupSteps(rows []Row, v PlotValue, binSize int64, max int) ([]step, int) {
	per := 1
	if max > 0 && len(rows) > max {
		per = (len(rows) + max - 1) / max
	}
	steps := make([]step, 0, (len(rows)+per-1)/per)
	for i := 0; i < len(rows); i += per {
		g := rows[i:min(i+per, len(rows))]
		st := step{start: g[0].Start, end: g[len(g)-1].Start + binSize}
		for _, r := range g {
			st.v = math.Max(st.v, v.of(r.Bin))
		}
		steps = append(steps, st)
	}
	return steps, per
}
