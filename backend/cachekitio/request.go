package cachekitio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cachekit-io/cachekit-go/backend"
)

// Request header names, spelled as the API spec spells them. They are set on the
// header map directly so that the wire carries this spelling (HTTP/1.1 field names are
// case-insensitive; HTTP/2 lower-cases them anyway).
const (
	headerAuthorization = "Authorization"
	headerContentType   = "Content-Type"
	headerTTL           = "X-CacheKit-TTL"
	headerLockID        = "X-CacheKit-Lock-Id"
	headerL1Status      = "X-CacheKit-L1-Status"
	headerSessionID     = "X-CacheKit-Session-ID"
	headerSessionStart  = "X-CacheKit-Session-Start"
	headerL1Hits        = "X-CacheKit-L1-Hits"
	headerL2Hits        = "X-CacheKit-L2-Hits"
	headerMisses        = "X-CacheKit-Misses"
	headerL1HitRate     = "X-CacheKit-L1-Hit-Rate"
	headerUserAgent     = "User-Agent"
)

// userAgent identifies the SDK.
const userAgent = "cachekit-go"

// Retry timing. The wait before retry n is min(retryBaseDelay·2^(n-1), retryMaxDelay)
// times a jitter in [0.5, 1.5), or the server's Retry-After when that is longer. The
// reliability stack's schedule gives the same waits while they stay under the cap; it
// applies the cap after the jitter, where here the waits at the cap stay spread over
// [2.5 s, 7.5 s). A Retry-After above maxRetryAfter is not waited for: the error is
// returned at once, for the caller's circuit breaker to see.
const (
	retryBaseDelay = 100 * time.Millisecond
	retryMaxDelay  = 5 * time.Second
	maxRetryAfter  = 5 * time.Second
)

// maxJSONBody bounds the JSON answers (ttl, lock, health, delete).
const maxJSONBody = 64 << 10

// call describes one API request.
type call struct {
	op     string // operation name in errors: "get", "set", ...
	key    string // cache key, "" for health
	method string
	// path is the unescaped path after /v1/cache/, and rawPath its escaped form.
	path, rawPath string
	header        map[string]string // extra request headers
	body          []byte            // nil: no body
	contentType   string
	idempotent    bool // may be retried
}

// keyCall builds a call on /v1/cache/{key}{suffix}.
func keyCall(op, method, key, suffix string) *call {
	return &call{op: op, key: key, method: method, path: key + suffix, rawPath: escapeKey(key) + suffix, idempotent: true}
}

// roundTrip sends c, retrying transient failures of idempotent calls, and hands each
// answer that is not a redirect to handle, whose error decides whether to retry.
// handle runs while the attempt's timeout still bounds the body.
func (b *Backend) roundTrip(ctx context.Context, c *call, handle func(ctx context.Context, resp *http.Response) error) error {
	attempts := 1
	if c.idempotent {
		attempts += b.maxRetries
	}
	for attempt := 1; ; attempt++ {
		err := b.attempt(ctx, c, handle)
		if err == nil || attempt >= attempts || !backend.IsRetryable(err) || ctx.Err() != nil {
			return err
		}
		wait := retryDelay(attempt)
		var se *StatusError
		if errors.As(err, &se) && se.RetryAfter > 0 {
			if se.RetryAfter > maxRetryAfter {
				return err
			}
			wait = max(wait, se.RetryAfter)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return err
		}
		if werr := b.wait(ctx, wait); werr != nil {
			return backend.ContextError(name, c.op, c.key, werr)
		}
	}
}

// retryDelay is the jittered wait before retry number n (1 for the first retry).
func retryDelay(n int) time.Duration {
	d := retryMaxDelay
	if n < 16 {
		d = min(retryBaseDelay<<(n-1), retryMaxDelay)
	}
	return time.Duration(float64(d) * (0.5 + rand.Float64()))
}

// attempt makes one HTTP exchange under the per-attempt timeout.
func (b *Backend) attempt(ctx context.Context, c *call, handle func(context.Context, *http.Response) error) error {
	actx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	req, err := b.newRequest(actx, c)
	if err != nil {
		return permanent(c.op, c.key, err)
	}
	resp, err := b.send(req)
	if err != nil {
		return b.transportError(ctx, c.op, c.key, err)
	}
	defer drainAndClose(resp.Body)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return permanent(c.op, c.key, fmt.Errorf("%w (status %d)", ErrRedirect, resp.StatusCode))
	}
	return handle(ctx, resp)
}

