package cachekit

import (
	"errors"
	"fmt"
	"time"
)

// Defaults of the memoizer options.
const (
	// DefaultMemoSWRRatio is the fraction of its TTL after which a memoized value is
	// stale (before the per-entry jitter in [0.9, 1.1)): 0.5.
	DefaultMemoSWRRatio = 0.5
	// DefaultMemoLoadTimeout bounds one run of a memoized function (5 s), the lifetime
	// of the lock other processes wait on.
	DefaultMemoLoadTimeout = 5 * time.Second
)

// MemoOption configures one memoized function; see Memoize.
type MemoOption func(*memoConfig)

// memoConfig is the configuration MemoOptions build. Invalid values are recorded in
// errs and reported by the constructor.
type memoConfig struct {
	ttl          time.Duration // 0: the client's DefaultTTL
	swrRatio     float64       // 0: stale-while-revalidate off
	negTTL       time.Duration // 0: failures are not cached
	negMatch     func(error) bool
	negTarget    error
	keyFunc      func(args ...any) (string, error)
	secure       bool
	loadTimeout  time.Duration
	onWriteError func(key string, err error)
	errs         []error
}

// MemoTTL sets the lifetime of memoized values; the default is the client's
// Options.DefaultTTL. Zero or negative is an error; sub-second values round up to 1 s.
func MemoTTL(ttl time.Duration) MemoOption {
	return func(c *memoConfig) {
		if ttl <= 0 {
			c.errs = append(c.errs, fmt.Errorf("MemoTTL: %w", ErrInvalidTTL))
			return
		}
		c.ttl = ttl
	}
}

// MemoSWR sets the stale-while-revalidate ratio: a value older than TTL x ratio x
// jitter (jitter drawn once per entry in [0.9, 1.1)) is stale, returned at once and
// refreshed in the background. ratio must be in (0, 1]; the default is
// DefaultMemoSWRRatio.
func MemoSWR(ratio float64) MemoOption {
	return func(c *memoConfig) {
		if !(ratio > 0 && ratio <= 1) {
			c.errs = append(c.errs, fmt.Errorf("MemoSWR: the ratio must be in (0, 1], got %v", ratio))
			return
		}
		c.swrRatio = ratio
	}
}

// MemoNoSWR turns stale-while-revalidate off: a value is fresh until it expires, and
// then the next call loads it again.
func MemoNoSWR() MemoOption {
	return func(c *memoConfig) { c.swrRatio = -1 }
}

// MemoCacheError caches failures of the function that match target (errors.Is) for
// ttl, a lifetime usually much shorter than the values'. While the cached failure
// lives, calls return an error matching both ErrCachedFailure and target, without
// running the function. See ErrCachedFailure for how it is stored.
func MemoCacheError(ttl time.Duration, target error) MemoOption {
	return func(c *memoConfig) {
		if target == nil {
			c.errs = append(c.errs, errors.New("MemoCacheError: the target error is nil"))
			return
		}
		c.setNegative("MemoCacheError", ttl, func(err error) bool { return errors.Is(err, target) }, target)
	}
}

// MemoCacheErrorFunc caches failures of the function for which match returns true, for
// ttl. While the cached failure lives, calls return an error matching
// ErrCachedFailure, without running the function. match runs on the goroutine that ran
// the function and must not block.
func MemoCacheErrorFunc(ttl time.Duration, match func(error) bool) MemoOption {
	return func(c *memoConfig) {
		if match == nil {
			c.errs = append(c.errs, errors.New("MemoCacheErrorFunc: the match function is nil"))
			return
		}
		c.setNegative("MemoCacheErrorFunc", ttl, match, nil)
	}
}

func (c *memoConfig) setNegative(name string, ttl time.Duration, match func(error) bool, target error) {
	if ttl <= 0 {
		c.errs = append(c.errs, fmt.Errorf("%s: %w", name, ErrInvalidTTL))
		return
	}
	c.negTTL, c.negMatch, c.negTarget = ttl, match, target
}

// MemoKeyFunc replaces the interop/v1 key: key receives the call's arguments, in
// order, and returns the entry's key, stored as "{namespace}:{key}" like a key passed
// to Client.Set (1 to 1024 bytes, no control bytes). Keys built this way are not shared
// with other SDKs, and the client needs no interop-valid namespace. An error from key,
// or a key breaking the key rules, fails the call with KindInvalidKey without running
// the function. key must be a pure function of its arguments.
func MemoKeyFunc(key func(args ...any) (string, error)) MemoOption {
	return func(c *memoConfig) {
		if key == nil {
			c.errs = append(c.errs, errors.New("MemoKeyFunc: the key function is nil"))
			return
		}
		c.keyFunc = key
	}
}

// MemoSecure memoizes through the client's encryption (as Client.Secure does): values
// are stored as AES-256-GCM ciphertext, and the memoizer fails closed: when the cache
// cannot be read it returns the error instead of running the function uncached. The
// client needs a master key. A client with Options.Encrypt memoizes this way without
// the option.
func MemoSecure() MemoOption {
	return func(c *memoConfig) { c.secure = true }
}

// MemoLoadTimeout bounds one run of the function (DefaultMemoLoadTimeout when not
// given). Keep it within the 5 s lifetime of the cross-process lock, or another process
// may start loading the same key.
func MemoLoadTimeout(d time.Duration) MemoOption {
	return func(c *memoConfig) {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Errorf("MemoLoadTimeout: the timeout must be positive, got %v", d))
			return
		}
		c.loadTimeout = d
	}
}

// MemoOnWriteError sets a hook that receives every failure to write a result (or a
// cached failure) to the cache: the storage key and an *Error (KindSerialization,
// KindPayloadTooLarge, KindEncryption or a Backend kind). It runs on the goroutine that
// ran the function, before waiting callers are answered, and must not block. Such failures are also logged as warnings and counted in
// Stats().Memo.WriteErrors; they are never returned to the callers.
func MemoOnWriteError(hook func(key string, err error)) MemoOption {
	return func(c *memoConfig) { c.onWriteError = hook }
}
