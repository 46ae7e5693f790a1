package cachekit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/cachekit-io/cachekit-go/reliability"
)

func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    Options
		want string // part of the message naming what is wrong
	}{
		{"namespace too long", Options{Namespace: strings.Repeat("n", 256)}, "Options.Namespace"},
		{"namespace control byte", Options{Namespace: "app\n"}, "Options.Namespace"},
		{"namespace DEL", Options{Namespace: "app\x7f"}, "Options.Namespace"},
		{"namespace non-ASCII", Options{Namespace: "caché"}, "Options.Namespace"},
		{"negative default TTL", Options{DefaultTTL: -time.Second}, "Options.DefaultTTL"},
		{"negative payload size", Options{MaxPayloadSize: -1}, "Options.MaxPayloadSize"},
		{"unknown container", Options{Container: 7}, "Options.Container"},
		{"negative backfill TTL", Options{L1: L1Options{BackfillTTL: -1}}, "Options.L1.BackfillTTL"},
		{"negative L1 capacity", Options{L1: L1Options{Capacity: -1}}, "Options.L1"},
		{"negative L1 bytes", Options{L1: L1Options{MaxBytes: -1}}, "Options.L1"},
		{"encrypt without a key", Options{Encrypt: true}, "master key"},
		{"short master key", Options{MasterKey: Secret(strings.Repeat("ab", 16))}, "Options.MasterKey"},
		{"non-hex master key", Options{MasterKey: Secret(strings.Repeat("zz", 32))}, "Options.MasterKey"},
		{"too many previous keys", Options{MasterKey: Secret(testKeyA), PreviousMasterKeys: []Secret{
			Secret(testKeyB), Secret(testKeyC), Secret(strings.Repeat("d4", 32)), Secret(strings.Repeat("e5", 32))}},
			"Options.PreviousMasterKeys"},
		{"bad previous key", Options{MasterKey: Secret(testKeyA), PreviousMasterKeys: []Secret{"00"}}, "Options.PreviousMasterKeys entry 1"},
		{"previous key without current", Options{PreviousMasterKeys: []Secret{Secret(testKeyB)}}, "current master key"},
		{"current key among previous", Options{MasterKey: Secret(testKeyA), PreviousMasterKeys: []Secret{Secret(testKeyA)}}, "master keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.o.Env = noEnv
			c, err := New(tt.o)
			if err == nil {
				_ = c.Close()
				t.Fatal("New succeeded")
			}
			wantKind(t, err, KindConfig)
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			for _, k := range []string{testKeyA, testKeyB} {
				if strings.Contains(strings.ToLower(err.Error()), k[:16]) {
					t.Errorf("error %q contains key material", err)
				}
			}
		})
	}
}

func TestKeyRules(t *testing.T) {
	t.Parallel()
	c, fb := newFakeClient(t, Options{})
	ctx := context.Background()
	bad := map[string]string{
		"empty":      "",
		"1025 bytes": strings.Repeat("k", 1025),
		"NUL":        "a\x00b",
		"newline":    "a\nb",
		"0x1f":       "a\x1fb",
		"DEL":        "a\x7fb",
	}
	for name, key := range bad {
		t.Run(name, func(t *testing.T) {
			ops := map[string]error{}
			ops["set"] = c.Set(ctx, key, "v")
			_, ops["get"] = c.Get(ctx, key, new(string))
			_, ops["delete"] = c.Delete(ctx, key)
			_, ops["exists"] = c.Exists(ctx, key)
			_, ops["get many"] = c.GetMany(ctx, []string{"fine", key})
			_, _, ops["ttl"] = c.TTL(ctx, key)
			_, ops["refresh ttl"] = c.RefreshTTL(ctx, key, time.Minute)
			for op, err := range ops {
				wantKind(t, err, KindInvalidKey)
				if len(key) > 0 && strings.Contains(err.Error(), key) {
					t.Errorf("%s: error repeats the key: %q", op, err)
				}
			}
		})
	}
	if n := fb.gets.Load() + fb.sets.Load() + fb.deletes.Load() + fb.exists.Load(); n != 0 {
		t.Errorf("invalid keys reached the backend %d times", n)
	}
	// The limits themselves are fine.
	for _, key := range []string{"k", strings.Repeat("k", 1024), "with space ~ and unicode é"} {
		if err := c.Set(ctx, key, "v"); err != nil {
			t.Errorf("Set(%d-byte key) = %v", len(key), err)
		}
	}
}

func TestStorageKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, ns := range []string{"", "myapp", "a", strings.Repeat("n", 255), "with space:and:colons"} {
		c, fb := newFakeClient(t, Options{Namespace: ns})
		if err := c.Set(ctx, "user:42", 1); err != nil {
			t.Fatal(err)
		}
		want := "user:42"
		if ns != "" {
			want = ns + ":user:42"
		}
		if _, ok := fb.raw(want); !ok {
			t.Errorf("namespace %q: nothing stored under %q", ns, want)
		}
	}
}

func TestTTLRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb := newFakeClient(t, Options{})
	for _, ttl := range []time.Duration{0, -time.Second, -1} {
		err := c.Set(ctx, "k", "v", WithTTL(ttl))
		wantKind(t, err, KindConfig)
		if !errors.Is(err, ErrInvalidTTL) {
			t.Errorf("WithTTL(%v): %v does not wrap ErrInvalidTTL", ttl, err)
		}
		_, err = c.RefreshTTL(ctx, "k", ttl)
		if !errors.Is(err, ErrInvalidTTL) {
			t.Errorf("RefreshTTL(%v) = %v, want ErrInvalidTTL", ttl, err)
		}
	}
	if fb.sets.Load() != 0 {
		t.Fatal("a Set with a bad TTL reached the backend")
	}
	tests := []struct {
		give, want time.Duration
	}{
		{time.Nanosecond, time.Second},
		{999 * time.Millisecond, time.Second},
		{1500 * time.Millisecond, 2 * time.Second},
		{time.Hour, time.Hour},
	}
	for _, tt := range tests {
		if err := c.Set(ctx, "k", "v", WithTTL(tt.give)); err != nil {
			t.Fatal(err)
		}
		if e, _ := fb.entry("k"); e.ttl != tt.want {
			t.Errorf("WithTTL(%v): backend got %v, want %v", tt.give, e.ttl, tt.want)
		}
		if e, ok := c.l1.Get("k"); !ok || e.TTL() != tt.want {
			t.Errorf("WithTTL(%v): L1 entry lives %v, want the write's %v", tt.give, e.TTL(), tt.want)
		}
	}
	// Without WithTTL, the default: 300 s unless configured; sub-second rounds up.
	if err := c.Set(ctx, "d", "v"); err != nil {
		t.Fatal(err)
	}
	if e, _ := fb.entry("d"); e.ttl != 300*time.Second {
		t.Errorf("default TTL = %v, want 300s", e.ttl)
	}
	c2, fb2 := newFakeClient(t, Options{DefaultTTL: 10 * time.Millisecond})
	if err := c2.Set(ctx, "d", "v"); err != nil {
		t.Fatal(err)
	}
	if e, _ := fb2.entry("d"); e.ttl != time.Second {
		t.Errorf("sub-second default TTL stored as %v, want 1s", e.ttl)
	}
}

