package site

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// SilkConfName is SiLK's site configuration in a repository's root.
const SilkConfName = "silk.conf"

// SilkSensor is a sensor line of SiLK's silk.conf: `sensor ID NAME`.
type SilkSensor struct {
	ID   uint16
	Name string
}

// ReadSilkSensors reads the sensors of a SiLK site configuration file
// (silk.conf): the `sensor ID NAME ["description"]` lines, in file order.
// The rest of the file (classes, types, path format) is the twoway site's,
// which gflow's flow types are.
func ReadSilkSensors(path string) ([]SilkSensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []SilkSensor
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		w := strings.Fields(line)
		if len(w) < 3 || w[0] != "sensor" {
			continue
		}
		id, err := strconv.ParseUint(w[1], 10, 16)
		if err != nil || !validSensorName(w[2]) {
			return nil, fmt.Errorf("%s:%d: bad sensor line %q", path, n, strings.TrimSpace(line))
		}
		out = append(out, SilkSensor{ID: uint16(id), Name: w[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// withSilkSensors gives a default configuration (no gflow.toml) the sensors
// of ROOT/silk.conf when the root is a SiLK repository, so that sensor
// names and ids mean what they meant to SiLK (--sensors, printed names).
func withSilkSensors(cfg *Config) (*Config, error) {
	path := filepath.Join(cfg.DataRoot, SilkConfName)
	sensors, err := ReadSilkSensors(path)
	if errors.Is(err, fs.ErrNotExist) || len(sensors) == 0 && err == nil {
		return cfg, nil
	}
	if err != nil {
		return nil, err
	}
	out := &Config{Internal: cfg.Internal, DataRoot: cfg.DataRoot}
	seen := map[uint16]bool{}
	for _, s := range sensors {
		if seen[s.ID] {
			continue
		}
		seen[s.ID] = true
		out.Sensors = append(out.Sensors, &Sensor{Name: s.Name, ID: s.ID})
	}
	if err := out.build(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}
