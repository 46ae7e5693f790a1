package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	cachekit "github.com/cachekit-io/cachekit-go"
)

// errorBody is the JSON body of every error answer.
type errorBody struct {
	Error string `json:"error"`
	Kind  string `json:"kind,omitempty"`
}

// jsonResponse answers v as JSON. v is always one of this package's own types, which
// always marshal.
func jsonResponse(status int, v any) response {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"workers: the answer could not be encoded"}`)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return response{status: status, header: h, body: body}
}

func errorResponse(status int, kind, msg string) response {
	return jsonResponse(status, errorBody{Error: msg, Kind: kind})
}

func notAllowed(methods ...string) response {
	r := errorResponse(http.StatusMethodNotAllowed, "", "method not allowed")
	r.header.Set("Allow", strings.Join(methods, ", "))
	return r
}

// cacheError answers a client error. Its message is safe to show: the client's errors
// carry the operation, the key and the cause, never a value or key material.
func cacheError(err error) response {
	kind, _ := cachekit.KindOf(err)
	name := ""
	if kind != 0 {
		name = kind.String()
	}
	return errorResponse(statusFor(err, kind), name, err.Error())
}

// statusFor maps a client error to an HTTP status: the caller's fault is 4xx, the API's
// 502 to 504, and the worker's own 500.
func statusFor(err error, kind cachekit.Kind) int {
	switch kind {
	case cachekit.KindInvalidKey:
		return http.StatusBadRequest
	case cachekit.KindPayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case cachekit.KindConfig:
		if errors.Is(err, cachekit.ErrClosed) {
			return http.StatusServiceUnavailable
		}
		return http.StatusBadRequest
	case cachekit.KindBackendAuthentication, cachekit.KindBackendPermanent:
		return http.StatusBadGateway
	case cachekit.KindBackendTransient, cachekit.KindBackendCircuitOpen, cachekit.KindBackendBackpressure:
		return http.StatusServiceUnavailable
	case cachekit.KindBackendTimeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}
