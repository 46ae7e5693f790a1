//go:build unix

package main

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
)

// Cloudflare's limit on a Worker's compressed size (gzip), from
// https://developers.cloudflare.com/workers/platform/limits/#worker-size.
const freePlanLimit = 3 << 20 // Workers Free: 3 MiB (Paid: 10 MiB)

// bundleFiles are the modules a deployment uploads, as buildWorker lays them out.
var bundleFiles = []string{"cachekit.wasm", "wasm_exec.js", "worker.mjs"}

// byteCounter is an io.Writer that only counts.
type byteCounter int64

func (c *byteCounter) Write(p []byte) (int, error) {
	*c += byteCounter(len(p))
	return len(p), nil
}

// bundleSize returns the size of the files in dir that a deployment uploads, and the sum
// of their sizes compressed with gzip at its best level, which is what Cloudflare's
// size limit counts.
func bundleSize(t *testing.T, dir string) (raw, compressed int64) {
	t.Helper()
	for _, name := range bundleFiles {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var n byteCounter
		zw, err := gzip.NewWriterLevel(&n, gzip.BestCompression)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := zw.Write(b); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		raw += int64(len(b))
		compressed += int64(n)
	}
	return raw, compressed
}

// checkBundleSize fails the test when the worker in dir is too large to deploy on the
// Workers Free plan.
func checkBundleSize(t *testing.T, dir string) {
	t.Helper()
	raw, compressed := bundleSize(t, dir)
	t.Logf("the worker is %d bytes, %d gzipped (the Free plan's limit is %d)", raw, compressed, freePlanLimit)
	if compressed > freePlanLimit {
		t.Errorf("workers: the worker is %d bytes gzipped, over the Workers Free plan's limit of %d", compressed, freePlanLimit)
	}
}
