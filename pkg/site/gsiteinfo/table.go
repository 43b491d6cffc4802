package gsiteinfo

import (
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/gflow/gflow/pkg/fields"
	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/site"
	"github.com/gflow/gflow/pkg/site/learn"
)

// sensorInfo is a sensor of a row: one of the site configuration, or a
// name found only in the repository's file names.
type sensorInfo struct {
	name string
	s    *site.Sensor // nil for a sensor the configuration does not name
}

type siteInfo struct {
	cfg     *site.Config
	sel     selection
	repo    *scanned // nil when no field reads the repository
	sensors []sensorInfo
	learned *learn.State // what gflowcap learned; nil when nothing
	brief   bool         // the default view: the default networks in two words
	delim   string
	tf      *fields.Formatter
}

// sensorList is the sensors rows go over: the configuration's in id
// order, then those found only in the repository, by name.
func (s *siteInfo) sensorList() []sensorInfo {
	var out []sensorInfo
	for _, c := range s.cfg.Sensors {
		if s.sel.sensorIDs == nil || s.sel.sensorIDs[c.ID] {
			out = append(out, sensorInfo{name: c.Name, s: c})
		}
	}
	if s.repo != nil {
		for _, name := range s.repo.sensors {
			if _, ok := s.cfg.SensorByName(name); !ok {
				out = append(out, sensorInfo{name: name})
			}
		}
	}
	return out
}

// rowCtx is what a row is about: the class, type and sensor its fields
// bound, if they did.
type rowCtx struct {
	class  bool
	t      *flowfile.FlowType
	sensor *sensorInfo
}

// rows builds the rows of a table: nested loops over the dimensions the
// fields bind, in the order of the first field of each.
func (s *siteInfo) rows(fs []fieldDef) [][]string {
	var dims []dim
	defaultTypes, defaultClass := false, false
	for _, f := range fs {
		if f.dim != dimNone && !slices.Contains(dims, f.dim) {
			dims = append(dims, f.dim)
			defaultTypes = defaultTypes || f.id == fDefaultType
			defaultClass = defaultClass || f.id == fDefaultClass
		}
	}
	var out [][]string
	var walk func(level int, c rowCtx)
	walk = func(level int, c rowCtx) {
		if level == len(dims) {
			row := make([]string, len(fs))
			for i, f := range fs {
				row[i] = s.value(f, c)
			}
			out = append(out, row)
			return
		}
		switch dims[level] {
		case dimClass:
			_ = defaultClass // one class, which is the default
			c.class = true
			walk(level+1, c)
		case dimType:
			for _, t := range s.sel.typeList {
				if defaultTypes && !slices.Contains(flowfile.DefaultTypes, t) {
					continue
				}
				c.t = &t
				walk(level+1, c)
			}
		case dimSensor:
			for i := range s.sensors {
				c.sensor = &s.sensors[i]
				walk(level+1, c)
			}
		}
	}
	walk(0, rowCtx{})
	return out
}

func (s *siteInfo) value(f fieldDef, c rowCtx) string {
	classKnown := c.class || c.t != nil
	list := func(items []string) string { return strings.Join(items, s.delim) }
	switch f.id {
	case fClass, fDefaultClass:
		if classKnown {
			return flowfile.ClassName
		}
	case fType:
		if c.t != nil {
			return c.t.String()
		}
	case fFlowtype:
		if c.t != nil {
			return c.t.FileName()
		}
	case fFlowtypeID:
		if c.t != nil {
			return strconv.Itoa(int(*c.t))
		}
	case fDefaultType:
		if c.t != nil && slices.Contains(flowfile.DefaultTypes, *c.t) {
			return c.t.String()
		}
	case fMarkDefaults:
		m := ""
		if classKnown {
			m += "+"
		}
		if c.t != nil && slices.Contains(flowfile.DefaultTypes, *c.t) {
			m += "*"
		}
		return m
	case fSensor:
		if c.sensor != nil {
			return c.sensor.name
		}
	case fSensorID:
		if c.sensor != nil && c.sensor.s != nil {
			return strconv.Itoa(int(c.sensor.s.ID))
		}
	case fSensorDesc:
		if c.sensor != nil && c.sensor.s != nil {
			return c.sensor.s.Description
		}
	case fExporters:
		if c.sensor != nil && c.sensor.s != nil {
			return list(s.exporters(c.sensor.s))
		}
	case fInternal:
		if c.sensor != nil && c.sensor.s != nil {
			se := c.sensor.s
			if se.ByInterface() {
				return list(orRemainder(interfaces(se.InternalInterfaces)))
			}
			if s.brief && !se.InternalConfigured {
				return "private ranges (default)" // the whole list: --fields=internal
			}
			return list(prefixes(se.Internal))
		}
	case fExternal:
		if c.sensor != nil && c.sensor.s != nil {
			se := c.sensor.s
			if se.ByInterface() {
				return list(orRemainder(interfaces(se.ExternalInterfaces)))
			}
			return list(orRemainder(prefixes(se.External)))
		}
	case fLearned:
		if c.sensor != nil && c.sensor.s != nil {
			return list(s.learnedOf(c.sensor.s))
		}
	case fClassList, fDefaultClassList:
		return flowfile.ClassName
	case fTypeList, fFlowtypeList, fFlowtypeIDList:
		var items []string
		for _, t := range s.sel.typeList {
			switch f.id {
			case fTypeList:
				items = append(items, t.String())
			case fFlowtypeList:
				items = append(items, t.FileName())
			default:
				items = append(items, strconv.Itoa(int(t)))
			}
		}
		return list(items)
	case fDefaultTypeList:
		var items []string
		for _, t := range flowfile.DefaultTypes {
			items = append(items, t.String())
		}
		return list(items)
	case fSensorList, fSensorIDList:
		var items []string
		for _, se := range s.sensors {
			switch {
			case f.id == fSensorList:
				items = append(items, se.name)
			case se.s != nil:
				items = append(items, strconv.Itoa(int(se.s.ID)))
			}
		}
		return list(items)
	case fRepoStart, fRepoEnd, fRepoFiles, fRepoRecords, fRepoBytes:
		h := s.held(c)
		switch f.id {
		case fRepoStart:
			if h.files > 0 {
				return string(s.tf.AppendTime(nil, h.first.UnixMilli(), false))
			}
		case fRepoEnd:
			if h.files > 0 {
				return string(s.tf.AppendTime(nil, h.last.UnixMilli(), false))
			}
		case fRepoFiles:
			return strconv.FormatInt(h.files, 10)
		case fRepoRecords:
			return strconv.FormatInt(h.records, 10)
		case fRepoBytes:
			return strconv.FormatInt(h.bytes, 10)
		}
	}
	return ""
}

