// The Pyodide worker: loads Python and our wheels from this origin, then
// answers {id, method, args} with {id, result} or {id, error}. While loading
// it posts {type: "progress", stage, pct}.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const base = new URL("./", import.meta.url);
const LOAD_TIMEOUT_MS = 120_000; // a CSP-blocked wasm compile never settles

let handle = null;
const ready = init().catch((err) => {
  self.postMessage({ type: "fatal", error: String(err?.message ?? err) });
  throw err;
});

function progress(stage, pct) {
  self.postMessage({ type: "progress", stage, pct });
}

function timeout(promise, ms, what) {
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

async function fetchBytes(path) {
  const res = await fetch(new URL(path, base));
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function init() {
  progress("Loading the Python runtime", 10);
  // Parser caches download while Python boots.
  const caches = fetch(new URL("cache/manifest.json", base))
    .then((r) => (r.ok ? r.json() : []))
    .then((names) => Promise.all(names.map(async (n) => [n, await fetchBytes(`cache/${n}`)])));
  const py = await timeout(
    loadPyodide({
      indexURL: new URL("pyodide/", base).href,
      lockFileURL: new URL("pyodide-lock.json", base).href,
      packages: ["roledoctor"],
    }),
    LOAD_TIMEOUT_MS,
    "Loading Python",
  );
  progress("Preparing the parser", 80);
  const webapi = py.pyimport("roledoctor.webapi");
  for (const [name, bytes] of await caches) {
    const target = webapi.cache_target(name);
    py.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
    py.FS.writeFile(target, bytes);
  }
  handle = webapi.handle;
  progress("Warming up the parsers", 90);
  try { webapi.warm_up(); } catch { /* only a speed-up */ }
  progress("Ready", 100);
}

self.onmessage = async ({ data: { id, method, args } }) => {
  try {
    await ready;
    const reply = JSON.parse(handle(method, JSON.stringify(args ?? {})));
    if (reply.ok) self.postMessage({ id, result: reply.result });
    else self.postMessage({ id, error: reply.error, code: reply.code });
  } catch (err) {
    self.postMessage({ id, error: String(err?.message ?? err) });
  }
};
