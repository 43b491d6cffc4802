package fields

import (
	"math/bits"
	"net/netip"
	"strconv"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// Options say how values print. The zero value is SiLK's default for
// rwstats: canonical IPs, policy ignore widths (set Policy to PolicyMix for
// the usual 39-wide IP columns), times to the second in UTC.
type Options struct {
	IP     IPFormat
	Policy Policy
	Time   TimeFormat
	// Msec prints times with milliseconds (width 23, epoch 14) and the
	// duration as seconds with three decimals (width 9, title "duration"),
	// as rwcut does. Without it times print to the second and the duration
	// as whole seconds (width 5, title "durat"), as rwstats does.
	Msec            bool
	IntegerSensors  bool
	IntegerTCPFlags bool
	// SensorName gives a sensor's name from the site configuration; nil
	// prints "S<id>", the twoway default.
	SensorName func(id uint16) string
	// SensorWidth is the longest sensor name (SiLK sizes the column from
	// silk.conf); 0 means 3, the twoway site's.
	SensorWidth int
	// ASName gives the organisation running an AS (sASName, dASName), ""
	// when unknown; nil prints no names.
	ASName func(as uint32) string
	// ASNameWidth is the longest organisation name in the AS database, in
	// characters (SiLK sizes a prefix map's label column by its longest
	// label); 0 means 32.
	ASNameWidth int
}

// Formatter prints field titles and values under a set of Options. It
// keeps no per-row state, so one Formatter serves any number of goroutines.
type Formatter struct {
	o       Options
	loc     *time.Location
	ipWidth int
}

// NewFormatter returns a Formatter for the options.
func NewFormatter(o Options) *Formatter {
	f := &Formatter{o: o, loc: time.UTC}
	if o.Time.Local {
		f.loc = time.Local
	}
	f.ipWidth = IPWidth(o.Policy, o.IP)
	return f
}

// Options returns the options the formatter was made with.
func (f *Formatter) Options() Options { return f.o }

// IPWidth is the width of an IP column: SiLK's skipaddrStringMaxlen, with
// IPv6 allowed under the policies mix, force and only.
func IPWidth(p Policy, ip IPFormat) int {
	if p.AllowsIPv6() || (ip.ZeroPad && ip.MapV4) {
		if ip.Base == IPHex {
			return 32
		}
		return 39
	}
	if ip.MapV4 {
		switch ip.Base {
		case IPCanonical:
			return 22
		case IPNoMixed:
			return 16
		case IPDecimal:
			return 15
		}
		return 12
	}
	switch ip.Base {
	case IPDecimal:
		return 10
	case IPHex:
		return 8
	}
	return 15
}

// Title is the full column title of a field; columns truncate it to Width.
func (f *Formatter) Title(id ID) string { return id.Name() }

// Width is the column width of a field under the formatter's options.
func (f *Formatter) Width(id ID) int {
	switch id {
	case SIP, DIP, NhIP:
		return f.ipWidth
	case SPort, DPort, In, Out, Application:
		return 5
	case Protocol, SCC, DCC, IType, ICode:
		return 3
	case Packets, Bytes:
		return 10
	case Flags, InitFlags, SessionFlags:
		if f.o.IntegerTCPFlags {
			return 3
		}
		return 8
	case Attributes:
		return 8
	case STime, ETime:
		return f.timeWidth(f.o.Msec)
	case STimeMsec, ETimeMsec:
		return f.timeWidth(true)
	case Duration:
		if f.o.Msec {
			return 9
		}
		return 5
	case DurMsec:
		return 9
	case Sensor:
		if f.o.IntegerSensors {
			return 5
		}
		if f.o.SensorWidth > 0 {
			return f.o.SensorWidth
		}
		return 3
	case Class:
		return len(flowfile.ClassName)
	case Type:
		w := 0
		for t := flowfile.FlowType(0); t < flowfile.NumTypes; t++ {
			w = max(w, len(t.String()))
		}
		return w
	case SAS, DAS, SASName, DASName:
		return f.asWidth(id)
	}
	return 0
}

func (f *Formatter) timeWidth(msec bool) int {
	w := 19
	if f.o.Time.Style == TimeEpoch {
		w = 10
	}
	if msec {
		w += 4
	}
	return w
}

const spaces = "                                                                "

// AppendTitle appends a title right-aligned in width columns, truncated to
// the width as SiLK does (`sen`, `pro`, `durat`). Width 0 appends the title
// as is (--no-columns).
func AppendTitle(dst []byte, title string, width int) []byte {
	if width <= 0 {
		return append(dst, title...)
	}
	if len(title) >= width {
		return append(dst, title[:width]...)
	}
	dst = appendSpaces(dst, width-len(title))
	return append(dst, title...)
}

func appendSpaces(dst []byte, n int) []byte {
	for n > len(spaces) {
		dst = append(dst, spaces...)
		n -= len(spaces)
	}
	return append(dst, spaces[:n]...)
}

// PadLeft right-aligns dst[start:] in width columns by inserting spaces
// before it. Values longer than the width are left whole, as printf does.
func PadLeft(dst []byte, start, width int) []byte {
	n := len(dst) - start
	pad := width - n
	if pad <= 0 {
		return dst
	}
	dst = appendSpaces(dst, pad)
	copy(dst[start+pad:], dst[start:start+n])
	for i := start; i < start+pad; i++ {
		dst[i] = ' '
	}
	return dst
}

// AppendColumn appends a field's value right-aligned in its column; width 0
// appends the bare value, and flag letters without the spaces of their
// fixed slots (`SA`, empty for no flags), as SiLK prints them outside
// columns (--no-columns, --delimited).
func (f *Formatter) AppendColumn(dst []byte, id ID, r *flowfile.Record, width int) []byte {
	start := len(dst)
	dst = f.AppendValue(dst, id, r)
	if width > 0 {
		if id.IsASName() {
			return padRunes(dst, start, width)
		}
		return PadLeft(dst, start, width)
	}
	if f.isLetters(id) {
		w := start
		for _, c := range dst[start:] {
			if c != ' ' {
				dst[w] = c
				w++
			}
		}
		dst = dst[:w]
	}
	return dst
}

// isLetters reports whether id prints as letters in fixed slots.
func (f *Formatter) isLetters(id ID) bool {
	switch id {
	case Flags, InitFlags, SessionFlags:
		return !f.o.IntegerTCPFlags
	case Attributes:
		return true
	}
	return false
}

// AppendValue appends a field's value of r, without padding.
func (f *Formatter) AppendValue(dst []byte, id ID, r *flowfile.Record) []byte {
	switch id {
	case SIP:
		return f.AppendIP(dst, r.SIP, r.IsIPv6())
	case DIP:
		return f.AppendIP(dst, r.DIP, r.IsIPv6())
	case NhIP:
		return f.AppendIP(dst, r.NhIP, r.IsIPv6())
	case SPort:
		return strconv.AppendUint(dst, uint64(r.SPort), 10)
	case DPort:
		return strconv.AppendUint(dst, uint64(r.DPort), 10)
	case Protocol:
		return strconv.AppendUint(dst, uint64(r.Proto), 10)
	case Packets:
		return strconv.AppendUint(dst, r.Packets, 10)
	case Bytes:
		return strconv.AppendUint(dst, r.Bytes, 10)
	case Flags:
		return f.appendFlags(dst, r.Flags)
	case InitFlags:
		return f.appendFlags(dst, r.InitFlags)
	case SessionFlags:
		return f.appendFlags(dst, r.SessionFlags)
	case Attributes:
		return AppendAttributes(dst, r.Attributes)
	case STime:
		return f.AppendTime(dst, r.STime, f.o.Msec)
	case ETime:
		return f.AppendTime(dst, r.ETime, f.o.Msec)
	case STimeMsec:
		return f.AppendTime(dst, r.STime, true)
	case ETimeMsec:
		return f.AppendTime(dst, r.ETime, true)
	case Duration:
		return AppendDuration(dst, r.Duration(), f.o.Msec)
	case DurMsec:
		return AppendDuration(dst, r.Duration(), true)
	case Sensor:
		if f.o.IntegerSensors {
			return strconv.AppendUint(dst, uint64(r.Sensor), 10)
		}
		if f.o.SensorName != nil {
			return append(dst, f.o.SensorName(r.Sensor)...)
		}
		dst = append(dst, 'S')
		return strconv.AppendUint(dst, uint64(r.Sensor), 10)
	case In:
		return strconv.AppendUint(dst, uint64(r.In), 10)
	case Out:
		return strconv.AppendUint(dst, uint64(r.Out), 10)
	case SCC:
		return appendCountry(dst, r.SCC)
	case DCC:
		return appendCountry(dst, r.DCC)
	case Class:
		return append(dst, flowfile.ClassName...)
	case Type:
		return append(dst, r.Type.String()...)
	case Application:
		return strconv.AppendUint(dst, uint64(r.Application), 10)
	case IType:
		if !r.IsICMP() {
			return dst
		}
		return strconv.AppendUint(dst, uint64(r.ICMPType()), 10)
	case ICode:
		if !r.IsICMP() {
			return dst
		}
		return strconv.AppendUint(dst, uint64(r.ICMPCode()), 10)
	case SAS, SASName:
		return f.appendAS(dst, id, r.SrcAS)
	case DAS, DASName:
		return f.appendAS(dst, id, r.DstAS)
	}
	return dst
}

func appendCountry(dst []byte, c flowfile.Country) []byte {
	if c == 0 {
		return append(dst, '-', '-')
	}
	return append(dst, byte(c>>8), byte(c))
}

func (f *Formatter) appendFlags(dst []byte, fl uint8) []byte {
	if f.o.IntegerTCPFlags {
		return strconv.AppendUint(dst, uint64(fl), 10)
	}
	return AppendTCPFlags(dst, fl)
}

// AppendTCPFlags appends flags in SiLK's fixed slots FSRPAUEC, a space for
// each clear bit (`FS PA   `).
func AppendTCPFlags(dst []byte, fl uint8) []byte {
	const letters = "FSRPAUEC"
	for i := 0; i < 8; i++ {
		if fl&(1<<i) != 0 {
			dst = append(dst, letters[i])
		} else {
			dst = append(dst, ' ')
		}
	}
	return dst
}

// AppendAttributes appends SiLK's attribute letters in fixed slots T C F S
// followed by four spaces (`TC      `).
func AppendAttributes(dst []byte, a uint8) []byte {
	slots := [4]struct {
		bit uint8
		c   byte
	}{{flowfile.AttrTimeoutKilled, 'T'}, {flowfile.AttrTimeoutStarted, 'C'},
		{flowfile.AttrFinNoAck, 'F'}, {flowfile.AttrUniformSize, 'S'}}
	for _, s := range slots {
		if a&s.bit != 0 {
			dst = append(dst, s.c)
		} else {
			dst = append(dst, ' ')
		}
	}
	return append(dst, "    "...)
}

// AppendDuration appends a duration in ms: `%.3f` seconds with msec, else
// whole seconds (truncated).
func AppendDuration(dst []byte, ms int64, msec bool) []byte {
	if ms < 0 {
		ms = 0
	}
	dst = strconv.AppendInt(dst, ms/1000, 10)
	if msec {
		dst = append(dst, '.')
		dst = append3(dst, int(ms%1000))
	}
	return dst
}

// AppendTime appends a timestamp (ms since the epoch) in the formatter's
// style, with or without milliseconds.
func (f *Formatter) AppendTime(dst []byte, ms int64, msec bool) []byte {
	sec, frac := ms/1000, ms%1000
	if frac < 0 {
		sec, frac = sec-1, frac+1000
	}
	if f.o.Time.Style == TimeEpoch {
		dst = strconv.AppendInt(dst, sec, 10)
	} else {
		t := time.Unix(sec, 0).In(f.loc)
		y, mo, d := t.Date()
		h, mi, s := t.Clock()
		switch f.o.Time.Style {
		case TimeISO:
			dst = append4(dst, y)
			dst = append(dst, '-')
			dst = append2(dst, int(mo))
			dst = append(dst, '-')
			dst = append2(dst, d)
			dst = append(dst, ' ')
		case TimeMDY:
			dst = append2(dst, int(mo))
			dst = append(dst, '/')
			dst = append2(dst, d)
			dst = append(dst, '/')
			dst = append4(dst, y)
			dst = append(dst, ' ')
		default:
			dst = append4(dst, y)
			dst = append(dst, '/')
			dst = append2(dst, int(mo))
			dst = append(dst, '/')
			dst = append2(dst, d)
			dst = append(dst, 'T')
		}
		dst = append2(dst, h)
		dst = append(dst, ':')
		dst = append2(dst, mi)
		dst = append(dst, ':')
		dst = append2(dst, s)
	}
	if msec {
		dst = append(dst, '.')
		dst = append3(dst, int(frac))
	}
	return dst
}

func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10%10), byte('0'+v%10))
}

