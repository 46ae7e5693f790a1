package cachekit

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/cachekit-io/cachekit-go/backend/cachekitio"
)

// These tests change the process environment, so they do not run in parallel.

func TestIOOptionsNeedsAnAPIKey(t *testing.T) {
	t.Setenv(cachekitio.EnvAPIKey, "")
	_, err := IOOptions("")
	wantKind(t, err, KindConfig)
	if !strings.Contains(err.Error(), cachekitio.EnvAPIKey) {
		t.Errorf("error %q does not name %s", err, cachekitio.EnvAPIKey)
	}
}

func TestIOOptions(t *testing.T) {
	const secret = "ck_test_io_preset_key"
	t.Setenv(cachekitio.EnvAPIKey, "")
	t.Setenv(cachekitio.EnvTimeout, "2.5")
	o, err := IOOptions(secret)
	if err != nil {
		t.Fatal(err)
	}
	if o.DefaultTTL != IOTTL || IOTTL.Seconds() != 3600 {
		t.Errorf("DefaultTTL = %v, want the io preset's 3600 s", o.DefaultTTL)
	}
	if !o.CloseBackend || o.Reliability == nil || !o.Reliability.Retry.Disabled || o.Reliability.Breaker.Disabled {
		t.Errorf("preset = CloseBackend %v, Reliability %+v; want an owned backend, breaker on, middleware retries off", o.CloseBackend, o.Reliability)
	}
	if _, ok := o.Backend.(*cachekitio.Backend); !ok {
		t.Fatalf("Backend is %T, want *cachekitio.Backend", o.Backend)
	}
	if s := strings.Join([]string{o.Backend.(*cachekitio.Backend).String()}, ""); strings.Contains(s, secret) {
		t.Errorf("the backend prints its API key: %s", s)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := findInChain[*cachekitio.Backend](c.Backend()); !ok {
		t.Fatalf("the client's backend chain has no cachekit.io backend: %T", c.Backend())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	// CloseBackend: the client closed the backend it was handed.
	if _, _, err := o.Backend.Get(context.Background(), "k"); !errors.Is(err, backend.ErrClosed) {
		t.Errorf("backend Get after the client's Close = %v, want ErrClosed", err)
	}
}

func TestNewFromEnvPicksCachekitIO(t *testing.T) {
	t.Setenv(cachekitio.EnvAPIKey, "ck_test_from_env")
	t.Setenv(EnvNamespace, "fromenv")
	c, err := NewFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := findInChain[*cachekitio.Backend](c.Backend()); !ok {
		t.Fatalf("backend chain is %T, want cachekit.io inside", c.Backend())
	}
	if c.reliable == nil {
		t.Error("NewFromEnv with an API key has no reliability stack")
	}

	t.Setenv(cachekitio.EnvAPIKey, "")
	plain, err := NewFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, ok := findInChain[*cachekitio.Backend](plain.Backend()); ok {
		t.Error("without CACHEKIT_API_KEY, NewFromEnv still chose cachekit.io")
	}
}
