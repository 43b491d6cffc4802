package filter

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/gflow/gflow/pkg/cli/silkerr"
	"github.com/gflow/gflow/pkg/flowfile"
)

// Switch describes one partitioning switch of rwfilter.
type Switch struct {
	Name string // long name without dashes
	Help string
}

// Switches lists the partitioning switches gfilter takes, in rwfilter's
// order. Every address, CIDR, port-less switch listed with a "not-" twin
// accepts the negated form.
var Switches = []Switch{
	{"stime", "Start time is within this time `WINDOW`: YYYY/MM/DD[:HH[:MM[:SS[.sss]]]][-YYYY/MM/DD[:HH[:MM[:SS[.sss]]]]] (or YYYY-MM-DD[THH[:MM[:SS[.sss]]]], or epoch seconds). With no window end, the window is the start millisecond; the end is rounded up to its precision"},
	{"etime", "Ending time is within this time `WINDOW`"},
	{"active-time", "Flow was active at any time during this time `WINDOW`"},
	{"duration", "Duration in seconds falls within decimal `RANGE` X-Y"},
	{"sport", "Source port is in this `LIST` of numbers and ranges between 0 and 65535"},
	{"dport", "Destination port is in this `LIST` of numbers and ranges between 0 and 65535"},
	{"aport", "Source or destination port is in this `LIST`"},
	{"protocol", "Protocol is in this `LIST` of numbers and ranges between 0 and 255"},
	{"icmp-type", "ICMP type is in this `LIST` (0-255); also requires ICMP or ICMPv6"},
	{"icmp-code", "ICMP code is in this `LIST` (0-255); also requires ICMP or ICMPv6"},
	{"bytes", "Byte count is within the integer `RANGE` N-M"},
	{"packets", "Packet count is within the integer `RANGE` N-M"},
	{"bytes-per-packet", "Bytes per packet is within decimal `RANGE` X-Y"},
	{"scidr", "Source address is in this comma list of `IPS` and CIDR blocks"},
	{"dcidr", "Destination address is in this comma list of `IPS` and CIDR blocks"},
	{"any-cidr", "Source or destination address is in this list of `IPS` and CIDR blocks"},
	{"nhcidr", "Next-hop address is in this list of `IPS` and CIDR blocks"},
	{"not-scidr", "Source address is not in this list of `IPS` and CIDR blocks"},
	{"not-dcidr", "Destination address is not in this list of `IPS` and CIDR blocks"},
	{"not-any-cidr", "Neither source nor destination address is in this list of `IPS` and CIDR blocks"},
	{"not-nhcidr", "Next-hop address is not in this list of `IPS` and CIDR blocks"},
	{"saddress", "Source address matches this IP, CIDR block or `WILDCARD` (10.0.0.x, 10.0.0.1-3, ::ffff:0:aaab-ffff)"},
	{"daddress", "Destination address matches this `WILDCARD`"},
	{"any-address", "Source or destination address matches this `WILDCARD`"},
	{"next-hop-id", "Next-hop address matches this `WILDCARD`"},
	{"not-saddress", "Source address does not match this `WILDCARD`"},
	{"not-daddress", "Destination address does not match this `WILDCARD`"},
	{"not-any-address", "Neither source nor destination address matches this `WILDCARD`"},
	{"not-next-hop-id", "Next-hop address does not match this `WILDCARD`"},
	{"input-index", "Input interface is in this `LIST` of numbers and ranges between 0 and 4294967295"},
	{"output-index", "Output interface is in this `LIST` of numbers and ranges between 0 and 4294967295"},
	{"any-index", "Input or output interface is in this `LIST`"},
	{"tcp-flags", "At least one of these TCP `FLAGS` [FSRPAUEC] is set"},
	{"fin-flag", "`0|1`: FIN flag absent (0) or present (1)"},
	{"syn-flag", "`0|1`: SYN flag absent (0) or present (1)"},
	{"rst-flag", "`0|1`: RST flag absent (0) or present (1)"},
	{"psh-flag", "`0|1`: PSH flag absent (0) or present (1)"},
	{"ack-flag", "`0|1`: ACK flag absent (0) or present (1)"},
	{"urg-flag", "`0|1`: URG flag absent (0) or present (1)"},
	{"ece-flag", "`0|1`: ECE flag absent (0) or present (1)"},
	{"cwr-flag", "`0|1`: CWR flag absent (0) or present (1)"},
	{"flags-all", "Union of TCP flags matches one of these `HIGH/MASK` pairs (S/SA,A/A); repeatable"},
	{"flags-initial", "TCP flags of the first packet match one of these `HIGH/MASK` pairs; repeatable"},
	{"flags-session", "TCP flags of the other packets match one of these `HIGH/MASK` pairs; repeatable"},
	{"attributes", "Flow attributes match one of these `HIGH/MASK` pairs over S T C F"},
	{"application", "Application (by its standard port) is in this `LIST`"},
	{"ip-version", "IP version is in this `LIST`: 4, 6 or 4,6"},
	{"scc", "Source country is in this comma list of two-letter `CODES` (-- = private/unknown)"},
	{"dcc", "Destination country is in this list of `CODES`"},
	{"any-cc", "Source or destination country is in this list of `CODES`"},
	{"sas", "Source AS number is in this `LIST` of numbers and ranges between 0 and 4294967295 (0 = none: internal or unknown)"},
	{"das", "Destination AS number is in this `LIST` of numbers and ranges between 0 and 4294967295"},
	{"any-as", "Source or destination AS number is in this `LIST`"},
}

