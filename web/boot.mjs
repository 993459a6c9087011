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
  return { py, mode: "normal", unpackFiles: () => Promise.resolve(), filesNeeded: () => false };
}

// The image is read as it arrives into a buffer of the size the manifest
// gives. The host sends it compressed (Content-Encoding: br or gzip, decoded
// by the browser); its sha256 is checked once it is rebuilt (applyDelta).
// (Subresource Integrity would hold the whole download back until it is
// checked, and copying could only start after that.)
async function fetchImage(url, target, onProgress) {
  const res = await timeout(fetch(url), IMAGE_STALL_MS, "The image's download");
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const reader = res.body.getReader();
  let at = 0;
  for (;;) {
    const { done, value } = await timeout(reader.read(), IMAGE_STALL_MS, "A pause in the image's download");
    if (done) break;
    if (at + value.length > target.length) throw new Error("the image is larger than its manifest says");
    target.set(value, at);
    at += value.length;
    onProgress(at);
  }
  if (at !== target.length) throw new Error("the image is smaller than its manifest says");
}

async function checkImage(image, sha256) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", image));
  if (hex(digest) !== sha256) throw new Error("the image fails its integrity check");
}

// The image is sent as a delta (tools/make_snapshot.mjs): in the span of
// its heap that the wasm's data segments fill, the words a bitmap after the
// image marks are XORed with the memory Pyodide has when
// createPyodideModule returns. XORing that memory back in gives the image;
// its sha256 then tells if the memory here was not the build's (the
// fallback start runs, nothing is restored).
export function applyDelta(bytes, memory, delta) {
  if (delta.format !== "xor-base-v1") throw new Error(`unknown image format ${delta.format}`);
  const { image_size: size, from, to } = delta;
  const words = (to - from) / 4;
  const header = new Uint32Array(bytes.buffer, bytes.byteOffset, 4)[1];
  if (from % 16 || to % 16 || header % 16 || to > memory.length || header + to > size
      || bytes.length !== size + Math.ceil(words / 8)) {
    throw new Error("the image's delta does not fit this memory");
  }
  const heap = new Uint32Array(bytes.buffer, bytes.byteOffset + header + from, words);
  const base = new Uint32Array(memory.buffer, memory.byteOffset + from, words);
  const mask = bytes.subarray(size);
  for (let i = 0; i < words; i++) {
    if (mask[i >> 3] & (1 << (i & 7))) heap[i] ^= base[i];
  }
  return bytes.subarray(0, size);
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const mb = (n) => (n / 1e6).toFixed(1);

async function fetchJSON(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

export async function bootSnapshot(base, progress) {
  progress("Loading the prepared Python image", 15);
  // What the first answer needs starts at once: the manifest and the lock,
  // Pyodide's script, its wasm (fetched by loadPyodide as soon as it is
  // called) and the image. The image holds memory, not files: the standard
  // library's zip and the wheels, which only rarer lazy imports read, are
  // fetched after the first answer (unpackFiles), so that they do not share
  // a slow link with it. Until then Pyodide mounts an empty zip.
  const manifest = fetchJSON(new URL("snapshot.json", base));
  const lock = fetchJSON(new URL("pyodide-lock.json", base));
  const asm = import("./pyodide/pyodide.asm.mjs");
  const image = manifest.then((m) => new Uint8Array(m.size));
  // (what Pyodide gets: the image without the delta's bitmap after it)
  const imageOnly = Promise.all([manifest, image]).then(([m, b]) => (m.delta ? b.subarray(0, m.delta.image_size) : b));
  let shown = 15;
  const imageProgress = (size) => (bytes) => { // 15% to 50% of the bar, in whole steps
    const pct = 15 + Math.floor((bytes / size) * 35);
    if (pct > shown) progress(`Loading the prepared Python image (${mb(bytes)} of ${mb(size)} MB)`, (shown = pct));
  };
  const imageReady = Promise.all([manifest, image])
    .then(([m, buffer]) => fetchImage(new URL(m.file, base), buffer, imageProgress(buffer.length)));
  // (each is awaited below; this only keeps an early failure from being "unhandled")
  for (const p of [asm, imageReady]) p.catch(() => {});
  const m = await manifest;
  // Pyodide awaits `_loadSnapshot` before it compiles its wasm: the buffer is
  // handed over as soon as its size is known, so the compile runs while the
  // image is still arriving. Pyodide reads the bytes only after
  // createPyodideModule returns, and that waits for the whole image.
  const py = await loadPyodide({
    indexURL: new URL("pyodide/", base).href,
    stdLibURL: new URL(m.stdlib_placeholder, base).href,
    lockFileContents: lock,
    packageBaseUrl: base.href,
    _loadSnapshot: imageOnly,
    createPyodideModule: async (settings) => {
      const { default: createPyodideModule } = await asm;
      const module = await createPyodideModule(settings);
      await imageReady;
      const bytes = m.delta ? applyDelta(await image, module.HEAPU8, m.delta) : await image;
      await checkImage(bytes, m.sha256);
      // Pyodide ignores INITIAL_MEMORY here (pyodide#6254): grow to the image's heap size.
      const heapBytes = bytes.length - new Uint32Array(bytes.buffer, 0, 4)[1];
      if (module.HEAP8.length < heapBytes) module.growMemory(heapBytes);
      progress("Restoring Python", 55);
      return module;
    },
  });
  // The image restores the random generator's state too: reseed it.
  py.runPython("import random; random.seed()");
  // Until the files are written, an import that needs one is noted
  // (roledoctor.warm), and the worker runs that request again after them.
  const warm = py.pyimport("roledoctor.warm");
  warm.watch_imports();
  const fetchBytes = async (file, sha256) =>
    new Uint8Array(await (await fetchChecked(new URL(file, base), sha256)).arrayBuffer());
  let unpacked = null;
  const unpackFiles = () => (unpacked ??= (async () => {
    const l = await lock;
    const [stdlib, ...wheels] = await Promise.all([fetchBytes(m.stdlib.file, m.stdlib.sha256),
      ...m.packages.map((name) => fetchBytes(l.packages[name].file_name, l.packages[name].sha256))]);
    // where Pyodide mounted the placeholder: /lib/python3XY.zip
    const zip = py.FS.readdir("/lib").find((name) => /^python\d+\.zip$/.test(name));
    py.FS.writeFile(`/lib/${zip}`, stdlib);
    for (const bytes of wheels) py.unpackArchive(bytes, "wheel", { extractDir: SITE });
    warm.files_written();
  })());
  return { py, mode: "snapshot", unpackFiles, filesNeeded: () => warm.imports_missed() };
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
