package fields

import "os"

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