// repeatable switches may be given several times; their pairs accumulate.
var repeatable = map[string]bool{"flags-all": true, "flags-initial": true, "flags-session": true}

// notPartner returns the switch that cannot be combined with name ("saddress"
// ↔ "not-saddress"), or "".
func notPartner(name string) string {
	base := strings.TrimPrefix(name, "not-")
	switch base {
	case "scidr", "dcidr", "any-cidr", "nhcidr", "saddress", "daddress", "any-address", "next-hop-id":
		if base == name {
			return "not-" + name
		}
		return base
	}
	return ""
}

// which address a test looks at
type addrSide uint8

const (
	sideSrc addrSide = iota
	sideDst
	sideAny
	sideNh
)

type testID uint8

// Tests, in the order they are checked: cheap and usually selective first.
const (
	tProto testID = iota
	tDPort
	tSPort
	tAPort
	tICMPType
	tICMPCode
	tSTime
	tETime
	tActive
	tIPVersion
	tType
	tSensor
	tWild
	tCIDR
	tBytes
	tPackets
	tBPP
	tDuration
	tFlagsAll
	tTCPFlags
	tFlagsInit
	tFlagsSession
	tAttributes
	tApplication
	tInIndex
	tOutIndex
	tAnyIndex
	tSCC
	tDCC
	tAnyCC
	tSAS
	tDAS
	tAnyAS
	numTests
)

type wildTest struct {
	w      *IPWildcard
	side   addrSide
	negate bool
}

type cidrTest struct {
	l      *CIDRList
	side   addrSide
	negate bool
}

// Filter is a compiled set of partitioning tests. It is read-only once
// built, so one Filter may be used by several goroutines at once.
type Filter struct {
	order []testID

	proto                 [4]uint64
	sport, dport, aport   Bitmap
	icmpType, icmpCode    Bitmap
	stime, etime, active  TimeWindow
	ipv4, ipv6            bool
	types                 [256]bool
	sensors               Bitmap
	wild                  []wildTest
	cidr                  []cidrTest
	bytes, packets        Uint64Range
	bpp                   FloatRange
	durMin, durMax        int64 // ms
	flagsAll, flagsInit   *flagTable
	flagsSession, attrs   *flagTable
	tcpFlags              uint8
	application           Bitmap
	inIdx, outIdx, anyIdx IndexSet
	scc, dcc, anyCC       Bitmap
	sas, das, anyAS       *RangeSet
}

// Len is the number of tests; a Filter with none passes everything.
func (f *Filter) Len() int { return len(f.order) }

