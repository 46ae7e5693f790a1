package backendtest

import "testing"

// checkHealth: a working backend reports itself healthy and names itself.
func checkHealth(tb testing.TB, e env) {
	h, err := e.b.Health(ctxOf(tb))
	if err != nil {
		tb.Fatalf("Health: %v", err)
	}
	if !h.Healthy {
		tb.Errorf("Health().Healthy = false for a working backend (details %v)", h.Details)
	}
	if h.Backend == "" {
		tb.Errorf("Health().Backend is empty, want the implementation's name")
	}
	if h.Latency < 0 {
		tb.Errorf("Health().Latency = %v, want >= 0", h.Latency)
	}
}