func append3(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

func append4(dst []byte, v int) []byte {
	if v < 0 || v > 9999 {
		return strconv.AppendInt(dst, int64(v), 10)
	}
	return append(dst, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// AppendIP appends an address under the formatter's IP format and IPv6
// policy. An invalid (zero) address prints as 0.0.0.0, or :: when the flow
// is IPv6.
func (f *Formatter) AppendIP(dst []byte, a netip.Addr, flowIsIPv6 bool) []byte {
	if !a.IsValid() {
		if flowIsIPv6 {
			a = netip.IPv6Unspecified()
		} else {
			a = netip.AddrFrom4([4]byte{})
		}
	}
	if a.Is4() && f.o.Policy >= PolicyForce {
		a = netip.AddrFrom16(a.As16())
	} else if a.Is4In6() && f.o.Policy == PolicyAsV4 {
		a = a.Unmap()
	}
	return AppendIP(dst, a, f.o.IP)
}

// AppendIP appends an address in the given format, as SiLK's
// skipaddrString does.
func AppendIP(dst []byte, a netip.Addr, ipf IPFormat) []byte {
	if a.Is4In6() && ipf.UnmapV6 {
		a = a.Unmap()
	} else if a.Is4() && ipf.MapV4 {
		a = netip.AddrFrom16(a.As16())
	}
	if a.Is4() {
		b := a.As4()
		v := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
		switch ipf.Base {
		case IPDecimal:
			start := len(dst)
			dst = strconv.AppendUint(dst, v, 10)
			if ipf.ZeroPad {
				dst = zeroPad(dst, start, 10)
			}
			return dst
		case IPHex:
			start := len(dst)
			dst = strconv.AppendUint(dst, v, 16)
			if ipf.ZeroPad {
				dst = zeroPad(dst, start, 8)
			}
			return dst
		}
		for i := 0; i < 4; i++ {
			if i > 0 {
				dst = append(dst, '.')
			}
			if ipf.ZeroPad {
				dst = append3(dst, int(b[i]))
			} else {
				dst = strconv.AppendUint(dst, uint64(b[i]), 10)
			}
		}
		return dst
	}
	b := a.As16()
	hi := uint64(0)
	lo := uint64(0)
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(b[i])
		lo = lo<<8 | uint64(b[8+i])
	}
	switch ipf.Base {
	case IPDecimal:
		start := len(dst)
		dst = appendUint128(dst, hi, lo)
		if ipf.ZeroPad {
			dst = zeroPad(dst, start, 39)
		}
		return dst
	case IPHex:
		start := len(dst)
		if hi != 0 {
			dst = strconv.AppendUint(dst, hi, 16)
			s := len(dst)
			dst = strconv.AppendUint(dst, lo, 16)
			dst = zeroPad(dst, s, 16)
		} else {
			dst = strconv.AppendUint(dst, lo, 16)
		}
		if ipf.ZeroPad {
			dst = zeroPad(dst, start, 32)
		}
		return dst
	}
	if ipf.ZeroPad {
		const hexdig = "0123456789abcdef"
		for i := 0; i < 16; i += 2 {
			if i > 0 {
				dst = append(dst, ':')
			}
			dst = append(dst, hexdig[b[i]>>4], hexdig[b[i]&15], hexdig[b[i+1]>>4], hexdig[b[i+1]&15])
		}
		return dst
	}
	var w [8]uint16
	for i := range w {
		w[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	// longest run of two or more zero words; the first one wins a tie
	bestBase, bestLen := -1, 0
	for i := 0; i < 8; {
		if w[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && w[j] == 0 {
			j++
		}
		if j-i >= 2 && j-i > bestLen {
			bestBase, bestLen = i, j-i
		}
		i = j
	}
	for i := 0; i < 8; i++ {
		if i == bestBase {
			dst = append(dst, ':')
			i += bestLen - 1
			if i == 7 {
				dst = append(dst, ':')
			}
			continue
		}
		// glibc's inet_ntop writes ::a.b.c.d and ::ffff:a.b.c.d in mixed form
		if ipf.Base == IPCanonical && i == 6 && bestBase == 0 &&
			(bestLen == 6 || (bestLen == 5 && w[5] == 0xffff)) {
			dst = append(dst, ':')
			for k := 12; k < 16; k++ {
				if k > 12 {
					dst = append(dst, '.')
				}
				dst = strconv.AppendUint(dst, uint64(b[k]), 10)
			}
			break
		}
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = strconv.AppendUint(dst, uint64(w[i]), 16)
	}
	return dst
}

func zeroPad(dst []byte, start, width int) []byte {
	n := len(dst) - start
	pad := width - n
	if pad <= 0 {
		return dst
	}
	for i := 0; i < pad; i++ {
		dst = append(dst, '0')
	}
	copy(dst[start+pad:], dst[start:start+n])
	for i := start; i < start+pad; i++ {
		dst[i] = '0'
	}
	return dst
}

// appendUint128 appends hi<<64|lo in decimal.
func appendUint128(dst []byte, hi, lo uint64) []byte {
	if hi == 0 {
		return strconv.AppendUint(dst, lo, 10)
	}
	// split into base 1e19 digits
	const base = 10000000000000000000
	var parts [3]uint64
	n := 0
	for hi != 0 || lo != 0 {
		qhi := hi / base
		r := hi % base
		qlo, rem := divmod128(r, lo, base)
		parts[n] = rem
		n++
		hi, lo = qhi, qlo
	}
	dst = strconv.AppendUint(dst, parts[n-1], 10)
	for i := n - 2; i >= 0; i-- {
		s := len(dst)
		dst = strconv.AppendUint(dst, parts[i], 10)
		dst = zeroPad(dst, s, 19)
	}
	return dst
}

func divmod128(hi, lo, y uint64) (q, r uint64) { return bits.Div64(hi, lo, y) }
