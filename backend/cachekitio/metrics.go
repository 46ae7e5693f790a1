package cachekitio

import (
	"context"
	"crypto/rand"
	"strconv"
	"sync"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/protocol/cachekey"
)

// L1Status says how the caller's in-process cache (L1) took part in a request; it is
// sent as X-CacheKit-L1-Status, which the service requires for ck_sdk_ keys.
type L1Status string

// The values of X-CacheKit-L1-Status.
const (
	// L1Hit: the L1 held the entry (sent, for example, with a write-through).
	L1Hit L1Status = "hit"
	// L1Miss: the L1 was consulted and did not hold the entry.
	L1Miss L1Status = "miss"
	// L1Disabled: the caller has no L1.
	L1Disabled L1Status = "disabled"
)

type l1StatusKey struct{}

// WithL1Status returns a context whose requests carry X-CacheKit-L1-Status: status.
// The cachekit client sets it on every backend call. Without it, a request says "miss"
// when a metrics source is set (the caller has an L1 that was not consulted or
// missed) and "disabled" otherwise. A status other than the three constants is ignored.
func WithL1Status(ctx context.Context, status L1Status) context.Context {
	return context.WithValue(ctx, l1StatusKey{}, status)
}

// l1StatusFrom returns the status set with WithL1Status, or def.
func l1StatusFrom(ctx context.Context, def L1Status) L1Status {
	if s, ok := ctx.Value(l1StatusKey{}).(L1Status); ok {
		switch s {
		case L1Hit, L1Miss, L1Disabled:
			return s
		}
	}
	return def
}

// L1Metrics are the caller's cache statistics since it started, sent with every
// request as X-CacheKit-L1-Hits, -L2-Hits, -Misses and -L1-Hit-Rate.
type L1Metrics = backend.CacheStats

// session identifies this process to the service: a random UUID (version 4) and the
// time it was first needed, in Unix milliseconds.
var session = sync.OnceValues(func() (id, startMillis string) {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails on supported platforms
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return cachekey.UUID(u).String(), strconv.FormatInt(time.Now().UnixMilli(), 10)
})
