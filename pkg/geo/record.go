package geo

import (
	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/gflow/gflow/pkg/flowfile"
	"github.com/gflow/gflow/pkg/iptable"
)

// A database is flattened into an iptable.Table when it is loaded (see
// package iptable for why): the walk below decodes each distinct record
// once, and the tests check the table against the mmdb itself.

// decoder reads country codes from records for iptable.FromMMDB (which
// calls it once per distinct record) and notes what it saw.
type decoder struct {
	found bool // some record carried a country field
	flat  bool // it was country_code (ip-location-db layout)
}

// record reads both layouts: ip-location-db's flat country_code and
// MaxMind's / DB-IP's nested country.iso_code, falling back to
// registered_country.iso_code (some networks carry only that), then, as
// SiLK's rwgeoip2ccmap does, represented_country and the continent.
type record struct {
	CountryCode string `maxminddb:"country_code"`
	Country     struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	RepresentedCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"represented_country"`
	Continent struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"continent"`
}

// continentCodes are SiLK's codes for MaxMind's continent-only networks:
// eu and ap as legacy GeoIP had them, and rwgeoip2ccmap's invented ones.
var continentCodes = map[string]string{
	"EU": "eu", "AS": "ap", "AF": "xf", "AN": "xa", "NA": "xn", "OC": "xo", "SA": "xs",
}

// looseRecord is the fallback when a record does not fit record: other
// databases use the same names for other shapes (IPinfo's "country" is a
// country name).
type looseRecord struct {
	CountryCode        any `maxminddb:"country_code"`
	Country            any `maxminddb:"country"`
	RegisteredCountry  any `maxminddb:"registered_country"`
	RepresentedCountry any `maxminddb:"represented_country"`
	Continent          any `maxminddb:"continent"`
}

// code returns the record's code, whether it has a country field, and
// whether that was the flat country_code. Only a two-character string is
// taken as a code. A continent-only record gives SiLK's continent code but
// does not count as a country field: a file of nothing else is not a
// country database.
func (r *record) code() (string, bool, bool) {
	switch {
	case len(r.CountryCode) == 2:
		return r.CountryCode, true, true
	case len(r.Country.ISOCode) == 2:
		return r.Country.ISOCode, true, false
	case len(r.RegisteredCountry.ISOCode) == 2:
		return r.RegisteredCountry.ISOCode, true, false
	case len(r.RepresentedCountry.ISOCode) == 2:
		return r.RepresentedCountry.ISOCode, true, false
	}
	if c, ok := continentCodes[r.Continent.Code]; ok {
		return c, false, false
	}
	return "", false, false
}

// decodeRecord reads the country fields of the record res points at. A
// record that is not a map has none; one that does not decode at all
// means a damaged file.
func decodeRecord(res maxminddb.Result) (record, error) {
	var r record
	err := res.Decode(&r)
	if err == nil {
		return r, nil
	}
	var l looseRecord
	if err2 := res.Decode(&l); err2 != nil {
		var v any
		if res.Decode(&v) != nil {
			return r, err
		}
		return record{}, nil // not a map
	}
	r = record{}
	r.CountryCode, _ = l.CountryCode.(string)
	for _, f := range []struct {
		v   any
		dst *string
	}{
		{l.Country, &r.Country.ISOCode},
		{l.RegisteredCountry, &r.RegisteredCountry.ISOCode},
		{l.RepresentedCountry, &r.RepresentedCountry.ISOCode},
	} {
		if m, ok := f.v.(map[string]any); ok {
			*f.dst, _ = m["iso_code"].(string)
		}
	}
	if m, ok := l.Continent.(map[string]any); ok {
		r.Continent.Code, _ = m["code"].(string)
	}
	return r, nil
}

func (d *decoder) codeOf(res maxminddb.Result) (flowfile.Country, error) {
	r, err := decodeRecord(res)
	if err != nil {
		return 0, err
	}
	s, ok, flat := r.code()
	c := flowfile.MakeCountry(s) // "" → NoCountry
	if ok {
		d.found = true
		d.flat = d.flat || flat
	}
	return c, nil
}

// buildTable flattens the whole database.
func buildTable(r *maxminddb.Reader) (*iptable.Table[flowfile.Country], *decoder, error) {
	d := &decoder{}
	t, err := iptable.FromMMDB(r, flowfile.NoCountry, d.codeOf)
	if err != nil {
		return nil, nil, err
	}
	return t, d, nil
}
