package site

import "github.com/gflow/gflow/pkg/flowfile"

// Classify sets rec.Type by the rules of SiLK's twoway site
// (packlogic-twoway), using sensor s — normally the one SensorForExporter
// returned. When s is nil, the sensor is looked up by rec.Sensor, and if the
// configuration does not know it, flows are typed by address with the
// site-wide internal networks.
//
// The rules, per flow:
//
//   - The source network is external or internal: by address (sIP in the
//     sensor's external or internal networks; with no external list,
//     "external" is every address neither internal nor null), or, when the
//     sensor has interfaces configured, by the input interface (In) alone.
//   - The destination network is null (dIP in the null networks, or Out in
//     the null interfaces), else internal or external, the same way by dIP
//     or by the output interface (Out).
//   - external→null innull; external→internal in/inweb/inicmp;
//     external→external ext2ext; internal→null outnull;
//     internal→external out/outweb/outicmp; internal→internal int2int;
//     anything else (a network that is neither) other.
//   - Web: protocol 6 with sPort or dPort 80, 443 or 8080. ICMP (protocol
//     1, or 58 on an IPv6 flow) goes to inicmp/outicmp only with
//     icmp-split; by default it stays in in/out, as in SiLK's default build.
//
// With interfaces, direction does not depend on any address: a NATed site
// whose router exports its changing outside address still gets in and out
// right. Classify does not allocate.
func (c *Config) Classify(rec *flowfile.Record, s *Sensor) {
	if s == nil {
		var ok bool
		if s, ok = c.byID[rec.Sensor]; !ok {
			s = c.addrOnly
		}
	}
	rec.Type = s.FlowType(rec)
}

// FlowType returns the twoway type of rec as seen by sensor s (see
// Config.Classify).
func (s *Sensor) FlowType(rec *flowfile.Record) flowfile.FlowType {
	switch {
	case s.srcExternal(rec):
		switch {
		case s.dstNull(rec):
			return flowfile.TypeInNull
		case s.dstInternal(rec):
			return s.split(rec, flowfile.TypeIn, flowfile.TypeInWeb, flowfile.TypeInICMP)
		case s.dstExternal(rec):
			return flowfile.TypeExt2Ext
		}
	case s.srcInternal(rec):
		switch {
		case s.dstNull(rec):
			return flowfile.TypeOutNull
		case s.dstExternal(rec):
			return s.split(rec, flowfile.TypeOut, flowfile.TypeOutWeb, flowfile.TypeOutICMP)
		case s.dstInternal(rec):
			return flowfile.TypeInt2Int
		}
	}
	return flowfile.TypeOther
}

func (s *Sensor) split(rec *flowfile.Record, plain, web, icmp flowfile.FlowType) flowfile.FlowType {
	if s.icmpSplit && isICMP(rec) {
		return icmp
	}
	if isWeb(rec) {
		return web
	}
	return plain
}

// isWeb is SiLK's rwRecIsWeb: TCP with either port 80, 443 or 8080.
func isWeb(rec *flowfile.Record) bool {
	if rec.Proto != 6 {
		return false
	}
	return webPort(rec.SPort) || webPort(rec.DPort)
}

func webPort(p uint16) bool { return p == 80 || p == 443 || p == 8080 }

// isICMP is SiLK's rwRecIsICMP: protocol 1, or 58 on an IPv6 flow.
func isICMP(rec *flowfile.Record) bool {
	return rec.Proto == 1 || (rec.Proto == 58 && rec.IsIPv6())
}

func (s *Sensor) srcExternal(rec *flowfile.Record) bool {
	if s.byInterface {
		return s.extInterface(rec.In)
	}
	return s.externalAddr(true, rec)
}

func (s *Sensor) srcInternal(rec *flowfile.Record) bool {
	if s.byInterface {
		return s.intInterface(rec.In)
	}
	return s.internal.contains(rec.SIP)
}

func (s *Sensor) dstNull(rec *flowfile.Record) bool {
	if s.nullIf.contains(rec.Out) {
		return true
	}
	return !s.byInterface && !s.null.empty() && s.null.contains(rec.DIP)
}

func (s *Sensor) dstInternal(rec *flowfile.Record) bool {
	if s.byInterface {
		return s.intInterface(rec.Out)
	}
	return s.internal.contains(rec.DIP)
}

func (s *Sensor) dstExternal(rec *flowfile.Record) bool {
	if s.byInterface {
		return s.extInterface(rec.Out)
	}
	return s.externalAddr(false, rec)
}

// externalAddr tests sIP (src) or dIP against the external networks; with
// none listed, external is the remainder: neither internal nor null.
func (s *Sensor) externalAddr(src bool, rec *flowfile.Record) bool {
	a := rec.DIP
	if src {
		a = rec.SIP
	}
	if len(s.External) > 0 {
		return s.external.contains(a)
	}
	if !a.IsValid() {
		return false
	}
	return !s.internal.contains(a) && (s.null.empty() || !s.null.contains(a))
}

// extInterface: in the external interfaces, or, with none listed, any
// interface that is neither internal nor null.
func (s *Sensor) extInterface(x uint32) bool {
	if len(s.extIf.list) > 0 {
		return s.extIf.contains(x)
	}
	return !s.intIf.contains(x) && !s.nullIf.contains(x)
}

func (s *Sensor) intInterface(x uint32) bool {
	if len(s.intIf.list) > 0 {
		return s.intIf.contains(x)
	}
	return !s.extIf.contains(x) && !s.nullIf.contains(x)
}
