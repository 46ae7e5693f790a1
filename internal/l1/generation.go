package l1

import (
	"hash/maphash"
	"sync/atomic"
)

// generationStripes is the number of generation counters. Keys hash onto them; a
// collision only makes a backfill or write give way when it did not need to.
const generationStripes = 1024

// generations is the striped table of per-key generation counters.
type generations struct {
	seed     maphash.Seed
	counters [generationStripes]atomic.Uint64
}

func (g *generations) of(key string) *atomic.Uint64 {
	return &g.counters[maphash.String(g.seed, key)%generationStripes]
}
