package flowfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// OpenAppend opens the hourly file at path for appending, as the collector
// does on restart. A missing file is created with hdr, and its directory
// too. An existing file
// must have the same kind, sensor, flow type and hour as hdr; OpenAppend
// checks every block, cuts off a torn or corrupt tail after the last
// intact block, and appends new blocks there. Corrupt blocks in the middle
// are left alone (readers skip them); only the tail is cut.
//
// New blocks use hdr.Codec; every block header names its own codec, so a
// file may mix codecs.
func OpenAppend(path string, hdr Header) (*Writer, error) {
	if err := hdr.check(); err != nil {
		return nil, fmt.Errorf("append %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		// The first flows of an hour: the day's directory may be new too.
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		return Create(path, hdr)
	}
	if err != nil {
		return nil, err
	}
	w, err := openAppend(f, path, hdr)
	if err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// ErrWrongFile is wrapped by OpenAppend's error when the file at the path
// is not a gflow hourly file it can append to: not a flow file, another
// format, a damaged or newer header, or the file of another sensor, type
// or hour. The file is left as it is.
var ErrWrongFile = errors.New("not a gflow hourly file to append to")

func openAppend(f *os.File, path string, hdr Header) (*Writer, error) {
	if err := lockWriting(f); err != nil {
		return nil, fmt.Errorf("append %s: %w", path, err)
	}
	r := &Reader{src: f, name: path, buf: make([]byte, 0, readChunk)}
	defer r.dec.release()
	if err := r.readHeader(); err != nil {
		if errors.Is(err, ErrTruncatedHeader) {
			// Killed while writing the header: nothing was stored yet.
			if err := f.Truncate(0); err != nil {
				return nil, fmt.Errorf("append %s: %w", path, err)
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return nil, fmt.Errorf("append %s: %w", path, err)
			}
			w, err := NewWriter(f, hdr)
			if err != nil {
				return nil, fmt.Errorf("append %s: %w", path, err)
			}
			w.file, w.name = f, path
			return w, nil
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("append %s: %w", path, err) // a read error
		}
		return nil, fmt.Errorf("append %s: %w: %w", path, ErrWrongFile, err)
	}
	if r.foreign != nil {
		r.foreign.src.Close()
		return nil, fmt.Errorf("append %s: %w: a %s file", path, ErrWrongFile, r.foreign.format)
	}
	old := r.hdr
	if old.Kind != hdr.Kind || old.Type != hdr.Type || old.SensorID != hdr.SensorID ||
		old.Sensor != hdr.Sensor || !old.Hour.Equal(hdr.Hour) {
		return nil, fmt.Errorf("append %s: %w: it holds %s %s sensor %s (%d) hour %s, not %s %s sensor %s (%d) hour %s",
			path, ErrWrongFile, old.Kind, old.Type, old.Sensor, old.SensorID, old.Hour.Format("2006-01-02T15Z"),
			hdr.Kind, hdr.Type, hdr.Sensor, hdr.SensorID, hdr.Hour.Format("2006-01-02T15Z"))
	}
	// The end of the last intact block: the header's end if there is none.
	good := r.off
	blocks := 0
	var sum BlockSummary
	var sel []uint64
	for {
		_, err := r.nextFrame(&sum, &sel)
		if err == nil {
			good = r.off
			blocks++
			continue
		}
		var be *BlockError
		if errors.As(err, &be) {
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		return nil, fmt.Errorf("append %s: %w", path, err)
	}
	if err := f.Truncate(good); err != nil {
		return nil, fmt.Errorf("append %s: cut torn tail: %w", path, err)
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		return nil, fmt.Errorf("append %s: %w", path, err)
	}
	hdr.Writer = old.Writer
	w := newWriter(f, hdr)
	w.file, w.name = f, path
	w.offset = good
	w.blocks = blocks
	return w, nil
}
