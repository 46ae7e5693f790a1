// Package flight is the single-flight of cachekit's Memoize: on a cache miss, at most
// one load of a key runs at a time in a process and, when the backend offers a
// distributed lock, across every process sharing the backend.
//
// A Group[T] keeps one flight per key. The first caller of Do for a key starts it; the
// callers that arrive while it runs join it and all receive its one result. With
// Options.Locker the flight also takes the backend lock backend.LockKey(key) for
// Options.LockTimeout; if another process holds it, the flight waits for that
// process's value, reading the cache with the caller's check function at every poll
// tick (backing off from PollInterval to MaxPollInterval) and at every invalidation of
// the key (with Options.Invalidator, or when the caller forwards them to Notify).
//
// # Contract
//
//   - Do honours its caller's context and nothing else: a caller whose context ends
//     gets ctx.Err() at once, and the flight goes on for the others. The load function
//     runs on context.WithoutCancel of the first caller's context (its values, not its
//     cancellation or deadline) bounded by Options.LoadTimeout, so a flight every caller
//     abandoned still finishes, within that bound.
//   - Waiting never lasts forever and never fails a call by itself: a flight that waited
//     Options.WaitTimeout for another process loads anyway; one whose lock holder
//     released the lock without writing (it failed) or died (the lock expired) takes
//     the lock and loads. The holder checks the cache once more after taking the lock,
//     so a value written just before is not loaded twice.
//   - Backend failures of the coordination are fail-open: if acquiring the lock fails,
//     the flight loads without it; failed releases and subscriptions change nothing
//     for the callers. Each is given to Options.OnError as a *CoordinationError and
//     counted in Stats.
//   - Errors returned by load and check reach every caller of the flight and are not
//     remembered. A panic in either is recovered and returned to every caller as a
//     *PanicError (matching ErrPanic), so a bug in one loader never crashes the
//     goroutines of callers that merely joined it; a runtime.Goexit (t.FailNow) gives
//     them ErrGoexit.
//   - Without a Locker the check function is never called: joining happens only while
//     a flight runs, and a caller that arrives just after it ended starts a new one, so
//     Memoize reads its cache before calling Do.
//   - A value returned to several callers is the same T; when T holds references
//     (slices, maps, pointers) callers must treat it as read-only.
//   - The only goroutines a Group starts are the flights of callers that can be
//     cancelled (a caller whose context has no Done channel runs its flight itself)
//     and, through the backend, the invalidation subscription. Close ends them all and
//     waits for them.
//
// A short example, loading once across processes:
//
//	g, err := flight.New[User](flight.Options{Locker: b, Invalidator: b, InvalidationPrefix: "app:"})
//	if err != nil {
//		return err
//	}
//	defer g.Close()
//	u, shared, err := g.Do(ctx, "app:get_user:...", readCache, loadAndStore)
package flight
