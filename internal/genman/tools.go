package main

// The packages that hold the tools' command constructors, imported for the
// cli.Register call in their init. Add one line per tool, e.g.
//
//	_ "github.com/gflow/gflow/pkg/filter/cmd"
import ()