func TestPayloadTooLarge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb := newFakeClient(t, Options{MaxPayloadSize: 100})
	if err := c.Set(ctx, "k", "small"); err != nil {
		t.Fatal(err)
	}
	sets := fb.sets.Load()
	err := c.Set(ctx, "k", strings.Repeat("x", 200))
	wantKind(t, err, KindPayloadTooLarge)
	if fb.sets.Load() != sets {
		t.Error("an oversized value reached the backend")
	}
	if got, _, _ := Get[string](ctx, c, "k"); got != "small" {
		t.Errorf("after the refused Set, Get = %q, want the earlier value", got)
	}
	// The limit is on the encoded size: a 100-byte document is accepted.
	v := strings.Repeat("y", 98) // str8 header (2 bytes) + 98
	if enc, _ := codec.Marshal(v); len(enc) != 100 {
		t.Fatalf("test value encodes to %d bytes", len(enc))
	}
	if err := c.Set(ctx, "k", v); err != nil {
		t.Errorf("Set of exactly MaxPayloadSize = %v", err)
	}

	// The default is 5 MiB.
	d, _ := newFakeClient(t, Options{})
	wantKind(t, d.Set(ctx, "big", make([]byte, DefaultMaxPayloadSize)), KindPayloadTooLarge)
	if err := d.Set(ctx, "big", make([]byte, DefaultMaxPayloadSize-5)); err != nil {
		t.Errorf("Set of a 5 MiB document = %v", err)
	}
}

type profile struct {
	Name    string    `msgpack:"name"`
	Age     int       `json:"age"`
	Tags    []string  // field name
	Created time.Time `msgpack:"created"`
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, container := range []Container{ContainerPlain, ContainerEnvelope} {
		for _, l1Off := range []bool{false, true} {
			name := fmt.Sprintf("%v/l1-disabled=%v", container, l1Off)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				c, _ := newFakeClient(t, Options{Container: container, L1: L1Options{Disabled: l1Off}})
				created := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
				p := profile{Name: "Ada", Age: 36, Tags: []string{"a", "b"}, Created: created}
				if err := c.Set(ctx, "p", p); err != nil {
					t.Fatal(err)
				}
				for range 2 { // backend read, then L1 hit (when on)
					got, found, err := Get[profile](ctx, c, "p")
					if err != nil || !found {
						t.Fatalf("Get = %v, %v", found, err)
					}
					if got.Name != p.Name || got.Age != p.Age || len(got.Tags) != 2 || !got.Created.Equal(created) {
						t.Fatalf("Get = %+v, want %+v", got, p)
					}
				}
				if err := c.Set(ctx, "b", []byte{0, 1, 2}); err != nil {
					t.Fatal(err)
				}
				if got, _, err := Get[[]byte](ctx, c, "b"); err != nil || string(got) != "\x00\x01\x02" {
					t.Fatalf("Get[[]byte] = %q, %v", got, err)
				}
				if _, found, err := Get[string](ctx, c, "absent"); found || err != nil {
					t.Fatalf("Get(absent) = %v, %v; want a miss", found, err)
				}
			})
		}
	}
}

// TestStoredFormat checks the bytes against the encoder independently of the client.
func TestStoredFormat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb := newFakeClient(t, Options{})
	type person struct {
		Name string `msgpack:"name"`
		N    int    `json:"n"`
	}
	if err := c.Set(ctx, "k", person{Name: "Ada", N: 3}); err != nil {
		t.Fatal(err)
	}
	// One MessagePack map, keys from the tags in field order: fixmap(2), "name", "Ada",
	// "n", 3 — written out by hand from the MessagePack spec.
	want := []byte{0x82, 0xa4, 'n', 'a', 'm', 'e', 0xa3, 'A', 'd', 'a', 0xa1, 'n', 0x03}
	if got, _ := fb.raw("k"); string(got) != string(want) {
		t.Fatalf("stored % x, want the plain MessagePack % x", got, want)
	}
}

func TestTypeMismatchIsSerializationError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newFakeClient(t, Options{})
	if err := c.Set(ctx, "k", "text"); err != nil {
		t.Fatal(err)
	}
	_, found, err := Get[int](ctx, c, "k")
	wantKind(t, err, KindSerialization)
	if found {
		t.Error("found = true with an error")
	}
	if strings.Contains(err.Error(), "text") {
		t.Errorf("error %q contains the value", err)
	}
	// Values that cannot be encoded.
	wantKind(t, c.Set(ctx, "k", make(chan int)), KindSerialization)
}

