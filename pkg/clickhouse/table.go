package clickhouse

import (
	"context"
	"fmt"
	"strings"

	"github.com/gflow/gflow/pkg/flowfile"
)

// table is the flow table as the server has it: the columns gflow writes,
// in the order of the insert.
type table struct {
	name     string // as given: flows or db.flows
	insert   string // INSERT INTO … (…) FORMAT RowBinary
	enc      []encodeFunc
	hasBatch bool // batch_id is stored: a batch sent again can be recognised
	layout   Layout
	created  bool // this setup created it
	version  Version
}

// CheckTableName accepts table and database.table made of letters,
// digits and underscores, so the name can go into statements as it is.
func CheckTableName(name string) error {
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return fmt.Errorf("table %q: expected TABLE or DATABASE.TABLE", name)
	}
	for _, p := range parts {
		if p == "" {
			return fmt.Errorf("table %q: expected TABLE or DATABASE.TABLE", name)
		}
		for i, r := range p {
			if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
				return fmt.Errorf("table %q: names are letters, digits and underscores", name)
			}
		}
	}
	return nil
}

// ServerVersion asks the server for its version.
func ServerVersion(ctx context.Context, c *Client) (Version, error) {
	out, err := c.Query(ctx, "SELECT version() FORMAT TSV")
	if err != nil {
		return Version{}, err
	}
	return ParseVersion(string(out))
}

// setupTable finds the flow table, creating it in the layout the server's
// version allows when it does not exist and create is set, and prepares
// the insert of the columns it has.
func setupTable(ctx context.Context, c *Client, name string, create bool) (*table, error) {
	if err := CheckTableName(name); err != nil {
		return nil, err
	}
	v, err := ServerVersion(ctx, c)
	if err != nil {
		return nil, err
	}
	t := &table{name: name, version: v}
	out, err := c.Query(ctx, "EXISTS TABLE "+name+" FORMAT TSV")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(out)) != "1" {
		if !create {
			return nil, fmt.Errorf("table %s does not exist; create it with docs/clickhouse.sql", name)
		}
		if err := c.Exec(ctx, DDL(name, LayoutFor(v))); err != nil {
			return nil, fmt.Errorf("create table %s: %w", name, err)
		}
		t.created = true
	}
	out, err = c.Query(ctx, "DESCRIBE TABLE "+name+" FORMAT TSV")
	if err != nil {
		return nil, err
	}
	var cols []string
	for line := range strings.SplitSeq(strings.TrimRight(string(out), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 2 {
			continue
		}
		col, typ := unescapeTSV(f[0]), unescapeTSV(f[1])
		if len(f) > 2 && (f[2] == "ALIAS" || f[2] == "MATERIALIZED") {
			continue // computed by the server
		}
		enc, err := encoderFor(col, typ)
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", name, err)
		}
		if enc == nil {
			continue
		}
		if col == "batch_id" {
			t.hasBatch = true
		}
		if col == "stime" && strings.HasPrefix(typ, "DateTime64") {
			t.layout = Modern
		}
		cols = append(cols, col)
		t.enc = append(t.enc, enc)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s has none of the flow columns of docs/clickhouse.sql", name)
	}
	t.insert = fmt.Sprintf("INSERT INTO %s (%s) FORMAT RowBinary", name, strings.Join(cols, ", "))
	return t, nil
}

// appendRows encodes recs as RowBinary rows of t.
func (t *table) appendRows(dst []byte, recs []flowfile.Record, env *rowEnv) []byte {
	for i := range recs {
		r := &recs[i]
		for _, enc := range t.enc {
			dst = enc(dst, r, env)
		}
	}
	return dst
}

// unescapeTSV undoes the escapes of ClickHouse's TSV (\t \n \\ \' …).
func unescapeTSV(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
