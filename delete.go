package cachekit

import (
	"context"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Delete removes the entry under key and reports whether the backend held a live one.
// The L1 copy goes first, so it is gone even when the backend call fails; it is dropped
// again after the backend call, so a read that raced the delete cannot put the old value
// back.
func (c *Client) Delete(ctx context.Context, key string) (bool, error) {
	const op = "delete"
	if err := c.check(op, key); err != nil {
		return false, err
	}
	if c.l1 != nil {
		c.l1.Invalidate(key)
	}
	ctx, span := c.tel.start(ctx, opDelete, key)
	deleted, err := c.backend.Delete(backend.WithOrigin(ctx, c.id), c.storageKey(key))
	if c.l1 != nil {
		c.l1.Invalidate(key)
	}
	if err != nil {
		err = c.backendFailure(op, key, err)
		span.end(resultNone, err)
		return false, err
	}
	span.end(resultOK, nil)
	return deleted, nil
}
