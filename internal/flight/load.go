package flight

import (
	"context"
	"runtime/debug"
)

// load runs fn and turns a panic into a *PanicError. ctx is detached from the callers'
// and already bounded by Options.LoadTimeout.
func (g *Group[T]) load(ctx context.Context, fn LoadFunc[T]) (val T, err error) {
	g.stats.loads.Add(1)
	defer g.recoverPanic(&err)
	return fn(ctx)
}

// check runs fn, turning a panic into a *PanicError. A nil fn finds nothing.
func (g *Group[T]) check(ctx context.Context, fn CheckFunc[T]) (val T, found bool, err error) {
	if fn == nil {
		return val, false, nil
	}
	defer g.recoverPanic(&err)
	return fn(ctx)
}

// recoverPanic, deferred, replaces *err with a *PanicError when the function panics.
// A runtime.Goexit passes through: recover returns nil for it, and run reports it.
func (g *Group[T]) recoverPanic(err *error) {
	if r := recover(); r != nil {
		g.stats.panics.Add(1)
		*err = &PanicError{Value: r, Stack: debug.Stack()}
	}
}
