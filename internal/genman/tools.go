package main

// The packages that hold the tools' command constructors, imported for the
// cli.Register call in their init. One line per tool.
import (
	_ "github.com/gflow/gflow/internal/demo"          // gflowsend
	_ "github.com/gflow/gflow/pkg/collector"          // gflowcap
	_ "github.com/gflow/gflow/pkg/count"              // gcount
	_ "github.com/gflow/gflow/pkg/cut"                // gcut
	_ "github.com/gflow/gflow/pkg/filter/gfilter"     // gfilter
	_ "github.com/gflow/gflow/pkg/flowfile/gfileinfo" // gfileinfo
	_ "github.com/gflow/gflow/pkg/mapjson/gjson"      // gjson
	_ "github.com/gflow/gflow/pkg/silk/gmigrate"      // gmigrate
	_ "github.com/gflow/gflow/pkg/site/gsiteinfo"     // gsiteinfo
	_ "github.com/gflow/gflow/pkg/stats"              // gstats
	_ "github.com/gflow/gflow/pkg/tuc"                // gtuc
)
