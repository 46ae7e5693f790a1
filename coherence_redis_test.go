package cachekit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend/redis"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// TestRedisSubscriptionLossInStats kills the client's invalidation connection on a real
// redis-server (CLIENT KILL ID) on both delivery paths, and checks what the client makes
// of it: one disconnect, the L1 emptied, Connected again once the backend resubscribed,
// and backfill working after that.
func TestRedisSubscriptionLossInStats(t *testing.T) {
	for _, tt := range []struct {
		name string
		mode redis.InvalidationMode
		// isSubscription tells the subscription's connection in CLIENT LIST.
		isSubscription func(client map[string]string) bool
	}{
		{"tracking", redis.InvalidationTracking, func(c map[string]string) bool { return strings.Contains(c["flags"], "t") }},
		{"pubsub", redis.InvalidationPubSub, func(c map[string]string) bool { return c["sub"] != "" && c["sub"] != "0" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			srv := testserver.StartRedis(t, testserver.RedisOptions{})
			b, err := redis.New(redis.Options{Addrs: []string{srv.Addr}, Invalidation: tt.mode})
			if err != nil {
				t.Fatalf("redis.New: %v", err)
			}
			c := newClient(t, Options{Backend: b, CloseBackend: true, Namespace: "app"})
			wantCoherence(t, c, "after New", CoherenceStats{Subscribed: true, Connected: true})

			if err := c.Set(ctx, "k", "v"); err != nil {
				t.Fatal(err)
			}
			if _, ok := c.l1.Get("k"); !ok {
				t.Fatal("Set did not write through before the failure")
			}
			clients, err := srv.Clients()
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, cl := range clients {
				if tt.isSubscription(cl) {
					ids = append(ids, cl["id"])
				}
			}
			if len(ids) != 1 {
				t.Fatalf("found %d subscription connections (%v), want 1", len(ids), ids)
			}
			if _, err := srv.Do("CLIENT", "KILL", "ID", ids[0]); err != nil {
				t.Fatalf("CLIENT KILL ID: %v", err)
			}

			deadline := time.Now().Add(10 * time.Second)
			for s := c.Stats().Coherence; s.Disconnects == 0 || !s.Connected; s = c.Stats().Coherence {
				if time.Now().After(deadline) {
					t.Fatalf("no disconnect and recovery within 10 s: %+v", s)
				}
				time.Sleep(5 * time.Millisecond)
			}
			wantCoherence(t, c, "after the recovery", CoherenceStats{Subscribed: true, Connected: true, Disconnects: 1})
			if s := c.Stats(); s.L1Flushes < 2 {
				t.Errorf("L1Flushes = %d, want at least the disconnected flush and the recovery's", s.L1Flushes)
			}
			if _, ok := c.l1.Get("k"); ok {
				t.Error("the entry written before the failure survived it")
			}

			before := c.Stats()
			for range 2 {
				if got, found, err := Get[string](ctx, c, "k"); err != nil || !found || got != "v" {
					t.Fatalf("Get after the recovery = %q, %v, %v", got, found, err)
				}
			}
			after := c.Stats()
			if after.L2Hits-before.L2Hits != 1 || after.L1Hits-before.L1Hits != 1 {
				t.Errorf("two reads after the recovery: %d from the backend, %d from the L1; want 1 and 1 (backfill resumed)",
					after.L2Hits-before.L2Hits, after.L1Hits-before.L1Hits)
			}
		})
	}
}
