package cachekit

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/cachekit-io/cachekit-go/protocol/encryption"
	"github.com/cachekit-io/cachekit-go/protocol/envelope"
)

// openIndependently decrypts stored bytes with a keyring built here from the spec's
// inputs (tenant, full storage key, compressed flag), not through the client.
func openIndependently(t *testing.T, keyHex, tenant, storageKey string, compressed bool, stored []byte) []byte {
	t.Helper()
	key, err := encryption.ParseMasterKey(keyHex)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := encryption.NewKeyring(key, nil, tenant)
	if err != nil {
		t.Fatal(err)
	}
	plain, _, err := kr.Open(stored, encryption.AAD(tenant, storageKey, "msgpack", compressed))
	if err != nil {
		t.Fatalf("the stored bytes do not open with the spec's AAD: %v", err)
	}
	return plain
}

func TestSecureRoundTripStoresCiphertextOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, container := range []Container{ContainerPlain, ContainerEnvelope} {
		t.Run(container.String(), func(t *testing.T) {
			t.Parallel()
			c, fb := newFakeClient(t, Options{Namespace: "app", MasterKey: Secret(testKeyA), Container: container})
			s := newSecure(t, c)
			secret := "123-45-6789 top secret value"
			if err := s.Set(ctx, "ssn", secret); err != nil {
				t.Fatal(err)
			}
			stored, _ := fb.raw("app:ssn")
			e, ok := c.l1.Get("ssn")
			if !ok {
				t.Fatal("the write did not enter the L1")
			}
			for name, b := range map[string][]byte{"backend": stored, "L1": e.Value} {
				if bytes.Contains(b, []byte("secret")) {
					t.Errorf("%s holds plaintext", name)
				}
			}
			if !bytes.Equal(stored, e.Value) {
				t.Error("L1 and backend hold different bytes")
			}
			// The bytes follow the spec: AAD (tenant "default", full key, compressed =
			// envelope mode), plaintext = the container's bytes.
			plain := openIndependently(t, testKeyA, "default", "app:ssn", container == ContainerEnvelope, stored)
			if container == ContainerEnvelope {
				var err error
				if plain, _, err = envelope.Retrieve(plain); err != nil {
					t.Fatalf("plaintext is not an envelope: %v", err)
				}
			}
			want, _ := codec.Marshal(secret)
			if !bytes.Equal(plain, want) {
				t.Errorf("plaintext % x, want MessagePack % x", plain, want)
			}
			for range 2 { // L1 hit, then backend read after dropping the L1 copy
				got, found, err := Get[string](ctx, s, "ssn")
				if err != nil || !found || got != secret {
					t.Fatalf("Get = %q, %v, %v", got, found, err)
				}
				c.l1.Invalidate("ssn")
			}
		})
	}
}

func TestSecureNeedsMasterKey(t *testing.T) {
	t.Parallel()
	c, _ := newFakeClient(t, Options{})
	_, err := c.Secure()
	wantKind(t, err, KindConfig)
	if !errors.Is(err, ErrNoMasterKey) {
		t.Errorf("Secure() = %v, want ErrNoMasterKey", err)
	}
	// The environment supplies it when Options do not.
	env := envMap(map[string]string{EnvMasterKey: testKeyA})
	c2 := newClient(t, Options{Backend: newFakeBackend(), Env: env})
	if _, err := c2.Secure(); err != nil {
		t.Errorf("Secure() with CACHEKIT_MASTER_KEY = %v", err)
	}
}

func TestMasterKeyAloneDoesNotEncrypt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := envMap(map[string]string{EnvMasterKey: testKeyB})
	for _, o := range []Options{{MasterKey: Secret(testKeyA)}, {Env: env}} {
		c, fb := newFakeClient(t, o)
		if err := c.Set(ctx, "k", "visible"); err != nil {
			t.Fatal(err)
		}
		want, _ := codec.Marshal("visible")
		if got, _ := fb.raw("k"); !bytes.Equal(got, want) {
			t.Errorf("plain client with a master key stored % x, want plaintext MessagePack", got)
		}
	}
}

