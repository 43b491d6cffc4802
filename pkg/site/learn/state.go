package learn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// FileName is the learned state's file in the collector's state directory
// (ROOT/.gflowcap, next to the templates).
const FileName = "learned.json"

// stateVersion is the layout of the file; a reader refuses newer ones.
const stateVersion = 1

// State is everything learned about the site: the facts, with when each
// was learned, that survive a restart. It is what the file holds and what
// the collector shows; it holds no evidence still being counted.
type State struct {
	Version int            `json:"version"`
	Sensors []*SensorState `json:"sensors"`
}

// SensorState is what was learned about one sensor's site.
type SensorState struct {
	ID   uint16 `json:"id"`
	Name string `json:"name"`
	// Interfaces are the established roles, by ifIndex.
	Interfaces []Interface `json:"interfaces,omitempty"`
	// ByInterface is when the sensor started typing flows by interface
	// (zero while it types them by address).
	ByInterface time.Time `json:"by_interface,omitzero"`
	// Outside is the time line of outside addresses, oldest first; those
	// with a zero Until are current.
	Outside []Outside `json:"outside,omitempty"`
	// Subnets are the /64s found to be inside, and Prefixes the covering
	// prefixes learned from them (see Prefix choice in the package doc).
	Subnets  []Seen `json:"subnets,omitempty"`
	Prefixes []Seen `json:"prefixes,omitempty"`
}

// Role of an interface.
type Role string

// The roles an interface can be learned to have.
const (
	Internal Role = "internal"
	External Role = "external"
)

// Interface is an interface whose role was established.
type Interface struct {
	Index uint32    `json:"index"`
	Role  Role      `json:"role"`
	Since time.Time `json:"since"`
}

// Outside is one period during which Addr was an outside address.
type Outside struct {
	Addr     netip.Addr `json:"address"`
	From     time.Time  `json:"from"`
	Until    time.Time  `json:"until,omitzero"`
	LastSeen time.Time  `json:"last_seen"`
}

// Current reports whether the period is still open.
func (o Outside) Current() bool { return o.Until.IsZero() }

// Seen is a learned prefix: since when, and when traffic last showed it.
type Seen struct {
	Prefix   netip.Prefix `json:"prefix"`
	Since    time.Time    `json:"since"`
	LastSeen time.Time    `json:"last_seen"`
}

// Sensor returns the state of sensor id, or nil.
func (s *State) Sensor(id uint16) *SensorState {
	if s == nil {
		return nil
	}
	for _, x := range s.Sensors {
		if x.ID == id {
			return x
		}
	}
	return nil
}

// CurrentOutside returns the sensor's current outside addresses.
func (s *SensorState) CurrentOutside() []netip.Addr {
	var out []netip.Addr
	for _, o := range s.Outside {
		if o.Current() {
			out = append(out, o.Addr)
		}
	}
	return out
}

// InterfacesWith returns the indexes of the interfaces with role r, sorted.
func (s *SensorState) InterfacesWith(r Role) []uint32 {
	var out []uint32
	for _, i := range s.Interfaces {
		if i.Role == r {
			out = append(out, i.Index)
		}
	}
	slices.Sort(out)
	return out
}

// PrefixList returns the learned internal prefixes.
func (s *SensorState) PrefixList() []netip.Prefix {
	out := make([]netip.Prefix, len(s.Prefixes))
	for i, p := range s.Prefixes {
		out[i] = p.Prefix
	}
	return out
}

// Empty reports whether nothing was learned about the sensor.
func (s *SensorState) Empty() bool {
	return len(s.Interfaces) == 0 && len(s.Outside) == 0 && len(s.Prefixes) == 0
}

func (s *SensorState) clone() *SensorState {
	c := *s
	c.Interfaces = slices.Clone(s.Interfaces)
	c.Outside = slices.Clone(s.Outside)
	c.Subnets = slices.Clone(s.Subnets)
	c.Prefixes = slices.Clone(s.Prefixes)
	return &c
}

// Clone returns a deep copy.
func (s *State) Clone() *State {
	if s == nil {
		return nil
	}
	c := &State{Version: s.Version}
	for _, x := range s.Sensors {
		c.Sensors = append(c.Sensors, x.clone())
	}
	return c
}

// Load reads the learned state from path. A missing file is an empty
// state, not an error.
func Load(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &State{Version: stateVersion}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("learned state: %w", err)
	}
	return Parse(path, data)
}

// Parse reads a learned state held in data; name is used in errors.
func Parse(name string, data []byte) (*State, error) {
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("learned state %s: %w", name, err)
	}
	if s.Version != stateVersion {
		return nil, fmt.Errorf("learned state %s: version %d, this gflowcap reads version %d", name, s.Version, stateVersion)
	}
	for _, x := range s.Sensors {
		if x == nil {
			return nil, fmt.Errorf("learned state %s: empty sensor entry", name)
		}
		seen := map[uint32]bool{}
		for _, i := range x.Interfaces {
			if i.Role != Internal && i.Role != External {
				return nil, fmt.Errorf("learned state %s: sensor %s: interface %d has role %q", name, x.Name, i.Index, i.Role)
			}
			if i.Index == 0 || seen[i.Index] {
				return nil, fmt.Errorf("learned state %s: sensor %s: interface %d is 0 or listed twice", name, x.Name, i.Index)
			}
			seen[i.Index] = true
		}
		for _, o := range x.Outside {
			if !o.Addr.IsValid() {
				return nil, fmt.Errorf("learned state %s: sensor %s: outside address missing", name, x.Name)
			}
		}
		for _, p := range append(slices.Clone(x.Subnets), x.Prefixes...) {
			if !p.Prefix.IsValid() || p.Prefix.Bits() < MinPrefixBits || p.Prefix.Masked() != p.Prefix {
				return nil, fmt.Errorf("learned state %s: sensor %s: bad prefix %v", name, x.Name, p.Prefix)
			}
		}
	}
	return &s, nil
}

// Save writes s to path through a temporary file and a rename, so a crash
// never leaves half a file.
func (s *State) Save(path string) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("save learned state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save learned state: %w", err)
	}
	return nil
}

// Path is the learned state's path in stateDir.
func Path(stateDir string) string { return filepath.Join(stateDir, FileName) }
