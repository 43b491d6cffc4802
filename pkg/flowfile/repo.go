package flowfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Repo is a repository of hourly files laid out as SiLK lays out its own:
//
//	ROOT/TYPE/YYYY/MM/DD/FLOWTYPE-SENSOR_YYYYMMDD.HH
//
// where TYPE is the type name ("inweb") and FLOWTYPE its file name ("iw"),
// and the hour is in UTC.
type Repo struct {
	Root string
}

// RepoFile is one hourly file of a repository listing.
type RepoFile struct {
	Path   string
	Type   FlowType
	Sensor string    // sensor name
	Hour   time.Time // start of the hour, UTC
	Exists bool      // whether the file is present
}

// Path returns the file holding sensor's flows of type t in the hour that
// contains hour.
func (r Repo) Path(t FlowType, sensor string, hour time.Time) string {
	h := hour.UTC()
	return filepath.Join(r.Root, t.String(), h.Format("2006"), h.Format("01"), h.Format("02"), RepoFileName(t, sensor, h))
}

// RepoFileName returns the base name of an hourly file: FLOWTYPE-SENSOR_YYYYMMDD.HH.
func RepoFileName(t FlowType, sensor string, hour time.Time) string {
	return t.FileName() + "-" + sensor + "_" + hour.UTC().Format("20060102.15")
}

// List returns the hourly files from the hour of start to the hour of end,
// both inclusive, for the given types and sensors, ordered by hour, then
// type id, then sensor name. No types means DefaultTypes. No sensors means
// every sensor that has a file in the range; then only existing files are
// listed. With sensors named, every combination is listed and Exists says
// which files are present (for --print-missing-files).
func (r Repo) List(start, end time.Time, types []FlowType, sensors []string) ([]RepoFile, error) {
	start = start.UTC().Truncate(time.Hour)
	end = end.UTC().Truncate(time.Hour)
	if end.Before(start) {
		return nil, fmt.Errorf("repository listing: end %s is before start %s",
			end.Format("2006/01/02:15"), start.Format("2006/01/02:15"))
	}
	if len(types) == 0 {
		types = DefaultTypes
	}
	types = slices.Clone(types)
	slices.Sort(types)
	types = slices.Compact(types)
	for _, t := range types {
		if !t.Valid() {
			return nil, fmt.Errorf("repository listing: invalid flow type %d", t)
		}
	}
	sensors = slices.Clone(sensors)
	slices.Sort(sensors)
	sensors = slices.Compact(sensors)

	var out []RepoFile
	dirs := map[string][]string{} // day directory → file names, for sensor discovery
	for h := start; !h.After(end); h = h.Add(time.Hour) {
		for _, t := range types {
			names := sensors
			if len(names) == 0 {
				found, err := r.sensorsIn(dirs, t, h)
				if err != nil {
					return nil, err
				}
				names = found
			}
			for _, s := range names {
				p := r.Path(t, s, h)
				_, err := os.Stat(p)
				if err != nil && !errors.Is(err, fs.ErrNotExist) {
					return nil, fmt.Errorf("repository listing: %w", err)
				}
				out = append(out, RepoFile{Path: p, Type: t, Sensor: s, Hour: h, Exists: err == nil})
			}
		}
	}
	return out, nil
}

// sensorsIn returns the names of the sensors with a file of type t for
// hour h, sorted.
func (r Repo) sensorsIn(dirs map[string][]string, t FlowType, h time.Time) ([]string, error) {
	dir := filepath.Dir(r.Path(t, "x", h))
	names, ok := dirs[dir]
	if !ok {
		ents, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("repository listing: %w", err)
		}
		for _, e := range ents {
			if e.Type().IsRegular() {
				names = append(names, e.Name())
			}
		}
		dirs[dir] = names
	}
	prefix := t.FileName() + "-"
	suffix := "_" + h.Format("20060102.15")
	var sensors []string
	for _, n := range names {
		if s, ok := strings.CutPrefix(n, prefix); ok {
			if s, ok := strings.CutSuffix(s, suffix); ok && s != "" {
				sensors = append(sensors, s)
			}
		}
	}
	slices.Sort(sensors)
	return sensors, nil
}

// ParseRepoPath recognises the name of a repository file
// (FLOWTYPE-SENSOR_YYYYMMDD.HH, directories ignored) and returns its type,
// sensor and hour; Path is path and Exists is false (not checked).
func ParseRepoPath(path string) (RepoFile, error) {
	base := filepath.Base(path)
	bad := func(why string) (RepoFile, error) {
		return RepoFile{}, fmt.Errorf("%s is not a repository file name (FLOWTYPE-SENSOR_YYYYMMDD.HH): %s", path, why)
	}
	ft, rest, ok := strings.Cut(base, "-")
	if !ok {
		return bad("no '-'")
	}
	t, ok := typeByFileName(ft)
	if !ok {
		return bad("unknown flowtype " + ft)
	}
	i := strings.LastIndexByte(rest, '_')
	if i <= 0 {
		return bad("no sensor")
	}
	stamp := rest[i+1:]
	if len(stamp) != len("20060102.15") {
		return bad("bad hour " + stamp)
	}
	hour, err := time.Parse("20060102.15", stamp)
	if err != nil {
		return bad("bad hour " + stamp)
	}
	return RepoFile{Path: path, Type: t, Sensor: rest[:i], Hour: hour.UTC()}, nil
}

func typeByFileName(s string) (FlowType, bool) {
	for i := range NumTypes {
		if typeFileNames[i] == s {
			return FlowType(i), true
		}
	}
	return 0, false
}
