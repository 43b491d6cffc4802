package gfilter

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/site"
)

func typeNames() string {
	var names []string
	for _, t := range flowfile.AllTypes() {
		names = append(names, t.String())
	}
	return strings.Join(names, ",")
}

func checkClass(name, value string) error {
	if !strings.EqualFold(strings.TrimSpace(value), flowfile.ClassName) {
		return fmt.Errorf("Invalid %s '%s': the only class is '%s'", name, value, flowfile.ClassName)
	}
	return nil
}

// parseTypes parses --type: "all" or a comma list of type names.
func parseTypes(value string) ([]flowfile.FlowType, error) {
	var out []flowfile.FlowType
	for tok := range strings.SplitSeq(value, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		if strings.EqualFold(tok, "all") {
			return flowfile.AllTypes(), nil
		}
		t, err := flowfile.ParseFlowType(tok)
		if err != nil {
			return nil, fmt.Errorf("Invalid type '%s': valid types are all,%s", tok, typeNames())
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("Invalid type '%s': valid types are all,%s", value, typeNames())
	}
	return out, nil
}

// parseFlowtypes parses --flowtypes=CLASS/TYPE,… (either part may be "all").
func parseFlowtypes(value string) ([]flowfile.FlowType, error) {
	var out []flowfile.FlowType
	for tok := range strings.SplitSeq(value, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		class, typ, ok := strings.Cut(tok, "/")
		if !ok {
			return nil, fmt.Errorf("Invalid flowtypes '%s': expected CLASS/TYPE, e.g. all/in", tok)
		}
		if !strings.EqualFold(class, "all") {
			return nil, fmt.Errorf("Invalid flowtypes '%s': the only class is '%s'", tok, flowfile.ClassName)
		}
		ts, err := parseTypes(typ)
		if err != nil {
			return nil, fmt.Errorf("Invalid flowtypes '%s': valid types are all,%s", tok, typeNames())
		}
		out = append(out, ts...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("Invalid flowtypes '%s': expected CLASS/TYPE, e.g. all/in", value)
	}
	return out, nil
}

// sensorSel is the result of --sensors: names for choosing repository files,
// ids for testing records.
type sensorSel struct {
	names []string
	ids   []uint16
}

// parseSensors parses --sensors: a comma list of sensor names, numeric ids
// and id ranges ("S0,S3", "0-2"). Names the site configuration does not
// know are still accepted for choosing repository files (the repository
// may have been written with another configuration), but records can only
// be tested against sensors whose id is known.
func parseSensors(value string, cfg *site.Config, needIDs bool) (sensorSel, error) {
	var sel sensorSel
	add := func(id uint16) error {
		s, ok := cfg.SensorByID(id)
		if !ok {
			if needIDs {
				sel.ids = append(sel.ids, id)
				return nil
			}
			return fmt.Errorf("Invalid sensors '%s': no sensor has id %d; known sensors are %s", value, id, knownSensors(cfg))
		}
		sel.names = append(sel.names, s.Name)
		sel.ids = append(sel.ids, id)
		return nil
	}
	for tok := range strings.SplitSeq(value, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		if tok[0] >= '0' && tok[0] <= '9' {
			lo, hi, isRange := strings.Cut(tok, "-")
			a, err1 := strconv.ParseUint(lo, 10, 16)
			b := a
			var err2 error
			if isRange {
				b, err2 = strconv.ParseUint(hi, 10, 16)
			}
			if err1 != nil || err2 != nil || b < a {
				return sel, fmt.Errorf("Invalid sensors '%s': expected sensor names, ids (0-65535) or id ranges", tok)
			}
			for id := a; id <= b; id++ {
				if err := add(uint16(id)); err != nil {
					return sel, err
				}
			}
			continue
		}
		if s, ok := cfg.SensorByName(tok); ok {
			sel.names = append(sel.names, s.Name)
			sel.ids = append(sel.ids, s.ID)
			continue
		}
		if needIDs {
			return sel, fmt.Errorf("Invalid sensors '%s': unknown sensor; known sensors are %s", tok, knownSensors(cfg))
		}
		sel.names = append(sel.names, tok)
	}
	if len(sel.names) == 0 && len(sel.ids) == 0 {
		return sel, fmt.Errorf("Invalid sensors '%s': expected sensor names, ids or id ranges", value)
	}
	return sel, nil
}

func knownSensors(cfg *site.Config) string {
	var names []string
	for _, s := range cfg.Sensors {
		names = append(names, fmt.Sprintf("%s (%d)", s.Name, s.ID))
	}
	return strings.Join(names, ", ")
}
