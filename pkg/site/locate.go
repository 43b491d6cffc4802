package site

import (
	"strconv"
	"strings"
)

// locator finds the line of a key in the TOML text, so that errors found
// after decoding (duplicates, overlaps, bad values) can name file, line and
// key. The TOML decoder keeps positions to itself; the files are small and
// written in the plain "key = value" style of the example, which this
// reads well enough: a key it cannot place is reported without a line.
type locator struct {
	keys []keyLine
}

type keyLine struct {
	table string // "", "countries" or "sensors[1]"
	key   string // unquoted key
	line  int    // 1-based line of the key
	end   int    // last line of its value (multi-line arrays)
	text  []string
}

func newLocator(src string) *locator {
	loc := &locator{}
	lines := strings.Split(src, "\n")
	table := ""
	arrays := map[string]int{}
	depth := 0 // open brackets of a multi-line array value
	var cur *keyLine
	for i, raw := range lines {
		n := i + 1
		line := strings.TrimSpace(stripComment(raw))
		if depth > 0 {
			depth += bracketDepth(line)
			if cur != nil {
				cur.end = n
				cur.text = append(cur.text, raw)
			}
			continue
		}
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "[[") && strings.HasSuffix(line, "]]") {
			name := strings.TrimSpace(line[2 : len(line)-2])
			table = name + "[" + strconv.Itoa(arrays[name]) + "]"
			arrays[name]++
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			table = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		key, rest, ok := splitKey(line)
		if !ok {
			continue
		}
		loc.keys = append(loc.keys, keyLine{table: table, key: key, line: n, end: n, text: []string{raw}})
		cur = &loc.keys[len(loc.keys)-1]
		depth = bracketDepth(rest)
	}
	return loc
}

// splitKey splits `key = value` or `"quoted key" = value`.
func splitKey(line string) (key, rest string, ok bool) {
	if strings.HasPrefix(line, `"`) {
		end := strings.Index(line[1:], `"`)
		if end < 0 {
			return "", "", false
		}
		key = line[1 : end+1]
		rest = strings.TrimSpace(line[end+2:])
	} else {
		i := strings.IndexAny(line, " \t=")
		if i <= 0 {
			return "", "", false
		}
		key, rest = line[:i], strings.TrimSpace(line[i:])
	}
	if !strings.HasPrefix(rest, "=") {
		return "", "", false
	}
	return key, strings.TrimSpace(rest[1:]), true
}

// stripComment removes a # comment that is not inside a string.
func stripComment(s string) string {
	inStr := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr != 0:
			if c == '\\' && inStr == '"' {
				i++
			} else if c == inStr {
				inStr = 0
			}
		case c == '"' || c == '\'':
			inStr = c
		case c == '#':
			return s[:i]
		}
	}
	return s
}

// bracketDepth counts [ minus ] outside strings.
func bracketDepth(s string) int {
	d := 0
	inStr := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr != 0:
			if c == '\\' && inStr == '"' {
				i++
			} else if c == inStr {
				inStr = 0
			}
		case c == '"' || c == '\'':
			inStr = c
		case c == '[':
			d++
		case c == ']':
			d--
		}
	}
	return d
}

// line returns the line of key in table ("" for top level, "sensors[1]"),
// or of the element value within it if value is not empty; 0 if unknown.
func (l *locator) line(table, key, value string) int {
	for _, k := range l.keys {
		if k.table != table || k.key != key {
			continue
		}
		if value != "" {
			for j, t := range k.text {
				if strings.Contains(t, strconv.Quote(value)) || strings.Contains(t, "'"+value+"'") {
					return k.line + j
				}
			}
		}
		return k.line
	}
	return 0
}

// tableLine returns the line of the header of table ("sensors[1]"), or 0.
func (l *locator) tableLine(src, table string) int {
	name, idx := table, -1
	if i := strings.IndexByte(table, '['); i > 0 {
		name = table[:i]
		idx, _ = strconv.Atoi(strings.TrimSuffix(table[i+1:], "]"))
	}
	seen := 0
	for i, raw := range strings.Split(src, "\n") {
		line := strings.TrimSpace(stripComment(raw))
		if idx >= 0 && line == "[["+name+"]]" {
			if seen == idx {
				return i + 1
			}
			seen++
		} else if idx < 0 && (line == "["+name+"]" || line == "[["+name+"]]") {
			return i + 1
		}
	}
	return 0
}

// findUndecoded places a key the decoder did not use ("sensors.colour")
// in the file: the first table instance holding it, and its line.
func (l *locator) findUndecoded(parts []string) (path string, line int) {
	if len(parts) == 0 {
		return "", 0
	}
	key := parts[len(parts)-1]
	table := strings.Join(parts[:len(parts)-1], ".")
	for _, k := range l.keys {
		if k.key != key {
			continue
		}
		if stripIndexes(k.table) == table {
			if k.table == "" {
				return k.key, k.line
			}
			return k.table + "." + k.key, k.line
		}
	}
	return strings.Join(parts, "."), 0
}

func stripIndexes(table string) string {
	var b strings.Builder
	skip := false
	for _, c := range table {
		switch {
		case c == '[':
			skip = true
		case c == ']':
			skip = false
		case !skip:
			b.WriteRune(c)
		}
	}
	return b.String()
}
