package coherencetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/redis"
)

// Faults a reader can be started with (readerConfig.Fault). Each is a bug the coherence
// rounds exist to catch; TestCoherenceCanFail starts a faulty reader and checks that
// the round meant for it fails.
const (
	// faultStripOrigin drops the origin from the reader's writes, as a backend that
	// cannot tell its own writes would: their echoes then evict the reader's fresh
	// entries.
	faultStripOrigin = "strip-origin"
	// faultLateKeys applies invalidations of round keys (":k") lateDelay after they
	// arrive, on another goroutine, while others are applied at once: the order of
	// invalidations is lost, which only the marker variant can see.
	faultLateKeys = "late-keys"

	lateDelay = 500 * time.Millisecond
)

// withFault wraps b to inject the named fault; "" returns b.
func withFault(b *redis.Backend, fault string) (backend.Backend, error) {
	switch fault {
	case "":
		return b, nil
	case faultStripOrigin:
		return stripOrigin{b}, nil
	case faultLateKeys:
		return &lateKeys{Backend: b}, nil
	}
	return nil, fmt.Errorf("unknown fault %q", fault)
}

// stripOrigin sends the reader's writes without their origin.
type stripOrigin struct{ *redis.Backend }

func (s stripOrigin) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.Backend.Set(backend.WithOrigin(ctx, ""), key, value, ttl)
}

func (s stripOrigin) Delete(ctx context.Context, key string) (bool, error) {
	return s.Backend.Delete(backend.WithOrigin(ctx, ""), key)
}

// lateKeys delays the invalidations of keys ending in ":k". Its stop waits for the
// delayed deliveries, so that none happens after stop returns.
type lateKeys struct {
	*redis.Backend
	late sync.WaitGroup
}

func (l *lateKeys) SubscribeInvalidations(ctx context.Context, prefix string, fn func(backend.Invalidation)) (func(), error) {
	stop, err := l.Backend.SubscribeInvalidations(ctx, prefix, func(inv backend.Invalidation) {
		if !strings.HasSuffix(inv.Key, ":k") {
			fn(inv)
			return
		}
		l.late.Go(func() {
			time.Sleep(lateDelay)
			fn(inv)
		})
	})
	if err != nil {
		return nil, err
	}
	return func() {
		stop()
		l.late.Wait()
	}, nil
}