func TestWriteThroughFailureLeavesL1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb := newFakeClient(t, Options{})
	if err := c.Set(ctx, "k", "v1"); err != nil {
		t.Fatal(err)
	}
	fb.fail(nil, transientFailure("set"), nil)
	wantKind(t, c.Set(ctx, "k", "v2"), KindBackendTransient)
	wantKind(t, c.Set(ctx, "fresh", "v"), KindBackendTransient)

	gets := fb.gets.Load()
	if got, _, _ := Get[string](ctx, c, "k"); got != "v1" {
		t.Errorf("after a failed Set, Get = %q, want v1", got)
	}
	if fb.gets.Load() != gets {
		t.Error("the L1 entry was dropped by the failed Set")
	}
	if _, ok := c.l1.Get("fresh"); ok {
		t.Error("a value the backend refused is in the L1")
	}
}

func TestDeleteDropsL1EvenWhenBackendFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb := newFakeClient(t, Options{})
	if err := c.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	fb.fail(nil, nil, transientFailure("delete"))
	_, err := c.Delete(ctx, "k")
	wantKind(t, err, KindBackendTransient)
	if _, ok := c.l1.Get("k"); ok {
		t.Fatal("L1 entry survived a Delete whose backend call failed")
	}
	gets := fb.gets.Load()
	if got, _, _ := Get[string](ctx, c, "k"); got != "v" { // still in the backend
		t.Fatalf("Get = %q", got)
	}
	if fb.gets.Load() != gets+1 {
		t.Error("the read after the failed Delete did not go to the backend")
	}

	fb.fail(nil, nil, nil)
	deleted, err := c.Delete(ctx, "k")
	if err != nil || !deleted {
		t.Fatalf("Delete = %v, %v", deleted, err)
	}
	if _, found, _ := Get[string](ctx, c, "k"); found {
		t.Fatal("found after Delete")
	}
	if deleted, _ := c.Delete(ctx, "k"); deleted {
		t.Error("Delete of an absent key reported true")
	}
}

// TestDeleteOrder checks the order of a Delete: the L1 copy is already gone while the
// backend call runs, and a read that slips in during that call (after the first L1
// invalidation, before the backend removes the entry) cannot leave the old value in L1.
func TestDeleteOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb := newFakeClient(t, Options{})
	_ = c.Set(ctx, "k", "old")
	fb.beforeDelete = func(key string) {
		if _, ok := c.l1.Get(key); ok {
			t.Error("the L1 still held the entry when the backend delete started")
		}
		if got, _, _ := Get[string](ctx, c, key); got != "old" { // backfills the L1
			t.Errorf("racing read = %q", got)
		}
	}
	if _, err := c.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.l1.Get("k"); ok {
		t.Fatal("a read racing the delete left the deleted value in the L1")
	}
	if _, found, _ := Get[string](ctx, c, "k"); found {
		t.Fatal("deleted key found")
	}
}

func TestBackfillTTL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	enc, _ := codec.Marshal("v")
	tests := []struct {
		name string
		o    Options
		want time.Duration
	}{
		{"capped at 30s", Options{}, 30 * time.Second},
		{"default TTL below the cap", Options{DefaultTTL: 10 * time.Second}, 10 * time.Second},
		{"configured cap", Options{L1: L1Options{BackfillTTL: 5 * time.Second}}, 5 * time.Second},
		{"configured cap above the default TTL", Options{DefaultTTL: 20 * time.Second, L1: L1Options{BackfillTTL: time.Minute}}, 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, fb := newFakeClient(t, tt.o)
			fb.put("k", enc) // written by another process, with an hour to live
			if _, _, err := Get[string](ctx, c, "k"); err != nil {
				t.Fatal(err)
			}
			e, ok := c.l1.Get("k")
			if !ok {
				t.Fatal("an L2 hit did not enter the L1")
			}
			if e.TTL() != tt.want {
				t.Errorf("backfilled for %v, want %v", e.TTL(), tt.want)
			}
		})
	}
}

