package cut_test

import (
	"os"
	"testing"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/count"
	"github.com/gflow/gflow/pkg/cut"
	"github.com/gflow/gflow/pkg/tuc"
)

// runToolEnv makes the test binary act as one of the tools (its name is
// the variable's value), so that tests can run them as processes without
// building them.
const runToolEnv = "GFLOW_TEST_RUN_TOOL"

// TestMain runs the tests with the default site configuration (sensors
// S<id>, RFC 1918 internal networks) and gflow's default text formats,
// whatever the machine's environment or /var/lib/gflow holds.
func TestMain(m *testing.M) {
	switch os.Getenv(runToolEnv) {
	case "gcut":
		os.Exit(cli.Main(cut.NewCommand))
	case "gtuc":
		os.Exit(cli.Main(tuc.NewCommand))
	case "gcount":
		os.Exit(cli.Main(count.NewCommand))
	}
	root, err := os.MkdirTemp("", "gflow-test-root")
	if err != nil {
		panic(err)
	}
	os.Setenv("GFLOW_DATA_ROOTDIR", root)
	for _, v := range []string{"GFLOW_SITE_CONFIG", "GFLOW_IPV6_POLICY", "SILK_IPV6_POLICY", "GFLOW_IP_FORMAT", "GFLOW_TIMESTAMP_FORMAT"} {
		os.Unsetenv(v)
	}
	code := m.Run()
	os.RemoveAll(root)
	os.Exit(code)
}
