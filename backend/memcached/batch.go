package memcached

import "context"

// GetMany returns the live entries among keys, fetched with one multi-key get per
// server, the servers in parallel. Absent keys are missing from the map; duplicate keys
// are fetched once. Any invalid key fails the whole call before anything is sent, and
// any server's failure fails it too: no partial map is returned with an error.
func (b *Backend) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	const op = "getmany"
	for _, key := range keys {
		if err := ValidateKey(key); err != nil {
			return nil, permanent(op, key, err)
		}
	}
	if err := b.enter(ctx, op, ""); err != nil {
		return nil, err
	}
	defer b.leave()
	if len(keys) == 0 {
		return map[string][]byte{}, nil
	}
	unique := dedupe(keys)
	items, err := b.client.GetMulti(unique)
	if err != nil {
		return nil, opError(ctx, op, "", err)
	}
	out := make(map[string][]byte, len(items))
	for k, it := range items {
		out[k] = it.Value
	}
	return out, nil
}

// dedupe returns keys without repeats, in first-seen order; it returns keys itself when
// there are none.
func dedupe(keys []string) []string {
	seen := make(map[string]struct{}, len(keys))
	out := keys[:0:0]
	for _, k := range keys {
		if _, ok := seen[k]; ok {
			continue
		}
		seen[k] = struct{}{}
		out = append(out, k)
	}
	if len(out) == len(keys) {
		return keys
	}
	return out
}