func TestExistsFromL1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb := newFakeClient(t, Options{})
	if err := c.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.Exists(ctx, "k"); !ok || err != nil {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
	if n := fb.exists.Load(); n != 0 {
		t.Errorf("Exists of an L1 entry asked the backend %d times", n)
	}
	if ok, _ := c.Exists(ctx, "absent"); ok {
		t.Error("Exists(absent) = true")
	}
	if fb.exists.Load() != 1 {
		t.Error("Exists of a key not in L1 did not ask the backend")
	}

	off, fb2 := newFakeClient(t, Options{L1: L1Options{Disabled: true}})
	_ = off.Set(ctx, "k", "v")
	if ok, _ := off.Exists(ctx, "k"); !ok || fb2.exists.Load() != 1 {
		t.Errorf("with L1 disabled: Exists = %v after %d backend calls", ok, fb2.exists.Load())
	}
}

func TestL1Disabled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb := newFakeClient(t, Options{L1: L1Options{Disabled: true}})
	_ = c.Set(ctx, "k", "v")
	for range 3 {
		if got, _, _ := Get[string](ctx, c, "k"); got != "v" {
			t.Fatalf("Get = %q", got)
		}
	}
	if fb.gets.Load() != 3 {
		t.Errorf("backend gets = %d, want 3 with the L1 off", fb.gets.Load())
	}
	if s := c.Stats(); s.L1Hits != 0 || s.L2Hits != 3 || s.L1Entries != 0 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestBackendErrorsMapped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		err  error
		want Kind
	}{
		{backend.NewError(backend.KindTransient, "x", "get", "k", errInjected), KindBackendTransient},
		{backend.NewError(backend.KindTimeout, "x", "get", "k", errInjected), KindBackendTimeout},
		{backend.NewError(backend.KindPermanent, "x", "get", "k", errInjected), KindBackendPermanent},
		{backend.NewError(backend.KindAuthentication, "x", "get", "k", errInjected), KindBackendAuthentication},
		{backend.ContextError("x", "get", "k", context.DeadlineExceeded), KindBackendTimeout},
		{fmt.Errorf("wrapped: %w", context.Canceled), KindBackendTransient},
		{backend.NewError(backend.KindPermanent, "x", "set", "k", backend.ErrValueTooLarge), KindPayloadTooLarge},
		{backend.NewError(backend.KindPermanent, "x", "set", "k", backend.ErrInvalidKey), KindInvalidKey},
		{errors.New("unclassified"), KindBackendPermanent},
		{backend.NewError(backend.KindTransient, "reliability", "get", "k", reliability.ErrCircuitOpen), KindBackendCircuitOpen},
		{backend.NewError(backend.KindTransient, "reliability", "get", "k", fmt.Errorf("%w: queue full", reliability.ErrBackpressure)), KindBackendBackpressure},
	}
	for _, tt := range tests {
		c, fb := newFakeClient(t, Options{})
		fb.fail(tt.err, nil, nil)
		_, _, err := Get[string](ctx, c, "k")
		wantKind(t, err, tt.want)
		if !errors.Is(err, tt.err) && !errors.Is(err, errors.Unwrap(tt.err)) {
			t.Errorf("%v does not wrap the backend error", err)
		}
		if got := c.Stats().Errors[tt.want]; got != 1 {
			t.Errorf("Stats.Errors[%v] = %d, want 1", tt.want, got)
		}
	}
}

