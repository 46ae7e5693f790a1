package coherencetest

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks for leaked goroutines, in the parent and in every reader child (the
// same binary). The two ignored functions are rueidis cluster-client goroutines that
// outlive Close by design and end by themselves within seconds (see
// backend/redis/main_test.go): the delayed close after a topology refresh, and the
// delayed lazy refresh after an error.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*clusterClient)._refresh.func2"),
		goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*call).DelayDo.func1"))
}
