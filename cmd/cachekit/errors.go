package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// usageError is a mistake in the command line: exit status 2, with the synopsis.
type usageError struct {
	msg string
}

func (e *usageError) Error() string { return e.msg }

// usagef returns a *usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errNotFound is the failure of get and ttl on a key with no entry.
var errNotFound = errors.New("cachekit: no entry is stored under the key")

// secretVariables are the environment variables whose values must never be printed.
var secretVariables = []string{
	"CACHEKIT_MASTER_KEY",
	"CACHEKIT_PREVIOUS_MASTER_KEYS",
	"CACHEKIT_API_KEY",
}

// report prints err for cmd on standard error, as one line, and returns the exit
// status it calls for.
func report(e *env, cmd *command, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		printCommandHelp(e.stdout, cmd)
		return exitOK
	}
	msg := strings.TrimPrefix(err.Error(), "cachekit: ")
	fmt.Fprintf(e.stderr, "cachekit %s: %s\n", cmd.name, oneLine(scrub(e, msg)))
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "usage: cachekit %s %s\nRun 'cachekit help %s' for details.\n", cmd.name, cmd.args, cmd.name)
		return exitUsage
	}
	return exitFailure
}

// scrub replaces every occurrence of a secret environment value (and of each
// comma-separated part of one) in msg with "[redacted]". The SDK's errors never contain
// key material; this is the last line of defence for messages from other libraries.
func scrub(e *env, msg string) string {
	for _, name := range secretVariables {
		v := e.getenv(name)
		for _, part := range append(strings.Split(v, ","), v) {
			part = strings.TrimSpace(part)
			if len(part) < 8 { // too short to be a key; replacing it would mangle the text
				continue
			}
			msg = strings.ReplaceAll(msg, part, "[redacted]")
		}
	}
	return msg
}

// oneLine folds msg onto a single printable line.
func oneLine(msg string) string {
	msg = strings.TrimSpace(msg)
	msg = strings.ReplaceAll(msg, "\r\n", "; ")
	msg = strings.ReplaceAll(msg, "\n", "; ")
	var b strings.Builder
	for _, r := range msg {
		if r < 0x20 || r == 0x7f {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
