package site

import (
	"net/netip"
	"slices"
)

// Learned is what the collector learned about one sensor's site from its
// traffic (package learn), in the terms of the configuration, so that a
// sensor typing flows with it behaves exactly as one whose file says the
// same thing.
type Learned struct {
	// Internal are networks to add to the sensor's internal networks when
	// it types flows by address: its outside addresses (as /32) and, unless
	// its internal networks are configured, its learned IPv6 prefixes.
	Internal []netip.Prefix
	// ExternalInterfaces, when not empty, makes the sensor type flows by
	// interface: these are external, 0 is null (unless null-interfaces
	// says otherwise) and every other interface is internal.
	ExternalInterfaces []uint32
}

// AppliesInterfaces reports whether learned interface roles may be used
// for s: its file sets no interfaces and no external or null networks,
// which would decide direction themselves.
func (s *Sensor) AppliesInterfaces() bool {
	return !s.byInterfaceConfigured() && len(s.External) == 0 && len(s.Null) == 0
}

// WithLearned returns a copy of s that types flows with what was learned
// added to its configuration; s itself is not changed. Learned interfaces
// are ignored when the sensor's file decides direction itself (see
// AppliesInterfaces).
func (s *Sensor) WithLearned(l Learned) *Sensor {
	c := *s
	if len(l.ExternalInterfaces) > 0 && s.AppliesInterfaces() {
		c.ExternalInterfaces = slices.Clone(l.ExternalInterfaces)
		if len(c.NullInterfaces) == 0 {
			c.NullInterfaces = []uint32{0}
		}
		c.Internal, c.External, c.Null = nil, nil, nil
	} else if len(l.Internal) > 0 && !c.byInterfaceConfigured() {
		c.Internal = append(slices.Clone(s.Internal), l.Internal...)
		sortPrefixes(c.Internal)
	}
	c.compile(s.icmpSplit)
	return &c
}

// InterfaceIsInternal and InterfaceIsExternal give the role of interface
// x for a sensor that types flows by interface (ByInterface); both are
// false for a null interface.
func (s *Sensor) InterfaceIsInternal(x uint32) bool {
	return s.byInterface && !s.nullIf.contains(x) && s.intInterface(x)
}

// InterfaceIsExternal: see InterfaceIsInternal.
func (s *Sensor) InterfaceIsExternal(x uint32) bool {
	return s.byInterface && !s.nullIf.contains(x) && s.extInterface(x)
}
