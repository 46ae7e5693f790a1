package vectortest

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

type demoVector struct {
	Name string
	Fail bool
}

func demoName(v demoVector) string { return v.Name }

// TestEachRunsEveryRowAsNamedSubtest checks that Each hands every row, in order, to a
// subtest named after it.
func TestEachRunsEveryRowAsNamedSubtest(t *testing.T) {
	rows := []demoVector{{Name: "first"}, {Name: "second"}, {Name: "third"}}
	var seen, names []string
	Each(t, "demo.json", "demo", rows, demoName, func(t *testing.T, v demoVector) {
		seen = append(seen, v.Name)
		names = append(names, t.Name())
	})
	if want := []string{"first", "second", "third"}; !slices.Equal(seen, want) {
		t.Errorf("rows seen %v, want %v", seen, want)
	}
	want := []string{t.Name() + "/first", t.Name() + "/second", t.Name() + "/third"}
	if !slices.Equal(names, want) {
		t.Errorf("subtest names %v, want %v", names, want)
	}
}

// eachHelperEnv makes TestEachHelperProcess run; it is set only for the child process
// that TestEachTalliesFailures starts.
const eachHelperEnv = "VECTORTEST_EACH_HELPER"

// TestEachHelperProcess is the child of TestEachTalliesFailures: one of its three rows
// fails on purpose.
func TestEachHelperProcess(t *testing.T) {
	if os.Getenv(eachHelperEnv) != "1" {
		t.Skip("run by TestEachTalliesFailures")
	}
	rows := []demoVector{{Name: "ok_one"}, {Name: "broken", Fail: true}, {Name: "ok_two"}, {Name: "skipped"}}
	Each(t, "demo.json", "demo group", rows, demoName, func(t *testing.T, v demoVector) {
		if v.Fail {
			t.Fatal("deliberate failure")
		}
		if v.Name == "skipped" {
			t.Skip("a skipped row is not counted")
		}
	})
}

// TestEachTalliesFailures runs TestEachHelperProcess in a child process, because a
// failing subtest fails its parent, and checks from the verbose output that the failing
// row is reported under its own name, that the rows after it still run, and that the
// tally line counts it as failed.
func TestEachTalliesFailures(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestEachHelperProcess$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), eachHelperEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child passed with a failing row:\n%s", out)
	}
	for _, want := range []string{
		"--- PASS: TestEachHelperProcess/ok_one",
		"--- FAIL: TestEachHelperProcess/broken",
		"--- PASS: TestEachHelperProcess/ok_two",
		"vectors demo.json [demo group]: 2/3 passed",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
}

// TestEachCountsOnlyRowsThatRan selects one row with -run: the tally must count that row
// alone, not the rows the filter left out.
func TestEachCountsOnlyRowsThatRan(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestEachHelperProcess$/^ok_two$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), eachHelperEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the child failed running one passing row: %v\n%s", err, out)
	}
	if want := "vectors demo.json [demo group]: 1/1 passed"; !strings.Contains(string(out), want) {
		t.Errorf("child output lacks %q:\n%s", want, out)
	}
}
