package main

import (
	"fmt"
	"os"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run reads the result files named in args, or standard input when there are none, and
// writes the tables to standard output.
func run(args []string) error {
	s := newSamples()
	if len(args) == 0 {
		if err := s.read(os.Stdin); err != nil {
			return err
		}
	}
	for _, path := range args {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("benchtable: %w", err)
		}
		err = s.read(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	if len(s.names) == 0 {
		return fmt.Errorf("benchtable: no benchmark results in the input")
	}
	render(os.Stdout, build(s))
	return nil
}
