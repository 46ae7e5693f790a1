// Command benchtable turns the output of run.sh (go test -bench results, plus the
// redis-benchmark ceiling lines) into Markdown tables for BENCHMARKS.md.
//
//	go run ./cmd/benchtable results/bench-20250101-120000.txt > table.md
//
// Benchmarks are named key=value with the implementation last
// (BenchmarkRedis/op=get/par=8/impl=go-redis). For every case (the name without impl=)
// it prints one row per implementation with the median of each measure over the -count
// runs, the spread of ns/op around that median, ops/s (1e9 / ns/op: for the parallel
// benchmarks this is the throughput of all callers together) and the ratio
// cachekit ops/s ÷ this row's ops/s, so a ratio above 1 means cachekit did more
// operations per second. A case without an impl=cachekit row gets no ratios. Rows of
// BenchmarkRedisCeiling give the ceiling: each cachekit Redis figure as a share of what
// redis-benchmark reached against the same server.
//
// Lines that are not benchmark results are ignored, so the whole go test output can be
// given as is. Several files may be given; their samples are pooled.
package main
