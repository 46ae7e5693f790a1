package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"
)

// Exit statuses of the command.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// env is everything a subcommand may touch outside the process: its streams, the
// environment variables and the clock. Tests build one around buffers and a map.
type env struct {
	stdout io.Writer
	stderr io.Writer
	// stderrTTY says standard error is a terminal, where progress may animate.
	stderrTTY bool
	// lookup reads an environment variable.
	lookup func(name string) (string, bool)
	// now is the wall clock (inspect compares expiries with it).
	now func() time.Time
}

// getenv returns the value of an environment variable, or "".
func (e *env) getenv(name string) string {
	v, _ := e.lookup(name)
	return v
}

// command is one subcommand.
type command struct {
	name    string
	args    string // the synopsis after the name, such as "[-bytes N]"
	summary string // one line for the command list
	help    string // the paragraph of "cachekit help NAME"
	run     func(ctx context.Context, e *env, args []string) error
	// flags returns the command's flag set with its defaults, for help; nil when the
	// command has no flags.
	flags func() *flag.FlagSet
}

// commands returns the subcommands by name. It is a function rather than a variable so
// that help can list the table that contains it without an initialisation cycle.
func commands() map[string]*command {
	list := []*command{
		demoCommand, keygenCommand,
		getCommand, setCommand, delCommand, ttlCommand, existsCommand,
		inspectCommand, keyCommand, serveCommand, versionCommand,
	}
	m := make(map[string]*command, len(list))
	for _, c := range list {
		m[c.name] = c
	}
	return m
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		stderrTTY: isTerminal(os.Stderr),
		lookup:    os.LookupEnv,
		now:       time.Now,
	}
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes the command line args (without the program name) and returns the exit
// status. It never calls os.Exit.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		printUsage(e.stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return runHelp(e, rest)
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(e.stderr, "cachekit: unknown command %q\nRun 'cachekit help' for usage.\n", name)
		return exitUsage
	}
	err := cmd.run(ctx, e, rest)
	return report(e, cmd, err)
}

func runHelp(e *env, args []string) int {
	if len(args) == 0 {
		printUsage(e.stdout)
		return exitOK
	}
	if len(args) > 1 {
		fmt.Fprintln(e.stderr, "cachekit help: usage: cachekit help [COMMAND]")
		return exitUsage
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "cachekit help: unknown command %q\n", args[0])
		return exitUsage
	}
	printCommandHelp(e.stdout, cmd)
	return exitOK
}

// printCommandHelp writes the synopsis, description and flags of cmd.
func printCommandHelp(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "usage: cachekit %s %s\n\n%s\n", cmd.name, cmd.args, cmd.help)
	if cmd.flags == nil {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	fs := cmd.flags()
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `cachekit is the command-line tool of the cachekit-go SDK.

Usage:

	cachekit <command> [arguments]

Commands:

`)
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return commandOrder(names[i]) < commandOrder(names[j]) })
	for _, n := range names {
		fmt.Fprintf(w, "\t%-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprint(w, `
Start with 'cachekit demo'. Use 'cachekit help <command>' for more about a command.
Backends are URLs (-backend or CACHEKIT_BACKEND_URL): memory:, file:///dir,
redis://host:port/db, rediss://..., memcached://host:port[,host:port],
https://api.cachekit.io (with CACHEKIT_API_KEY).
`)
}

// commandOrder keeps the command list in the order a newcomer needs it.
func commandOrder(name string) int {
	order := []string{"demo", "keygen", "get", "set", "del", "ttl", "exists", "inspect", "key", "serve", "version"}
	for i, n := range order {
		if n == name {
			return i
		}
	}
	return len(order)
}
