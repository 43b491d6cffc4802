package tuc

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"strings"
	"unicode/utf8"

	"github.com/gflow/gflow/pkg/cli"
	"github.com/gflow/gflow/pkg/flowfile"
)

// batchLines is how many lines a worker parses at a time.
const batchLines = 512

// lineBatch is a run of input lines, parsed together on a worker while the
// main goroutine reads the next lines and writes the records of earlier
// batches, in input order.
type lineBatch struct {
	text    []byte // the lines, back to back
	ends    []int  // end of line i in text
	linenos []int
	recs    []flowfile.Record
	errs    []string // why line i did not parse; "" if it did
	stop    int      // index of nfdump's "Summary" line, or -1
	done    chan struct{}
}

func (b *lineBatch) reset() {
	b.text, b.ends, b.linenos, b.errs = b.text[:0], b.ends[:0], b.linenos[:0], b.errs[:0]
	b.stop = -1
}

func (b *lineBatch) add(lineno int, line []byte, errMsg string) {
	b.text = append(b.text, line...)
	b.ends = append(b.ends, len(b.text))
	b.linenos = append(b.linenos, lineno)
	b.errs = append(b.errs, errMsg)
}

func (b *lineBatch) line(i int) []byte {
	start := 0
	if i > 0 {
		start = b.ends[i-1]
	}
	return b.text[start:b.ends[i]]
}

// parse runs on a worker with its own copy of the parser.
func (b *lineBatch) parse(p *Parser, classify func(*flowfile.Record)) {
	if cap(b.recs) < len(b.ends) {
		b.recs = make([]flowfile.Record, len(b.ends))
	}
	b.recs = b.recs[:len(b.ends)]
	for i := range b.ends {
		if b.errs[i] != "" {
			continue // refused while reading (too long)
		}
		if err := p.ParseLine(b.line(i), &b.recs[i]); err != nil {
			b.errs[i] = err.Error()
			continue
		}
		if p.Done() {
			b.stop = i
			break
		}
		if classify != nil && p.Nfdump() {
			classify(&b.recs[i])
		}
	}
	b.done <- struct{}{}
}

// clone returns a parser for another goroutine: the same layout, its own
// cache of sensor names.
func (p *Parser) clone() *Parser {
	q := *p
	q.sensors = maps.Clone(p.sensors)
	return &q
}

func (c *converter) input(name string) error {
	var src io.Reader
	if name == "-" || name == "stdin" {
		src = c.std.In
	} else {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		src = f
	}
	if strings.HasSuffix(name, ".gz") {
		z, err := gzip.NewReader(src)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		defer z.Close()
		src = z
	}
	br := bufio.NewReaderSize(src, maxLine)

	var (
		jobs     chan *lineBatch
		pending  []*lineBatch // sent to the workers, oldest first
		free     []*lineBatch
		cur      *lineBatch
		finished bool // nfdump's summary reached
	)
	newBatch := func() *lineBatch {
		if n := len(free); n > 0 {
			b := free[n-1]
			free = free[:n-1]
			b.reset()
			return b
		}
		b := &lineBatch{done: make(chan struct{}, 1)}
		b.reset()
		return b
	}
	defer func() {
		if jobs != nil {
			close(jobs)
			for _, b := range pending {
				<-b.done
			}
		}
	}()
	// emit writes the oldest pending batch's records and reports its bad
	// lines, in line order.
	emit := func() error {
		b := pending[0]
		pending = pending[1:]
		<-b.done
		defer func() { free = append(free, b) }()
		if finished {
			return nil
		}
		for i := range b.ends {
			if i == b.stop {
				finished = true
				return nil
			}
			if b.errs[i] != "" {
				if err := c.badLine(name, b.linenos[i], b.line(i), b.errs[i]); err != nil {
					return err
				}
				continue
			}
			if err := c.w.Write(&b.recs[i]); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		return nil
	}
	send := func() error {
		if cur == nil || len(cur.ends) == 0 {
			return nil
		}
		jobs <- cur
		pending = append(pending, cur)
		cur = nil
		for len(pending) > 2*cap(jobs) {
			if err := emit(); err != nil {
				return err
			}
		}
		return nil
	}
	lineno := 0
	started := false
	for !finished {
		line, err := br.ReadSlice('\n')
		if len(line) == 0 && err == io.EOF {
			break
		}
		lineno++
		tooLong := false
		if errors.Is(err, bufio.ErrBufferFull) {
			line = append([]byte(nil), line[:min(len(line), 200)]...)
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			tooLong = true
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read %s: %w", name, err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if !tooLong && len(trim(line)) == 0 {
			if err == io.EOF {
				break
			}
			continue
		}
		if !started && !tooLong {
			started = true
			title, serr := c.p.Start(line)
			if serr != nil {
				err := fmt.Errorf("%s: %w", name, serr)
				if isBinary(line) {
					return cli.Hint(err, "gtuc reads text, as gcut prints it; flows that are binary already need no gtuc: gcut prints them, gstats and gfilter read them")
				}
				return err
			}
			workers := runtime.GOMAXPROCS(0)
			jobs = make(chan *lineBatch, workers)
			for range workers {
				go func(p *Parser) {
					for b := range jobs {
						b.parse(p, c.classify)
					}
				}(c.p.clone())
			}
			if title {
				continue
			}
		}
		if cur == nil {
			cur = newBatch()
		}
		msg := ""
		if tooLong {
			msg = "Input line too long"
		}
		cur.add(lineno, line, msg)
		if len(cur.ends) == batchLines {
			if jobs == nil { // only over-long lines so far: nothing to parse them with
				for i := range cur.ends {
					if err := c.badLine(name, cur.linenos[i], cur.line(i), cur.errs[i]); err != nil {
						return err
					}
				}
				cur.reset()
				continue
			}
			if err := send(); err != nil {
				return err
			}
		}
		if err == io.EOF {
			break
		}
	}
	if jobs == nil {
		if cur != nil {
			for i := range cur.ends {
				if err := c.badLine(name, cur.linenos[i], cur.line(i), cur.errs[i]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := send(); err != nil {
		return err
	}
	for len(pending) > 0 {
		if err := emit(); err != nil {
			return err
		}
	}
	return nil
}

// isBinary tells a first line of binary data (a flow stream, a compressed
// file) from text: a NUL or another control character than the tab, or
// bytes that are not UTF-8.
func isBinary(line []byte) bool {
	return !utf8.Valid(line) || bytes.ContainsFunc(line, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f })
}
