package cachekit

import (
	"context"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Set stores value under key, encoded as MessagePack (structs as maps by field name:
// msgpack tag, else json tag, else the field name), for Options.DefaultTTL or the TTL of
// WithTTL. The write goes to the backend first; the L1 takes the value, with the same
// TTL, only after the backend accepted it, so a failed Set leaves the L1 as it was. An
// encoded value above Options.MaxPayloadSize fails with KindPayloadTooLarge and nothing
// is written.
func (c *Client) Set(ctx context.Context, key string, value any, opts ...SetOption) error {
	return c.set(ctx, key, value, opts, c.encryptAll)
}

func (c *Client) set(ctx context.Context, key string, value any, opts []SetOption, encrypt bool) error {
	const op = "set"
	if err := c.check(op, key); err != nil {
		return err
	}
	ttl := c.defaultTTL
	for _, o := range opts {
		if o.hasTTL {
			t, err := c.checkTTL(op, key, o.ttl)
			if err != nil {
				return err
			}
			ttl = t
		}
	}
	data, err := c.encode(op, key, value, encrypt)
	if err != nil {
		return err
	}
	var gen uint64
	if c.l1 != nil {
		gen = c.l1.Generation(key)
	}
	ctx, span := c.tel.start(ctx, opSet, key)
	if err := c.backend.Set(backend.WithOrigin(ctx, c.id), c.storageKey(key), data, ttl); err != nil {
		err = c.backendFailure(op, key, err)
		span.end(resultNone, err)
		return err
	}
	span.end(resultOK, nil)
	if c.l1 != nil {
		c.l1.Store(key, data, ttl, gen)
	}
	return nil
}
