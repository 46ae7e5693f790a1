package cachekit

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Master keys for tests: 32 bytes each, as hex.
var (
	testKeyA = strings.Repeat("a1", 32)
	testKeyB = strings.Repeat("b2", 32)
	testKeyC = strings.Repeat("c3", 32)
)

// noEnv is an empty environment, so tests never depend on the machine's variables.
func noEnv(string) (string, bool) { return "", false }

func envMap(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// newClient builds a client for a test and closes it at cleanup. An Options without Env
// gets an empty environment.
func newClient(t testing.TB, o Options) *Client {
	t.Helper()
	if o.Env == nil {
		o.Env = noEnv
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// newFakeClient builds a client over a fresh fakeBackend.
func newFakeClient(t testing.TB, o Options) (*Client, *fakeBackend) {
	t.Helper()
	fb := newFakeBackend()
	o.Backend = fb
	return newClient(t, o), fb
}

func newSecure(t testing.TB, c *Client) *SecureClient {
	t.Helper()
	s, err := c.Secure()
	if err != nil {
		t.Fatalf("Secure: %v", err)
	}
	return s
}

// wantKind fails the test unless err is an *Error of kind matching its sentinel.
func wantKind(t testing.TB, err error, kind Kind) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want a %v error", kind)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *cachekit.Error", err, err)
	}
	if e.Kind != kind {
		t.Fatalf("err = %v, kind %v, want %v", err, e.Kind, kind)
	}
	if !errors.Is(err, kindSentinels[kind]) {
		t.Fatalf("errors.Is(err, sentinel of %v) = false", kind)
	}
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

func hexOf(s string) string { return hex.EncodeToString([]byte(s)) }

// logJSON logs v through slog's JSON handler and returns the output.
func logJSON(v any) string {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("options", "value", v)
	return buf.String()
}
