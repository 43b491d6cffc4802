package netflow

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"time"
)

// templateFileFormat and templateFileVersion identify the file written by
// SaveTemplates. A change of layout bumps the version; LoadTemplates refuses
// versions it does not know rather than guessing.
const (
	templateFileFormat  = "gflow-netflow-templates"
	templateFileVersion = 1
)

// The saved state, as JSON:
//
//	{"format": "gflow-netflow-templates", "version": 1, "saved": "2024-…Z",
//	 "domains": [{"exporter": "192.0.2.1", "version": 10, "domain": 0,
//	   "sysInitMs": 1700000000000,
//	   "samplers": [{"id": 0, "rate": 100}],
//	   "templates": [{"id": 256, "options": true, "scope": 1,
//	     "fields": [{"id": 8, "len": 4}, {"id": 1, "len": 65535, "pen": 29305}]}]}]}
type savedFile struct {
	Format  string        `json:"format"`
	Version int           `json:"version"`
	Saved   time.Time     `json:"saved"`
	Domains []savedDomain `json:"domains"`
}

type savedDomain struct {
	Exporter  netip.Addr      `json:"exporter"`
	Version   uint16          `json:"version"`
	Domain    uint32          `json:"domain"`
	SysInitMs int64           `json:"sysInitMs,omitempty"`
	Samplers  []savedSampler  `json:"samplers,omitempty"`
	Templates []savedTemplate `json:"templates"`
}

// savedSampler is a rate of Rate packets passed for every Den sampled (Den
// 0 or absent: 1).
type savedSampler struct {
	ID   uint64 `json:"id"`
	Rate uint32 `json:"rate"`
	Den  uint32 `json:"den,omitempty"`
}

type savedTemplate struct {
	ID      uint16       `json:"id"`
	Options bool         `json:"options,omitempty"`
	Scope   int          `json:"scope,omitempty"`
	Fields  []savedField `json:"fields"`
}

type savedField struct {
	ID  uint16 `json:"id"`
	Len uint16 `json:"len"`
	PEN uint32 `json:"pen,omitempty"`
}

// SaveTemplates writes the v9 and IPFIX templates, the sampling rates learnt
// from options data and the exporters' system init times as JSON. The
// collector writes it to a temporary file and renames it into place.
func (d *Decoder) SaveTemplates(w io.Writer) error {
	d.mu.Lock()
	f := savedFile{Format: templateFileFormat, Version: templateFileVersion, Saved: d.opts.Now().UTC()}
	for _, e := range d.exporters {
		for _, dom := range e.domains {
			if dom.key.version == 5 || (len(dom.templates) == 0 && len(dom.samplers) == 0 && dom.sysInitMs == 0) {
				continue
			}
			sd := savedDomain{Exporter: e.addr, Version: dom.key.version, Domain: dom.key.id, SysInitMs: dom.sysInitMs, Templates: []savedTemplate{}}
			for id, rt := range dom.samplers {
				ss := savedSampler{ID: id, Rate: rt.num}
				if rt.den > 1 {
					ss.Den = rt.den
				}
				sd.Samplers = append(sd.Samplers, ss)
			}
			slices.SortFunc(sd.Samplers, func(a, b savedSampler) int { return cmpU64(a.ID, b.ID) })
			for _, t := range dom.templates {
				st := savedTemplate{ID: t.id, Options: t.options, Scope: t.scopeCount}
				for _, fl := range t.fields {
					st.Fields = append(st.Fields, savedField{ID: fl.id, Len: fl.length, PEN: fl.pen})
				}
				sd.Templates = append(sd.Templates, st)
			}
			slices.SortFunc(sd.Templates, func(a, b savedTemplate) int { return int(a.ID) - int(b.ID) })
			f.Domains = append(f.Domains, sd)
		}
	}
	d.mu.Unlock()
	slices.SortFunc(f.Domains, func(a, b savedDomain) int {
		if c := a.Exporter.Compare(b.Exporter); c != 0 {
			return c
		}
		if a.Version != b.Version {
			return int(a.Version) - int(b.Version)
		}
		return cmpU32(a.Domain, b.Domain)
	})
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(&f); err != nil {
		return fmt.Errorf("save netflow templates: %w", err)
	}
	return nil
}

