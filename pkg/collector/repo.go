package collector

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gflow/gflow/pkg/flowfile"
)

// RepoOpener opens hourly files of the repository at root with
// flowfile.OpenAppend: a new file is created, an existing one (a restarted
// collector, a late flow for a closed hour) is checked, its torn tail cut,
// and appended to. sensorName gives the name for the file name and header.
//
// A file at the path that is not that hour's gflow file (not flows at all,
// another format, a damaged header, another sensor's) is moved aside,
// kept under its name with ".bad-YYYYMMDDTHHMMSSZ" added, and a new file
// is started; movedAside (if not nil) is told. Otherwise the flows of
// that file's sensor, type and hour would be dropped until the hour
// ended.
func RepoOpener(root string, sensorName func(id uint16) string, movedAside func(from, to string, why error)) OpenFunc {
	repo := flowfile.Repo{Root: root}
	return func(k FileKey) (RecordWriter, string, error) {
		name := sensorName(k.Sensor)
		hour := k.Time()
		path := repo.Path(k.Type, name, hour)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, path, fmt.Errorf("create directory for %s: %w", path, err)
		}
		hdr := flowfile.Header{
			Kind:     flowfile.KindFile,
			Codec:    flowfile.CodecZstd,
			Type:     k.Type,
			SensorID: k.Sensor,
			Sensor:   name,
			Hour:     hour,
			Writer:   "gflowcap",
		}
		w, err := flowfile.OpenAppend(path, hdr)
		if errors.Is(err, flowfile.ErrWrongFile) {
			aside, merr := moveAside(path)
			if merr != nil {
				return nil, path, fmt.Errorf("open %s: %w; moving it aside failed: %w", path, err, merr)
			}
			if movedAside != nil {
				movedAside(path, aside, err)
			}
			w, err = flowfile.OpenAppend(path, hdr)
		}
		if err != nil {
			return nil, path, fmt.Errorf("open %s: %w", path, err)
		}
		return inBackground(w), path, nil
	}
}

// moveAside renames path to a name of its own in the same directory, which
// no listing of the repository takes for an hourly file, and returns it.
func moveAside(path string) (string, error) {
	stamp := time.Now().UTC().Format("20060102T150405Z")
	for i := 0; ; i++ {
		to := path + ".bad-" + stamp
		if i > 0 {
			to += fmt.Sprintf("-%d", i)
		}
		if _, err := os.Lstat(to); err == nil {
			continue
		}
		return to, os.Rename(path, to)
	}
}
