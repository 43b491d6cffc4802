package collector

import "github.com/gflow/gflow/pkg/flowfile"

// Output takes every record the writer goroutine has classified and
// enriched, besides the hourly files (or instead of them): the ClickHouse
// sink. Its methods are called from the writer goroutine only; Write must
// copy what it keeps, as the batch is reused.
type Output interface {
	Write(recs []flowfile.Record) error
	Flush() error // every flush interval: what a crash may lose ends here
	Close() error
}