func TestTTLAndRefresh(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newFakeClient(t, Options{})
	_ = c.Set(ctx, "k", "v", WithTTL(time.Hour))
	ttl, found, err := c.TTL(ctx, "k")
	if err != nil || !found || ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("TTL = %v, %v, %v", ttl, found, err)
	}
	ok, err := c.RefreshTTL(ctx, "k", 10*time.Second)
	if err != nil || !ok {
		t.Fatalf("RefreshTTL = %v, %v", ok, err)
	}
	if ttl, _, _ := c.TTL(ctx, "k"); ttl > 10*time.Second {
		t.Errorf("TTL after refresh = %v", ttl)
	}
	if _, ok := c.l1.Get("k"); ok {
		t.Error("L1 copy kept the old lifetime after RefreshTTL")
	}
	if ok, _ := c.RefreshTTL(ctx, "absent", time.Minute); ok {
		t.Error("RefreshTTL(absent) = true")
	}
	if _, found, _ := c.TTL(ctx, "absent"); found {
		t.Error("TTL(absent) found")
	}

	// A backend without TTLInspector.
	plain := newClient(t, Options{Backend: struct{ backend.Backend }{newFakeBackend()}})
	_, _, err = plain.TTL(ctx, "k")
	wantKind(t, err, KindConfig)
	if !errors.Is(err, ErrNotSupported) {
		t.Errorf("TTL without TTLInspector = %v, want ErrNotSupported", err)
	}
	_, err = plain.RefreshTTL(ctx, "k", time.Minute)
	if !errors.Is(err, ErrNotSupported) {
		t.Errorf("RefreshTTL without TTLInspector = %v, want ErrNotSupported", err)
	}
}

