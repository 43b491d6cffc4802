package cli

import (
	"fmt"
	"os"
)

// Environment variables read by the gflow tools, named in one place. SiLK's
// equivalents are SILK_DATA_ROOTDIR, SILK_CONFIG_FILE, SILK_CLOBBER and
// SILK_PAGER.
const (
	// EnvDataRoot is the repository root when --data-rootdir is not given.
	EnvDataRoot = "GFLOW_DATA_ROOTDIR"
	// EnvSiteConfig is the site configuration file when
	// --site-config-file is not given (default ROOT/gflow.toml).
	EnvSiteConfig = "GFLOW_SITE_CONFIG"
	// EnvGeoIPDB is a MaxMind-format country database to use instead of
	// the built-in one.
	EnvGeoIPDB = "GFLOW_GEOIP_DB"
	// EnvASNDB is a MaxMind-format AS database (GeoLite2-ASN, DB-IP ASN)
	// to use instead of the built-in one.
	EnvASNDB = "GFLOW_ASN_DB"
	// EnvClobber, when non-empty, lets tools overwrite existing output
	// files, as SILK_CLOBBER does.
	EnvClobber = "GFLOW_CLOBBER"
	// EnvPager is the pager for text on a terminal; PAGER is used when it
	// is unset. An empty value turns paging off.
	EnvPager = "GFLOW_PAGER"
	// EnvPagerFallback is the conventional Unix pager variable.
	EnvPagerFallback = "PAGER"
	// EnvDebug, when non-empty, adds the stack to internal errors.
	EnvDebug = "GFLOW_DEBUG"
)

// DefaultDataRoot is the repository root when neither --data-rootdir nor
// GFLOW_DATA_ROOTDIR nor the site configuration names one.
const DefaultDataRoot = "/var/lib/gflow"

// DataRootFromEnv returns flagValue if it is not empty, else
// GFLOW_DATA_ROOTDIR (which may be empty too: the caller then falls back on
// the site configuration and DefaultDataRoot).
func DataRootFromEnv(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return os.Getenv(EnvDataRoot)
}

// GeoIPDB returns flagValue if it is not empty, else GFLOW_GEOIP_DB.
func GeoIPDB(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return os.Getenv(EnvGeoIPDB)
}

// Clobber reports whether existing output files may be overwritten
// (GFLOW_CLOBBER is non-empty).
func Clobber() bool { return os.Getenv(EnvClobber) != "" }

// CheckDataRoot returns SiLK's error when the repository root is not a
// directory, with a hint naming the ways to give it; more adds the tool's
// own way (", or name flow files on the command line").
func CheckDataRoot(root, more string) error {
	if st, err := os.Stat(root); err == nil && st.IsDir() {
		return nil
	}
	//lint:ignore ST1005 SiLK's wording
	return Hint(fmt.Errorf("Root data directory '%s' does not exist", root),
		"name the repository with --data-rootdir=DIR or %s=DIR%s", EnvDataRoot, more)
}
