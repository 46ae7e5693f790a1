package memory

import (
	"context"
	"errors"
	"fmt"

	"github.com/cachekit-io/cachekit-go/backend"
)

// name is the backend's name in errors and in HealthStatus.
const name = "memory"

var (
	// ErrInvalidOptions is returned (wrapped, with the field at fault) by New.
	ErrInvalidOptions = errors.New("memory: the options are not valid")
	// ErrNilCallback is returned (wrapped) by SubscribeInvalidations for a nil fn.
	ErrNilCallback = errors.New("memory: the invalidation callback is nil")
)

// usable returns the error a call must fail with before doing anything: the context's,
// or backend.ErrClosed after Close.
func (b *Backend) usable(ctx context.Context, op, key string) error {
	if err := ctx.Err(); err != nil {
		return backend.ContextError(name, op, key, err)
	}
	if b.closed.Load() {
		return backend.NewError(backend.KindPermanent, name, op, key, backend.ErrClosed)
	}
	return nil
}

// permanent wraps err as a permanent failure of op on key.
func permanent(op, key string, err error) error {
	return backend.NewError(backend.KindPermanent, name, op, key, err)
}

// valueTooLarge says by how much a value missed the limit, without its content.
func valueTooLarge(size, limit int) error {
	return fmt.Errorf("%w: %d bytes, limit %d", backend.ErrValueTooLarge, size, limit)
}
