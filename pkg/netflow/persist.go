package netflow

import (
	"bufio"
	"cmp"
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
// from options data and the exporters' system init times as JSON, for the
// exporters that sent flows (an address that only ever sent templates or
// junk is not worth remembering across a restart). The collector writes it
// to a temporary file and renames it into place, when Generation changed.
func (d *Decoder) SaveTemplates(w io.Writer) error {
	d.mu.Lock()
	f := savedFile{Format: templateFileFormat, Version: templateFileVersion, Saved: d.opts.Now().UTC()}
	for _, e := range d.exporters {
		if !e.proven {
			continue
		}
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

// Generation changes whenever the state SaveTemplates writes changes: the
// collector saves the file only then.
func (d *Decoder) Generation() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.gen
}

// maxTemplateFile bounds what LoadTemplates reads.
const maxTemplateFile = 512 << 20

// LoadTemplates reads a file written by SaveTemplates and adds its state to
// the decoder; templates the decoder already has from the exporters
// themselves are kept. It loads what it can, domain by domain: a domain or
// template that is not valid or does not fit the decoder's bounds is left
// out, and a file cut short gives what came before the cut; the error then
// says what was left out. A file that is not a templates file of a version
// this build reads is refused.
func (d *Decoder) LoadTemplates(r io.Reader) error {
	dec := json.NewDecoder(bufio.NewReader(io.LimitReader(r, maxTemplateFile)))
	if err := expectDelim(dec, '{'); err != nil {
		return fmt.Errorf("load netflow templates: %w", err)
	}
	var format string
	version, loaded, left := 0, 0, 0
	var problem error
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return fmt.Errorf("load netflow templates: %w", err)
		}
		switch key {
		case "format":
			err = dec.Decode(&format)
		case "version":
			err = dec.Decode(&version)
		case "domains":
			if format != templateFileFormat {
				return fmt.Errorf("load netflow templates: format %q, want %q", format, templateFileFormat)
			}
			if version != templateFileVersion {
				return fmt.Errorf("load netflow templates: version %d not supported (this build reads %d)", version, templateFileVersion)
			}
			var tok json.Token
			if tok, err = dec.Token(); err != nil || tok == nil { // null: no domains
				break
			}
			if tok != json.Delim('[') {
				err = fmt.Errorf("%v where [ was expected", tok)
				break
			}
			for dec.More() {
				var sd savedDomain
				if err = dec.Decode(&sd); err != nil {
					break
				}
				if _, err := d.loadDomain(&sd); err != nil {
					left++
					problem = cmp.Or(problem, err)
				} else {
					loaded++
				}
			}
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return fmt.Errorf("load netflow templates: the file is cut or damaged after %d domains: %w", loaded, err)
		}
	}
	if format != templateFileFormat {
		return fmt.Errorf("load netflow templates: format %q, want %q", format, templateFileFormat)
	}
	if version != templateFileVersion {
		return fmt.Errorf("load netflow templates: version %d not supported (this build reads %d)", version, templateFileVersion)
	}
	if left > 0 {
		return fmt.Errorf("load netflow templates: %d domains loaded, %d left out (first: %w)", loaded, left, problem)
	}
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("%v where %v was expected", tok, want)
	}
	return nil
}

// loadDomain adds one saved domain to the decoder. It returns the templates
// it installed, and an error for what it left out.
func (d *Decoder) loadDomain(sd *savedDomain) (int, error) {
	if !sd.Exporter.IsValid() || (sd.Version != 9 && sd.Version != 10) {
		return 0, fmt.Errorf("exporter %v version %d", sd.Exporter, sd.Version)
	}
	var ts []*template
	for _, st := range sd.Templates {
		t := &template{id: st.ID, options: st.Options, scopeCount: st.Scope}
		if st.ID < 256 || st.Scope < 0 || st.Scope > len(st.Fields) || (st.Options && st.Scope == 0 && sd.Version == 10) {
			return 0, fmt.Errorf("%s domain %d template %d: bad ID or scope", sd.Exporter, sd.Domain, st.ID)
		}
		for _, sf := range st.Fields {
			t.fields = append(t.fields, field{id: sf.ID & 0x7fff, length: sf.Len, pen: sf.PEN})
		}
		if err := compile(t, sd.Version); err != nil {
			return 0, fmt.Errorf("%s domain %d template %d: %w", sd.Exporter, sd.Domain, st.ID, err)
		}
		t.raw = encodeTemplate(t, sd.Version)
		ts = append(ts, t)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.opts.Now()
	e := d.exporter(sd.Exporter.Unmap(), now)
	if e == nil {
		return 0, fmt.Errorf("%s: more than %d exporters", sd.Exporter, d.opts.MaxExporters)
	}
	if !e.proven {
		d.prove(e) // it sent flows to the run that saved it
	}
	m := msg{d: d, exp: e, version: sd.Version, now: now}
	if m.dom = m.domain(sd.Domain); m.dom == nil {
		return 0, fmt.Errorf("%s: too many domains", sd.Exporter)
	}
	if m.dom.sysInitMs == 0 && sd.SysInitMs != 0 {
		m.dom.sysInitMs = sd.SysInitMs
	}
	for _, s := range sd.Samplers {
		if _, ok := m.dom.samplers[s.ID]; !ok && s.Rate > 0 {
			if rt := ratio(uint64(s.Rate), uint64(max(s.Den, 1))); rt.num > 0 {
				m.setSampler(s.ID, rt)
			}
		}
	}
	n := 0
	for _, t := range ts {
		if _, ok := m.dom.templates[t.id]; ok {
			continue
		}
		if why := m.installTemplate(t); why != "" {
			return n, fmt.Errorf("%s domain %d template %d: %s", sd.Exporter, sd.Domain, t.id, why)
		}
		if t.options && t.sampling {
			m.dom.samplingAnnounced = true
		}
		n++
	}
	return n, nil
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
