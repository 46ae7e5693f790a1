package flight

import (
	"errors"
	"testing"
	"time"
)

func TestNewAppliesDefaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Options
		want Options
	}{
		{"zero value", Options{}, Options{
			LockTimeout: DefaultLockTimeout, WaitTimeout: DefaultLockTimeout, LoadTimeout: DefaultLockTimeout,
			PollInterval: DefaultPollInterval, MaxPollInterval: DefaultMaxPollInterval,
		}},
		{"wait and load follow the lock", Options{LockTimeout: 9 * time.Second}, Options{
			LockTimeout: 9 * time.Second, WaitTimeout: 9 * time.Second, LoadTimeout: 9 * time.Second,
			PollInterval: DefaultPollInterval, MaxPollInterval: DefaultMaxPollInterval,
		}},
		{"poll interval above the default maximum raises it", Options{PollInterval: time.Second}, Options{
			LockTimeout: DefaultLockTimeout, WaitTimeout: DefaultLockTimeout, LoadTimeout: DefaultLockTimeout,
			PollInterval: time.Second, MaxPollInterval: time.Second,
		}},
		{"explicit values kept", Options{LockTimeout: 2 * time.Second, WaitTimeout: time.Second, LoadTimeout: time.Minute, PollInterval: time.Millisecond, MaxPollInterval: 2 * time.Millisecond}, Options{
			LockTimeout: 2 * time.Second, WaitTimeout: time.Second, LoadTimeout: time.Minute,
			PollInterval: time.Millisecond, MaxPollInterval: 2 * time.Millisecond,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := New[int](tc.in)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if got, want := durations(g.opts), durations(tc.want); got != want {
				t.Errorf("lock, wait, load, poll, max poll = %v, want %v", got, want)
			}
		})
	}
}

// durations lists the Options fields that have defaults (Options holds a func and so
// cannot be compared with ==).
func durations(o Options) [5]time.Duration {
	return [5]time.Duration{o.LockTimeout, o.WaitTimeout, o.LoadTimeout, o.PollInterval, o.MaxPollInterval}
}

func TestNewRejectsInvalidOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"negative LockTimeout", Options{LockTimeout: -1}},
		{"negative WaitTimeout", Options{WaitTimeout: -time.Second}},
		{"negative LoadTimeout", Options{LoadTimeout: -time.Second}},
		{"negative PollInterval", Options{PollInterval: -time.Millisecond}},
		{"negative MaxPollInterval", Options{MaxPollInterval: -time.Millisecond}},
		{"MaxPollInterval below PollInterval", Options{PollInterval: time.Second, MaxPollInterval: time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New[int](tc.opts); !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("New = %v, want ErrInvalidOptions", err)
			}
		})
	}
}

func TestPollBackoff(t *testing.T) {
	g, err := New[int](Options{PollInterval: 100 * time.Millisecond, MaxPollInterval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// Each step doubles up to the maximum; each pause lies within the jitter band.
	wantSteps := []time.Duration{100, 200, 400, 800, 1000, 1000}
	var step time.Duration
	for i, want := range wantSteps {
		want *= time.Millisecond
		var pause time.Duration
		step, pause = g.nextPause(step)
		if step != want {
			t.Errorf("step %d = %v, want %v", i, step, want)
		}
		if lo, hi := time.Duration(0.8*float64(want)), time.Duration(1.2*float64(want)); pause < lo || pause >= hi {
			t.Errorf("pause %d = %v, want in [%v, %v)", i, pause, lo, hi)
		}
	}
	// With an active subscription polling only looks for dead holders: the maximum at once.
	g.subscription.Store(subActive)
	if step, _ := g.nextPause(0); step != time.Second {
		t.Errorf("step while subscribed = %v, want MaxPollInterval", step)
	}
}
