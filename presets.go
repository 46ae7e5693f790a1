package cachekit

import "time"

// Default TTLs of the intent presets (spec/intent-presets.md).
const (
	MinimalTTL    = 300 * time.Second
	ProductionTTL = 600 * time.Second
	SecureTTL     = 600 * time.Second
)

// The intent presets return Options for one operational intent, with the same meaning
// in every cachekit SDK. Set Options.Backend (and anything else) on the result, then
// call New. An explicit field set afterwards overrides the preset.
//
// When the backend is unreachable, reads and writes return a Backend* error to the
// caller in every preset: the client itself never hides an outage. The production and
// secure presets call for the reliability stack (retry, circuit breaker, backpressure),
// a backend middleware these constructors do not apply yet: wrap the backend yourself,
// as in Options.Backend, err = reliability.New(b, reliability.Options{}).

// MinimalOptions is the minimal preset: 300 s default TTL, L1 on, no cross-process
// invalidation, no encryption.
func MinimalOptions() Options {
	return Options{
		DefaultTTL: MinimalTTL,
		L1:         L1Options{NoInvalidation: true},
	}
}

// ProductionOptions is the production preset: 600 s default TTL, L1 on and kept
// coherent across processes when the backend supports invalidations, no encryption.
func ProductionOptions() Options {
	return Options{DefaultTTL: ProductionTTL}
}

// SecureOptions is the secure preset: 600 s default TTL, L1 on holding ciphertext only,
// and every operation encrypted under masterKeyHex (hex, at least 32 bytes; exactly 32
// is the portable size). An empty masterKeyHex falls back to CACHEKIT_MASTER_KEY; with
// neither, New fails. The tenant is Options.Tenant, else CACHEKIT_DEPLOYMENT_UUID, else
// "default".
func SecureOptions(masterKeyHex string) Options {
	return Options{
		DefaultTTL: SecureTTL,
		Encrypt:    true,
		MasterKey:  Secret(masterKeyHex),
	}
}
