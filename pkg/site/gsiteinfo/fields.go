package gsiteinfo

import (
	"fmt"
	"strings"
)

// dim is what a field makes the rows go over, as in rwsiteinfo: a field
// of a sensor (its name, id, description) makes one row per sensor; the
// order of the first such field of each kind in --fields orders the
// loops. Lists and repository fields bind nothing: they describe the row.
type dim uint8

const (
	dimNone dim = iota
	dimClass
	dimType
	dimSensor
)

type kind uint8

const (
	kindValue kind = iota // one value per row
	kindList              // a list, from the row's context
	kindRepo              // what the repository holds for the row's context
)

type fieldID uint8

const (
	fClass fieldID = iota
	fType
	fFlowtype
	fFlowtypeID
	fSensor
	fSensorID
	fSensorDesc
	fDefaultClass
	fDefaultType
	fMarkDefaults
	fClassList
	fTypeList
	fFlowtypeList
	fFlowtypeIDList
	fSensorList
	fSensorIDList
	fDefaultClassList
	fDefaultTypeList
	fExporters
	fInternal
	fExternal
	fLearned
	fRepoStart
	fRepoEnd
	fRepoFiles
	fRepoRecords
	fRepoBytes
)

type fieldDef struct {
	id    fieldID
	name  string
	title string
	dim   dim
	kind  kind
	help  string
}

// fieldDefs are rwsiteinfo's fields with its names and titles, then
// gflow's: a sensor's exporters and networks, and the repository's
// records and bytes.
var fieldDefs = []fieldDef{
	{fClass, "class", "Class", dimClass, kindValue, "class name"},
	{fType, "type", "Type", dimType, kindValue, "type name"},
	{fFlowtype, "flowtype", "Flowtype", dimType, kindValue, "flowtype name (iw for inweb, as in file names)"},
	{fFlowtypeID, "id-flowtype", "Flowtype-ID", dimType, kindValue, "flowtype integer identifier"},
	{fSensor, "sensor", "Sensor", dimSensor, kindValue, "sensor name"},
	{fSensorID, "id-sensor", "Sensor-ID", dimSensor, kindValue, "sensor integer identifier"},
	{fSensorDesc, "describe-sensor", "Sensor-Description", dimSensor, kindValue, "sensor description"},
	{fDefaultClass, "default-class", "Default-Class", dimClass, kindValue, "default class name"},
	{fDefaultType, "default-type", "Default-Type", dimType, kindValue, "default type name"},
	{fMarkDefaults, "mark-defaults", "Defaults", dimNone, kindValue, "'+' for default classes, '*' for default types"},
	{fClassList, "class:list", "Class:list", dimNone, kindList, "list of class names"},
	{fTypeList, "type:list", "Type:list", dimNone, kindList, "list of type names"},
	{fFlowtypeList, "flowtype:list", "Flowtype:list", dimNone, kindList, "list of flowtype names"},
	{fFlowtypeIDList, "id-flowtype:list", "Flowtype-ID:list", dimNone, kindList, "list of flowtype integer identifiers"},
	{fSensorList, "sensor:list", "Sensor:list", dimNone, kindList, "list of sensor names"},
	{fSensorIDList, "id-sensor:list", "Sensor-ID:list", dimNone, kindList, "list of sensor integer identifiers"},
	{fDefaultClassList, "default-class:list", "Default-Class:list", dimNone, kindList, "list of default class names"},
	{fDefaultTypeList, "default-type:list", "Default-Type:list", dimNone, kindList, "list of default type names"},
	{fExporters, "exporters", "Exporters", dimSensor, kindValue, "the sensor's exporters (any: every other exporter)"},
	{fInternal, "internal", "Internal", dimSensor, kindValue, "its internal networks, or internal interfaces"},
	{fExternal, "external", "External", dimSensor, kindValue, "its external networks or interfaces"},
	{fLearned, "learned", "Learned", dimSensor, kindValue, "what gflowcap learned: outside:ADDR, external:ifN, prefix:P"},
	{fRepoStart, "repo-start-date", "Start-Date", dimNone, kindRepo, "hour of the earliest file in the repository"},
	{fRepoEnd, "repo-end-date", "End-Date", dimNone, kindRepo, "hour of the latest file in the repository"},
	{fRepoFiles, "repo-file-count", "File-Count", dimNone, kindRepo, "number of files in the repository"},
	{fRepoRecords, "repo-record-count", "Record-Count", dimNone, kindRepo, "flow records in those files (block headers)"},
	{fRepoBytes, "repo-byte-count", "Byte-Count", dimNone, kindRepo, "size of those files, bytes"},
}

// parseFields reads --fields: names, or unique prefixes of them.
func parseFields(s string) ([]fieldDef, error) {
	var out []fieldDef
	for tok := range strings.SplitSeq(s, ",") {
		tok = strings.ToLower(strings.TrimSpace(tok))
		if tok == "" {
			continue
		}
		var match []fieldDef
		for _, f := range fieldDefs {
			if f.name == tok {
				match = []fieldDef{f}
				break
			}
			if strings.HasPrefix(f.name, tok) {
				match = append(match, f)
			}
		}
		switch len(match) {
		case 0:
			return nil, fmt.Errorf("Invalid fields '%s': no field is named '%s'", s, tok)
		case 1:
			out = append(out, match[0])
		default:
			names := make([]string, len(match))
			for i, m := range match {
				names[i] = m.name
			}
			return nil, fmt.Errorf("Invalid fields '%s': '%s' matches several fields: %s", s, tok, strings.Join(names, ", "))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("Invalid fields '%s': no field named", s)
	}
	return out, nil
}

// fieldHelp lists the fields for --help.
func fieldHelp() string {
	var b strings.Builder
	for _, f := range fieldDefs {
		fmt.Fprintf(&b, "  %-19s %s\n", f.name, f.help)
	}
	return strings.TrimRight(b.String(), "\n")
}
