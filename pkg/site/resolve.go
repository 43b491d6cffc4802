package site

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/gflow/gflow/pkg/cli"
)

// FileName is the configuration's name in the data root, as SiLK keeps
// silk.conf in ROOT.
const FileName = "gflow.toml"

// Resolve says which configuration file to read: flagPath
// (--site-config-file) if given, else GFLOW_SITE_CONFIG if set, else
// ROOT/gflow.toml, where ROOT is dataRoot (--data-rootdir) if given, else
// GFLOW_DATA_ROOTDIR, else cli.DefaultDataRoot.
//
// found reports whether the file must be read: always for a file named by
// the flag or the environment (a missing one is then an error, not a silent
// fall-back to defaults), and for ROOT/gflow.toml only if it exists.
func Resolve(flagPath, dataRoot string) (path string, found bool) {
	if flagPath != "" {
		return flagPath, true
	}
	if p := os.Getenv(cli.EnvSiteConfig); p != "" {
		return p, true
	}
	root := cli.DataRootFromEnv(dataRoot)
	if root == "" {
		root = cli.DefaultDataRoot
	}
	path = filepath.Join(root, FileName)
	_, err := os.Stat(path)
	return path, err == nil || !errors.Is(err, fs.ErrNotExist)
}

// Open finds and loads the site configuration as every tool does (see
// Resolve), or returns Default when there is none. In the result, DataRoot
// is the repository root in effect: dataRoot (--data-rootdir), else
// GFLOW_DATA_ROOTDIR, else the file's data-rootdir, else
// cli.DefaultDataRoot. Path is "" when the defaults are used, so a tool can
// say so; then, when the root is a SiLK repository, the sensors are those of
// ROOT/silk.conf (same names, same ids).
func Open(flagPath, dataRoot string) (*Config, error) {
	path, found := Resolve(flagPath, dataRoot)
	var cfg *Config
	if found {
		var err error
		if cfg, err = Load(path); err != nil {
			return nil, err
		}
	} else {
		cfg = Default()
	}
	if root := cli.DataRootFromEnv(dataRoot); root != "" {
		cfg.DataRoot = root
	} else if cfg.DataRoot == "" {
		cfg.DataRoot = cli.DefaultDataRoot
	}
	if !found {
		// a SiLK repository: its silk.conf names the sensors
		return withSilkSensors(cfg)
	}
	return cfg, nil
}

// Flags are the switches of every tool that reads the repository or the
// site configuration.
type Flags struct {
	ConfigFile string // --site-config-file
	DataRoot   string // --data-rootdir
}

// Register adds --site-config-file and --data-rootdir to fs.
func (f *Flags) Register(fs *pflag.FlagSet) {
	fs.StringVar(&f.ConfigFile, "site-config-file", "",
		"read the site configuration from `FILE` (default $"+cli.EnvSiteConfig+", else ROOT/"+FileName+")")
	fs.StringVar(&f.DataRoot, "data-rootdir", "",
		"repository root `ROOT` (default $"+cli.EnvDataRoot+", else the site configuration's data-rootdir, else "+cli.DefaultDataRoot+")")
}

// Open is Open(f.ConfigFile, f.DataRoot).
func (f *Flags) Open() (*Config, error) { return Open(f.ConfigFile, f.DataRoot) }
