package gfilter

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gflow/gflow/pkg/cli"
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

// typeList names the types a query reads ("in,inweb,inicmp"); nil means
// the default types.
func typeList(types []flowfile.FlowType) string {
	if types == nil {
		types = flowfile.DefaultTypes
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.String()
	}
	return strings.Join(names, ",")
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
	// unknown are names the site configuration does not know; the query
	// fails if the repository has no file of theirs in its hours either
	unknown []string
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
			return sensorHint(fmt.Errorf("Invalid sensors '%s': no sensor has id %d", value, id), cfg)
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
			return sel, sensorHint(fmt.Errorf("Invalid sensors '%s': unknown sensor", tok), cfg)
		}
		sel.names = append(sel.names, tok)
		sel.unknown = append(sel.unknown, tok)
	}
	if len(sel.names) == 0 && len(sel.ids) == 0 {
		return sel, fmt.Errorf("Invalid sensors '%s': expected sensor names, ids or id ranges", value)
	}
	return sel, nil
}

// sensorHint adds the site's sensors to err, as the hint of what to type.
func sensorHint(err error, cfg *site.Config) error {
	var names []string
	for _, s := range cfg.Sensors {
		names = append(names, fmt.Sprintf("%s (%d)", s.Name, s.ID))
	}
	where := "the default site (no gflow.toml)"
	if cfg.Path != "" {
		where = cfg.Path
	}
	return cli.Hint(err, "the sensors in %s are %s", where, strings.Join(names, ", "))
}

// checkUnknownSensors fails the query when a sensor name the site does not
// know has no file among those listed: a mistyped name, which would
// otherwise read nothing without a word.
func checkUnknownSensors(sel sensorSel, files []flowfile.RepoFile, cfg *site.Config, root string) error {
	declared := silkConfSensors(root)
	for _, name := range sel.unknown {
		found := declared[name]
		for _, f := range files {
			if f.Exists && f.Sensor == name {
				found = true
				break
			}
		}
		if !found {
			return sensorHint(fmt.Errorf("Invalid sensors '%s': unknown sensor", name), cfg)
		}
	}
	return nil
}

// silkConfSensors returns the sensor names a SiLK repository's
// ROOT/silk.conf declares ("sensor 1 S1 ..."): a SiLK user querying their
// own repository names those sensors, whether or not files exist.
func silkConfSensors(root string) map[string]bool {
	b, err := os.ReadFile(filepath.Join(root, "silk.conf"))
	if err != nil {
		return nil
	}
	names := map[string]bool{}
	for line := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "sensor" {
			names[f[2]] = true
		}
	}
	return names
}
