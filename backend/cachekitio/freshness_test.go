package cachekitio

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
)

type freshnessVectors struct {
	Freshness []freshnessVector `json:"freshness_vectors"`
	FreshFor  []freshForVector  `json:"fresh_for_vectors"`
}

type freshnessVector struct {
	Name  string  `json:"name"`
	Value *string `json:"value"`
	Stale bool    `json:"stale"`
}

type freshForVector struct {
	Name     string       `json:"name"`
	Value    *string      `json:"value"`
	FreshFor *json.Number `json:"fresh_for"`
}

// name names a vector's subtest (for vectortest.Each).
func (v freshnessVector) name() string { return v.Name }
func (v freshForVector) name() string  { return v.Name }

// headerServer answers every GET with 200 and the given raw header lines.
func headerServer(t *testing.T, lines *map[string][]string) *recorder {
	return newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		for k, v := range *lines {
			w.Header()[k] = v
		}
		_, _ = w.Write([]byte("v"))
	})
}

// metaOverHTTP reads "k" through GetWithMeta and through Get with a ResponseMeta sink
// (filled beforehand with the opposite of each flag), checks that both report the same
// meta, and returns it.
func metaOverHTTP(t *testing.T, b *Backend) ResponseMeta {
	t.Helper()
	_, meta, found, err := b.GetWithMeta(t.Context(), "k")
	if err != nil || !found {
		t.Fatalf("GetWithMeta = (%v, %v)", found, err)
	}
	sink := ResponseMeta{Stale: !meta.Stale, HasFreshFor: !meta.HasFreshFor}
	if _, _, err := b.Get(WithResponseMeta(t.Context(), &sink), "k"); err != nil {
		t.Fatalf("Get with a meta sink: %v", err)
	}
	if sink != meta {
		t.Errorf("Get filled the sink with %+v, GetWithMeta said %+v", sink, meta)
	}
	return meta
}

// TestFreshnessHeaderVectors runs freshness-headers.json twice per row: through the
// header parsers, and through a real HTTP answer read by GetWithMeta, so the row's bytes
// reach the parser as net/http delivers them.
func TestFreshnessHeaderVectors(t *testing.T) {
	var v freshnessVectors
	vectortest.Load(t, "freshness-headers.json", &v)
	var lines map[string][]string
	srv := headerServer(t, &lines)
	b, _ := newTestClient(t, srv.URL, func(o *Options) { o.MaxRetries = -1 })

	t.Run("freshness", func(t *testing.T) {
		vectortest.Each(t, "freshness-headers.json", "freshness_vectors", v.Freshness, freshnessVector.name, func(t *testing.T, vec freshnessVector) {
			var values []string
			lines = map[string][]string{}
			if vec.Value != nil {
				raw := latin1(t, *vec.Value)
				values = []string{raw}
				lines["X-CacheKit-Freshness"] = values
			}
			if got := parseFreshness(values); got != vec.Stale {
				t.Errorf("parseFreshness(%q) = stale %v, want %v", values, got, vec.Stale)
			}
			meta := metaOverHTTP(t, b)
			if meta.Stale != vec.Stale {
				t.Errorf("over HTTP: stale = %v, want %v", meta.Stale, vec.Stale)
			}
		})
	})

	t.Run("fresh_for", func(t *testing.T) {
		vectortest.Each(t, "freshness-headers.json", "fresh_for_vectors", v.FreshFor, freshForVector.name, func(t *testing.T, vec freshForVector) {
			var values []string
			lines = map[string][]string{}
			if vec.Value != nil {
				values = []string{latin1(t, *vec.Value)}
				lines["X-CacheKit-Fresh-For"] = values
			}
			wantPresent := vec.FreshFor != nil
			var want int64
			if wantPresent {
				n, err := strconv.ParseInt(vec.FreshFor.String(), 10, 64)
				if err != nil {
					t.Fatalf("vector fresh_for %q: %v", vec.FreshFor, err)
				}
				want = n
			}
			got, present := parseFreshFor(values)
			if present != wantPresent || got != want {
				t.Errorf("parseFreshFor(%.40q) = (%d, %v), want (%d, %v)", values, got, present, want, wantPresent)
			}
			meta := metaOverHTTP(t, b)
			if meta.HasFreshFor != wantPresent || meta.FreshFor != time.Duration(want)*time.Second {
				t.Errorf("over HTTP: meta = %+v, want present %v and %ds", meta, wantPresent, want)
			}
		})
	})
}

// TestFreshnessRepeatedLines: two field lines are a list, which is neither "fresh" nor
// 1 to 7 digits (the vectors' list rows, as a server sending the header twice produces
// them).
func TestFreshnessRepeatedLines(t *testing.T) {
	lines := map[string][]string{"X-CacheKit-Freshness": {"fresh", "fresh"}, "X-CacheKit-Fresh-For": {"5", "5"}}
	srv := headerServer(t, &lines)
	b, _ := newTestClient(t, srv.URL, nil)
	_, meta, _, err := b.GetWithMeta(t.Context(), "k")
	if err != nil {
		t.Fatal(err)
	}
	if !meta.Stale || !meta.HasFreshFor || meta.FreshFor != 0 {
		t.Errorf("meta = %+v, want stale with Fresh-For present and 0", meta)
	}
}

func TestResponseMetaL1TTL(t *testing.T) {
	const local = time.Minute
	cases := []struct {
		name   string
		meta   ResponseMeta
		want   time.Duration
		wantOK bool
	}{
		{"absent headers: local ttl", ResponseMeta{}, local, true},
		{"stale: never", ResponseMeta{Stale: true}, 0, false},
		{"stale with positive fresh-for: never", ResponseMeta{Stale: true, HasFreshFor: true, FreshFor: time.Hour}, 0, false},
		{"fresh-for zero: never", ResponseMeta{HasFreshFor: true}, 0, false},
		{"fresh-for below local", ResponseMeta{HasFreshFor: true, FreshFor: 5 * time.Second}, 5 * time.Second, true},
		{"fresh-for above local", ResponseMeta{HasFreshFor: true, FreshFor: time.Hour}, local, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := c.meta.L1TTL(local)
			if got != c.want || ok != c.wantOK {
				t.Errorf("L1TTL(%v) = (%v, %v), want (%v, %v)", local, got, ok, c.want, c.wantOK)
			}
		})
	}
	if _, ok := (ResponseMeta{}).L1TTL(0); ok {
		t.Error("L1TTL(0) = ok, want no backfill for a non-positive local ttl")
	}
}
