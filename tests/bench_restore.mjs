// CPU time of the snapshot start without a network: Pyodide restored in Node
// from dist/snapshot.bin (wasm compile + the image rebuilt from its delta
// and checked + image copy + Python's restore), then the first diagnosis of
// the page's example. Run by tests/bench_network.py:
//   node tests/bench_restore.mjs DIST [IMAGE MANIFEST]
// Prints {"restore_ms", "first_answer_ms"} as JSON.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [dist, imagePath = `${dist}/snapshot.bin`, manifestPath = `${dist}/snapshot.json`] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(`${dist}/pyodide/pyodide.mjs`).href);
const { applyDelta } = await import(pathToFileURL(`${dist}/boot.mjs`).href);
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
const example = `${dist}/examples/seed-cross-account`;
const names = { "error.txt": "error", "provider.tf": "provider", "trust-policy.json": "trust_policy",
                "caller-policy.json": "caller_policy" };
const inputs = {};
for (const file of readdirSync(example)) if (names[file]) inputs[names[file]] = readFileSync(`${example}/${file}`, "utf8");

const t0 = performance.now();
const sent = new Uint8Array(readFileSync(imagePath));
const image = manifest.delta ? sent.subarray(0, manifest.delta.image_size) : sent;
const { default: createModule } = await import(pathToFileURL(`${dist}/pyodide/pyodide.asm.mjs`).href);
const py = await loadPyodide({
  indexURL: `${dist}/pyodide/`, lockFileURL: `${dist}/pyodide-lock.json`, _loadSnapshot: image,
  createPyodideModule: async (settings) => { // as web/boot.mjs: grow to the image's heap (pyodide#6254)
    const module = await createModule(settings);
    if (manifest.delta) applyDelta(sent, module.HEAPU8, manifest.delta);
    if (createHash("sha256").update(image).digest("hex") !== manifest.sha256) {
      throw new Error("the rebuilt image fails its integrity check");
    }
    const heapBytes = image.length - new Uint32Array(image.buffer, 0, 4)[1];
    if (module.HEAP8.length < heapBytes) module.growMemory(heapBytes);
    return module;
  },
});
py.runPython("import random; random.seed()");
const warm = py.pyimport("roledoctor.warm");
warm.watch_imports();
const t1 = performance.now();
const answer = JSON.parse(py.pyimport("roledoctor.webapi").handle("diagnose", JSON.stringify({ inputs })));
const t2 = performance.now();
if (!answer.ok) throw new Error(`the first diagnosis failed: ${answer.error}`);
// (modules the first answer imported from files: each costs time, and on the page a wait for the files)
console.log(JSON.stringify({ restore_ms: Math.round(t1 - t0), first_answer_ms: Math.round(t2 - t1),
                             imported_from_files: warm.imports_missed() }));
