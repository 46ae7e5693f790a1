package cachekit

import (
	"context"
	"errors"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Get decodes the value stored under key into dst, a non-nil pointer, and reports
// whether there was one. A miss is found == false with a nil error. Stored bytes that
// cannot be read (another container, another SDK's format, a type mismatch) are a
// KindSerialization error, never a miss. The L1 answers first; on an L1 miss the value
// read from the backend enters the L1 for min(DefaultTTL, L1.BackfillTTL).
func (c *Client) Get(ctx context.Context, key string, dst any) (found bool, err error) {
	return c.get(ctx, key, dst, c.encryptAll)
}

func (c *Client) get(ctx context.Context, key string, dst any, encrypt bool) (bool, error) {
	const op = "get"
	if err := c.check(op, key); err != nil {
		return false, err
	}
	if c.l1 != nil {
		if e, ok := c.l1.Get(key); ok {
			c.stats.l1Hits.Add(1)
			data, err := c.unwrap(op, key, e.Value, encrypt)
			if err != nil {
				return false, err
			}
			if err := c.decode(op, key, data, dst, encrypt); err != nil {
				return false, err
			}
			c.tel.count(opGet, resultL1Hit)
			return true, nil
		}
	}
	ctx, span := c.tel.start(ctx, opGet, key)
	found, err := c.getFromBackend(ctx, op, key, dst, encrypt)
	span.end(lookupResult(found), err)
	return found, err
}

// getFromBackend is the L1 miss path of get.
func (c *Client) getFromBackend(ctx context.Context, op, key string, dst any, encrypt bool) (bool, error) {
	data, found, err := c.fetch(ctx, op, key, encrypt)
	if err != nil || !found {
		return false, err
	}
	if err := c.decode(op, key, data, dst, encrypt); err != nil {
		return false, err
	}
	return true, nil
}

// fetch reads key from the backend, unwraps it and backfills the L1 with the stored
// bytes. Bytes that do not unwrap (decrypt, open as an envelope) never enter the L1.
func (c *Client) fetch(ctx context.Context, op, key string, encrypt bool) ([]byte, bool, error) {
	var gen uint64
	if c.l1 != nil {
		gen = c.l1.Generation(key) // before the read: see internal/l1's coherence rules
	}
	stored, fresh, found, err := c.backendGet(ctx, c.storageKey(key))
	if err != nil {
		return nil, false, c.backendFailure(op, key, err)
	}
	if !found {
		c.stats.misses.Add(1)
		return nil, false, nil
	}
	c.stats.l2Hits.Add(1)
	data, err := c.unwrap(op, key, stored, encrypt)
	if err != nil {
		return nil, false, err
	}
	if c.l1 != nil {
		beforeBackfill(key)
		c.backfill(key, stored, c.backfillTTL, fresh, gen)
	}
	return data, true, nil
}

// beforeBackfill is a test hook: tests replace it to act between the backend read and
// the L1 backfill of a Get. It is a no-op in production.
var beforeBackfill = func(string) {}

// Value is one stored value fetched by GetMany, already decrypted and taken out of its
// container. Decode it into the type you expect.
type Value struct {
	c         *Client
	key       string
	data      []byte
	encrypted bool
}

// Decode decodes the value into dst, a non-nil pointer. A type mismatch is a
// KindSerialization error.
func (v Value) Decode(dst any) error {
	if v.c == nil {
		return newError(KindSerialization, "decode", "", errEmptyValue)
	}
	return v.c.decode("decode", v.key, v.data, dst, v.encrypted)
}

var errEmptyValue = errors.New("the Value holds no entry (the zero Value of a key absent from GetMany's result)")

// GetMany fetches several keys: L1 first, then the backend for the rest, in one round
// trip when it implements backend.BatchGetter (otherwise one Get per key). Absent keys
// are missing from the map. Every key is validated before anything is read, and a stored
// value that cannot be decrypted or unwrapped fails the whole call, naming its key.
func (c *Client) GetMany(ctx context.Context, keys []string) (map[string]Value, error) {
	return c.getMany(ctx, keys, c.encryptAll)
}

func (c *Client) getMany(ctx context.Context, keys []string, encrypt bool) (map[string]Value, error) {
	const op = "get many"
	for _, key := range keys {
		if err := c.check(op, key); err != nil {
			return nil, err
		}
	}
	out := make(map[string]Value, len(keys))
	var missing []string
	for _, key := range keys {
		if _, dup := out[key]; dup {
			continue
		}
		if c.l1 != nil {
			if e, ok := c.l1.Get(key); ok {
				c.stats.l1Hits.Add(1)
				data, err := c.unwrap(op, key, e.Value, encrypt)
				if err != nil {
					return nil, err
				}
				out[key] = Value{c: c, key: key, data: data, encrypted: encrypt}
				c.tel.count(opGetMany, resultL1Hit)
				continue
			}
		}
		missing = append(missing, key)
	}
	if len(missing) == 0 {
		return out, nil
	}
	ctx, span := c.tel.start(ctx, opGetMany, "")
	span.set(attrBatchSize.Int(len(missing)))
	err := c.getManyFromBackend(ctx, op, missing, out, encrypt)
	span.end(resultNone, err) // each key counted its own outcome
	if err != nil {
		return nil, err
	}
	return out, nil
}

// getManyFromBackend is the L1 miss path of getMany: it adds the values of missing
// found in the backend to out.
func (c *Client) getManyFromBackend(ctx context.Context, op string, missing []string, out map[string]Value, encrypt bool) error {
	batch, ok := c.backend.(backend.BatchGetter)
	if !ok {
		for _, key := range missing {
			if _, dup := out[key]; dup {
				continue
			}
			data, found, err := c.fetch(ctx, op, key, encrypt)
			if err != nil {
				return err
			}
			c.tel.count(opGetMany, lookupResult(found))
			if found {
				out[key] = Value{c: c, key: key, data: data, encrypted: encrypt}
			}
		}
		return nil
	}

	gens := make([]uint64, len(missing))
	storageKeys := make([]string, len(missing))
	for i, key := range missing {
		if c.l1 != nil {
			gens[i] = c.l1.Generation(key)
		}
		storageKeys[i] = c.storageKey(key)
	}
	found, err := batch.GetMany(ctx, storageKeys)
	if err != nil {
		return c.backendFailure(op, "", err)
	}
	for i, key := range missing {
		if _, done := out[key]; done {
			continue
		}
		stored, ok := found[storageKeys[i]]
		if !ok {
			c.stats.misses.Add(1)
			c.tel.count(opGetMany, resultMiss)
			continue
		}
		c.stats.l2Hits.Add(1)
		data, err := c.unwrap(op, key, stored, encrypt)
		if err != nil {
			return err
		}
		if c.l1 != nil {
			c.l1.Backfill(key, stored, c.backfillTTL, gens[i])
		}
		out[key] = Value{c: c, key: key, data: data, encrypted: encrypt}
		c.tel.count(opGetMany, resultL2Hit)
	}
	return nil
}

// Exists reports whether a live entry is stored under key. An L1 entry answers without
// asking the backend.
func (c *Client) Exists(ctx context.Context, key string) (bool, error) {
	const op = "exists"
	if err := c.check(op, key); err != nil {
		return false, err
	}
	if c.l1 != nil {
		if _, ok := c.l1.Get(key); ok {
			c.tel.count(opExists, resultL1Hit)
			return true, nil
		}
	}
	ctx, span := c.tel.start(ctx, opExists, key)
	ok, err := c.backend.Exists(ctx, c.storageKey(key))
	if err != nil {
		err = c.backendFailure(op, key, err)
		span.end(resultNone, err)
		return false, err
	}
	span.end(lookupResult(ok), nil)
	return ok, nil
}

// TTL returns the remaining lifetime of the backend entry under key (backend.NoExpiry
// for none) and whether it exists. It needs a backend implementing backend.TTLInspector,
// else it fails with ErrNotSupported (KindConfig).
func (c *Client) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	const op = "ttl"
	if err := c.check(op, key); err != nil {
		return 0, false, err
	}
	ti, ok := c.backend.(backend.TTLInspector)
	if !ok {
		return 0, false, c.fail(newError(KindConfig, op, key, ErrNotSupported))
	}
	ctx, span := c.tel.start(ctx, opTTL, key)
	ttl, found, err := ti.TTL(ctx, c.storageKey(key))
	if err != nil {
		err = c.backendFailure(op, key, err)
		span.end(resultNone, err)
		return 0, false, err
	}
	span.end(resultOK, nil)
	return ttl, found, nil
}

// RefreshTTL sets the remaining lifetime of the existing entry under key to ttl without
// rewriting it, and reports whether there was one. It needs a backend implementing
// backend.TTLInspector. The L1 copy is dropped, so the next read takes the new lifetime
// into account.
func (c *Client) RefreshTTL(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	const op = "refresh ttl"
	if err := c.check(op, key); err != nil {
		return false, err
	}
	ttl, err := c.checkTTL(op, key, ttl)
	if err != nil {
		return false, err
	}
	ti, ok := c.backend.(backend.TTLInspector)
	if !ok {
		return false, c.fail(newError(KindConfig, op, key, ErrNotSupported))
	}
	if c.l1 != nil {
		c.l1.Invalidate(key)
	}
	ctx, span := c.tel.start(ctx, opRefreshTTL, key)
	refreshed, err := ti.RefreshTTL(backend.WithOrigin(ctx, c.id), c.storageKey(key), ttl)
	if err != nil {
		err = c.backendFailure(op, key, err)
		span.end(resultNone, err)
		return false, err
	}
	span.end(resultOK, nil)
	return refreshed, nil
}