// newRequest builds the HTTP request for c. The URL carries the escaped key in RawPath,
// so the url package sends it as escaped here and never re-encodes or decodes it.
func (b *Backend) newRequest(ctx context.Context, c *call) (*http.Request, error) {
	u := &url.URL{
		Scheme:  b.ep.scheme,
		Host:    b.ep.host,
		Path:    "/v1/cache/" + c.path,
		RawPath: "/v1/cache/" + c.rawPath,
	}
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, "", body)
	if err != nil {
		return nil, err
	}
	req.URL = u
	req.Host = u.Host
	h := req.Header
	h[headerAuthorization] = []string{b.auth}
	h[headerUserAgent] = []string{userAgent}
	id, start := session()
	h[headerSessionID] = []string{id}
	h[headerSessionStart] = []string{start}
	status := L1Disabled
	if src := b.metrics.Load(); src != nil {
		status = L1Miss
		m := (*src)()
		h[headerL1Hits] = []string{strconv.FormatUint(m.L1Hits, 10)}
		h[headerL2Hits] = []string{strconv.FormatUint(m.L2Hits, 10)}
		h[headerMisses] = []string{strconv.FormatUint(m.Misses, 10)}
		h[headerL1HitRate] = []string{strconv.FormatFloat(m.L1HitRate(), 'f', 3, 64)}
	}
	h[headerL1Status] = []string{string(l1StatusFrom(ctx, status))}
	if c.contentType != "" {
		h[headerContentType] = []string{c.contentType}
	}
	for k, v := range c.header {
		h[k] = []string{v}
	}
	return req, nil
}

// statusError turns an unsuccessful answer into a classified *backend.Error, keeping
// the start of its body with the API key removed.
func (b *Backend) statusError(c *call, resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyReadLimit))
	text := b.scrub.scrub(string(raw))
	if len(text) > maxErrorBody {
		text = text[:maxErrorBody]
	}
	text = strings.ToValidUTF8(text, string(utf8.RuneError))
	se := &StatusError{
		Method:     c.method,
		Path:       "/v1/cache/" + c.rawPath,
		StatusCode: resp.StatusCode,
		Body:       text,
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
	}
	return backend.NewError(kindForStatus(resp.StatusCode), name, c.op, c.key, se)
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date. It returns
// 0 for a missing, malformed or past value.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if len(v) <= 9 {
		if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
			return time.Duration(secs) * time.Second
		}
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// readBody reads a whole response body of at most limit bytes. A declared length above
// limit fails before reading; a body that ends before its declared length fails with
// ErrTruncatedResponse (transient); a longer one with ErrResponseTooLarge (permanent).
func (b *Backend) readBody(ctx context.Context, c *call, resp *http.Response, limit int64) ([]byte, error) {
	if resp.ContentLength > limit {
		return nil, permanent(c.op, c.key, fmt.Errorf("%w: %d bytes declared, at most %d read", ErrResponseTooLarge, resp.ContentLength, limit))
	}
	var (
		data []byte
		err  error
	)
	if resp.ContentLength >= 0 {
		data = make([]byte, resp.ContentLength)
		_, err = io.ReadFull(resp.Body, data)
	} else {
		data, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
		if err == nil && int64(len(data)) > limit {
			return nil, permanent(c.op, c.key, fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, limit))
		}
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, backend.ContextError(name, c.op, c.key, ctxErr)
			}
			return nil, backend.NewError(backend.KindTransient, name, c.op, c.key, ErrTruncatedResponse)
		}
		return nil, b.transportError(ctx, c.op, c.key, err)
	}
	return data, nil
}

// decodeJSON reads a small JSON answer into v, tolerating unknown fields.
func (b *Backend) decodeJSON(ctx context.Context, c *call, resp *http.Response, v any) error {
	data, err := b.readBody(ctx, c, resp, maxJSONBody)
	if err != nil {
		return err
	}
	if err := jsonUnmarshal(data, v); err != nil {
		return permanent(c.op, c.key, fmt.Errorf("%w: %v", ErrMalformedResponse, err))
	}
	return nil
}

// decodeOptionalJSON is decodeJSON for answers whose body may be empty (or only white
// space), which leaves v unchanged.
func (b *Backend) decodeOptionalJSON(ctx context.Context, c *call, resp *http.Response, v any) error {
	data, err := b.readBody(ctx, c, resp, maxJSONBody)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return err
	}
	if err := jsonUnmarshal(data, v); err != nil {
		return permanent(c.op, c.key, fmt.Errorf("%w: %v", ErrMalformedResponse, err))
	}
	return nil
}

// drainAndClose reads a little of what is left of a body, so that the connection can
// be reused, and closes it.
func drainAndClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 4<<10)
	_ = body.Close()
}

// isSuccess reports whether code is 2xx.
func isSuccess(code int) bool { return code >= 200 && code < 300 }
