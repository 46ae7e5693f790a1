package coherencetest

import (
	"strings"
	"time"
)

// The line protocol between the parent (writer) and the reader child.
//
// The parent writes one command per line on the child's stdin; fields are separated by
// single spaces, so keys and values never contain one:
//
//	get KEY              one Get; reply.Result
//	set KEY VALUE        one Set of a string value (the reader's own write); reply.Err
//	del KEY              one Delete (the reader's own delete); reply.Err
//	prime KEY            Get until one is an L1 hit (bounded); reply.Result is that hit
//	poll KEY WANT MS     Get in a loop until a result equals WANT, plus pollTail more
//	                     Gets, for at most MS ms; reply {Started} after the first Get,
//	                     then reply.Runs, FirstChange, FirstWant, TimedOut
//	await-evict KEY      Get until a result is not an L1 hit (bounded); reply.Before is
//	                     the first result, reply.After the first that was not an L1 hit
//	stats                reply.Invalidations (Stats().InvalidationsReceived)
//	await-inv N          wait until InvalidationsReceived >= N (bounded);
//	                     reply.Invalidations
//	quit                 close the client and the backend, reply {Bye}, exit
//
// Each reply is one line: replyPrefix followed by the JSON of a reply.
const (
	replyPrefix = "ck-reply "

	// envReader carries the reader's JSON readerConfig; set only in the child.
	envReader = "CACHEKIT_COHERENCETEST_READER"

	// missResult and errorResult stand for a Get that found nothing or failed; values
	// are short words, never in angle brackets.
	missResult  = "<miss>"
	errorResult = "<error>"

	// pollTail is how many Gets poll makes after reading the wanted result, to show
	// that the old one does not come back.
	pollTail = 50

	// commandBound bounds the loops of prime and await-evict.
	commandBound = 5 * time.Second
)

// readerConfig configures the reader child.
type readerConfig struct {
	Addrs []string `json:"addrs"`
	// Mode is "tracking" or "pubsub" (redis.Options.Invalidation).
	Mode string `json:"mode"`
	// Fault, when set, breaks the reader on purpose (see faults_test.go), so that
	// TestCoherenceCanFail can show the rounds catching it.
	Fault string `json:"fault,omitempty"`
}

// result is the outcome of one Get in the reader.
type result struct {
	// Value is the string read, missResult or errorResult.
	Value string `json:"value"`
	// Source is "l1" or "l2" (the backend answered, hit or miss), "" after an error.
	Source string `json:"source,omitempty"`
	// Err is the error text of a failed Get.
	Err string `json:"err,omitempty"`
}

// String formats r for failure messages, e.g. "v1 (l1)".
func (r result) String() string {
	var b strings.Builder
	b.WriteString(r.Value)
	if r.Source != "" {
		b.WriteString(" (" + r.Source + ")")
	}
	if r.Err != "" {
		b.WriteString(": " + r.Err)
	}
	return b.String()
}

// run is a run of identical consecutive poll results.
type run struct {
	Value  string `json:"value"`
	Source string `json:"source,omitempty"`
	N      int    `json:"n"`
}

// reply is the reader's answer to one command; which fields are set depends on it.
type reply struct {
	Err     string  `json:"err,omitempty"` // the command itself failed
	Started bool    `json:"started,omitempty"`
	Bye     bool    `json:"bye,omitempty"`
	Result  *result `json:"result,omitempty"`
	Gets    int     `json:"gets,omitempty"`

	// poll
	Runs        []run `json:"runs,omitempty"`
	FirstChange int64 `json:"first_change,omitempty"` // Unix ns of the first result unlike the first one
	FirstWant   int64 `json:"first_want,omitempty"`   // Unix ns of the first wanted result
	TimedOut    bool  `json:"timed_out,omitempty"`

	// await-evict
	Before *result `json:"before,omitempty"`
	After  *result `json:"after,omitempty"`

	// stats, await-inv
	Invalidations uint64 `json:"invalidations,omitempty"`
}
