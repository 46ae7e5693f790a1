package cachekit

import (
	"context"
	"time"
)

// SecureClient is a view of a Client that encrypts every value it writes and decrypts
// every value it reads (AES-256-GCM under a per-tenant key derived from the master key,
// the AAD binding tenant, storage key and container). The backend and the L1 only ever
// hold its ciphertext. A value that fails to decrypt — written in plaintext, under
// another key or tenant, or altered — is a KindEncryption error, never a miss and never
// a wrong value.
//
// It shares the client's backend, L1, statistics and lifetime: closing the Client closes
// it. It is safe for concurrent use.
type SecureClient struct {
	c *Client
}

// Secure returns the encrypting view of the client. It needs a master key
// (Options.MasterKey or CACHEKIT_MASTER_KEY, validated by New), else it fails with
// ErrNoMasterKey (KindConfig).
//
// Values written under a decrypt-only (previous) master key keep reading back; they are
// not re-encrypted on read, because a rewrite would need the entry's remaining lifetime
// and could race a newer write. They move to the current key when next written, or
// expire.
func (c *Client) Secure() (*SecureClient, error) {
	if c.keyring == nil {
		return nil, c.fail(newError(KindConfig, "secure", "", ErrNoMasterKey))
	}
	return &SecureClient{c: c}, nil
}

// Get decrypts and decodes the value stored under key into dst, a non-nil pointer, and
// reports whether there was one. See Client.Get.
func (s *SecureClient) Get(ctx context.Context, key string, dst any) (bool, error) {
	return s.c.get(ctx, key, dst, true)
}

// GetMany fetches and decrypts several keys. See Client.GetMany.
func (s *SecureClient) GetMany(ctx context.Context, keys []string) (map[string]Value, error) {
	return s.c.getMany(ctx, keys, true)
}

// Set encrypts and stores value under key. See Client.Set.
func (s *SecureClient) Set(ctx context.Context, key string, value any, opts ...SetOption) error {
	return s.c.set(ctx, key, value, opts, true)
}

// Delete removes the entry under key. See Client.Delete.
func (s *SecureClient) Delete(ctx context.Context, key string) (bool, error) {
	return s.c.Delete(ctx, key)
}

// Exists reports whether an entry is stored under key, without decrypting it. See
// Client.Exists.
func (s *SecureClient) Exists(ctx context.Context, key string) (bool, error) {
	return s.c.Exists(ctx, key)
}

// TTL returns the remaining lifetime of the entry under key. See Client.TTL.
func (s *SecureClient) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	return s.c.TTL(ctx, key)
}

// RefreshTTL extends the lifetime of the entry under key. See Client.RefreshTTL.
func (s *SecureClient) RefreshTTL(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return s.c.RefreshTTL(ctx, key, ttl)
}

// Client returns the client this view encrypts for.
func (s *SecureClient) Client() *Client { return s.c }
