package cli

import (
	"strconv"

	"github.com/gflow/gflow/pkg/cli/silkerr"
	"github.com/spf13/pflag"
)

// Number switches parsed as SiLK parses them, so that a bad value reads
// as SiLK's tools word it ("Invalid count 'abc': Unexpected character 'a'",
// "Invalid bin-size '0': Value is below minimum of 0.001000"), followed by
// "Use 'TOOL --help' for usage", instead of Go's "invalid syntax".

// uintValue is a pflag.Value for an unsigned integer within limits.
type uintValue struct {
	p        *uint64
	min, max uint64
	name     string
}

func (v *uintValue) String() string { return strconv.FormatUint(*v.p, 10) }
func (v *uintValue) Type() string   { return "uint" }
func (v *uintValue) Set(s string) error {
	n, reason := silkerr.ParseUint(s, v.min, v.max)
	if reason != "" {
		return &silkerr.ValueError{Switch: v.name, Value: s, Reason: reason}
	}
	*v.p = n
	return nil
}

// Uint64Var defines a switch holding an unsigned integer of at least min
// and (when max is not 0) at most max.
func Uint64Var(fs *pflag.FlagSet, p *uint64, name string, value, min, max uint64, usage string) {
	*p = value
	fs.Var(&uintValue{p: p, min: min, max: max, name: name}, name, usage)
}

// intValue is a uintValue stored in an int.
type intValue struct {
	p *int
	u uintValue
	n uint64
}

func (v *intValue) String() string { return strconv.Itoa(*v.p) }
func (v *intValue) Type() string   { return "int" }
func (v *intValue) Set(s string) error {
	if err := v.u.Set(s); err != nil {
		return err
	}
	*v.p = int(v.n)
	return nil
}

// IntVar defines a switch holding a non-negative int of at least min and
// (when max is not 0) at most max.
func IntVar(fs *pflag.FlagSet, p *int, name string, value, min, max int, usage string) {
	*p = value
	v := &intValue{p: p}
	v.u = uintValue{p: &v.n, min: uint64(min), max: uint64(max), name: name}
	fs.Var(v, name, usage)
}

// floatValue is a pflag.Value for a decimal within limits.
type floatValue struct {
	p        *float64
	min, max float64
	name     string
}

func (v *floatValue) String() string { return strconv.FormatFloat(*v.p, 'g', -1, 64) }
func (v *floatValue) Type() string   { return "float" }
func (v *floatValue) Set(s string) error {
	f, reason := silkerr.ParseFloat(s, v.min, v.max)
	if reason != "" {
		return &silkerr.ValueError{Switch: v.name, Value: s, Reason: reason}
	}
	*v.p = f
	return nil
}

// Float64Var defines a switch holding a decimal of at least min and (when
// max is not 0) at most max.
func Float64Var(fs *pflag.FlagSet, p *float64, name string, value, min, max float64, usage string) {
	*p = value
	fs.Var(&floatValue{p: p, min: min, max: max, name: name}, name, usage)
}
