package gfileinfo_test

import (
	"os"
	"testing"
)

// TestMain runs the tests with the default site configuration (sensors
// S<id>), whatever the machine's environment or /var/lib/gflow holds.
func TestMain(m *testing.M) {
	root, err := os.MkdirTemp("", "gflow-test-root")
	if err != nil {
		panic(err)
	}
	os.Setenv("GFLOW_DATA_ROOTDIR", root)
	for _, v := range []string{"GFLOW_SITE_CONFIG", "GFLOW_TIMESTAMP_FORMAT"} {
		os.Unsetenv(v)
	}
	code := m.Run()
	os.RemoveAll(root)
	os.Exit(code)
}
