package memcached

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// metaPool runs the one-line commands gomemcache does not offer: the meta protocol's mg
// (memcached 1.6+) for Exists and TTL, and version for Health. It keeps its own idle
// connections per server and, unlike gomemcache, honours the context for the whole
// call: the deadline of each exchange is the sooner of now+timeout and the context's
// deadline, and cancelling the context aborts the exchange at once.
type metaPool struct {
	timeout time.Duration
	maxIdle int
	dialer  net.Dialer

	mu     sync.Mutex
	idle   map[string][]*metaConn
	closed bool
}

type metaConn struct {
	nc net.Conn
	rw *bufio.ReadWriter
}

// errPoolClosed is returned by a metaPool after close; the Backend reports
// backend.ErrClosed before ever reaching it.
var errPoolClosed = errors.New("memcached: the connection pool is closed")

func newMetaPool(timeout time.Duration, maxIdle int) *metaPool {
	return &metaPool{
		timeout: timeout,
		maxIdle: maxIdle,
		dialer:  net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second},
		idle:    make(map[string][]*metaConn),
	}
}

// roundTrip sends cmd (a complete command line with CRLF) to addr and returns the first
// reply line without its CRLF. It is for commands whose whole reply is one line.
func (p *metaPool) roundTrip(ctx context.Context, addr net.Addr, cmd string) (string, error) {
	cn, err := p.get(ctx, addr)
	if err != nil {
		return "", err
	}
	deadline := time.Now().Add(p.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := cn.nc.SetDeadline(deadline); err != nil {
		_ = cn.nc.Close()
		return "", err
	}
	// A cancelled context interrupts a blocked read or write by moving the deadline
	// into the past.
	stop := context.AfterFunc(ctx, func() { _ = cn.nc.SetDeadline(time.Unix(1, 0)) })
	line, err := cn.exchange(cmd)
	if !stop() || err != nil {
		// The connection's deadline was disturbed, or its stream state is unknown.
		_ = cn.nc.Close()
		if err == nil {
			err = ctx.Err()
		}
		return "", err
	}
	p.put(addr, cn)
	return line, nil
}

func (cn *metaConn) exchange(cmd string) (string, error) {
	if _, err := cn.rw.WriteString(cmd); err != nil {
		return "", err
	}
	if err := cn.rw.Flush(); err != nil {
		return "", err
	}
	line, err := cn.rw.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return "", ErrMalformedResponse
		}
		return "", err
	}
	if !bytes.HasSuffix(line, []byte("\r\n")) {
		return "", ErrMalformedResponse
	}
	return string(line[:len(line)-2]), nil
}

// get returns an idle connection to addr or dials a new one within the timeout and the
// context.
func (p *metaPool) get(ctx context.Context, addr net.Addr) (*metaConn, error) {
	key := addr.String()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errPoolClosed
	}
	if list := p.idle[key]; len(list) > 0 {
		cn := list[len(list)-1]
		list[len(list)-1] = nil
		p.idle[key] = list[:len(list)-1]
		p.mu.Unlock()
		return cn, nil
	}
	p.mu.Unlock()
	nc, err := p.dialer.DialContext(ctx, addr.Network(), addr.String())
	if err != nil {
		return nil, err
	}
	return &metaConn{nc: nc, rw: bufio.NewReadWriter(bufio.NewReader(nc), bufio.NewWriter(nc))}, nil
}

// put keeps cn for reuse, or closes it when the pool is full or closed.
func (p *metaPool) put(addr net.Addr, cn *metaConn) {
	key := addr.String()
	p.mu.Lock()
	if p.closed || len(p.idle[key]) >= p.maxIdle {
		p.mu.Unlock()
		_ = cn.nc.Close()
		return
	}
	p.idle[key] = append(p.idle[key], cn)
	p.mu.Unlock()
}

// close closes every idle connection; connections in use are closed when returned.
func (p *metaPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, list := range idle {
		for _, cn := range list {
			_ = cn.nc.Close()
		}
	}
}