func nhAddr(r *flowfile.Record) netip.Addr {
	if r.NhIP.IsValid() {
		return r.NhIP
	}
	// no next hop: SiLK stores 0, which is 0.0.0.0 or :: by the flow's family
	if r.IsIPv6() {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

func countryBit(b Bitmap, c flowfile.Country) bool {
	if c == 0 {
		c = flowfile.NoCountry
	}
	return b.Has(uint32(c))
}

// Match reports whether r passes every test. It does not allocate.
func (f *Filter) Match(r *flowfile.Record) bool {
	for _, t := range f.order {
		switch t {
		case tProto:
			if f.proto[r.Proto>>6]&(1<<(r.Proto&63)) == 0 {
				return false
			}
		case tDPort:
			if !f.dport.Has(uint32(r.DPort)) {
				return false
			}
		case tSPort:
			if !f.sport.Has(uint32(r.SPort)) {
				return false
			}
		case tAPort:
			if !f.aport.Has(uint32(r.SPort)) && !f.aport.Has(uint32(r.DPort)) {
				return false
			}
		case tICMPType:
			if !r.IsICMP() || !f.icmpType.Has(uint32(r.DPort>>8)) {
				return false
			}
		case tICMPCode:
			if !r.IsICMP() || !f.icmpCode.Has(uint32(r.DPort&0xff)) {
				return false
			}
		case tSTime:
			if r.STime < f.stime.Min || r.STime > f.stime.Max {
				return false
			}
		case tETime:
			if r.ETime < f.etime.Min || r.ETime > f.etime.Max {
				return false
			}
		case tActive:
			if r.STime > f.active.Max || r.ETime < f.active.Min {
				return false
			}
		case tIPVersion:
			if r.IsIPv6() {
				if !f.ipv6 {
					return false
				}
			} else if !f.ipv4 {
				return false
			}
		case tType:
			if !f.types[r.Type] {
				return false
			}
		case tSensor:
			if !f.sensors.Has(uint32(r.Sensor)) {
				return false
			}
		case tWild:
			for i := range f.wild {
				if !f.wild[i].match(r) {
					return false
				}
			}
		case tCIDR:
			for i := range f.cidr {
				if !f.cidr[i].match(r) {
					return false
				}
			}
		case tBytes:
			if r.Bytes < f.bytes.Min || r.Bytes > f.bytes.Max {
				return false
			}
		case tPackets:
			if r.Packets < f.packets.Min || r.Packets > f.packets.Max {
				return false
			}
		case tBPP:
			if !f.bpp.Has(float64(r.Bytes) / float64(r.Packets)) {
				return false
			}
		case tDuration:
			if d := r.ETime - r.STime; d < f.durMin || d > f.durMax {
				return false
			}
		case tFlagsAll:
			if !f.flagsAll[r.Flags] {
				return false
			}
		case tTCPFlags:
			if r.Flags&f.tcpFlags == 0 {
				return false
			}
		case tFlagsInit:
			if !f.flagsInit[r.InitFlags] {
				return false
			}
		case tFlagsSession:
			if !f.flagsSession[r.SessionFlags] {
				return false
			}
		case tAttributes:
			if !f.attrs[r.Attributes] {
				return false
			}
		case tApplication:
			if !f.application.Has(uint32(r.Application)) {
				return false
			}
		case tInIndex:
			if !f.inIdx.Has(r.In) {
				return false
			}
		case tOutIndex:
			if !f.outIdx.Has(r.Out) {
				return false
			}
		case tAnyIndex:
			if !f.anyIdx.Has(r.In) && !f.anyIdx.Has(r.Out) {
				return false
			}
		case tSCC:
			if !countryBit(f.scc, r.SCC) {
				return false
			}
		case tDCC:
			if !countryBit(f.dcc, r.DCC) {
				return false
			}
		case tAnyCC:
			if !countryBit(f.anyCC, r.SCC) && !countryBit(f.anyCC, r.DCC) {
				return false
			}
		case tSAS:
			if !f.sas.Has(r.SrcAS) {
				return false
			}
		case tDAS:
			if !f.das.Has(r.DstAS) {
				return false
			}
		case tAnyAS:
			if !f.anyAS.Has(r.SrcAS) && !f.anyAS.Has(r.DstAS) {
				return false
			}
		}
	}
	return true
}

func (t *wildTest) match(r *flowfile.Record) bool {
	var m bool
	switch t.side {
	case sideSrc:
		m = t.w.Match(r.SIP)
	case sideDst:
		m = t.w.Match(r.DIP)
	case sideAny:
		m = t.w.Match(r.SIP) || t.w.Match(r.DIP)
	case sideNh:
		m = t.w.Match(nhAddr(r))
	}
	return m != t.negate
}

func (t *cidrTest) match(r *flowfile.Record) bool {
	var m bool
	switch t.side {
	case sideSrc:
		m = t.l.Match(r.SIP)
	case sideDst:
		m = t.l.Match(r.DIP)
	case sideAny:
		m = t.l.Match(r.SIP) || t.l.Match(r.DIP)
	case sideNh:
		m = t.l.Match(nhAddr(r))
	}
	return m != t.negate
}

// Builder collects switch values and compiles them into a Filter,
// reporting errors with rwfilter's wording.
type Builder struct {
	f        Filter
	seen     map[string]bool
	used     [numTests]bool
	flagsAll []HighMask
	flagsIn  []HighMask
	flagsSe  []HighMask
	binHM    HighMask // --fin-flag … --cwr-flag, one extra flags-all pair
	binUsed  bool
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder { return &Builder{seen: map[string]bool{}} }

func (b *Builder) use(t testID) { b.used[t] = true }

// Set applies one switch (name without dashes, e.g. "protocol") with its
// value. A bad value is a *ValueError worded as rwfilter words it: the
// parser's line ("Invalid protocol: Value is above maximum of 255"), then
// "Error processing --protocol option: '256'".
func (b *Builder) Set(name, value string) error {
	if b.seen[name] && !repeatable[name] {
		return fmt.Errorf("A --%s filter has already been set", name)
	}
	if p := notPartner(name); p != "" && b.seen[p] {
		return fmt.Errorf("A --%s filter has already been set; only one of --%s and --%s are allowed", p, name, p)
	}
	b.seen[name] = true
	err := b.set(name, value)
	var ve *ValueError
	if errors.As(err, &ve) {
		ve.Processed = true
		if ve.Value != value {
			ve.Arg = value
		}
		switch {
		case noValueForm[name] || ve.Reason == errNoValue:
			ve.Form = silkerr.NoValue
		case strings.HasSuffix(name, "-flag"):
			ve.Form = silkerr.Parsing
		case processingForm[strings.TrimPrefix(name, "not-")]:
			ve.Form = silkerr.Processing
		}
		if ve.Fix == "" && ve.Reason == silkerr.BelowMin(1) {
			ve.Fix = zeroPrefixFix(name)
		}
	}
	return err
}

// zeroPrefixFix says what to type instead of a /0 block, which SiLK
// refuses in every address switch (the only way its parsers reach a
// minimum of 1).
func zeroPrefixFix(name string) string {
	if strings.Contains(name, "cidr") {
		return fmt.Sprintf("a /0 block holds every address: leave --%s out, or give its halves (0.0.0.0/1,128.0.0.0/1 or ::/1,8000::/1)", name)
	}
	return fmt.Sprintf("a /0 block holds every address: leave --%s out, or give the wildcard x.x.x.x (every IPv4 address)", name)
}

// noValueForm lists the switches of integer lists, whose errors rwfilter
// words without the value ("Invalid dport: Unexpected character at '-'").
var noValueForm = map[string]bool{
	"sport": true, "dport": true, "aport": true, "protocol": true, "icmp-type": true, "icmp-code": true,
	"application": true, "input-index": true, "output-index": true, "any-index": true,
}

// processingForm lists the switches whose parser says nothing: rwfilter
// prints only "Error processing --saddress option: 'VALUE'" (gflow's
// reason goes on the hint line).
var processingForm = map[string]bool{
	"saddress": true, "daddress": true, "any-address": true, "next-hop-id": true,
	"tcp-flags": true, "ip-version": true,
}

// errNoValue is rwfilter's reason for a list of flag pairs with none in it.
const errNoValue = "No value was given"

func (b *Builder) set(name, value string) error {
	bad := func(reason string) error { return &ValueError{Switch: name, Value: value, Reason: reason} }
	badHint := func(reason, fix string) error {
		err := bad(reason)
		err.(*ValueError).Fix = fix
		return err
	}
	list := func(dst *Bitmap, max uint32) error {
		bm, e := parseNumberList(value, max, 10)
		if e != "" {
			if max == 65535 {
				return badHint(e, numberFix(name, value))
			}
			return bad(e)
		}
		*dst = bm
		return nil
	}
	window := func(dst *TimeWindow, t testID) error {
		w, e := ParseTimeWindow(value)
		if e != "" {
			return &ValueError{Switch: name, Value: value, Reason: e,
				Fix: "a window is START[-END], each " + DateForms + " to the millisecond, or epoch seconds"}
		}
		*dst = w
		b.use(t)
		return nil
	}
	f := &b.f
	switch name {
	case "stime":
		return window(&f.stime, tSTime)
	case "etime":
		return window(&f.etime, tETime)
	case "active-time":
		return window(&f.active, tActive)
	case "duration":
		r, e := parseDecimalRange(value)
		if e != "" {
			return bad(e)
		}
		f.durMin, f.durMax = secondsToMs(r.Min), secondsToMs(r.Max)
		b.use(tDuration)
	case "sport":
		b.use(tSPort)
		return list(&f.sport, 65535)
	case "dport":
		b.use(tDPort)
		return list(&f.dport, 65535)
	case "aport":
		b.use(tAPort)
		return list(&f.aport, 65535)
	case "protocol":
		bm, e := parseNumberList(value, 255, 10)
		if e != "" {
			return badHint(e, numberFix(name, value))
		}
		copy(f.proto[:], bm)
		b.use(tProto)
	case "icmp-type":
		b.use(tICMPType)
		return list(&f.icmpType, 255)
	case "icmp-code":
		b.use(tICMPCode)
		return list(&f.icmpCode, 255)
	case "bytes", "packets":
		r, e := parseIntRange(value)
		if e != "" {
			return bad(e)
		}
		if name == "bytes" {
			f.bytes = r
			b.use(tBytes)
		} else {
			f.packets = r
			b.use(tPackets)
		}
	case "bytes-per-packet":
		r, e := parseDecimalRange(value)
		if e != "" {
			return bad(e)
		}
		f.bpp = r
		b.use(tBPP)
	case "scidr", "dcidr", "any-cidr", "nhcidr", "not-scidr", "not-dcidr", "not-any-cidr", "not-nhcidr":
		l, tok, e := ParseCIDRList(value)
		if e != "" {
			return &ValueError{Switch: name, Value: tok, Reason: e}
		}
		base := strings.TrimPrefix(name, "not-")
		f.cidr = append(f.cidr, cidrTest{l: l, side: sideOf(base), negate: base != name})
		b.use(tCIDR)
	case "saddress", "daddress", "any-address", "next-hop-id",
		"not-saddress", "not-daddress", "not-any-address", "not-next-hop-id":
		w, e := ParseIPWildcard(value)
		if e != "" {
			return bad(e)
		}
		base := strings.TrimPrefix(name, "not-")
		f.wild = append(f.wild, wildTest{w: w, side: sideOf(base), negate: base != name})
		b.use(tWild)
	case "input-index", "output-index", "any-index":
		set, e := ParseIndexList(value)
		if e != "" {
			return bad(e)
		}
		switch name {
		case "input-index":
			f.inIdx = set
			b.use(tInIndex)
		case "output-index":
			f.outIdx = set
			b.use(tOutIndex)
		default:
			f.anyIdx = set
			b.use(tAnyIndex)
		}
	case "tcp-flags":
		v, e := parseLetters(value, tcpFlagLetters)
		if e == "" && v == 0 {
			e = errEmpty
		}
		if e != "" {
			return bad(e)
		}
		f.tcpFlags = v
		b.use(tTCPFlags)
	case "fin-flag", "syn-flag", "rst-flag", "psh-flag", "ack-flag", "urg-flag", "ece-flag", "cwr-flag":
		bit := tcpFlagLetters[name[0]-'a'+'A']
		switch strings.TrimSpace(value) {
		case "1":
			b.binHM.High |= bit
			b.binHM.Mask |= bit
		case "0":
			b.binHM.Mask |= bit
		default:
			return bad("the value is 0 (flag absent) or 1 (flag present)")
		}
		b.binUsed = true
		b.use(tFlagsAll)
	case "flags-all", "flags-initial", "flags-session", "attributes":
		letters := tcpFlagLetters
		if name == "attributes" {
			letters = attrLetters
		}
		what := "flags"
		if name == "attributes" {
			what = "state flags"
		}
		hm, tok, e := parseHighMaskList(value, letters, what)
		if e != "" {
			return &ValueError{Switch: name, Value: tok, Reason: e}
		}
		switch name {
		case "flags-all":
			b.flagsAll = append(b.flagsAll, hm...)
			b.use(tFlagsAll)
		case "flags-initial":
			b.flagsIn = append(b.flagsIn, hm...)
			b.use(tFlagsInit)
		case "flags-session":
			b.flagsSe = append(b.flagsSe, hm...)
			b.use(tFlagsSession)
		default:
			f.attrs = tableAny(hm)
			b.use(tAttributes)
		}
	case "application":
		b.use(tApplication)
		return list(&f.application, 65535)
	case "ip-version":
		bm, e := parseNumberList(value, 6, 10)
		if e == "" && (bm.Has(0) || bm.Has(1) || bm.Has(2) || bm.Has(3) || bm.Has(5)) {
			e = "Valid versions are 4 and 6"
		}
		if e != "" {
			return bad(e)
		}
		f.ipv4, f.ipv6 = bm.Has(4), bm.Has(6)
		b.use(tIPVersion)
	case "scc", "dcc", "any-cc":
		bm, tok, reason := parseCountryList(value)
		if bm == nil {
			return &ValueError{Switch: name, Value: tok, Reason: reason, Fix: countryFix(name, value, tok)}
		}
		switch name {
		case "scc":
			f.scc = bm
			b.use(tSCC)
		case "dcc":
			f.dcc = bm
			b.use(tDCC)
		default:
			f.anyCC = bm
			b.use(tAnyCC)
		}
	case "sas", "das", "any-as":
		set, e := parseASList(value)
		if e != "" {
			return bad(e)
		}
		switch name {
		case "sas":
			f.sas = set
			b.use(tSAS)
		case "das":
			f.das = set
			b.use(tDAS)
		default:
			f.anyAS = set
			b.use(tAnyAS)
		}
	default:
		return fmt.Errorf("unknown partitioning switch --%s", name)
	}
	return nil
}

func sideOf(base string) addrSide {
	switch base {
	case "scidr", "saddress":
		return sideSrc
	case "dcidr", "daddress":
		return sideDst
	case "any-cidr", "any-address":
		return sideAny
	}
	return sideNh
}

func secondsToMs(s float64) int64 {
	if s >= 9.2e15 {
		return 1<<63 - 1
	}
	return int64(s * 1e3)
}

// SetTypes makes the flow type a test (files given by name: --type,
// --flowtypes and --class then partition records).
func (b *Builder) SetTypes(types []flowfile.FlowType) {
	for _, t := range types {
		b.f.types[t] = true
	}
	b.use(tType)
}

// SetSensors makes the sensor id a test.
func (b *Builder) SetSensors(ids []uint16) {
	b.f.sensors = NewBitmap(1 << 16)
	for _, id := range ids {
		b.f.sensors.Set(uint32(id))
	}
	b.use(tSensor)
}

// Build checks the switches against each other and compiles the Filter.
func (b *Builder) Build() (*Filter, error) {
	if (b.used[tICMPType] || b.used[tICMPCode]) && b.used[tProto] {
		p := &b.f.proto
		if p[0]&(1<<1) == 0 && p[0]&(1<<58) == 0 {
			sw := "icmp-type"
			if !b.used[tICMPType] {
				sw = "icmp-code"
			}
			return nil, fmt.Errorf("An --%s value was given but --protocol does not include 1 or 58", sw)
		}
	}
	all := b.flagsAll
	if b.binUsed {
		all = append(all, b.binHM)
	}
	if len(all) > 0 {
		b.f.flagsAll = tableAny(all)
	}
	if len(b.flagsIn) > 0 {
		b.f.flagsInit = tableAny(b.flagsIn)
	}
	if len(b.flagsSe) > 0 {
		b.f.flagsSession = tableAny(b.flagsSe)
	}
	f := b.f
	f.order = nil
	for t := range numTests {
		if b.used[t] {
			f.order = append(f.order, testID(t))
		}
	}
	return &f, nil
}

// Compile is a shorthand: apply name=value pairs in order and build.
func Compile(pairs ...[2]string) (*Filter, error) {
	b := NewBuilder()
	for _, p := range pairs {
		if err := b.Set(p[0], p[1]); err != nil {
			return nil, err
		}
	}
	return b.Build()
}
