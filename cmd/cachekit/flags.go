package main

import (
	"flag"
	"io"
)

// newFlagSet returns an empty flag set for the named command that reports errors
// through its return values rather than by printing or exiting.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("cachekit "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses args with fs, allowing flags before, between and after positional
// arguments (the flag package alone stops at the first positional one), and returns
// the positional arguments in order. "--" ends the flags: everything after it is
// positional, so a value may start with "-". A malformed flag is a *usageError;
// -h and -help return flag.ErrHelp.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, &usageError{msg: err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" && !isFlagValue(fs, args[:consumed-1]) {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// isFlagValue reports whether the last of parsed is a flag that takes the argument
// after it as its value (so a "--" that follows it was a value, not the terminator).
func isFlagValue(fs *flag.FlagSet, parsed []string) bool {
	if len(parsed) == 0 {
		return false
	}
	last := parsed[len(parsed)-1]
	if len(last) < 2 || last[0] != '-' || last == "--" {
		return false
	}
	name := last[1:]
	if name[0] == '-' {
		name = name[1:]
	}
	for i := 0; i < len(name); i++ {
		if name[i] == '=' {
			return false
		}
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
		return false
	}
	return true
}