// LoadTemplates reads a file written by SaveTemplates and adds its state to
// the decoder; templates the decoder already has from the exporters
// themselves are kept. A file that is not valid is refused as a whole.
func (d *Decoder) LoadTemplates(r io.Reader) error {
	var f savedFile
	dec := json.NewDecoder(io.LimitReader(r, 64<<20))
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("load netflow templates: %w", err)
	}
	if f.Format != templateFileFormat {
		return fmt.Errorf("load netflow templates: format %q, want %q", f.Format, templateFileFormat)
	}
	if f.Version != templateFileVersion {
		return fmt.Errorf("load netflow templates: version %d not supported (this build reads %d)", f.Version, templateFileVersion)
	}
	// Check everything before changing anything.
	type loaded struct {
		sd *savedDomain
		ts []*template
	}
	all := make([]loaded, 0, len(f.Domains))
	for i := range f.Domains {
		sd := &f.Domains[i]
		if !sd.Exporter.IsValid() || (sd.Version != 9 && sd.Version != 10) {
			return fmt.Errorf("load netflow templates: domain %d: exporter %v version %d", i, sd.Exporter, sd.Version)
		}
		l := loaded{sd: sd}
		for _, st := range sd.Templates {
			t := &template{id: st.ID, options: st.Options, scopeCount: st.Scope}
			if st.ID < 256 || st.Scope < 0 || st.Scope > len(st.Fields) || (st.Options && st.Scope == 0 && sd.Version == 10) {
				return fmt.Errorf("load netflow templates: %s domain %d template %d: bad ID or scope", sd.Exporter, sd.Domain, st.ID)
			}
			for _, sf := range st.Fields {
				t.fields = append(t.fields, field{id: sf.ID & 0x7fff, length: sf.Len, pen: sf.PEN})
			}
			if err := compile(t, sd.Version); err != nil {
				return fmt.Errorf("load netflow templates: %s domain %d template %d: %w", sd.Exporter, sd.Domain, st.ID, err)
			}
			t.raw = encodeTemplate(t, sd.Version)
			l.ts = append(l.ts, t)
		}
		all = append(all, l)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, l := range all {
		sd := l.sd
		e := d.exporter(sd.Exporter.Unmap())
		if e == nil {
			return fmt.Errorf("load netflow templates: more than %d exporters", d.opts.MaxExporters)
		}
		m := msg{d: d, exp: e, version: sd.Version, now: d.opts.Now()}
		if m.dom = m.domain(sd.Domain); m.dom == nil {
			return fmt.Errorf("load netflow templates: %s: more than %d domains", sd.Exporter, MaxDomainsPerExporter)
		}
		if m.dom.sysInitMs == 0 {
			m.dom.sysInitMs = sd.SysInitMs
		}
		for _, s := range sd.Samplers {
			if _, ok := m.dom.samplers[s.ID]; !ok && s.Rate > 0 {
				if rt := ratio(uint64(s.Rate), uint64(max(s.Den, 1))); rt.num > 0 {
					m.dom.setSampler(s.ID, rt)
				}
			}
		}
		for _, t := range l.ts {
			if _, ok := m.dom.templates[t.id]; ok {
				continue
			}
			if !m.installTemplate(t) {
				return fmt.Errorf("load netflow templates: %s: more than %d templates", sd.Exporter, d.opts.MaxTemplatesPerExporter)
			}
			if t.options && t.sampling {
				m.dom.samplingAnnounced = true
			}
		}
	}
	return nil
}

// encodeTemplate gives a loaded template the raw wire form the exporter
// would send, so a re-sent identical template is recognised as unchanged.
func encodeTemplate(t *template, version uint16) []byte {
	var b []byte
	put16 := func(v uint16) { b = append(b, byte(v>>8), byte(v)) }
	put16(t.id)
	switch {
	case version == 9 && t.options:
		put16(uint16(t.scopeCount * 4))
		put16(uint16((len(t.fields) - t.scopeCount) * 4))
	case t.options:
		put16(uint16(len(t.fields)))
		put16(uint16(t.scopeCount))
	default:
		put16(uint16(len(t.fields)))
	}
	for _, f := range t.fields {
		length := f.length
		if f.pen != 0 {
			put16(f.id | 0x8000)
			put16(length)
			b = append(b, byte(f.pen>>24), byte(f.pen>>16), byte(f.pen>>8), byte(f.pen))
			continue
		}
		put16(f.id)
		put16(length)
	}
	return b
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
