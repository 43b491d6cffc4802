package fields

import (
	"os"

	"github.com/spf13/pflag"
)

// Switches are the text formatting switches that gstats, gcut and gcount
// share with rwstats, rwcut and rwcount.
type Switches struct {
	IPFormat                        string // --ip-format
	IntegerIPs, ZeroPadIPs          bool   // --integer-ips, --zero-pad-ips
	TimestampFormat                 string // --timestamp-format
	EpochTime                       bool   // --epoch-time
	IntegerSensors, IntegerTCPFlags bool   // --integer-sensors, --integer-tcp-flags
}

// Options resolves the switches, falling back on $GFLOW_IP_FORMAT and
// $GFLOW_TIMESTAMP_FORMAT, into field options for the IPv6 policy p.
// allowNoMsec says whether the timestamp format may ask for no-msec
// (rwcut's times carry milliseconds, rwstats' do not). Msec is left false.
func (s Switches) Options(p Policy, allowNoMsec bool) (Options, error) {
	fo := Options{Policy: p, IntegerSensors: s.IntegerSensors, IntegerTCPFlags: s.IntegerTCPFlags}
	ipf := os.Getenv("GFLOW_IP_FORMAT")
	if s.IPFormat != "" {
		ipf = s.IPFormat
	}
	if ipf != "" {
		f, err := ParseIPFormat(ipf)
		if err != nil {
			return fo, err
		}
		fo.IP = f
	}
	if s.IntegerIPs {
		fo.IP.Base = IPDecimal
	}
	if s.ZeroPadIPs {
		fo.IP.ZeroPad = true
	}
	tf := os.Getenv("GFLOW_TIMESTAMP_FORMAT")
	if s.TimestampFormat != "" {
		tf = s.TimestampFormat
	}
	if tf != "" {
		t, err := ParseTimeFormat(tf, allowNoMsec)
		if err != nil {
			return fo, err
		}
		fo.Time = t
	}
	if s.EpochTime {
		fo.Time.Style = TimeEpoch
	}
	return fo, nil
}

// TimeSwitches are the switches that choose how times print, as SiLK's
// tools register them (skOptionsTimestampFormatRegister):
// --timestamp-format=FORMAT, --epoch-time (or the tool's own name for it,
// rwcount's --epoch-slots) and --legacy-timestamps[=1|0]. As in SiLK the
// last one given wins: each sets the whole format.
type TimeSwitches struct {
	value  string // the format the last switch set, "" for none
	legacy string
}

// timeSwitch is one of the switches, setting the shared value.
type timeSwitch struct {
	s   *TimeSwitches
	set func(string) string // the format a value of the switch means
	val string
}

func (t *timeSwitch) String() string { return t.val }
func (t *timeSwitch) Type() string   { return "string" }
func (t *timeSwitch) Set(v string) error {
	t.val = v
	t.s.value = t.set(v)
	return nil
}

// boolTimeSwitch is a timeSwitch taking no value (--epoch-time).
type boolTimeSwitch struct{ timeSwitch }

func (b *boolTimeSwitch) Type() string     { return "bool" }
func (b *boolTimeSwitch) IsBoolFlag() bool { return true }

// Register adds the switches to fs. epochName is the name of the switch
// that means --timestamp-format=epoch ("epoch-time"; rwcount's is
// "epoch-slots"); legacy is what --legacy-timestamps means: m/d/y, with
// ",no-msec" for a tool whose times carry milliseconds (gcut).
func (s *TimeSwitches) Register(fs *pflag.FlagSet, epochName, epochHelp, formatHelp, legacy string) {
	s.legacy = legacy
	fs.Var(&timeSwitch{s: s, set: func(v string) string { return v }}, "timestamp-format", formatHelp)
	fs.Var(&boolTimeSwitch{timeSwitch{s: s, set: func(string) string { return "epoch" }}}, epochName, epochHelp)
	fs.Lookup(epochName).NoOptDefVal = "true"
	fs.Var(&timeSwitch{s: s, set: func(v string) string {
		// no value, an empty one or one starting with 1 asks for the
		// legacy format; any other value for the default one
		if v == "" || v[0] == '1' {
			return s.legacy
		}
		return "default"
	}}, "legacy-timestamps", "DEPRECATED. Equivalent to --timestamp-format="+legacy)
	fs.Lookup("legacy-timestamps").NoOptDefVal = "1"
}

// Format returns the --timestamp-format value the switches ask for, or ""
// when none was given.
func (s *TimeSwitches) Format() string { return s.value }
