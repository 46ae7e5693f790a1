package redis

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/internal/testserver"
)

// killSubscriptionConn closes the subscription's connection from the server side
// (CLIENT KILL ID), as a network failure or a proxy would. It is the connection with
// client tracking on (flag t) on the tracking path, the one subscribed to a channel on
// the pub/sub path; rueidis' other connections and testserver's have neither.
func killSubscriptionConn(t *testing.T, srv *testserver.Redis, mode InvalidationMode) {
	t.Helper()
	clients, err := srv.Clients()
	if err != nil {
		t.Fatalf("CLIENT LIST: %v", err)
	}
	var ids []string
	for _, c := range clients {
		if mode == InvalidationTracking && strings.Contains(c["flags"], "t") ||
			mode == InvalidationPubSub && c["sub"] != "" && c["sub"] != "0" {
			ids = append(ids, c["id"])
		}
	}
	if len(ids) != 1 {
		t.Fatalf("found %d subscription connections (%v), want 1", len(ids), ids)
	}
	if _, err := srv.Do("CLIENT", "KILL", "ID", ids[0]); err != nil {
		t.Fatalf("CLIENT KILL ID %s: %v", ids[0], err)
	}
}

// isFlush reports whether inv is a flush-all with the given Disconnected flag.
func isFlush(disconnected bool) func(backend.Invalidation) bool {
	return func(inv backend.Invalidation) bool { return inv.Key == "" && inv.Disconnected == disconnected }
}

// TestLostConnectionIsReported kills the subscription's connection on both paths and
// proves the contract of Invalidation.Disconnected: a flush-all marked Disconnected
// comes first, a plain flush-all after it once the subscription is back, nothing
// about a key is marked, and notifications flow again afterwards.
func TestLostConnectionIsReported(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv, b := standalone(t, Options{Invalidation: m.mode})
			rec := subscribe(t, b, "d:")
			// A writer that publishes, so that the pub/sub path hears it too.
			writer := newBackend(t, Options{Addrs: []string{srv.Addr}, PublishInvalidations: true})
			if err := writer.Set(testCtx(t), "d:before", []byte("v"), time.Minute); err != nil {
				t.Fatal(err)
			}
			rec.waitFor(t, "for d:before", keyIs("d:before"))
			if got := slices.IndexFunc(rec.snapshot(), isFlush(true)); got >= 0 {
				t.Fatalf("a flush marked Disconnected before any failure: %+v", rec.snapshot())
			}

			killSubscriptionConn(t, srv, m.mode)
			rec.waitFor(t, "marked Disconnected after the kill", isFlush(true))
			deadline := time.Now().Add(10 * time.Second)
			for {
				got := rec.snapshot()
				lost := slices.IndexFunc(got, isFlush(true))
				if slices.ContainsFunc(got[lost+1:], isFlush(false)) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no plain flush-all after the Disconnected one; got %+v", got)
				}
				time.Sleep(5 * time.Millisecond)
			}
			// Back: the next write is heard, on a new connection.
			if err := writer.Set(testCtx(t), "d:after", []byte("v"), time.Minute); err != nil {
				t.Fatal(err)
			}
			rec.waitFor(t, "for d:after", keyIs("d:after"))
			got := rec.snapshot()
			for _, inv := range got {
				if inv.Disconnected && inv.Key != "" {
					t.Errorf("notification about a key marked Disconnected: %+v", inv)
				}
			}
			var lastFlush backend.Invalidation
			for _, inv := range got {
				if inv.Key == "" {
					lastFlush = inv
				}
			}
			if lastFlush.Disconnected {
				t.Errorf("the last flush-all is marked Disconnected while notifications flow: %+v", got)
			}
		})
	}
}
