package reliability

import "strconv"

// State is the state of the circuit breaker.
type State uint8

const (
	// StateClosed: calls go through and availability failures are counted.
	StateClosed State = iota
	// StateOpen: calls fail fast with ErrCircuitOpen until the open duration has passed.
	StateOpen
	// StateHalfOpen: a few probe calls go through to find out whether the backend is
	// back.
	StateHalfOpen
)

// String returns "closed", "open" or "half-open".
func (s State) String() string {
	switch s {
	case StateClosed:
		return "closed"
	case StateOpen:
		return "open"
	case StateHalfOpen:
		return "half-open"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}
