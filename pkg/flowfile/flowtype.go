package flowfile

import (
	"fmt"
	"strings"
)

// FlowType is a flow's type in SiLK's twoway site: its direction relative to
// the site's internal networks, with web and ICMP split out. The numeric ids
// are SiLK's (silk.conf of the twoway site), so they can be printed and
// parsed as SiLK users expect.
type FlowType uint8

const (
	TypeIn      FlowType = 0
	TypeOut     FlowType = 1
	TypeInWeb   FlowType = 2
	TypeOutWeb  FlowType = 3
	TypeInNull  FlowType = 4
	TypeOutNull FlowType = 5
	TypeInt2Int FlowType = 6
	TypeExt2Ext FlowType = 7
	TypeInICMP  FlowType = 8
	TypeOutICMP FlowType = 9
	TypeOther   FlowType = 10

	// NumTypes is the number of flow types; ids run 0..NumTypes-1.
	NumTypes = 11
)

// ClassName is the one class of the twoway site.
const ClassName = "all"

var typeNames = [NumTypes]string{
	"in", "out", "inweb", "outweb", "innull", "outnull",
	"int2int", "ext2ext", "inicmp", "outicmp", "other",
}

// flowtype names as used in file names (silk.conf's third column of `type`).
var typeFileNames = [NumTypes]string{
	"in", "out", "iw", "ow", "innull", "outnull",
	"int2int", "ext2ext", "inicmp", "outicmp", "other",
}

// DefaultTypes are the types a repository query reads when none are named:
// SiLK's twoway default-types, incoming traffic only.
var DefaultTypes = []FlowType{TypeIn, TypeInWeb, TypeInICMP}

// AllTypes lists every type in id order.
func AllTypes() []FlowType {
	t := make([]FlowType, NumTypes)
	for i := range t {
		t[i] = FlowType(i)
	}
	return t
}

// String returns the type name SiLK prints ("inweb").
func (t FlowType) String() string {
	if int(t) < NumTypes {
		return typeNames[t]
	}
	return fmt.Sprintf("type%d", uint8(t))
}

// FileName returns the flowtype name used in repository file names ("iw").
func (t FlowType) FileName() string {
	if int(t) < NumTypes {
		return typeFileNames[t]
	}
	return fmt.Sprintf("type%d", uint8(t))
}

// Valid reports whether t is one of the twoway types.
func (t FlowType) Valid() bool { return int(t) < NumTypes }

// Incoming reports whether t is one of the incoming types (in, inweb, inicmp, innull).
func (t FlowType) Incoming() bool {
	return t == TypeIn || t == TypeInWeb || t == TypeInICMP || t == TypeInNull
}

// ParseFlowType accepts a type name ("inweb"), its file name ("iw") or its
// numeric id, in any case.
func ParseFlowType(s string) (FlowType, error) {
	ls := strings.ToLower(strings.TrimSpace(s))
	for i := range NumTypes {
		if ls == typeNames[i] || ls == typeFileNames[i] {
			return FlowType(i), nil
		}
	}
	var n int
	if _, err := fmt.Sscanf(ls, "%d", &n); err == nil && fmt.Sprint(n) == ls && n >= 0 && n < NumTypes {
		return FlowType(n), nil
	}
	return 0, fmt.Errorf("unknown flow type %q; valid types are %s", s, strings.Join(typeNames[:], ","))
}
