package memcached

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Health asks every server for its version, one after the other, and reports each
// server's version and round-trip latency in Details under "server.<address>.version"
// and "server.<address>.latency", with "servers" and "servers_up" counts. The backend is
// healthy only when every server answered, since a down server makes its share of the
// keys fail. When one did not, Health returns the status (Healthy false, the failure's
// kind under "server.<address>.error") together with the first server's error.
func (b *Backend) Health(ctx context.Context) (backend.HealthStatus, error) {
	const op = "health"
	status := backend.HealthStatus{Backend: name, Details: map[string]string{}}
	if err := b.enter(ctx, op, ""); err != nil {
		return status, err
	}
	defer b.leave()
	start := time.Now()
	var firstErr error
	up := 0
	for i, s := range b.servers.servers {
		version, latency, err := b.version(ctx, b.servers.addrs[i])
		prefix := "server." + s.name + "."
		if err != nil {
			err = opError(ctx, op, "", err)
			kind, _ := backend.KindOf(err)
			status.Details[prefix+"error"] = kind.String()
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		up++
		status.Details[prefix+"version"] = version
		status.Details[prefix+"latency"] = latency.String()
	}
	status.Latency = time.Since(start)
	status.Details["servers"] = strconv.Itoa(len(b.servers.servers))
	status.Details["servers_up"] = strconv.Itoa(up)
	status.Healthy = firstErr == nil
	return status, firstErr
}

// version runs "version" on one server.
func (b *Backend) version(ctx context.Context, addr net.Addr) (string, time.Duration, error) {
	start := time.Now()
	line, err := b.meta.roundTrip(ctx, addr, "version\r\n")
	latency := time.Since(start)
	if err != nil {
		return "", latency, err
	}
	v, ok := strings.CutPrefix(line, "VERSION ")
	if !ok {
		return "", latency, replyError(line)
	}
	return printable(v), latency, nil
}
