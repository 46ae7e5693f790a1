package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

var versionCommand = &command{
	name:    "version",
	args:    "",
	summary: "print the version of cachekit-go this tool was built from",
	help: `Version prints the module version of the build (or "(devel)" for a build from a
checkout), the version control revision when the build recorded one, and the Go
version.`,
	run: func(_ context.Context, e *env, args []string) error {
		pos, err := parseArgs(newFlagSet("version"), args)
		if err != nil {
			return err
		}
		if len(pos) != 0 {
			return usagef("version takes no arguments")
		}
		info, ok := debug.ReadBuildInfo()
		if !ok {
			fmt.Fprintln(e.stdout, "cachekit (no build information)")
			return nil
		}
		writeVersion(e.stdout, info)
		return nil
	},
}

// writeVersion prints the line of version for info.
func writeVersion(w io.Writer, info *debug.BuildInfo) {
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	parts := []string{"cachekit", version}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified == "true" {
			rev += "+dirty"
		}
		parts = append(parts, "rev "+rev)
	}
	parts = append(parts, info.GoVersion)
	fmt.Fprintln(w, strings.Join(parts, " "))
}
