//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"errors"
	"os"
	"time"
)

// entryState is what a reader found at an entry's path.
type entryState uint8

const (
	// stateAbsent: no file, or a symbolic link (never followed).
	stateAbsent entryState = iota
	// stateNotRegular: a directory, FIFO or other non-regular file; left alone.
	stateNotRegular
	// stateOversize: a payload longer than MaxValueSize; read as a miss, left alone.
	stateOversize
	// stateCorrupt: too short, wrong magic or version; a miss, removable.
	stateCorrupt
	// stateUnsupported: non-zero reserved byte or flags; a miss, never rewritten or
	// removed by a reader (FILE-2, FILE-3).
	stateUnsupported
	// stateExpired: a valid entry whose expiry has been reached; a miss, removable.
	stateExpired
	// stateLive: a valid, unexpired entry.
	stateLive
)

// entry is what readEntry found.
type entry struct {
	state  entryState
	header Header
	// data is the whole file (header and payload) when readEntry was asked for it and
	// the entry is live.
	data []byte
	id   fileID
	size int64
}

// readEntry inspects the entry file at path at time now. With full it reads the whole
// file, else only the header. It returns an error only for an operating-system failure.
func (b *Backend) readEntry(path string, full bool, now time.Time) (entry, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		if isAbsent(err) {
			return entry{state: stateAbsent}, nil
		}
		return entry{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return entry{}, err
	}
	if !fi.Mode().IsRegular() {
		return entry{state: stateNotRegular}, nil
	}
	e := entry{id: idOf(fi), size: fi.Size()}
	if e.size-HeaderSize > b.opts.MaxValueSize {
		e.state = stateOversize
		return e, nil
	}
	n := int64(HeaderSize)
	if full {
		n = max(e.size, HeaderSize)
	}
	data, err := readAtMost(f, n)
	if err != nil {
		return entry{}, err
	}
	e.header, err = ParseHeader(data)
	switch {
	case errors.Is(err, ErrCorruptEntry):
		e.state = stateCorrupt
	case err != nil:
		e.state = stateUnsupported
	case e.header.Expired(now):
		e.state = stateExpired
	default:
		e.state = stateLive
		e.data = data
	}
	return e, nil
}

// discard removes an expired or corrupt entry file that a reader found, unless a newer
// file has replaced it since (see removeIfSame). It is best effort: the reader answers a
// miss whatever happens.
func (b *Backend) discard(path string, e entry) {
	if e.state != stateExpired && e.state != stateCorrupt {
		return
	}
	if removed, _ := b.removeIfSame(path, e.id); removed {
		b.usage.removed(e.size)
	}
}