func TestEncryptOptionEncryptsEveryOperation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb := newFakeClient(t, Options{Encrypt: true, MasterKey: Secret(testKeyA)})
	if err := c.Set(ctx, "k", "hidden"); err != nil {
		t.Fatal(err)
	}
	stored, _ := fb.raw("k")
	want, _ := codec.Marshal("hidden")
	if got := openIndependently(t, testKeyA, "default", "k", false, stored); !bytes.Equal(got, want) {
		t.Errorf("plaintext % x, want % x", got, want)
	}
	if got, _, err := Get[string](ctx, c, "k"); err != nil || got != "hidden" {
		t.Errorf("Get = %q, %v", got, err)
	}
	// A plaintext entry is refused by an encrypting client.
	fb.put("p", want)
	_, found, err := Get[string](ctx, c, "p")
	wantKind(t, err, KindEncryption)
	if found {
		t.Error("found with an error")
	}
}

func TestWrongMasterKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fb := newFakeBackend()
	writer := newSecure(t, newClient(t, Options{Backend: fb, MasterKey: Secret(testKeyA)}))
	reader := newSecure(t, newClient(t, Options{Backend: fb, MasterKey: Secret(testKeyB)}))
	if err := writer.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	got, found, err := Get[string](ctx, reader, "k")
	wantKind(t, err, KindEncryption)
	if found || got != "" {
		t.Errorf("wrong key returned %q, found=%v", got, found)
	}
	if !errors.Is(err, encryption.ErrAuthentication) {
		t.Errorf("%v does not wrap encryption.ErrAuthentication", err)
	}
	if strings.Contains(strings.ToLower(err.Error()), testKeyB[:16]) {
		t.Errorf("error contains key material: %v", err)
	}
	if _, ok := reader.c.l1.Get("k"); ok {
		t.Error("bytes that failed to decrypt entered the L1")
	}
}

func TestTamperedCiphertext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tamper := func(b []byte, i int) []byte {
		out := bytes.Clone(b)
		out[i%len(out)] ^= 0x01
		return out
	}
	for _, pos := range []int{0, 12, 20, -1} { // nonce, body, tag
		t.Run("in the backend, L1 disabled", func(t *testing.T) {
			c, fb := newFakeClient(t, Options{MasterKey: Secret(testKeyA), L1: L1Options{Disabled: true}})
			s := newSecure(t, c)
			_ = s.Set(ctx, "k", "value")
			stored, _ := fb.raw("k")
			fb.put("k", tamper(stored, (pos+len(stored))%len(stored)))
			_, found, err := Get[string](ctx, s, "k")
			wantKind(t, err, KindEncryption)
			if found {
				t.Error("found")
			}
		})
		t.Run("in the backend, L1 on", func(t *testing.T) {
			c, fb := newFakeClient(t, Options{MasterKey: Secret(testKeyA)})
			s := newSecure(t, c)
			_ = s.Set(ctx, "k", "value")
			c.l1.Invalidate("k")
			stored, _ := fb.raw("k")
			fb.put("k", tamper(stored, (pos+len(stored))%len(stored)))
			for range 2 {
				_, found, err := Get[string](ctx, s, "k")
				wantKind(t, err, KindEncryption)
				if found {
					t.Error("found")
				}
			}
			if _, ok := c.l1.Get("k"); ok {
				t.Error("tampered bytes entered the L1")
			}
		})
		t.Run("in the L1", func(t *testing.T) {
			c, _ := newFakeClient(t, Options{MasterKey: Secret(testKeyA)})
			s := newSecure(t, c)
			_ = s.Set(ctx, "k", "value")
			e, _ := c.l1.Get("k")
			bad := tamper(e.Value, (pos+len(e.Value))%len(e.Value))
			c.l1.Store("k", bad, e.TTL(), c.l1.Generation("k"))
			_, found, err := Get[string](ctx, s, "k")
			wantKind(t, err, KindEncryption)
			if found {
				t.Error("found")
			}
		})
	}
	t.Run("truncated", func(t *testing.T) {
		c, fb := newFakeClient(t, Options{MasterKey: Secret(testKeyA), L1: L1Options{Disabled: true}})
		fb.put("k", make([]byte, 27))
		_, _, err := Get[string](ctx, newSecure(t, c), "k")
		wantKind(t, err, KindEncryption)
		if !errors.Is(err, encryption.ErrCiphertextTooShort) {
			t.Errorf("%v does not wrap ErrCiphertextTooShort", err)
		}
	})
}

