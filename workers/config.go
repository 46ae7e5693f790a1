package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend/cachekitio"
)

// envDevServerURL names the binding that points the worker at a development server on
// loopback. It is the only way to set cachekitio.Options.AllowInsecureLoopback here, and
// the URL must still name a loopback address: a deployed Worker that sets it by mistake
// fails at start instead of talking plain HTTP to the internet.
const envDevServerURL = "CACHEKIT_DEV_SERVER_URL"

// errConfig is wrapped by every configuration error of the worker.
var errConfig = errors.New("workers: the worker's configuration is not valid")

// config is what the worker is built from.
type config struct {
	client cachekit.Options
	api    cachekitio.Options
}

// loadConfig reads the worker's bindings from the process environment, which
// worker.mjs fills with the Worker's CACHEKIT_* string bindings. Errors name the
// variable at fault and never repeat a key.
func loadConfig() (config, error) {
	co, err := cachekit.FromEnv()
	if err != nil {
		return config{}, fmt.Errorf("%w: %w", errConfig, err)
	}
	ao, err := cachekitio.FromEnv()
	if err != nil {
		return config{}, fmt.Errorf("%w: %w", errConfig, err)
	}
	if dev, ok := os.LookupEnv(envDevServerURL); ok {
		dev = strings.TrimSpace(dev)
		if dev == "" {
			return config{}, fmt.Errorf("%w: %s is set but empty", errConfig, envDevServerURL)
		}
		if _, both := os.LookupEnv(cachekitio.EnvAPIURL); both {
			return config{}, fmt.Errorf("%w: set %s or %s, not both", errConfig, cachekitio.EnvAPIURL, envDevServerURL)
		}
		ao.APIURL = dev
		ao.AllowInsecureLoopback = true
	}
	return config{client: co, api: ao}, nil
}
