// duckflows is DuckDB as a peer for gflow's queries: it loads the flows
// nfdump prints as CSV (nfdump -R DIR -q -o csv) into a DuckDB database
// file, and answers the benchmark's queries from it, so that bench/peers.sh
// can time gflow, nfdump and a column store on the same flows.
//
// It is a Go module of its own: DuckDB comes as a cgo static library, which
// the tools' module must not link.
//
//	nfdump -R DIR -q -o csv | duckflows load -db flows.duckdb
//	duckflows query -db flows.duckdb top-sip
//
// Addresses are stored as UINTEGER (the flows are IPv4), counters as
// UBIGINT, ports as USMALLINT, the protocol as UTINYINT, the start time as
// TIMESTAMP. A query prints its rows one a line, fields separated by '|',
// addresses dotted, so that the script can compare them with gstats'.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"
)

// queries are the benchmark's questions, by name; the columns named in
// addrCols are IPv4 addresses to print dotted.
var queries = map[string]struct {
	sql      string
	addrCols []int
}{
	// top-20 source addresses by bytes, all flows
	"top-sip": {`SELECT sa, sum(bytes) b FROM f GROUP BY sa ORDER BY b DESC LIMIT 20`, []int{0}},
	// top-20 destinations of HTTPS over TCP by bytes
	"filtered-dip": {`SELECT da, sum(bytes) b FROM f WHERE pr = 6 AND dp = 443
		GROUP BY da ORDER BY b DESC LIMIT 20`, []int{0}},
	// top-20 5-tuples by bytes
	"five-tuple": {`SELECT sa, da, sp, dp, pr, sum(bytes) b FROM f
		GROUP BY sa, da, sp, dp, pr ORDER BY b DESC LIMIT 20`, []int{0, 1}},
	// traffic over time in 5-minute bins of the flows' start
	"bins-300": {`SELECT epoch(time_bucket(INTERVAL 300 SECOND, ts))::BIGINT t,
		count(*), sum(bytes), sum(packets) FROM f GROUP BY t ORDER BY t`, nil},
}

// load turns nfdump 1.7's CSV (ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,
// ibyt,…) into table f. DuckDB's own CSV reader does the parsing; the
// dotted addresses become UINTEGER here.
const load = `
CREATE OR REPLACE TABLE f AS
WITH c AS (
  SELECT * FROM read_csv(?, header = false, auto_detect = false, null_padding = true, strict_mode = false, delim = ',',
    columns = {'ts': 'TIMESTAMP', 'te': 'VARCHAR', 'td': 'VARCHAR', 'sa': 'VARCHAR', 'da': 'VARCHAR',
               'sp': 'USMALLINT', 'dp': 'USMALLINT', 'pr': 'VARCHAR', 'flg': 'VARCHAR',
               'fwd': 'VARCHAR', 'stos': 'VARCHAR', 'ipkt': 'UBIGINT', 'ibyt': 'UBIGINT'})
)
SELECT ts,
  (split_part(sa, '.', 1)::UBIGINT * 16777216 + split_part(sa, '.', 2)::UBIGINT * 65536 +
   split_part(sa, '.', 3)::UBIGINT * 256 + split_part(sa, '.', 4)::UBIGINT)::UINTEGER sa,
  (split_part(da, '.', 1)::UBIGINT * 16777216 + split_part(da, '.', 2)::UBIGINT * 65536 +
   split_part(da, '.', 3)::UBIGINT * 256 + split_part(da, '.', 4)::UBIGINT)::UINTEGER da,
  sp, dp,
  (CASE pr WHEN 'ICMP' THEN 1 WHEN 'IGMP' THEN 2 WHEN 'TCP' THEN 6 WHEN 'UDP' THEN 17
     WHEN 'GRE' THEN 47 WHEN 'ESP' THEN 50 WHEN 'AH' THEN 51 WHEN 'ICMP6' THEN 58
     WHEN 'SCTP' THEN 132 ELSE pr::INTEGER END)::UTINYINT pr,
  ipkt packets, ibyt bytes
FROM c`

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	fs := flag.NewFlagSet("duckflows "+os.Args[1], flag.ExitOnError)
	dbPath := fs.String("db", "", "DuckDB database file")
	csvPath := fs.String("csv", "/dev/stdin", "nfdump's CSV to load")
	fs.Parse(os.Args[2:])
	if *dbPath == "" {
		usage()
	}
	db, err := sql.Open("duckdb", *dbPath)
	if err != nil {
		fail(err)
	}
	defer db.Close()
	switch os.Args[1] {
	case "load":
		if _, err := db.Exec(load, *csvPath); err != nil {
			fail(fmt.Errorf("loading %s: %w", *csvPath, err))
		}
		var n int64
		if err := db.QueryRow(`SELECT count(*) FROM f`).Scan(&n); err != nil {
			fail(err)
		}
		// Write everything out now: the size on disk is part of the comparison.
		if _, err := db.Exec(`CHECKPOINT`); err != nil {
			fail(err)
		}
		fmt.Fprintf(os.Stderr, "duckflows: %d flows\n", n)
	case "query":
		if fs.NArg() != 1 {
			usage()
		}
		q, ok := queries[fs.Arg(0)]
		if !ok {
			fail(fmt.Errorf("no query %q", fs.Arg(0)))
		}
		if err := query(db, q.sql, q.addrCols, os.Stdout); err != nil {
			fail(fmt.Errorf("%s: %w", fs.Arg(0), err))
		}
	default:
		usage()
	}
}

// query runs q and prints its rows, the columns in addrCols as dotted IPv4.
func query(db *sql.DB, q string, addrCols []int, out io.Writer) error {
	rows, err := db.Query(q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	isAddr := make([]bool, len(cols))
	for _, c := range addrCols {
		isAddr[c] = true
	}
	var b strings.Builder
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		b.Reset()
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('|')
			}
			if a, ok := v.(uint32); ok && isAddr[i] {
				b.WriteString(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}).String())
				continue
			}
			fmt.Fprint(&b, v)
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(out, b.String()); err != nil {
			return err
		}
	}
	return rows.Err()
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: duckflows load -db FILE [-csv FILE]  (nfdump -R DIR -q -o csv on stdin)")
	fmt.Fprintln(os.Stderr, "       duckflows query -db FILE top-sip|filtered-dip|five-tuple|bins-300")
	os.Exit(2)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "duckflows: %v\n", err)
	os.Exit(1)
}
