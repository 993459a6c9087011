// Starting Python in the worker, two ways:
//  - from the memory snapshot made at build time (Pyodide booted, our modules
//    imported, the parser built): much faster, but an experimental Pyodide
//    API that only loads into the exact build that made it;
//  - the normal way: boot Pyodide and load our wheels through the lock file.
// The snapshot is tried first and any failure falls back to the normal way.
// Every wheel is fetched with Subresource Integrity from the lock's sha256.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const SITE = "/lib/python3.14/site-packages";
const SNAPSHOT_TIMEOUT_MS = 30_000;

function timeout(promise, ms, what) {
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

function integrity(hex) {
  const bytes = hex.match(/../g).map((h) => parseInt(h, 16));
  return `sha256-${btoa(String.fromCharCode(...bytes))}`;
}

async function fetchChecked(url, sha256) {
  const res = await fetch(url, { integrity: integrity(sha256) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
}

export async function bootNormal(base, progress, timeoutMs) {
  progress("Loading the Python runtime", 15);
  const py = await timeout(loadPyodide({
    indexURL: new URL("pyodide/", base).href,
    lockFileURL: new URL("pyodide-lock.json", base).href,
    packages: ["roledoctor"],
  }), timeoutMs, "Loading Python");
  return { py, mode: "normal", files: Promise.resolve() };
}

export async function bootSnapshot(base, progress) {
  progress("Loading the prepared Python image", 15);
  const asm = import("./pyodide/pyodide.asm.mjs");
  const [manifestRes, lockRes] = await Promise.all([
    fetch(new URL("snapshot.json", base)), fetch(new URL("pyodide-lock.json", base))]);
  if (!manifestRes.ok) throw new Error("no snapshot in this build");
  const manifest = await manifestRes.json();
  const lock = await lockRes.json();
  // Everything downloads at once: the image, the wasm module, and the wheels
  // (the snapshot holds memory, not files, so lazy imports need the files).
  const image = fetchChecked(new URL(manifest.file, base), manifest.sha256)
    .then((res) => new Response(res.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  const wheels = Promise.all(manifest.packages.map(async (name) => {
    const entry = lock.packages[name];
    const res = await fetchChecked(new URL(entry.file_name, base), entry.sha256);
    return new Uint8Array(await res.arrayBuffer());
  }));
  const { default: createPyodideModule } = await asm;
  // Pyodide fetches and compiles its wasm while the image downloads: the
  // image is handed over as a promise, awaited only where it is needed.
  const snapshot = image.then((buffer) => new Uint8Array(buffer));
  const py = await loadPyodide({
    indexURL: new URL("pyodide/", base).href,
    lockFileURL: new URL("pyodide-lock.json", base).href,
    _loadSnapshot: snapshot,
    createPyodideModule: async (settings) => {
      const module = await createPyodideModule(settings);
      // Pyodide ignores INITIAL_MEMORY here (pyodide#6254): grow to the image's heap size.
      const bytes = await snapshot;
      const heapBytes = bytes.length - new Uint32Array(bytes.buffer, bytes.byteOffset, 4)[1];
      if (module.HEAP8.length < heapBytes) module.growMemory(heapBytes);
      progress("Restoring Python", 55);
      return module;
    },
  });
  // The image restores the random generator's state too: reseed it.
  py.runPython("import random; random.seed()");
  // The image holds every module the first answer needs (the build ran one):
  // the wheels' files, needed only by rarer lazy imports, are unpacked right
  // after start-up; `files` says when (the worker retries an import error then).
  const files = wheels.then((all) => new Promise((resolve) => setTimeout(() => {
    for (const bytes of all) py.unpackArchive(bytes, "wheel", { extractDir: SITE });
    resolve();
  }, 0)));
  return { py, mode: "snapshot", files };
}

export async function boot(base, progress, { allowSnapshot = true, timeoutMs = 120_000 } = {}) {
  if (allowSnapshot && typeof DecompressionStream === "function") {
    try {
      return await timeout(bootSnapshot(base, progress), SNAPSHOT_TIMEOUT_MS, "Restoring the Python image");
    } catch (err) {
      console.warn(`roledoctor: snapshot start-up failed (${err?.message ?? err}); starting normally`);
    }
  }
  return bootNormal(base, progress, timeoutMs);
}
