//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main explains that the program is meant for GOOS=js GOARCH=wasm, where worker.mjs
// loads it into a Cloudflare Worker.
func main() {
	fmt.Fprintln(os.Stderr, "workers: this program runs inside a Cloudflare Worker; build it with GOOS=js GOARCH=wasm (see workers/README.md)")
	os.Exit(2)
}
