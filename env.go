package cachekit

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cachekit-io/cachekit-go/backend/cachekitio"
	"github.com/cachekit-io/cachekit-go/protocol/encryption"
)

// Environment variables the client reads, as the other cachekit SDKs name them.
const (
	// EnvNamespace sets Options.Namespace.
	EnvNamespace = "CACHEKIT_NAMESPACE"
	// EnvDefaultTTL sets Options.DefaultTTL, in whole seconds (at least 1).
	EnvDefaultTTL = "CACHEKIT_DEFAULT_TTL"
	// EnvMasterKey is the hex master key, read by FromEnv and as the fallback of
	// Options.MasterKey. Its presence alone never turns encryption on.
	EnvMasterKey = "CACHEKIT_MASTER_KEY"
	// EnvPreviousMasterKeys holds up to 3 comma-separated hex decrypt-only keys.
	EnvPreviousMasterKeys = "CACHEKIT_PREVIOUS_MASTER_KEYS"
	// EnvDeploymentUUID is the tenant when Options.Tenant is empty; it must be a UUID and
	// is used in canonical lowercase form.
	EnvDeploymentUUID = "CACHEKIT_DEPLOYMENT_UUID"
	// EnvL1MaxSizeMB sets Options.L1.MaxBytes, in whole MiB (at least 1).
	EnvL1MaxSizeMB = "CACHEKIT_L1_MAX_SIZE_MB"
)

// maxTTLSeconds keeps a TTL in seconds representable as a time.Duration.
const maxTTLSeconds = int64(1<<63-1) / int64(time.Second)

// FromEnv returns Options read from the CACHEKIT_* environment variables (see the Env
// constants); unset variables leave the field at its default. Every variable is
// validated: a variable that is set but empty, malformed or out of range is a
// KindConfig error that names the variable and never repeats its value. A master key in
// the environment is only validated and kept: it does not make the client encrypt.
func FromEnv() (Options, error) { return LoadEnv(os.LookupEnv) }

// LoadEnv is FromEnv over an arbitrary lookup function, such as a map in a test. The
// returned Options use lookup for their remaining fallbacks too.
func LoadEnv(lookup func(name string) (value string, ok bool)) (Options, error) {
	o := Options{Env: lookup}
	// Validate the keys and the tenant first, from the variables themselves, so errors
	// name the variable at fault.
	if _, err := loadKeyring(o, "env"); err != nil {
		return o, err
	}
	if v, ok := lookup(EnvNamespace); ok {
		if v == "" {
			return o, envError(EnvNamespace, errors.New("is set but empty"))
		}
		if err := checkNamespace(v); err != nil {
			return o, envError(EnvNamespace, err)
		}
		o.Namespace = v
	}
	if v, ok := lookup(EnvDefaultTTL); ok {
		secs, err := parsePositive(v, maxTTLSeconds)
		if err != nil {
			return o, envError(EnvDefaultTTL, fmt.Errorf("must be a whole number of seconds, at least 1: %w", err))
		}
		o.DefaultTTL = time.Duration(secs) * time.Second
	}
	if v, ok := lookup(EnvL1MaxSizeMB); ok {
		mb, err := parsePositive(v, 1<<40)
		if err != nil {
			return o, envError(EnvL1MaxSizeMB, fmt.Errorf("must be a whole number of MiB, at least 1: %w", err))
		}
		o.L1.MaxBytes = mb << 20
	}
	if v, ok := lookup(EnvMasterKey); ok {
		o.MasterKey = Secret(v)
	}
	if v, ok := lookup(EnvPreviousMasterKeys); ok {
		keys, err := splitKeyList(v)
		if err != nil {
			return o, envError(EnvPreviousMasterKeys, err)
		}
		o.PreviousMasterKeys = keys
	}
	if v, ok := lookup(EnvDeploymentUUID); ok {
		u, err := canonicalUUID(v)
		if err != nil {
			return o, envError(EnvDeploymentUUID, err)
		}
		o.Tenant = u
	}
	return o, nil
}

// NewFromEnv returns New(FromEnv()), with one addition: when CACHEKIT_API_KEY is set,
// the backend is cachekit.io (configured as IOOptions does, from the CACHEKIT_API_*
// variables, with the reliability stack), as the other SDKs do; otherwise it is the
// in-process memory backend. The client closes the backend it creates.
func NewFromEnv() (*Client, error) {
	o, err := FromEnv()
	if err != nil {
		return nil, err
	}
	if key, ok := os.LookupEnv(cachekitio.EnvAPIKey); ok && key != "" {
		io, err := IOOptions("")
		if err != nil {
			return nil, err
		}
		o.Backend, o.CloseBackend = io.Backend, true
		if o.Reliability == nil {
			o.Reliability = io.Reliability
		}
	}
	c, err := New(o)
	if err != nil && o.CloseBackend {
		if cl, ok := o.Backend.(interface{ Close() error }); ok {
			_ = cl.Close()
		}
	}
	return c, err
}

func envError(name string, err error) *Error {
	return newError(KindConfig, "env", "", fmt.Errorf("%s %w", name, err))
}

// parsePositive parses a decimal integer in [1, limit]. Its errors never quote the input.
func parsePositive(s string, limit int64) (int64, error) {
	if s == "" {
		return 0, errors.New("it is set but empty")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		return 0, errors.New("it is not a decimal integer in range")
	case n < 1:
		return 0, errors.New("it is below 1")
	case n > limit:
		return 0, fmt.Errorf("it is above %d", limit)
	}
	return n, nil
}

// splitKeyList splits a comma-separated key list, trimming spaces around each item.
// Empty items are refused; the keys themselves are validated when the keyring loads.
func splitKeyList(s string) ([]Secret, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("is set but empty")
	}
	parts := strings.Split(s, ",")
	if len(parts) > encryption.MaxPreviousKeys {
		return nil, fmt.Errorf("holds %d keys; at most %d decrypt-only keys are allowed", len(parts), encryption.MaxPreviousKeys)
	}
	keys := make([]Secret, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, fmt.Errorf("entry %d is empty", i+1)
		}
		keys[i] = Secret(p)
	}
	return keys, nil
}

// canonicalUUID accepts a UUID as 8-4-4-4-12 hex digits (or 32 digits without hyphens)
// in any case and returns its canonical lowercase hyphenated form.
func canonicalUUID(s string) (string, error) {
	if s == "" {
		return "", errors.New("is set but empty")
	}
	var digits []byte
	switch len(s) {
	case 36:
		for i := 0; i < len(s); i++ {
			if i == 8 || i == 13 || i == 18 || i == 23 {
				if s[i] != '-' {
					return "", errors.New("is not a UUID (8-4-4-4-12 hex digits)")
				}
				continue
			}
			digits = append(digits, s[i])
		}
	case 32:
		digits = []byte(s)
	default:
		return "", errors.New("is not a UUID (8-4-4-4-12 hex digits)")
	}
	for i, d := range digits {
		switch {
		case d >= '0' && d <= '9', d >= 'a' && d <= 'f':
		case d >= 'A' && d <= 'F':
			digits[i] = d + ('a' - 'A')
		default:
			return "", errors.New("is not a UUID (8-4-4-4-12 hex digits)")
		}
	}
	d := string(digits)
	return d[0:8] + "-" + d[8:12] + "-" + d[12:16] + "-" + d[16:20] + "-" + d[20:32], nil
}
