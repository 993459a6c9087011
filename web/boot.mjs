// Starting Python in the worker, two ways:
//  - from the memory snapshot made at build time (Pyodide booted, our modules
//    imported, the parser built): much faster, but an experimental Pyodide
//    API that only loads into the exact build that made it;
//  - the normal way: boot Pyodide and load our wheels through the lock file.
// The snapshot is tried first and any failure falls back to the normal way.
// Every wheel is fetched with Subresource Integrity from the lock's sha256.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const SITE = "/lib/python3.14/site-packages";
// A slow network must not lose the image half-way: the snapshot path gives
// up when the image stops arriving for this long, not after a total time.
const IMAGE_STALL_MS = 30_000;

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

export async function fetchChecked(url, sha256) {
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
  return { py, mode: "normal", unpackFiles: () => Promise.resolve() };
}

// The image is unpacked as it arrives, into a buffer of the size the manifest
// gives, while the compressed bytes are kept aside to check their sha256 at
// the end. (Subresource Integrity would hold the whole download back until it
// is checked, and unpacking could only start after that.)
async function fetchImage(url, target, sha256, onProgress) {
  const res = await timeout(fetch(url), IMAGE_STALL_MS, "The image's download");
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const [packed, forUnpacking] = res.body.tee();
  const compressed = new Response(packed).arrayBuffer();
  const reader = forUnpacking.pipeThrough(new DecompressionStream("gzip")).getReader();
  let at = 0;
  for (;;) {
    const { done, value } = await timeout(reader.read(), IMAGE_STALL_MS, "A pause in the image's download");
    if (done) break;
    if (at + value.length > target.length) throw new Error("the image is larger than its manifest says");
    target.set(value, at);
    at += value.length;
    onProgress(at / target.length);
  }
  if (at !== target.length) throw new Error("the image is smaller than its manifest says");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await compressed));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  if (hex !== sha256) throw new Error("the image fails its integrity check");
}

async function fetchJSON(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

export async function bootSnapshot(base, progress) {
  progress("Loading the prepared Python image", 15);
  // Everything starts at once: the manifest and the lock, Pyodide's script,
  // its wasm (fetched by loadPyodide as soon as it is called), the image, and
  // the wheels (the snapshot holds memory, not files: lazy imports need them).
  const manifest = fetchJSON(new URL("snapshot.json", base));
  const lock = fetchJSON(new URL("pyodide-lock.json", base));
  const asm = import("./pyodide/pyodide.asm.mjs");
  const image = manifest.then((m) => new Uint8Array(m.size));
  let shown = 15;
  const imageProgress = (fraction) => { // 15% to 50% of the bar, in whole steps
    const pct = 15 + Math.floor(fraction * 35);
    if (pct > shown) progress("Loading the prepared Python image", (shown = pct));
  };
  const imageReady = Promise.all([manifest, image])
    .then(([m, buffer]) => fetchImage(new URL(m.file, base), buffer, m.sha256, imageProgress));
  const wheels = Promise.all([manifest, lock]).then(([m, l]) => Promise.all(m.packages.map(async (name) => {
    const entry = l.packages[name];
    const res = await fetchChecked(new URL(entry.file_name, base), entry.sha256);
    return new Uint8Array(await res.arrayBuffer());
  })));
  // (each is awaited below; this only keeps an early failure from being "unhandled")
  for (const p of [asm, imageReady, wheels]) p.catch(() => {});
  // Pyodide awaits `_loadSnapshot` before it compiles its wasm: the buffer is
  // handed over as soon as its size is known, so the compile runs while the
  // image is still arriving. Pyodide reads the bytes only after
  // createPyodideModule returns, and that waits for the whole image.
  const py = await loadPyodide({
    indexURL: new URL("pyodide/", base).href,
    lockFileContents: lock,
    packageBaseUrl: base.href,
    _loadSnapshot: image,
    createPyodideModule: async (settings) => {
      const { default: createPyodideModule } = await asm;
      const module = await createPyodideModule(settings);
      await imageReady;
      const bytes = await image;
      // Pyodide ignores INITIAL_MEMORY here (pyodide#6254): grow to the image's heap size.
      const heapBytes = bytes.length - new Uint32Array(bytes.buffer, 0, 4)[1];
      if (module.HEAP8.length < heapBytes) module.growMemory(heapBytes);
      progress("Restoring Python", 55);
      return module;
    },
  });
  // The image restores the random generator's state too: reseed it.
  py.runPython("import random; random.seed()");
  // The image holds every module the first answer needs (the build ran one):
  // the wheels' files, needed only by rarer lazy imports, are unpacked later,
  // once, when the worker calls unpackFiles.
  let unpacked = null;
  const unpackFiles = () => (unpacked ??= wheels.then((all) => {
    for (const bytes of all) py.unpackArchive(bytes, "wheel", { extractDir: SITE });
  }));
  return { py, mode: "snapshot", unpackFiles };
}

export async function boot(base, progress, { allowSnapshot = true, timeoutMs = 120_000 } = {}) {
  if (allowSnapshot && typeof DecompressionStream === "function") {
    try {
      return await timeout(bootSnapshot(base, progress), timeoutMs, "Restoring the Python image");
    } catch (err) {
      console.warn(`roledoctor: snapshot start-up failed (${err?.message ?? err}); starting normally`);
    }
  }
  return bootNormal(base, progress, timeoutMs);
}