// held sums what the repository holds for the row: its sensor and type
// if bound, all of them if not.
func (s *siteInfo) held(c rowCtx) holding {
	var h holding
	for k, v := range s.repo.by {
		if c.t != nil && k.t != *c.t {
			continue
		}
		if c.sensor != nil && k.sensor != c.sensor.name {
			continue
		}
		h.add(v)
	}
	return h
}

// learnedOf lists what gflowcap learned of a sensor's site: its current
// outside addresses, its interfaces' roles and its internal prefixes.
// Facts learned under another name for the id (a renamed sensor) are not
// the sensor's.
func (s *siteInfo) learnedOf(se *site.Sensor) []string {
	st := s.learned.Sensor(se.ID)
	if st == nil || st.Name != se.Name {
		return nil
	}
	var out []string
	for _, a := range st.CurrentOutside() {
		out = append(out, "outside:"+a.String())
	}
	for _, x := range st.InterfacesWith(learn.External) {
		out = append(out, "external:if"+strconv.FormatUint(uint64(x), 10))
	}
	for _, x := range st.InterfacesWith(learn.Internal) {
		out = append(out, "internal:if"+strconv.FormatUint(uint64(x), 10))
	}
	for _, p := range st.PrefixList() {
		out = append(out, "prefix:"+p.String())
	}
	return out
}

// exporters lists a sensor's exporters; a sensor that takes every
// exporter no other sensor names says "any".
func (s *siteInfo) exporters(se *site.Sensor) []string {
	if len(se.Exporters) > 0 {
		return prefixes(se.Exporters)
	}
	n := 0
	for _, o := range s.cfg.Sensors {
		if len(o.Exporters) == 0 {
			n++
		}
	}
	if n == 1 {
		return []string{"any"}
	}
	return []string{"none"}
}

// prefixes writes prefixes as the configuration does: a single address
// without its length.
func prefixes(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		if p.IsSingleIP() {
			out[i] = p.Addr().String()
		} else {
			out[i] = p.String()
		}
	}
	return out
}

func interfaces(ifs []uint32) []string {
	out := make([]string, len(ifs))
	for i, n := range ifs {
		out[i] = "if" + strconv.FormatUint(uint64(n), 10)
	}
	return out
}

func orRemainder(items []string) []string {
	if len(items) == 0 {
		return []string{"remainder"}
	}
	return items
}

// nonEmpty keeps the rows whose repository file count is not zero.
func nonEmpty(rows [][]string, fs []fieldDef) [][]string {
	col := slices.IndexFunc(fs, func(f fieldDef) bool { return f.id == fRepoFiles })
	if col < 0 {
		return rows
	}
	var out [][]string
	for _, r := range rows {
		if r[col] != "0" {
			out = append(out, r)
		}
	}
	return out
}

// writeTable prints rows as rwsiteinfo does: a title line, values right-
// aligned in columns as wide as their widest value or title, '|' after
// each.
func writeTable(w io.Writer, fs []fieldDef, rows [][]string, cl fields.ColumnLayout) {
	widths := make([]int, len(fs))
	for i, f := range fs {
		if !cl.NoTitles {
			widths[i] = len(f.title)
		}
		for _, r := range rows {
			widths[i] = max(widths[i], len(r[i]))
		}
	}
	var b []byte
	line := func(cells []string) {
		b = b[:0]
		for i, c := range cells {
			if !cl.NoColumns {
				b = append(b, strings.Repeat(" ", widths[i]-len(c))...)
			}
			b = append(b, c...)
			if i < len(cells)-1 || !cl.NoFinalDelim {
				b = append(b, cl.Delim)
			}
		}
		b = append(b, '\n')
		w.Write(b)
	}
	if !cl.NoTitles {
		titles := make([]string, len(fs))
		for i, f := range fs {
			titles[i] = f.title
		}
		line(titles)
	}
	for _, r := range rows {
		line(r)
	}
}
