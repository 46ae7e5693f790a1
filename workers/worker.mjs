// The ES module worker that runs the cachekit-go program (cachekit.wasm, built with
// GOOS=js GOARCH=wasm from this directory) inside a Cloudflare Worker. See README.md.
//
// wasm_exec.js is Go's own loader, copied from $(go env GOROOT)/lib/wasm at build time
// so that it always matches the Go version that built cachekit.wasm.
import "./wasm_exec.js";
import program from "./cachekit.wasm";

// HANDLER is the global function the Go program registers (bridge_js.go).
const HANDLER = "__cachekitHandle";

// The running program's handler, or null before the first request and after the
// program exits.
let handle = null;

// start runs the Go program with the Worker's CACHEKIT_* string bindings as its
// environment. It is called from a request, never at module load: the Go runtime draws
// random numbers and sets timers as it starts, which a Worker's global scope forbids.
function start(env) {
  const go = new globalThis.Go();
  go.argv = ["cachekit-worker"];
  go.env = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith("CACHEKIT_") && typeof value === "string") {
      go.env[name] = value;
    }
  }
  const instance = new WebAssembly.Instance(program, go.importObject);
  // run() executes main synchronously up to its select {}, so the handler exists once
  // it returns; the promise settles only if the program exits.
  go.run(instance).finally(() => {
    handle = null;
  });
  const fn = globalThis[HANDLER];
  if (typeof fn !== "function") {
    throw new Error("cachekit-go: the Go program did not register its handler");
  }
  delete globalThis[HANDLER];
  return fn;
}

export default {
  async fetch(request, env) {
    handle ??= start(env);
    const url = new URL(request.url);
    let body = null;
    if (request.method !== "GET" && request.method !== "HEAD") {
      body = new Uint8Array(await request.arrayBuffer());
    }
    const res = await handle(request.method, url.pathname + url.search, body);
    return new Response(res.body, { status: res.status, headers: res.headers });
  },
};
