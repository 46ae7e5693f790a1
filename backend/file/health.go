//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"context"
	"os"
	"strconv"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Health checks that the directory accepts writes by creating, writing and removing a
// temporary file, and reports the entry count and bytes as this process estimates them.
func (b *Backend) Health(ctx context.Context) (backend.HealthStatus, error) {
	const op = "health"
	start := time.Now()
	status := backend.HealthStatus{Backend: backendName}
	if err := checkCtx(ctx, op, ""); err != nil {
		return status, err
	}
	tmp, f, err := b.createTemp("health")
	if err == nil {
		_, err = f.WriteString("ok")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if rerr := os.Remove(tmp); err == nil {
			err = rerr
		}
	}
	status.Latency = time.Since(start)
	if err != nil {
		return status, osError(op, "", err)
	}
	bytes, entries := b.usage.snapshot()
	status.Healthy = true
	status.Details = map[string]string{
		"dir":             b.dir,
		"entries":         strconv.FormatInt(entries, 10),
		"bytes":           strconv.FormatInt(bytes, 10),
		"max_entries":     strconv.Itoa(b.opts.MaxEntries),
		"max_total_bytes": strconv.FormatInt(b.opts.MaxTotalBytes, 10),
	}
	return status, nil
}
