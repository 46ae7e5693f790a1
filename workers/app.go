package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	cachekit "github.com/cachekit-io/cachekit-go"
	"github.com/cachekit-io/cachekit-go/backend/cachekitio"
)

// app serves the worker's routes (see the package documentation) over one cachekit
// client. It is safe for concurrent use; routes.go holds the handlers.
type app struct {
	client *cachekit.Client
	api    *cachekitio.Backend
	secure *cachekit.SecureClient // nil without a master key
}

// request is one HTTP request as worker.mjs hands it over.
type request struct {
	method string
	target string // the URL's escaped path and query, such as "/kv/user%3A1?ttl=60"
	body   []byte
}

// response is what the handler answers; worker.mjs turns it into a Response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// newApp builds the cachekit.io backend and the client over it.
func newApp(cfg config) (*app, error) {
	api, err := cachekitio.New(cfg.api)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errConfig, err)
	}
	o := cfg.client
	o.Backend = api
	c, err := cachekit.New(o)
	if err != nil {
		_ = api.Close()
		return nil, fmt.Errorf("%w: %w", errConfig, err)
	}
	a := &app{client: c, api: api}
	switch s, err := c.Secure(); {
	case err == nil:
		a.secure = s
	case !errors.Is(err, cachekit.ErrNoMasterKey):
		_ = a.Close()
		return nil, fmt.Errorf("%w: %w", errConfig, err)
	}
	return a, nil
}

// Close closes the client and then the backend, which the client does not own.
func (a *app) Close() error {
	return errors.Join(a.client.Close(), a.api.Close())
}

// serve routes req. It never panics on input: every failure is an answer.
func (a *app) serve(ctx context.Context, req request) response {
	u, err := url.ParseRequestURI(req.target)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return errorResponse(http.StatusBadRequest, "", "the request target is not a path")
	}
	path := u.EscapedPath()
	switch {
	case path == "/stats":
		if req.method != http.MethodGet {
			return notAllowed(http.MethodGet)
		}
		return a.serveStats()
	case path == "/health":
		if req.method != http.MethodGet {
			return notAllowed(http.MethodGet)
		}
		return a.serveHealth(ctx)
	case strings.HasPrefix(path, kvPrefix):
		return a.serveValue(ctx, a.client, path[len(kvPrefix):], u.Query(), req)
	case strings.HasPrefix(path, securePrefix):
		if a.secure == nil {
			return errorResponse(http.StatusNotImplemented, "",
				"the /secure routes need the CACHEKIT_MASTER_KEY binding")
		}
		return a.serveValue(ctx, a.secure, path[len(securePrefix):], u.Query(), req)
	}
	return errorResponse(http.StatusNotFound, "", "no such route")
}
