package cachekitio

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Environment variables read by FromEnv, shared with the other cachekit SDKs.
const (
	EnvAPIKey          = "CACHEKIT_API_KEY"
	EnvAPIURL          = "CACHEKIT_API_URL"
	EnvAllowCustomHost = "CACHEKIT_ALLOW_CUSTOM_HOST"
	EnvTimeout         = "CACHEKIT_TIMEOUT"
	EnvMaxRetries      = "CACHEKIT_MAX_RETRIES"
	EnvPoolSize        = "CACHEKIT_CONNECTION_POOL_SIZE"
)

// maxEnvTimeout bounds CACHEKIT_TIMEOUT: an hour is already far beyond any sensible
// request timeout, and the bound keeps the conversion to time.Duration exact.
const maxEnvTimeout = time.Hour

// FromEnv builds Options from the CACHEKIT_* environment variables:
//
//	CACHEKIT_API_KEY                required
//	CACHEKIT_API_URL                default https://api.cachekit.io
//	CACHEKIT_ALLOW_CUSTOM_HOST      true or false (strconv.ParseBool), default false
//	CACHEKIT_TIMEOUT                seconds, a positive decimal such as 2.5, default 5.0
//	CACHEKIT_MAX_RETRIES            0..100, default 3; 0 turns retries off
//	CACHEKIT_CONNECTION_POOL_SIZE   1..10000, default 10
//
// A variable that is unset or empty takes its default. An invalid value is an error
// wrapping ErrInvalidOptions that names the variable (and shows the value, except for
// the API key, whose value is never shown). AllowInsecureLoopback cannot be set from the
// environment. FromEnv does not check the URL; New does.
func FromEnv() (Options, error) { return LoadEnv(os.LookupEnv) }

// LoadEnv is FromEnv over an arbitrary lookup function, such as a map in a test or a
// Worker's bindings.
func LoadEnv(lookup func(name string) (value string, ok bool)) (Options, error) {
	getenv := func(name string) string { v, _ := lookup(name); return v }
	var o Options
	key, _ := lookup(EnvAPIKey)
	key = strings.TrimSpace(key)
	if key == "" {
		return Options{}, fmt.Errorf("%w: %s is not set", ErrInvalidOptions, EnvAPIKey)
	}
	if !ValidAPIKey(key) {
		return Options{}, fmt.Errorf("%w: %s is not a valid bearer token (its value is not shown)", ErrInvalidOptions, EnvAPIKey)
	}
	o.APIKey = key
	o.APIURL = strings.TrimSpace(getenv(EnvAPIURL))

	if v := strings.TrimSpace(getenv(EnvAllowCustomHost)); v != "" {
		allow, err := strconv.ParseBool(v)
		if err != nil {
			return Options{}, fmt.Errorf("%w: %s=%q is not true or false", ErrInvalidOptions, EnvAllowCustomHost, v)
		}
		o.AllowCustomHost = allow
	}
	if v := strings.TrimSpace(getenv(EnvTimeout)); v != "" {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(secs) || secs <= 0 || secs > maxEnvTimeout.Seconds() {
			return Options{}, fmt.Errorf("%w: %s=%q is not a number of seconds in (0, %g]", ErrInvalidOptions, EnvTimeout, v, maxEnvTimeout.Seconds())
		}
		o.Timeout = time.Duration(math.Ceil(secs * float64(time.Second)))
	}
	if v := strings.TrimSpace(getenv(EnvMaxRetries)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxRetriesCap {
			return Options{}, fmt.Errorf("%w: %s=%q is not an integer in 0..%d", ErrInvalidOptions, EnvMaxRetries, v, maxRetriesCap)
		}
		o.MaxRetries = n
		if n == 0 {
			o.MaxRetries = -1 // Options spells "no retries" as a negative number.
		}
	}
	if v := strings.TrimSpace(getenv(EnvPoolSize)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPoolSize {
			return Options{}, fmt.Errorf("%w: %s=%q is not an integer in 1..%d", ErrInvalidOptions, EnvPoolSize, v, maxPoolSize)
		}
		o.PoolSize = n
	}
	return o, nil
}
