//go:build js

package cachekitio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall/js"
)

// errFetch is wrapped by the failures the Fetch API reports.
var errFetch = errors.New("cachekitio: fetch failed")

// fetchExchange sends req through the global fetch and returns its answer without
// following a redirect. req's context aborts the request and the reading of its body.
func fetchExchange(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	init := js.Global().Get("Object").New()
	init.Set("method", req.Method)
	init.Set("redirect", "manual")
	headers := js.Global().Get("Headers").New()
	for name, values := range req.Header {
		for _, v := range values {
			headers.Call("append", name, v)
		}
	}
	init.Set("headers", headers)
	if req.Body != nil {
		body, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		if len(body) > 0 {
			buf := js.Global().Get("Uint8Array").New(len(body))
			js.CopyBytesToJS(buf, body)
			init.Set("body", buf)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	abort := js.Global().Get("AbortController").New()
	init.Set("signal", abort.Get("signal"))
	res, err := await(ctx, abort, js.Global().Call("fetch", req.URL.String(), init))
	if err != nil {
		return nil, err
	}
	status := res.Get("status").Int()
	if status == 0 { // an opaque answer, such as a browser's opaqueredirect
		return nil, fmt.Errorf("%w: %s answer without a status", errFetch, res.Get("type").String())
	}
	header := http.Header{}
	entries := res.Get("headers").Call("entries")
	for {
		next := entries.Call("next")
		if next.Get("done").Bool() {
			break
		}
		pair := next.Get("value")
		header.Add(pair.Index(0).String(), pair.Index(1).String())
	}
	resp := &http.Response{
		Status:        strconv.Itoa(status) + " " + res.Get("statusText").String(),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		ContentLength: contentLength(header),
		Request:       req,
		Body:          http.NoBody,
	}
	if b := res.Get("body"); !b.IsNull() && !b.IsUndefined() {
		resp.Body = &fetchBody{ctx: ctx, abort: abort, reader: b.Call("getReader")}
	}
	return resp, nil
}

// contentLength is the declared length of an answer, or -1 when it is unknown or counts
// encoded bytes that fetch decodes.
func contentLength(h http.Header) int64 {
	if enc := h.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return -1
	}
	n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// await waits for promise to settle or ctx to end; then it aborts the request and still
// waits for the promise, so that no callback runs after it is released.
func await(ctx context.Context, abort, promise js.Value) (js.Value, error) {
	type settled struct {
		value js.Value
		err   error
	}
	done := make(chan settled, 1)
	onValue := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- settled{value: args[0]}
		return nil
	})
	onError := js.FuncOf(func(_ js.Value, args []js.Value) any {
		done <- settled{err: fmt.Errorf("%w: %s", errFetch, jsErrorText(args[0]))}
		return nil
	})
	defer onValue.Release()
	defer onError.Release()
	promise.Call("then", onValue, onError)
	select {
	case s := <-done:
		return s.value, s.err
	case <-ctx.Done():
		abort.Call("abort")
		<-done
		return js.Undefined(), ctx.Err()
	}
}

// jsErrorText describes a rejection reason.
func jsErrorText(v js.Value) string {
	if v.Type() == js.TypeObject {
		if m := v.Get("message"); m.Type() == js.TypeString {
			return v.Get("name").String() + ": " + m.String()
		}
	}
	return js.Global().Get("String").Invoke(v).String()
}

// fetchBody reads an answer's ReadableStream.
type fetchBody struct {
	ctx     context.Context
	abort   js.Value
	reader  js.Value
	chunk   js.Value // the Uint8Array being read, when rest > 0
	offset  int
	rest    int
	done    bool
	readErr error
}

func (b *fetchBody) Read(p []byte) (int, error) {
	for b.rest == 0 {
		if b.done {
			return 0, io.EOF
		}
		if b.readErr != nil {
			return 0, b.readErr
		}
		r, err := await(b.ctx, b.abort, b.reader.Call("read"))
		if err != nil {
			b.readErr = err
			return 0, err
		}
		if r.Get("done").Bool() {
			b.done = true
			continue
		}
		b.chunk, b.offset, b.rest = r.Get("value"), 0, r.Get("value").Get("byteLength").Int()
	}
	n := min(len(p), b.rest)
	js.CopyBytesToGo(p[:n], b.chunk.Call("subarray", b.offset, b.offset+n))
	b.offset += n
	b.rest -= n
	return n, nil
}

// Close stops reading; the rest of the answer is discarded.
func (b *fetchBody) Close() error {
	if !b.done {
		b.done = true
		b.rest = 0
		b.reader.Call("cancel")
	}
	return nil
}
