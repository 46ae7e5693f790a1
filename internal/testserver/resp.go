package testserver

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// ServerError is an error reply ("-ERR ...") from a RESP server.
type ServerError string

// Error returns the server's message.
func (e ServerError) Error() string { return "testserver: server replied: " + string(e) }

// RedisDo sends one command to the RESP server at addr over a fresh connection, after AUTH
// with password when it is not empty, and returns the decoded reply: string for simple and
// bulk strings, int64 for integers, []any for arrays, nil for null replies. An error reply
// is returned as a ServerError. It lets tests and starters talk to a server without
// depending on the client library under test.
func RedisDo(ctx context.Context, addr, password string, args ...string) (any, error) {
	return redisDo(ctx, addr, password, nil, args...)
}

// redisDo is RedisDo over TLS when tlsConfig is not nil.
func redisDo(ctx context.Context, addr, password string, tlsConfig *tls.Config, args ...string) (any, error) {
	var conn net.Conn
	var err error
	if tlsConfig != nil {
		d := tls.Dialer{Config: tlsConfig}
		conn, err = d.DialContext(ctx, "tcp", addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	r := bufio.NewReader(conn)
	if password != "" {
		if _, err := roundTrip(conn, r, "AUTH", password); err != nil {
			return nil, err
		}
	}
	return roundTrip(conn, r, args...)
}

func roundTrip(w io.Writer, r *bufio.Reader, args ...string) (any, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return nil, err
	}
	return readReply(r)
}

func readReply(r *bufio.Reader) (any, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return nil, errors.New("testserver: empty RESP line")
	}
	body := line[1:]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return nil, ServerError(body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		out := make([]any, n)
		for i := range out {
			v, err := readReply(r)
			var se ServerError
			if err != nil && !errors.As(err, &se) {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("testserver: unexpected RESP type %q", line[0])
}

// redisReady is a readiness probe: PING answered with PONG.
func redisReady(password string, tlsConfig *tls.Config) func(ctx context.Context, addr string) error {
	return func(ctx context.Context, addr string) error {
		v, err := redisDo(ctx, addr, password, tlsConfig, "PING")
		if err != nil {
			return err
		}
		if v != "PONG" {
			return fmt.Errorf("testserver: PING answered %v", v)
		}
		return nil
	}
}
