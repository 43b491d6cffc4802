package cli

import (
	"runtime/debug"
	"strings"
	"sync"

	"github.com/spf13/cobra"
)

// BuildVersion is the release version, set at link time:
//
//	go build -ldflags "-X github.com/gflow/gflow/pkg/cli.BuildVersion=1.2.0" ./cmd/...
//
// When it is empty, Version falls back on the module version recorded by
// `go install module@version`, then on the VCS revision of the build.
var BuildVersion = ""

// Version returns the version printed by --version.
func Version() string {
	if BuildVersion != "" {
		return BuildVersion
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "devel"
	}
	return "devel-" + rev + modified
}

var (
	attribMu     sync.Mutex
	attributions []func() string
)

// RegisterAttribution adds a text that --version prints after the version
// line: the attribution (licence notice) of data built into the tools, such
// as the country database. pkg/geo registers its own in init, so cli does
// not depend on it. The function is called only when --version is given.
func RegisterAttribution(f func() string) {
	attribMu.Lock()
	defer attribMu.Unlock()
	attributions = append(attributions, f)
}

// attributionText joins the registered attributions, each ending in a newline.
func attributionText() string {
	attribMu.Lock()
	fs := append([]func() string(nil), attributions...)
	attribMu.Unlock()
	var b strings.Builder
	for _, f := range fs {
		t := strings.TrimRight(f(), "\n")
		if t == "" {
			continue
		}
		b.WriteString(t)
		b.WriteByte('\n')
	}
	return b.String()
}

func init() {
	cobra.AddTemplateFunc("gflowAttributions", attributionText)
}
