package collector

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gflow/gflow/pkg/flowfile"
)

// RepoOpener opens hourly files of the repository at root with
// flowfile.OpenAppend: a new file is created, an existing one (a restarted
// collector, a late flow for a closed hour) is checked, its torn tail cut,
// and appended to. sensorName gives the name for the file name and header.
func RepoOpener(root string, sensorName func(id uint16) string) OpenFunc {
	repo := flowfile.Repo{Root: root}
	return func(k FileKey) (RecordWriter, string, error) {
		name := sensorName(k.Sensor)
		hour := k.Time()
		path := repo.Path(k.Type, name, hour)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, path, fmt.Errorf("create directory for %s: %w", path, err)
		}
		w, err := flowfile.OpenAppend(path, flowfile.Header{
			Kind:     flowfile.KindFile,
			Codec:    flowfile.CodecZstd,
			Type:     k.Type,
			SensorID: k.Sensor,
			Sensor:   name,
			Hour:     hour,
			Writer:   "gflowcap",
		})
		if err != nil {
			return nil, path, fmt.Errorf("open %s: %w", path, err)
		}
		return inBackground(w), path, nil
	}
}
