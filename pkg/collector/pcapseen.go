package collector

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Reading a capture twice with --read-pcap would store every flow in it
// twice. So the collector remembers, in the state directory, what it read
// of each capture: the SHA-256 of the bytes read, their number and the
// SHA-256 of the first pcapHeadBytes (to find candidates quickly). A
// capture whose first bytes match a capture read before (the same file,
// a copy, or the same capture grown since) is refused unless --force.
//
// The file, ROOT/.gflowcap/pcaps, holds one JSON object per line, appended;
// a torn last line (a crash while appending) is ignored.

const (
	pcapsFile     = "pcaps"
	pcapHeadBytes = 64 << 10
)

// pcapRead is what the collector remembers of one capture it read.
type pcapRead struct {
	SHA256  string    `json:"sha256"` // of the first Bytes bytes of the file
	Bytes   int64     `json:"bytes"`
	Head    string    `json:"head"` // SHA-256 of the first min(Bytes, pcapHeadBytes) bytes
	Packets int       `json:"packets"`
	Path    string    `json:"path"` // as it was named, made absolute
	Read    time.Time `json:"read"`
	Partial bool      `json:"partial,omitempty"` // the read was interrupted
}

// pcapLedger is the record of the captures read into a repository.
type pcapLedger struct {
	path    string
	entries []pcapRead
}

func openPcapLedger(stateDir string) (*pcapLedger, error) {
	l := &pcapLedger{path: filepath.Join(stateDir, pcapsFile)}
	data, err := os.ReadFile(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("captures read before: %w", err)
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		var e pcapRead
		if len(bytes.TrimSpace(line)) == 0 || json.Unmarshal(line, &e) != nil || e.Bytes <= 0 {
			continue
		}
		l.entries = append(l.entries, e)
	}
	return l, nil
}

// seen returns what was read before of the capture at path: the latest
// entry whose bytes are the first bytes of the file, or nil. Only entries
// whose head matches are hashed whole.
func (l *pcapLedger) seen(path string) (*pcapRead, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	heads := map[int64]string{} // hash of the first n bytes, by n
	prefix := func(n int64) (string, error) {
		if h, ok := heads[n]; ok {
			return h, nil
		}
		h, err := hashPrefix(f, n)
		heads[n] = h
		return h, err
	}
	for i := len(l.entries) - 1; i >= 0; i-- {
		e := &l.entries[i]
		if e.Bytes > fi.Size() {
			continue
		}
		head, err := prefix(min(e.Bytes, pcapHeadBytes))
		if err != nil {
			return nil, err
		}
		if head != e.Head {
			continue
		}
		sum, err := prefix(e.Bytes)
		if err != nil {
			return nil, err
		}
		if sum == e.SHA256 {
			return e, nil
		}
	}
	return nil, nil
}

// hashPrefix returns the SHA-256 of the first n bytes of f.
func hashPrefix(f *os.File, n int64) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, n)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// add appends entries to the ledger file.
func (l *pcapLedger) add(entries ...pcapRead) error {
	if len(entries) == 0 {
		return nil
	}
	var b bytes.Buffer
	for _, e := range entries {
		line, err := json.Marshal(e)
		if err != nil {
			return err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("record the captures read: %w", err)
	}
	_, err = f.Write(b.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("record the captures read: %w", err)
	}
	l.entries = append(l.entries, entries...)
	return nil
}

// hashingReader buffers a capture file and hashes exactly the bytes its
// reader consumes, so that an interrupted read records what was read.
type hashingReader struct {
	r    *bufio.Reader
	sum  hash.Hash
	head hash.Hash
	n    int64
}

func newHashingReader(r io.Reader) *hashingReader {
	return &hashingReader{r: bufio.NewReaderSize(r, 256<<10), sum: sha256.New(), head: sha256.New()}
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.sum.Write(p[:n])
	if h.n < pcapHeadBytes {
		h.head.Write(p[:min(int64(n), pcapHeadBytes-h.n)])
	}
	h.n += int64(n)
	return n, err
}

// entry describes what was read.
func (h *hashingReader) entry(path string, packets int, partial bool) pcapRead {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return pcapRead{
		SHA256: hex.EncodeToString(h.sum.Sum(nil)), Bytes: h.n, Head: hex.EncodeToString(h.head.Sum(nil)),
		Packets: packets, Path: abs, Read: time.Now().UTC().Truncate(time.Second), Partial: partial,
	}
}

// errPcapSeen says a capture was read into the repository before.
type errPcapSeen struct {
	path  string
	prior *pcapRead
	whole bool // the prior read covers the whole file
}

func (e *errPcapSeen) Error() string {
	p := e.prior
	when := p.Read.Format("2006-01-02 15:04Z")
	what := "its flows are stored already"
	switch {
	case p.Partial:
		what = fmt.Sprintf("its first %d packets are stored already (that read was interrupted)", p.Packets)
	case !e.whole:
		what = fmt.Sprintf("its first %d packets are stored already (it has grown since)", p.Packets)
	}
	return fmt.Sprintf("%s: read into this repository on %s as %s: %s; reading it again would store them twice",
		e.path, when, p.Path, what)
}

// Hint says how to read it anyway (cli prints it as a second line).
func (e *errPcapSeen) Hint() string {
	return "to store its flows again anyway, add --force"
}

// checkPcaps refuses, unless --force, to read a capture that was read into
// the repository before, or that is named twice; it checks every capture
// before any is read, so a refusal stores nothing.
func (c *collector) checkPcaps() error {
	if c.cfg.Force {
		return nil
	}
	ledger, err := openPcapLedger(c.stateDir)
	if err != nil {
		return err
	}
	var infos []os.FileInfo
	for _, path := range c.cfg.Pcaps {
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		for i, prev := range infos {
			if os.SameFile(prev, fi) {
				return fmt.Errorf("%s: named twice (as %s too); its flows would be stored twice", path, c.cfg.Pcaps[i])
			}
		}
		infos = append(infos, fi)
		prior, err := ledger.seen(path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if prior != nil {
			return &errPcapSeen{path: path, prior: prior, whole: prior.Bytes == fi.Size()}
		}
	}
	return nil
}

// recordPcaps remembers the captures read, once the engine has written
// their flows. A run that lost records (a full disk) records nothing: its
// captures may be read again.
func (c *collector) recordPcaps() {
	if len(c.pcapsRead) == 0 {
		return
	}
	if n := c.stats.Dropped.Load(); n > 0 {
		c.logf("warning: %d flows could not be written; the captures are not recorded as read, so they may be read again", n)
		return
	}
	ledger, err := openPcapLedger(c.stateDir)
	if err == nil {
		err = ledger.add(c.pcapsRead...)
	}
	if err != nil {
		c.logf("warning: %v; reading the same captures again will not be refused", err)
	}
}
