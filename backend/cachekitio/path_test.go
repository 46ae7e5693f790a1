package cachekitio

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/devserver"
	"github.com/cachekit-io/cachekit-go/internal/vectortest"
)

type pathVectors struct {
	Vectors []struct {
		Key               string   `json:"key"`
		Encoded           *string  `json:"encoded"`
		Decoded           *string  `json:"decoded"`
		EncodedAlternates []string `json:"encoded_alternates"`
		Reject            bool     `json:"reject"`
		Note              string   `json:"note"`
	} `json:"vectors"`
}

// keyOps calls every keyed method once.
var keyOps = []struct {
	name string
	call func(ctx context.Context, b *Backend, key string) error
}{
	{"Get", func(ctx context.Context, b *Backend, key string) error { _, _, err := b.Get(ctx, key); return err }},
	{"Set", func(ctx context.Context, b *Backend, key string) error {
		return b.Set(ctx, key, []byte("v"), time.Minute)
	}},
	{"Delete", func(ctx context.Context, b *Backend, key string) error { _, err := b.Delete(ctx, key); return err }},
	{"Exists", func(ctx context.Context, b *Backend, key string) error { _, err := b.Exists(ctx, key); return err }},
	{"TTL", func(ctx context.Context, b *Backend, key string) error { _, _, err := b.TTL(ctx, key); return err }},
	{"RefreshTTL", func(ctx context.Context, b *Backend, key string) error {
		_, err := b.RefreshTTL(ctx, key, time.Minute)
		return err
	}},
	{"AcquireLock", func(ctx context.Context, b *Backend, key string) error {
		_, _, err := b.AcquireLock(ctx, key, time.Second)
		return err
	}},
	{"ReleaseLock", func(ctx context.Context, b *Backend, key string) error {
		_, err := b.ReleaseLock(ctx, key, "some-id")
		return err
	}},
}

// TestPathEncodingVectors runs path-encoding.json: reserved keys are refused by every
// method before any request; every other key is escaped to the reference form (or an
// allowed alternate), arrives on the wire as that exact request path, and is decoded by
// the development server back to the key.
func TestPathEncodingVectors(t *testing.T) {
	var v pathVectors
	vectortest.Load(t, "path-encoding.json", &v)
	encTally := vectortest.Tally{File: "path-encoding.json"}
	rejTally := vectortest.Tally{File: "path-encoding.json"}
	defer encTally.Report(t, "transmittable")
	defer rejTally.Report(t, "reject")

	rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	wire, _ := newTestClient(t, rec.URL, nil)
	_, dev := newDevServer(t, devserver.Options{LenientKeys: true})
	store, _ := newTestClient(t, dev.URL, nil)

	for _, vec := range v.Vectors {
		t.Run(vec.Key, func(t *testing.T) {
			ok := true
			defer func() {
				tally := &encTally
				if vec.Reject {
					tally = &rejTally
				}
				if ok && !t.Failed() {
					tally.Pass()
				} else {
					tally.Fail()
				}
			}()
			if vec.Reject {
				before := len(rec.requests())
				for _, op := range keyOps {
					err := op.call(t.Context(), wire, vec.Key)
					if !errors.Is(err, ErrReservedKey) || !errors.Is(err, backend.ErrInvalidKey) {
						t.Errorf("%s(%q) error = %v, want ErrReservedKey and backend.ErrInvalidKey", op.name, vec.Key, err)
					}
				}
				if n := len(rec.requests()) - before; n != 0 {
					t.Errorf("%d requests reached the server for a reserved key", n)
				}
				return
			}
			if vec.Encoded == nil || vec.Decoded == nil {
				t.Fatal("transmittable vector without encoded/decoded")
			}
			allowed := append([]string{*vec.Encoded}, vec.EncodedAlternates...)
			got := escapeKey(vec.Key)
			if !slices.Contains(allowed, got) {
				t.Errorf("escapeKey(%q) = %q, want one of %q", vec.Key, got, allowed)
			}
			// The parsed request path on the wire, for the entry and both sub-resources.
			before := len(rec.requests())
			_, _, _ = wire.Get(t.Context(), vec.Key)
			_, _, _ = wire.TTL(t.Context(), vec.Key)
			_, _, _ = wire.AcquireLock(t.Context(), vec.Key, time.Second)
			reqs := rec.requests()[before:]
			want := []string{"/v1/cache/" + got, "/v1/cache/" + got + "/ttl", "/v1/cache/" + got + "/lock"}
			if len(reqs) != len(want) {
				t.Fatalf("server saw %d requests, want %d", len(reqs), len(want))
			}
			for i, r := range reqs {
				if r.RequestURI != want[i] {
					t.Errorf("request path = %q, want %q", r.RequestURI, want[i])
				}
			}
			// The server decodes once and sees exactly the decoded key.
			value := []byte("value of " + *vec.Decoded)
			if err := store.Set(t.Context(), vec.Key, value, time.Minute); err != nil {
				t.Fatalf("Set through the development server: %v", err)
			}
			back, found, err := store.Get(t.Context(), *vec.Decoded)
			if err != nil || !found || string(back) != string(value) {
				t.Errorf("Get(decoded %q) = (%q, %v, %v), want the value stored under key %q", *vec.Decoded, back, found, err, vec.Key)
			}
		})
	}
}

func TestEscapeKeyProperties(t *testing.T) {
	for b := 0; b < 256; b++ {
		s := escapeKey(string([]byte{byte(b)}))
		raw := unreserved(byte(b))
		switch {
		case raw && s != string([]byte{byte(b)}):
			t.Errorf("escapeKey(%#02x) = %q, want it raw", b, s)
		case !raw && (len(s) != 3 || s[0] != '%' || s != "%"+string(upperHex[b>>4])+string(upperHex[b&15])):
			t.Errorf("escapeKey(%#02x) = %q, want %%HH upper case", b, s)
		}
	}
}
