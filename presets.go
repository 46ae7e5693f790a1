package cachekit

import (
	"fmt"
	"os"
	"time"

	"github.com/cachekit-io/cachekit-go/backend/cachekitio"
	"github.com/cachekit-io/cachekit-go/reliability"
)

// Default TTLs of the intent presets (spec/intent-presets.md).
const (
	MinimalTTL    = 300 * time.Second
	ProductionTTL = 600 * time.Second
	SecureTTL     = 600 * time.Second
	IOTTL         = 3600 * time.Second
)

// The intent presets return Options for one operational intent, with the same meaning
// in every cachekit SDK. Set Options.Backend (and anything else) on the result, then
// call New. An explicit field set afterwards overrides the preset.
//
// The production and secure presets turn on the reliability stack (Options.Reliability:
// retry, circuit breaker, backpressure, with the defaults of package reliability); the
// minimal preset leaves it off.
//
// When the backend is unreachable, in every preset, the client's own reads and writes
// (Get, Set, Delete, ...) return a Backend* error to the caller: the client never hides
// an outage. With the reliability stack the error comes sooner once the breaker is open
// (KindBackendCircuitOpen) or the backend is saturated (KindBackendBackpressure). A
// function wrapped with Memoize runs uncached instead (fail open) and returns its own
// result; one memoized through encryption (the secure preset, or MemoSecure) returns
// the Backend* error instead (fail closed).

// MinimalOptions is the minimal preset: 300 s default TTL, L1 on, no cross-process
// invalidation, no stale-while-revalidate for memoized functions, no encryption, no
// reliability stack.
func MinimalOptions() Options {
	return Options{
		DefaultTTL: MinimalTTL,
		L1:         L1Options{NoInvalidation: true},
		NoSWR:      true,
	}
}

// ProductionOptions is the production preset: 600 s default TTL, L1 on and kept
// coherent across processes when the backend supports invalidations, the reliability
// stack on with its defaults, no encryption. Adjust the stack through the returned
// Options.Reliability (for example its OnStateChange).
func ProductionOptions() Options {
	return Options{DefaultTTL: ProductionTTL, Reliability: &reliability.Options{}}
}

// SecureOptions is the secure preset: 600 s default TTL, L1 on holding ciphertext only,
// the reliability stack on with its defaults, and every operation encrypted under
// masterKeyHex (hex, at least 32 bytes; exactly 32
// is the portable size). An empty masterKeyHex falls back to CACHEKIT_MASTER_KEY; with
// neither, New fails. The tenant is Options.Tenant, else CACHEKIT_DEPLOYMENT_UUID, else
// "default".
func SecureOptions(masterKeyHex string) Options {
	return Options{
		DefaultTTL:  SecureTTL,
		Encrypt:     true,
		MasterKey:   Secret(masterKeyHex),
		Reliability: &reliability.Options{},
	}
}

// IOOptions is the io preset: the cachekit.io backend, 3600 s default TTL, L1 on, and the
// reliability stack on. apiKey is the cachekit.io API key; empty means CACHEKIT_API_KEY.
// The backend's other settings come from CACHEKIT_API_URL, CACHEKIT_ALLOW_CUSTOM_HOST,
// CACHEKIT_TIMEOUT, CACHEKIT_MAX_RETRIES and CACHEKIT_CONNECTION_POOL_SIZE (see
// cachekitio.FromEnv). Retries are left to the cachekit.io client, which honours the
// server's Retry-After, so the middleware's own retry layer is off; the breaker and
// backpressure stay on. The returned Options own the backend (CloseBackend), so the
// client's Close closes it; if you do not call New with them, close Options.Backend
// yourself. A missing key or an invalid variable is a KindConfig error naming it.
func IOOptions(apiKey string) (Options, error) {
	lookup := os.LookupEnv
	if apiKey != "" {
		lookup = func(name string) (string, bool) {
			if name == cachekitio.EnvAPIKey {
				return apiKey, true
			}
			return os.LookupEnv(name)
		}
	}
	bo, err := cachekitio.LoadEnv(lookup)
	if err != nil {
		return Options{}, newError(KindConfig, "io preset", "", err)
	}
	b, err := cachekitio.New(bo)
	if err != nil {
		return Options{}, newError(KindConfig, "io preset", "", fmt.Errorf("the cachekit.io backend: %w", err))
	}
	return Options{
		Backend:      b,
		CloseBackend: true,
		DefaultTTL:   IOTTL,
		Reliability:  &reliability.Options{Retry: reliability.RetryOptions{Disabled: true}},
	}, nil
}