func TestGetMany(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, batched := range []bool{false, true} {
		t.Run(fmt.Sprint("batched=", batched), func(t *testing.T) {
			t.Parallel()
			fb := newFakeBackend()
			var b backend.Backend = fb
			bb := &batchBackend{fakeBackend: fb}
			if batched {
				b = bb
			}
			c := newClient(t, Options{Backend: b, Namespace: "ns"})
			_ = c.Set(ctx, "a", 1)
			enc, _ := codec.Marshal(2)
			fb.put("ns:b", enc) // only in the backend
			got, err := GetMany[int](ctx, c, []string{"a", "b", "c", "a"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got["a"] != 1 || got["b"] != 2 {
				t.Fatalf("GetMany = %v", got)
			}
			if batched && bb.batches.Load() != 1 {
				t.Errorf("batches = %d, want one round trip", bb.batches.Load())
			}
			if _, ok := c.l1.Get("b"); !ok {
				t.Error("GetMany did not backfill the L1")
			}
			s := c.Stats()
			if s.L1Hits != 1 || s.L2Hits != 1 || s.Misses != 1 {
				t.Errorf("Stats = hits %d/%d misses %d, want 1/1/1", s.L1Hits, s.L2Hits, s.Misses)
			}
			// A value of the wrong type fails the typed call.
			_ = c.Set(ctx, "s", "text")
			_, err = GetMany[int](ctx, c, []string{"a", "s"})
			wantKind(t, err, KindSerialization)
			// Mixed types through Value.
			vals, err := c.GetMany(ctx, []string{"a", "s"})
			if err != nil {
				t.Fatal(err)
			}
			var s1 string
			if err := vals["s"].Decode(&s1); err != nil || s1 != "text" {
				t.Errorf("Decode = %q, %v", s1, err)
			}
			// The zero Value of an absent key is an error, not a panic.
			wantKind(t, vals["absent"].Decode(&s1), KindSerialization)
		})
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fb := newFakeBackend()
	c, err := New(Options{Backend: fb, Env: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if fb.closed.Load() {
		t.Error("Close closed a backend the client did not create")
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	err = c.Set(ctx, "k", "v")
	wantKind(t, err, KindConfig)
	if !errors.Is(err, ErrClosed) {
		t.Errorf("Set after Close = %v, want ErrClosed", err)
	}
	if _, err := c.Get(ctx, "k", new(string)); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close = %v, want ErrClosed", err)
	}
	if _, err := c.Health(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Health after Close = %v", err)
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb := newFakeClient(t, Options{L1: L1Options{Capacity: 10}})
	enc, _ := codec.Marshal("v")
	fb.put("remote", enc)

	_ = c.Set(ctx, "k", "v")
	_, _, _ = Get[string](ctx, c, "k")      // L1 hit
	_, _, _ = Get[string](ctx, c, "k")      // L1 hit
	_, _, _ = Get[string](ctx, c, "remote") // L2 hit
	_, _, _ = Get[string](ctx, c, "absent") // miss
	_, _, _ = Get[int](ctx, c, "k")         // L1 hit, then a serialization error
	_ = c.Set(ctx, "", "v")                 // invalid key
	_ = c.Set(ctx, "k", "v", WithTTL(-1))   // config
	c.onInvalidation(backend.Invalidation{Key: "k", Origin: "another client"})

	s := c.Stats()
	if s.L1Hits != 3 || s.L2Hits != 1 || s.Misses != 1 {
		t.Errorf("hits %d/%d, misses %d; want 3/1/1", s.L1Hits, s.L2Hits, s.Misses)
	}
	wantErrors := map[Kind]uint64{KindSerialization: 1, KindInvalidKey: 1, KindConfig: 1}
	if fmt.Sprint(s.Errors) != fmt.Sprint(wantErrors) {
		t.Errorf("Errors = %v, want %v", s.Errors, wantErrors)
	}
	if s.InvalidationsReceived != 1 {
		t.Errorf("InvalidationsReceived = %d", s.InvalidationsReceived)
	}
	if s.L1Entries != 1 || s.L1Bytes != int64(len("remote")+len(enc)) {
		t.Errorf("L1 = %d entries, %d bytes; want 1 entry of %d bytes", s.L1Entries, s.L1Bytes, len("remote")+len(enc))
	}
	for i := range 100 {
		_ = c.Set(ctx, fmt.Sprint("fill", i), i)
	}
	c.l1.CleanUp()
	if s := c.Stats(); s.L1Evictions == 0 || s.L1Entries > 10 {
		t.Errorf("after overfilling: %d evictions, %d entries (capacity 10)", s.L1Evictions, s.L1Entries)
	}
}

func TestErrorType(t *testing.T) {
	t.Parallel()
	e := &Error{Kind: KindEncryption, Op: "get", Key: "user:1", Err: errInjected}
	if got, want := e.Error(), `cachekit: get "user:1": encryption: injected failure`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	wrapped := fmt.Errorf("outer: %w", e)
	if !errors.Is(wrapped, ErrEncryption) || errors.Is(wrapped, ErrSerialization) {
		t.Error("errors.Is does not follow the kind")
	}
	if !errors.Is(wrapped, errInjected) {
		t.Error("errors.Is does not reach the cause")
	}
	if k, ok := KindOf(wrapped); !ok || k != KindEncryption {
		t.Errorf("KindOf = %v, %v", k, ok)
	}
	for k := Kind(1); int(k) < numKinds; k++ {
		if kindSentinels[k] == nil || !strings.HasPrefix(kindSentinels[k].Error(), "cachekit: ") || k.String() == "" {
			t.Errorf("kind %d lacks a sentinel or a name", k)
		}
		if !errors.Is(&Error{Kind: k}, kindSentinels[k]) {
			t.Errorf("kind %v does not match its sentinel", k)
		}
	}
	if Kind(0).String() != "Kind(0)" || Kind(200).String() != "Kind(200)" {
		t.Error("unknown kinds are not named by number")
	}
}

func TestOwnedBackendClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, err := New(Options{Env: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	h, err := c.Health(ctx)
	if err != nil || !h.Healthy {
		t.Fatalf("Health = %+v, %v", h, err)
	}
	b := c.Backend()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Get(ctx, "k"); !errors.Is(err, backend.ErrClosed) {
		t.Errorf("the memory backend the client created is still open: %v", err)
	}
}