// TestCiphertextBoundToKey: ciphertext copied under another key, namespace or tenant
// does not decrypt (the AAD binds them).
func TestCiphertextBoundToKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fb := newFakeBackend()
	c := newClient(t, Options{Backend: fb, Namespace: "a", MasterKey: Secret(testKeyA), L1: L1Options{Disabled: true}})
	s := newSecure(t, c)
	_ = s.Set(ctx, "k1", "v")
	stored, _ := fb.raw("a:k1")

	fb.put("a:k2", stored)
	_, _, err := Get[string](ctx, s, "k2")
	wantKind(t, err, KindEncryption)

	other := newSecure(t, newClient(t, Options{Backend: fb, Namespace: "b", MasterKey: Secret(testKeyA), L1: L1Options{Disabled: true}}))
	fb.put("b:k1", stored)
	_, _, err = Get[string](ctx, other, "k1")
	wantKind(t, err, KindEncryption)

	tenant := newSecure(t, newClient(t, Options{Backend: fb, Namespace: "a", Tenant: "t2", MasterKey: Secret(testKeyA), L1: L1Options{Disabled: true}}))
	_, _, err = Get[string](ctx, tenant, "k1")
	wantKind(t, err, KindEncryption)
}

func TestSecureAndPlainDoNotMix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, container := range []Container{ContainerPlain, ContainerEnvelope} {
		t.Run(container.String(), func(t *testing.T) {
			t.Parallel()
			c, _ := newFakeClient(t, Options{MasterKey: Secret(testKeyA), Container: container})
			s := newSecure(t, c)
			// A Secure entry read through the plain client: an error, never the value.
			// Random ciphertext could in principle be a valid document, so try many.
			for i := range 50 {
				key := "sec" + strings.Repeat("x", i)
				_ = s.Set(ctx, key, "secret value")
				for range 2 { // L1 hit, then backend read
					got, found, err := Get[string](ctx, c, key)
					wantKind(t, err, KindSerialization)
					if found || got != "" {
						t.Fatalf("plain read of a Secure entry returned %q", got)
					}
					c.l1.Invalidate(key)
				}
			}
			// A plain entry read through Secure.
			_ = c.Set(ctx, "plain", "public value")
			for range 2 {
				got, found, err := Get[string](ctx, s, "plain")
				wantKind(t, err, KindEncryption)
				if found || got != "" {
					t.Fatalf("Secure read of a plain entry returned %q", got)
				}
				c.l1.Invalidate("plain")
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fb := newFakeBackend()
	old := newSecure(t, newClient(t, Options{Backend: fb, MasterKey: Secret(testKeyA), L1: L1Options{Disabled: true}}))
	_ = old.Set(ctx, "k", "written under A")

	rotated := newClient(t, Options{Backend: fb, MasterKey: Secret(testKeyB),
		PreviousMasterKeys: []Secret{Secret(testKeyC), Secret(testKeyA)}, L1: L1Options{Disabled: true}})
	rs := newSecure(t, rotated)
	got, found, err := Get[string](ctx, rs, "k")
	if err != nil || !found || got != "written under A" {
		t.Fatalf("read after rotation = %q, %v, %v", got, found, err)
	}
	if n := rotated.Stats().PreviousKeyReads; n != 1 {
		t.Errorf("PreviousKeyReads = %d, want 1", n)
	}
	// New writes use the current key: the old client cannot read them.
	_ = rs.Set(ctx, "k", "written under B")
	stored, _ := fb.raw("k")
	openIndependently(t, testKeyB, "default", "k", false, stored)
	_, _, err = Get[string](ctx, old, "k")
	wantKind(t, err, KindEncryption)

	// Rotation through the environment.
	env := envMap(map[string]string{EnvMasterKey: testKeyC, EnvPreviousMasterKeys: testKeyB + ", " + testKeyA})
	envRotated := newSecure(t, newClient(t, Options{Backend: fb, Env: env, L1: L1Options{Disabled: true}}))
	if got, _, err := Get[string](ctx, envRotated, "k"); err != nil || got != "written under B" {
		t.Errorf("env rotation read = %q, %v", got, err)
	}
}

func TestTenantFromEnvironment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const upper = "0000000A-0000-4000-8000-00000000000A"
	const canonical = "0000000a-0000-4000-8000-00000000000a"
	c, fb := newFakeClient(t, Options{MasterKey: Secret(testKeyA), Env: envMap(map[string]string{EnvDeploymentUUID: upper})})
	_ = newSecure(t, c).Set(ctx, "k", "v")
	stored, _ := fb.raw("k")
	openIndependently(t, testKeyA, canonical, "k", false, stored)

	// Options.Tenant wins over the environment.
	c2, fb2 := newFakeClient(t, Options{MasterKey: Secret(testKeyA), Tenant: "explicit", Env: envMap(map[string]string{EnvDeploymentUUID: upper})})
	_ = newSecure(t, c2).Set(ctx, "k", "v")
	stored, _ = fb2.raw("k")
	openIndependently(t, testKeyA, "explicit", "k", false, stored)

	// A malformed UUID fails New, naming the variable only.
	_, err := New(Options{MasterKey: Secret(testKeyA), Env: envMap(map[string]string{EnvDeploymentUUID: "not-a-uuid-value"})})
	wantKind(t, err, KindConfig)
	if !strings.Contains(err.Error(), EnvDeploymentUUID) || strings.Contains(err.Error(), "not-a-uuid-value") {
		t.Errorf("error = %q", err)
	}
}

func TestSecureExistsDeleteTTL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newFakeClient(t, Options{MasterKey: Secret(testKeyA)})
	s := newSecure(t, c)
	_ = s.Set(ctx, "k", 1)
	if ok, _ := s.Exists(ctx, "k"); !ok {
		t.Error("Exists = false")
	}
	if _, found, _ := s.TTL(ctx, "k"); !found {
		t.Error("TTL not found")
	}
	if ok, _ := s.RefreshTTL(ctx, "k", 1e9); !ok {
		t.Error("RefreshTTL = false")
	}
	got, err := GetMany[int](ctx, s, []string{"k"})
	if err != nil || got["k"] != 1 {
		t.Errorf("GetMany = %v, %v", got, err)
	}
	if ok, _ := s.Delete(ctx, "k"); !ok {
		t.Error("Delete = false")
	}
	if s.Client() != c {
		t.Error("Client() is not the parent")
	}
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	o := Options{MasterKey: Secret(testKeyA), PreviousMasterKeys: []Secret{Secret(testKeyB)}}
	var buf bytes.Buffer
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		buf.WriteString(sprintf(format, o))
		buf.WriteString(sprintf(format, o.MasterKey))
	}
	buf.WriteString(o.MasterKey.String())
	text, _ := o.MasterKey.MarshalText()
	buf.Write(text)
	buf.WriteString(logJSON(o))
	out := strings.ToLower(buf.String())
	for _, k := range []string{testKeyA, testKeyB} {
		if strings.Contains(out, k[:8]) || strings.Contains(out, strings.ToLower(hexOf(k[:8]))) {
			t.Fatalf("formatted output contains key material: %s", out)
		}
	}
	if !strings.Contains(out, "[redacted]") {
		t.Error("no redaction marker")
	}
}

func TestSecureGetManyFailsClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, batched := range []bool{false, true} {
		fb := newFakeBackend()
		var b backendWithTTL = fb
		if batched {
			b = &batchBackend{fakeBackend: fb}
		}
		c := newClient(t, Options{Backend: b, MasterKey: Secret(testKeyA), L1: L1Options{Disabled: true}})
		s := newSecure(t, c)
		_ = s.Set(ctx, "good", "v")
		_ = s.Set(ctx, "bad", "v")
		stored, _ := fb.raw("bad")
		stored = bytes.Clone(stored)
		stored[len(stored)-1] ^= 0x80
		fb.put("bad", stored)
		got, err := GetMany[string](ctx, s, []string{"good", "bad"})
		wantKind(t, err, KindEncryption)
		if got != nil {
			t.Errorf("batched=%v: returned %v with the error", batched, got)
		}
		var e *Error
		if errors.As(err, &e) && e.Key != "bad" {
			t.Errorf("error names key %q, want bad", e.Key)
		}
	}
}
