package redis

import (
	"context"

	"github.com/redis/rueidis"
)

// GetMany fetches keys with MGET. In a Cluster the keys are grouped by hash slot and the
// per-slot MGETs are pipelined together, so the call is one round trip per node. Missing
// keys are absent from the result; duplicate keys are fetched once.
func (b *Backend) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	if err := b.checkOpen("get_many", ""); err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	octx, cancel := b.reads.bound(ctx)
	defer cancel()
	replies, err := rueidis.MGet(b.client, octx, keys)
	if err != nil {
		return nil, b.wrapError(ctx, "get_many", "", err)
	}
	for key, msg := range replies {
		if msg.IsNil() {
			continue
		}
		s, err := msg.ToString()
		if err != nil {
			return nil, b.wrapError(ctx, "get_many", key, err)
		}
		out[key] = []byte(s)
	}
	return out, nil
}
