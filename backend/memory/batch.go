package memory

import "context"

// GetMany returns copies of the live entries among keys; absent, expired and repeated
// keys simply have no (further) entry in the map. It never returns a nil map without an
// error.
func (b *Backend) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	if err := b.usable(ctx, "get_many", ""); err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		if _, done := out[k]; done {
			continue
		}
		if e, ok := b.lookup(k); ok {
			out[k] = clone(e.value)
		}
	}
	return out, nil
}
