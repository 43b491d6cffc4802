package main

import (
	"fmt"
	"strings"
)

// roff builds a page in the man(7) macro language. Text goes through
// textLine, which escapes what roff would otherwise interpret: backslashes,
// a dot or an apostrophe at the start of a line (a request), and hyphens,
// written \- so that switches stay ASCII minus signs when copied from the
// page.
type roff struct {
	b strings.Builder
}

func (r *roff) line(format string, args ...any) {
	fmt.Fprintf(&r.b, format, args...)
	r.b.WriteByte('\n')
}

func (r *roff) section(name string) { r.line(".SH %s", quoteArg(name)) }

func (r *roff) subsection(name string) { r.line(".SS %s", quoteArg(name)) }

// escape makes s safe inside a roff line.
func escape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\\':
			b.WriteString(`\e`)
		case '-':
			b.WriteString(`\-`)
		case '\t':
			b.WriteString("        ")
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// textLine escapes s and protects a leading dot or apostrophe (or a leading
// space, which roff takes as a break) so it is not read as a request.
func textLine(s string) string {
	s = breakable(escape(s))
	if s != "" && (s[0] == '.' || s[0] == '\'' || s[0] == ' ') {
		s = `\&` + s
	}
	return s
}

func quoteArg(s string) string {
	return `"` + strings.ReplaceAll(escape(s), `"`, `\(dq`) + `"`
}

func bold(s string) string   { return `\fB` + escape(s) + `\fR` }
func italic(s string) string { return `\fI` + escape(s) + `\fR` }

// paragraphs renders free text as the tools write it in --help: blank
// lines separate paragraphs; runs of indented lines (lists, tables,
// commands) keep their layout; other lines are filled.
func (r *roff) paragraphs(text string) {
	lines := strings.Split(strings.Trim(text, "\n"), "\n")
	for i := 0; i < len(lines); {
		switch {
		case strings.TrimSpace(lines[i]) == "":
			i++
		case isIndented(lines[i]):
			j := i
			for j < len(lines) && (isIndented(lines[j]) || (strings.TrimSpace(lines[j]) == "" && j+1 < len(lines) && isIndented(lines[j+1]))) {
				j++
			}
			r.preformatted(lines[i:j])
			i = j
		default:
			r.line(".PP")
			for i < len(lines) && strings.TrimSpace(lines[i]) != "" && !isIndented(lines[i]) {
				r.line("%s", textLine(strings.TrimSpace(lines[i])))
				i++
			}
		}
	}
}

func isIndented(l string) bool {
	return strings.TrimSpace(l) != "" && (l[0] == ' ' || l[0] == '\t')
}

// preformatted writes lines as they are, indented, without filling;
// their common indentation is removed.
func (r *roff) preformatted(lines []string) {
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		l = strings.ReplaceAll(l, "\t", "        ")
		n := len(l) - len(strings.TrimLeft(l, " "))
		if common < 0 || n < common {
			common = n
		}
	}
	r.line(".PP")
	r.line(".RS 4")
	r.line(".nf")
	for _, l := range lines {
		l = strings.TrimRight(strings.ReplaceAll(l, "\t", "        "), " ")
		if len(l) >= common {
			l = l[common:]
		}
		if l == "" {
			r.line("")
			continue
		}
		// Leading spaces are kept in no-fill mode; \& keeps a '.' from
		// starting a request.
		r.line(`\&%s`, escape(l))
	}
	r.line(".fi")
	r.line(".RE")
}

// tagged writes a .TP entry: the tag line, then the text filled.
func (r *roff) tagged(tag, text string) {
	r.line(".TP")
	r.line("%s", tag)
	first := true
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if !first {
			r.line(".IP")
		}
		first = false
		for _, l := range strings.Split(para, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				r.line("%s", textLine(l))
			}
		}
	}
}

// breakable lets roff break long words (date syntaxes, paths) after a
// '/', ']' or ',' instead of overrunning the line: \: is a break point
// that prints nothing.
func breakable(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		if len(w) < 30 {
			continue
		}
		var b strings.Builder
		for _, c := range w {
			b.WriteRune(c)
			if c == '/' || c == ']' || c == ',' {
				b.WriteString(`\:`)
			}
		}
		words[i] = b.String()
	}
	return strings.Join(words, " ")
}
