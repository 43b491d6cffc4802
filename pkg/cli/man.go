package cli

import (
	"encoding/json"

	"github.com/spf13/cobra"
)

// A tool's man page (internal/genman) is built from its command: NAME from
// Short, SYNOPSIS from Use, DESCRIPTION from Long, OPTIONS from the
// switches, EXAMPLES from Examples. ENVIRONMENT and FILES are derived from
// the switches the tool has (--data-rootdir brings GFLOW_DATA_ROOTDIR and
// the repository layout, --pager brings GFLOW_PAGER, …), EXIT STATUS says
// what every tool's status means, and SEE ALSO names every other gflow
// tool and gflow.toml(5). A new tool gets a complete page with nothing more;
// ManSection adds what only the tool knows.

// ManItem is one entry of a man page section: a term (a variable, a file,
// an exit status) and what it means.
type ManItem struct {
	Term string `json:"term"`
	Text string `json:"text"`
}

// Sections a tool may add entries to with ManSection.
const (
	ManEnvironment = "ENVIRONMENT"
	ManFiles       = "FILES"
	ManExitStatus  = "EXIT STATUS"
	ManSeeAlso     = "SEE ALSO" // items' Term is a page reference such as "rwfilter(1)"; Text is ignored
)

const manKeyPrefix = "gflow.man."

// ManSection adds items to a section of cmd's man page, after the entries
// derived from its switches. EXIT STATUS items replace the common text
// for the statuses they name.
func ManSection(cmd *cobra.Command, section string, items ...ManItem) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	all := append(ManItems(cmd, section), items...)
	b, err := json.Marshal(all)
	if err != nil {
		panic("cli.ManSection: " + err.Error()) // strings always marshal
	}
	cmd.Annotations[manKeyPrefix+section] = string(b)
}

// ManItems returns the items ManSection added to a section of cmd's page.
func ManItems(cmd *cobra.Command, section string) []ManItem {
	s, ok := cmd.Annotations[manKeyPrefix+section]
	if !ok {
		return nil
	}
	var items []ManItem
	if err := json.Unmarshal([]byte(s), &items); err != nil {
		panic("cli.ManItems: " + err.Error()) // only ManSection writes it
	}
	return items
}
