package cachekit

import (
	"errors"
	"fmt"
	"os"

	"github.com/cachekit-io/cachekit-go/protocol/encryption"
)

// envLookup returns the environment lookup of o.
func (o Options) envLookup() func(string) (string, bool) {
	if o.Env != nil {
		return o.Env
	}
	return os.LookupEnv
}

// resolveTenant returns Options.Tenant, else the canonical CACHEKIT_DEPLOYMENT_UUID, else
// the default tenant.
func resolveTenant(o Options, op string) (string, error) {
	if o.Tenant != "" {
		return o.Tenant, nil
	}
	if v, ok := o.envLookup()(EnvDeploymentUUID); ok {
		u, err := canonicalUUID(v)
		if err != nil {
			return "", envError(EnvDeploymentUUID, err)
		}
		return u, nil
	}
	return encryption.DefaultTenant, nil
}

// loadKeyring builds the keyring of o: the master key from Options.MasterKey or
// CACHEKIT_MASTER_KEY, the decrypt-only keys from Options.PreviousMasterKeys or
// CACHEKIT_PREVIOUS_MASTER_KEYS, and the resolved tenant. It returns nil without error
// when no master key is configured. Errors name the field or variable at fault and
// never contain key material.
func loadKeyring(o Options, op string) (*encryption.Keyring, error) {
	lookup := o.envLookup()
	fail := func(source string, err error) error {
		return newError(KindConfig, op, "", fmt.Errorf("%s: %w", source, err))
	}

	var current []byte
	currentSource := "Options.MasterKey"
	hexKey, haveKey := string(o.MasterKey), o.MasterKey != ""
	if !haveKey {
		hexKey, haveKey = lookup(EnvMasterKey)
		currentSource = EnvMasterKey
	}
	if haveKey {
		if hexKey == "" {
			return nil, fail(currentSource, errors.New("the master key is set but empty"))
		}
		k, err := encryption.ParseMasterKey(hexKey)
		if err != nil {
			return nil, fail(currentSource, err)
		}
		current = k
	}

	prevHex, prevSource := o.PreviousMasterKeys, "Options.PreviousMasterKeys"
	if len(prevHex) == 0 {
		if v, ok := lookup(EnvPreviousMasterKeys); ok {
			keys, err := splitKeyList(v)
			if err != nil {
				return nil, envError(EnvPreviousMasterKeys, err)
			}
			prevHex, prevSource = keys, EnvPreviousMasterKeys
		}
	}
	if len(prevHex) > encryption.MaxPreviousKeys {
		return nil, fail(prevSource, fmt.Errorf("%d decrypt-only keys given; at most %d are allowed", len(prevHex), encryption.MaxPreviousKeys))
	}
	previous := make([][]byte, 0, len(prevHex))
	defer func() {
		clear(current)
		for _, k := range previous {
			clear(k)
		}
	}()
	for i, h := range prevHex {
		k, err := encryption.ParseMasterKey(string(h))
		if err != nil {
			return nil, fail(fmt.Sprintf("%s entry %d", prevSource, i+1), err)
		}
		previous = append(previous, k)
	}
	if current == nil {
		if len(previous) > 0 {
			return nil, fail(prevSource, errors.New("decrypt-only keys need a current master key"))
		}
		return nil, nil
	}

	tenant, err := resolveTenant(o, op)
	if err != nil {
		return nil, err
	}
	kr, err := encryption.NewKeyring(current, previous, tenant)
	if err != nil {
		return nil, fail("master keys", err)
	}
	return kr, nil
}
