package cachekit

import "context"

// Cache is what Client and SecureClient have in common, and what the typed helpers Get
// and GetMany take.
type Cache interface {
	Get(ctx context.Context, key string, dst any) (found bool, err error)
	GetMany(ctx context.Context, keys []string) (map[string]Value, error)
	Set(ctx context.Context, key string, value any, opts ...SetOption) error
	Delete(ctx context.Context, key string) (deleted bool, err error)
	Exists(ctx context.Context, key string) (bool, error)
}

var (
	_ Cache = (*Client)(nil)
	_ Cache = (*SecureClient)(nil)
)

// Get returns the value of type T stored under key, and whether there was one.
//
//	user, found, err := cachekit.Get[User](ctx, c, "user:42")
func Get[T any](ctx context.Context, c Cache, key string) (T, bool, error) {
	var v T
	found, err := c.Get(ctx, key, &v)
	if err != nil || !found {
		var zero T
		return zero, false, err
	}
	return v, true, nil
}

// GetMany returns the values of type T stored under keys; absent keys are missing from
// the map. A value that does not decode as T fails the call.
func GetMany[T any](ctx context.Context, c Cache, keys []string) (map[string]T, error) {
	values, err := c.GetMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]T, len(values))
	for k, v := range values {
		var t T
		if err := v.Decode(&t); err != nil {
			return nil, err
		}
		out[k] = t
	}
	return out, nil
}
