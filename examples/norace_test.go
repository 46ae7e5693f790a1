//go:build !race

package examples_test

// raceEnabled makes TestMain build the examples with -race too.
const raceEnabled = false
