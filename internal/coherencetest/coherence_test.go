package coherencetest

import (
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// Rounds per scenario: each runs the poll and the marker variant once.
const (
	rounds        = 10
	cliRounds     = 5
	restartRounds = 3
	ownRounds     = 5
)

// setBy is a Set of the key to value by w.
func setBy(w writer, value string) change {
	return change{apply: func(t tb, key string) { w.set(t, key, value) }, want: value}
}

// deleteBy is a Delete of the key by w: the reader must end up with a miss.
func deleteBy(w writer) change {
	return change{apply: func(t tb, key string) { w.del(t, key) }, want: missResult}
}

// TestCoherenceTracking: a reader and a writer process on one standalone server with
// RESP3 client tracking, the writer being a cachekit client or redis-cli; then FLUSHALL
// and a server restart.
func TestCoherenceTracking(t *testing.T) {
	if testserver.SkipIntegration() {
		t.Skip("CACHEKIT_SKIP_INTEGRATION=1")
	}
	srv := startRedis(t)
	rd := startReader(t, "tracking", readerConfig{Addrs: []string{srv.Addr}, Mode: "tracking"})
	gw := newGoWriter(t, []string{srv.Addr}, "tracking")
	cli := newCLIWriter(t, srv.Addr)

	// First: ownWriteRound needs a reader that has seen no foreign write yet.
	t.Run("own-write", func(t *testing.T) {
		for range ownRounds {
			ownWriteRound(t, rd, gw)
		}
	})
	t.Run("set/go", func(t *testing.T) { runRounds(t, rd, gw, setBy(gw, "v2"), rounds) })
	t.Run("delete/go", func(t *testing.T) { runRounds(t, rd, gw, deleteBy(gw), rounds) })
	t.Run("set/redis-cli", func(t *testing.T) {
		// "v3" is a2 76 33 on the wire: a MessagePack fixstr of length 2.
		runRounds(t, rd, cli, setBy(cli, "v3"), cliRounds)
	})
	t.Run("delete/redis-cli", func(t *testing.T) { runRounds(t, rd, cli, deleteBy(cli), cliRounds) })
	t.Run("flushall/redis-cli", func(t *testing.T) {
		runRounds(t, rd, cli, change{
			apply:       func(t tb, _ string) { cli.flushAll(t) },
			want:        missResult,
			markerAfter: []string{missResult, markerNew}, // the flush may be seen before the marker write
		}, cliRounds)
	})
	// Last: the restarted server comes back empty, and the subscriptions reconnect.
	t.Run("restart", func(t *testing.T) {
		runRounds(t, rd, gw, change{
			apply: func(t tb, key string) {
				srv.Restart()
				gw.set(t, key, "v2") // retried until the writer has reconnected
			},
			want: "v2",
			// While the server is down the reader's Gets fail; after it is back and before
			// the write, they miss.
			interim:     []string{errorResult, missResult},
			markerAfter: []string{markerNew, errorResult},
			pollBound:   15 * time.Second,
			settle:      func(t tb) { awaitSubscribed(t, rd, gw) },
		}, restartRounds)
	})
}

// TestCoherencePubSub: the same Go-to-Go scenarios over the pub/sub fallback, forced on
// both processes.
func TestCoherencePubSub(t *testing.T) {
	if testserver.SkipIntegration() {
		t.Skip("CACHEKIT_SKIP_INTEGRATION=1")
	}
	srv := startRedis(t)
	rd := startReader(t, "pubsub", readerConfig{Addrs: []string{srv.Addr}, Mode: "pubsub"})
	gw := newGoWriter(t, []string{srv.Addr}, "pubsub")

	// First: ownWriteRound needs a reader that has seen no foreign write yet.
	t.Run("own-write", func(t *testing.T) {
		for range ownRounds {
			ownWriteRound(t, rd, gw)
		}
	})
	t.Run("set/go", func(t *testing.T) { runRounds(t, rd, gw, setBy(gw, "v2"), rounds) })
	t.Run("delete/go", func(t *testing.T) { runRounds(t, rd, gw, deleteBy(gw), rounds) })
}

// TestCoherenceCluster: the Go-to-Go scenarios on a 3-master Redis Cluster, where the
// reader tracks every node on its own connection. Each round's keys carry a new hash
// tag, so the rounds spread over the nodes.
func TestCoherenceCluster(t *testing.T) {
	if testserver.SkipIntegration() {
		t.Skip("CACHEKIT_SKIP_INTEGRATION=1")
	}
	cluster := testserver.StartRedisCluster(t, 3)
	rd := startReader(t, "cluster", readerConfig{Addrs: cluster.Addrs(), Mode: "tracking"})
	gw := newGoWriter(t, cluster.Addrs(), "tracking")

	// First: ownWriteRound needs a reader that has seen no foreign write yet.
	t.Run("own-write", func(t *testing.T) {
		for range ownRounds {
			ownWriteRound(t, rd, gw)
		}
	})
	t.Run("set/go", func(t *testing.T) { runRounds(t, rd, gw, setBy(gw, "v2"), rounds) })
	t.Run("delete/go", func(t *testing.T) { runRounds(t, rd, gw, deleteBy(gw), rounds) })
}
