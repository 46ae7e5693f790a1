package cachekitio

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// TestMalformedTTLAnswerNeverQuotesAPIKey: the error for a ttl the server sent in the
// wrong form quotes the start of that value, which comes from outside the client. A
// server (or a proxy) echoing the Authorization header into it must not put the API
// key into the error, whole or cut.
func TestMalformedTTLAnswerNeverQuotesAPIKey(t *testing.T) {
	for _, ttl := range []string{
		`"` + testAPIKey + `"`,                                  // shorter than the quoted limit
		`"Bearer ` + testAPIKey + strings.Repeat("x", 40) + `"`, // cut by the limit
	} {
		rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"ttl": ` + ttl + `}`))
		})
		b, _ := newTestClient(t, rec.URL, nil)
		_, found, err := b.TTL(t.Context(), "k")
		if found || !errors.Is(err, ErrMalformedResponse) || !errors.Is(err, backend.ErrPermanent) {
			t.Fatalf("TTL = %v, %v; want a permanent ErrMalformedResponse", found, err)
		}
		msg := err.Error()
		if strings.Contains(msg, testAPIKey) || strings.Contains(msg, testAPIKey[:16]) {
			t.Errorf("error message quotes the API key: %s", msg)
		}
		if !strings.Contains(msg, redacted) {
			t.Errorf("error message %q does not show the redaction", msg)
		}
	}
}

// TestServerErrorsPerOperation: every operation turns an unusable answer into a
// classified *backend.Error: 5xx transient (retried for idempotent calls), a success
// whose JSON cannot be read permanent with ErrMalformedResponse, and nothing of the
// answer is taken for a result.
func TestServerErrorsPerOperation(t *testing.T) {
	const lockID = "0123456789abcdef"
	tests := []struct {
		name    string
		handler http.HandlerFunc
		call    func(b *Backend) error
		kind    backend.ErrorKind
		want    error // nil: only the kind is checked
	}{
		{"exists 500", status(500, ""), func(b *Backend) error {
			found, err := b.Exists(t.Context(), "k")
			return notFalse(found, err)
		}, backend.KindTransient, nil},
		{"delete 500 after HEAD 200", byMethod(map[string]http.HandlerFunc{http.MethodHead: status(200, ""), http.MethodDelete: status(500, "")}),
			func(b *Backend) error {
				deleted, err := b.Delete(t.Context(), "k")
				return notFalse(deleted, err)
			}, backend.KindTransient, nil},
		{"delete answers a JSON array", byMethod(map[string]http.HandlerFunc{http.MethodHead: status(200, ""), http.MethodDelete: status(200, "[true]")}),
			func(b *Backend) error {
				deleted, err := b.Delete(t.Context(), "k")
				return notFalse(deleted, err)
			}, backend.KindPermanent, ErrMalformedResponse},
		{"health answers broken JSON", status(200, `{"status": "ok"`), func(b *Backend) error {
			hs, err := b.Health(t.Context())
			return notFalse(hs.Healthy, err)
		}, backend.KindPermanent, ErrMalformedResponse},
		{"acquire_lock answers broken JSON", status(200, `{"lock_id": `), func(b *Backend) error {
			id, ok, err := b.AcquireLock(t.Context(), "k", time.Second)
			return notFalse(ok || id != "", err)
		}, backend.KindPermanent, ErrMalformedResponse},
		{"acquire_lock 500", status(500, ""), func(b *Backend) error {
			id, ok, err := b.AcquireLock(t.Context(), "k", time.Second)
			return notFalse(ok || id != "", err)
		}, backend.KindTransient, nil},
		{"release_lock answers a JSON string", status(200, `"released"`), func(b *Backend) error {
			ok, err := b.ReleaseLock(t.Context(), "k", lockID)
			return notFalse(ok, err)
		}, backend.KindPermanent, ErrMalformedResponse},
		{"ttl 500", status(500, ""), func(b *Backend) error {
			_, found, err := b.TTL(t.Context(), "k")
			return notFalse(found, err)
		}, backend.KindTransient, nil},
		{"ttl negative", status(200, `{"ttl": -5}`), func(b *Backend) error {
			_, found, err := b.TTL(t.Context(), "k")
			return notFalse(found, err)
		}, backend.KindPermanent, ErrMalformedResponse},
		{"ttl fractional", status(200, `{"ttl": 1.5}`), func(b *Backend) error {
			_, found, err := b.TTL(t.Context(), "k")
			return notFalse(found, err)
		}, backend.KindPermanent, ErrMalformedResponse},
		{"ttl beyond a century", status(200, `{"ttl": 9999999999}`), func(b *Backend) error {
			_, found, err := b.TTL(t.Context(), "k")
			return notFalse(found, err)
		}, backend.KindPermanent, ErrMalformedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newRecorder(t, tt.handler)
			b, _ := newTestClient(t, rec.URL, nil)
			err := tt.call(b)
			var be *backend.Error
			if !errors.As(err, &be) || be.Kind != tt.kind || be.Backend != name {
				t.Fatalf("error %v, want a %v *backend.Error", err, tt.kind)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("error %v does not wrap %v", err, tt.want)
			}
			if tt.want == nil && !isStatus(err, 500) {
				t.Fatalf("error %v does not carry the 500 answer", err)
			}
			if strings.Contains(err.Error(), testAPIKey) {
				t.Fatalf("error quotes the API key: %v", err)
			}
		})
	}
}

// status answers every request with code and body.
func status(code int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	}
}

// byMethod answers each method with its handler, and 405 otherwise.
func byMethod(handlers map[string]http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h, ok := handlers[r.Method]; ok {
			h(w, r)
			return
		}
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// notFalse turns a result that should be false or empty next to an error into a
// failure of its own.
func notFalse(result bool, err error) error {
	if result {
		return errors.New("a positive result came with the failure")
	}
	return err
}

// TestHealthIgnoresNonIntegerCounts: counts the server sends as null or in another
// form are left out of Details rather than guessed at; the status still decides.
func TestHealthIgnoresNonIntegerCounts(t *testing.T) {
	rec := newRecorder(t, status(200, `{"status": "ok", "cache_entries": null, "active_locks": "7"}`))
	b, _ := newTestClient(t, rec.URL, nil)
	hs, err := b.Health(t.Context())
	if err != nil || !hs.Healthy {
		t.Fatalf("Health = %+v, %v", hs, err)
	}
	for _, k := range []string{"cache_entries", "active_locks"} {
		if v, ok := hs.Details[k]; ok {
			t.Errorf("Details[%q] = %q, want it left out", k, v)
		}
	}
}

// TestRefreshTTLAbsentAnswer: a 404 to the PATCH reports the key absent without the
// HEAD that a 200 needs.
func TestRefreshTTLAbsentAnswer(t *testing.T) {
	rec := newRecorder(t, status(http.StatusNotFound, ""))
	b, _ := newTestClient(t, rec.URL, nil)
	ok, err := b.RefreshTTL(t.Context(), "k", time.Minute)
	if err != nil || ok {
		t.Fatalf("RefreshTTL = %v, %v; want false, nil", ok, err)
	}
	if reqs := rec.requests(); len(reqs) != 1 || reqs[0].Method != http.MethodPatch {
		t.Fatalf("requests %v, want the PATCH alone", reqs)
	}
}

// TestCancelledDuringRetryWait: a caller that gives up while the client waits to retry
// gets its context's error, and no further attempt is made.
func TestCancelledDuringRetryWait(t *testing.T) {
	rec := newRecorder(t, status(http.StatusServiceUnavailable, ""))
	b, _ := newTestClient(t, rec.URL, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	b.wait = func(ctx context.Context, _ time.Duration) error {
		cancel() // the caller gives up during the first wait
		return ctx.Err()
	}
	_, _, err := b.Get(ctx, "k")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Get = %v, want context.Canceled", err)
	}
	var be *backend.Error
	if !errors.As(err, &be) || be.Op != "get" || be.Key != "k" {
		t.Fatalf("error %v is not a *backend.Error for get of k", err)
	}
	if n := len(rec.requests()); n != 1 {
		t.Fatalf("server saw %d attempts, want 1", n)
	}
}

// TestHostNameLongerThanDNSAllows: a host of more than 253 bytes, each label within
// the 63-byte limit, is refused even with AllowCustomHost.
func TestHostNameLongerThanDNSAllows(t *testing.T) {
	label := strings.Repeat("a", 63)
	host := strings.Join([]string{label, label, label, label}, ".") // 255 bytes
	if _, err := validateAPIURL("https://"+host, true, false); !errors.Is(err, ErrUnsafeURL) {
		t.Fatalf("validateAPIURL(%d-byte host) = %v, want ErrUnsafeURL", len(host), err)
	}
	if _, err := validateAPIURL("https://"+host[:253], true, false); err != nil {
		t.Fatalf("validateAPIURL(253-byte host) = %v, want it accepted", err)
	}
}

// TestGoStringHidesAPIKey: GoString, called directly rather than through fmt, hides
// the key as String does.
func TestGoStringHidesAPIKey(t *testing.T) {
	o := Options{APIKey: testAPIKey, Logger: quietLogger}
	if got := o.GoString(); got != o.String() || strings.Contains(got, testAPIKey) || !strings.Contains(got, "Logger: set") {
		t.Errorf("Options.GoString() = %q", got)
	}
	if got := (Options{}).String(); !strings.Contains(got, `APIKey: ""`) {
		t.Errorf("String() of empty options = %q, want an empty key shown as empty", got)
	}
	b, err := New(Options{APIKey: testAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := b.GoString(); got != b.String() || strings.Contains(got, testAPIKey) {
		t.Errorf("Backend.GoString() = %q", got)
	}
}

// TestDeleteStopsWhenExistenceCheckFails: Delete asks HEAD first; when that fails, the
// error is returned and no DELETE is sent on a guess.
func TestDeleteStopsWhenExistenceCheckFails(t *testing.T) {
	rec := newRecorder(t, status(http.StatusBadRequest, "no"))
	b, _ := newTestClient(t, rec.URL, nil)
	deleted, err := b.Delete(t.Context(), "k")
	if deleted || !isStatus(err, http.StatusBadRequest) || !errors.Is(err, backend.ErrPermanent) {
		t.Fatalf("Delete = %v, %v; want the HEAD's permanent 400", deleted, err)
	}
	for _, r := range rec.requests() {
		if r.Method != http.MethodHead {
			t.Fatalf("Delete sent %s after the HEAD failed", r.Method)
		}
	}
}

// TestMalformedJSONAnswerNeverQuotesAPIKey: encoding/json's messages quote number
// literals ("cannot unmarshal number 12345 into ..."); a key that is all digits, echoed
// by the server as a number, must not reach the error through them.
func TestMalformedJSONAnswerNeverQuotesAPIKey(t *testing.T) {
	const digitsKey = "98765432109876543210"
	rec := newRecorder(t, status(200, `{"lock_id": `+digitsKey+`}`))
	b, _ := newTestClient(t, rec.URL, func(o *Options) { o.APIKey = digitsKey })
	_, ok, err := b.AcquireLock(t.Context(), "k", time.Second)
	if ok || !errors.Is(err, ErrMalformedResponse) {
		t.Fatalf("AcquireLock = %v, %v; want ErrMalformedResponse", ok, err)
	}
	if strings.Contains(err.Error(), digitsKey) {
		t.Fatalf("error message quotes the API key: %v", err)
	}
}
