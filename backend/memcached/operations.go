package memcached

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Get returns the value stored under key; found is false, with a nil error, on a miss.
func (b *Backend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	const op = "get"
	if err := ValidateKey(key); err != nil {
		return nil, false, permanent(op, key, err)
	}
	if err := b.enter(ctx, op, key); err != nil {
		return nil, false, err
	}
	defer b.leave()
	item, err := b.client.Get(key)
	if errors.Is(err, memcache.ErrCacheMiss) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, opError(ctx, op, key, err)
	}
	return item.Value, true, nil
}

// Set stores value under key for ttl, rounded up to whole seconds, plus one second for
// memcached's coarse clock, at most MaxTTL (see the package documentation). A ttl <= 0
// fails with an error wrapping backend.ErrInvalidTTL, and a value longer than the
// MaxValueSize with one wrapping backend.ErrValueTooLarge; neither sends anything.
func (b *Backend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	const op = "set"
	if err := ValidateKey(key); err != nil {
		return permanent(op, key, err)
	}
	ttl, err := normalizeTTL(ttl)
	if err != nil {
		return permanent(op, key, err)
	}
	if len(value) > b.maxValueSize {
		return permanent(op, key, fmt.Errorf("%w: the value has %d bytes and at most %d fit in a memcached item",
			backend.ErrValueTooLarge, len(value), b.maxValueSize))
	}
	if err := b.enter(ctx, op, key); err != nil {
		return err
	}
	defer b.leave()
	err = b.client.Set(&memcache.Item{Key: key, Value: value, Expiration: expiration(ttl)})
	if err != nil {
		return opError(ctx, op, key, err)
	}
	return nil
}

// Delete removes key and reports whether an entry was there.
func (b *Backend) Delete(ctx context.Context, key string) (bool, error) {
	const op = "delete"
	if err := ValidateKey(key); err != nil {
		return false, permanent(op, key, err)
	}
	if err := b.enter(ctx, op, key); err != nil {
		return false, err
	}
	defer b.leave()
	err := b.client.Delete(key)
	if errors.Is(err, memcache.ErrCacheMiss) {
		return false, nil
	}
	if err != nil {
		return false, opError(ctx, op, key, err)
	}
	return true, nil
}

// Exists reports whether key holds a live entry. It asks with the meta command
// "mg <key>", which answers without sending the value and without touching the
// entry's lifetime; on a server older than memcached 1.6 it falls back to a get.
func (b *Backend) Exists(ctx context.Context, key string) (bool, error) {
	const op = "exists"
	if err := ValidateKey(key); err != nil {
		return false, permanent(op, key, err)
	}
	if err := b.enter(ctx, op, key); err != nil {
		return false, err
	}
	defer b.leave()
	found, err := b.metaExists(ctx, key)
	if errors.Is(err, ErrMetaUnsupported) {
		_, err = b.client.Get(key)
		if errors.Is(err, memcache.ErrCacheMiss) {
			return false, nil
		}
		found = err == nil
	}
	if err != nil {
		return false, opError(ctx, op, key, err)
	}
	return found, nil
}

// metaExists sends "mg <key>" and reads the hit or miss.
func (b *Backend) metaExists(ctx context.Context, key string) (bool, error) {
	line, err := b.meta.roundTrip(ctx, b.addrOf(key), "mg "+key+"\r\n")
	if err != nil {
		return false, err
	}
	switch {
	case line == "EN":
		return false, nil
	case line == "HD" || line == "OK":
		return true, nil
	}
	return false, replyError(line)
}

// replyError turns an unexpected reply line into an error: ErrMetaUnsupported for
// "ERROR" (an unknown command), a *ServerError for other error lines, else
// ErrMalformedResponse.
func replyError(line string) error {
	if line == "ERROR" {
		return ErrMetaUnsupported
	}
	if se, ok := parseServerError(line); ok {
		return se
	}
	return ErrMalformedResponse
}
