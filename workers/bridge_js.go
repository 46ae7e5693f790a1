//go:build js && wasm

package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"syscall/js"
	"time"

	cachekit "github.com/cachekit-io/cachekit-go"
)

// handlerGlobal is the global function through which worker.mjs calls the program.
const handlerGlobal = "__cachekitHandle"

// requestTimeout bounds each request's work, retries included.
const requestTimeout = 30 * time.Second

// main builds the app from the environment worker.mjs set, registers the handler and
// blocks for ever, so that the client and its L1 live as long as the isolate.
func main() {
	serve := startApp()
	js.Global().Set(handlerGlobal, js.FuncOf(func(_ js.Value, args []js.Value) any {
		return handle(serve, args)
	}))
	select {}
}

// startApp returns the app's serve method. A configuration error does not stop the
// program: every request then answers 500 with the error (which names the binding at
// fault and never a secret), which is easier to find than a Worker that fails to start.
func startApp() func(context.Context, request) response {
	cfg, err := loadConfig()
	if err == nil {
		var a *app
		if a, err = newApp(cfg); err == nil {
			return a.serve
		}
	}
	slog.Error("workers: cannot start", "err", err)
	msg := err.Error()
	return func(context.Context, request) response {
		return errorResponse(http.StatusInternalServerError, cachekit.KindConfig.String(), msg)
	}
}

// handle is the JS entry point: handle(method, target, body) returns a Promise of
// {status, headers, body}. The arguments are copied before it returns; the work runs on
// its own goroutine, so the JS caller is never blocked.
func handle(serve func(context.Context, request) response, args []js.Value) js.Value {
	req, why := requestFrom(args)
	return newPromise(func() js.Value {
		if why != "" {
			return toJS(errorResponse(http.StatusBadRequest, "", why))
		}
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		return toJS(serve(ctx, req))
	})
}

// requestFrom checks and copies the handler's arguments: method (string), target
// (string) and body (a Uint8Array, or null or undefined for none).
func requestFrom(args []js.Value) (request, string) {
	if len(args) < 2 || args[0].Type() != js.TypeString || args[1].Type() != js.TypeString {
		return request{}, "workers: the handler takes (method, target, body)"
	}
	req := request{method: args[0].String(), target: args[1].String()}
	if len(args) > 2 && !args[2].IsNull() && !args[2].IsUndefined() {
		b := args[2]
		if !b.InstanceOf(js.Global().Get("Uint8Array")) {
			return request{}, "workers: the body must be a Uint8Array"
		}
		req.body = make([]byte, b.Get("byteLength").Int())
		js.CopyBytesToGo(req.body, b)
	}
	return req, ""
}

// newPromise returns a Promise that work resolves from a new goroutine. A panic in work
// resolves it with a 500 answer rather than leaving the request hanging.
func newPromise(work func() js.Value) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		executor.Release()
		resolve := args[0]
		go func() {
			var result js.Value
			defer func() {
				if r := recover(); r != nil {
					slog.Error("workers: handler panicked", "panic", fmt.Sprint(r))
					result = toJS(errorResponse(http.StatusInternalServerError, "", "workers: internal error"))
				}
				resolve.Invoke(result)
			}()
			result = work()
		}()
		return nil
	})
	return js.Global().Get("Promise").New(executor)
}

// toJS converts r to the plain object worker.mjs expects.
func toJS(r response) js.Value {
	obj := js.Global().Get("Object").New()
	obj.Set("status", r.status)
	headers := js.Global().Get("Object").New()
	for name, values := range r.header {
		if len(values) > 0 {
			headers.Set(name, values[0])
		}
	}
	obj.Set("headers", headers)
	if len(r.body) > 0 {
		body := js.Global().Get("Uint8Array").New(len(r.body))
		js.CopyBytesToJS(body, r.body)
		obj.Set("body", body)
	} else {
		obj.Set("body", js.Null())
	}
	return obj
}
