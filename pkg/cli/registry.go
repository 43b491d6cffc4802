package cli

import (
	"fmt"
	"sort"
	"sync"

	"github.com/spf13/cobra"
)

// Tool is a registered tool: its name and its command constructor.
type Tool struct {
	Name       string
	NewCommand func(IO) *cobra.Command
}

var (
	registryMu sync.Mutex
	registry   = map[string]Tool{}
)

// Register records a tool's command constructor, for programs that need
// every tool's command (internal/genman writes the man pages from them).
// Call it from the init of the package that holds the constructor.
// Registering one name twice is a programming error and panics.
func Register(name string, newCommand func(IO) *cobra.Command) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("cli.Register: tool %q registered twice", name))
	}
	registry[name] = Tool{Name: name, NewCommand: newCommand}
}

// Tools returns the registered tools in name order.
func Tools() []Tool {
	registryMu.Lock()
	defer registryMu.Unlock()
	tools := make([]Tool, 0, len(registry))
	for _, t := range registry {
		tools = append(tools, t)
	}
	sort.Slice(tools, func(i, j int) bool { return tools[i].Name < tools[j].Name })
	return tools
}
