// Makes the page's memory snapshot: Pyodide booted in Node, our wheels
// unpacked, what the first answer needs imported and run once, then the
// heap written out. Run by build.py:
//   node tools/make_snapshot.mjs DIST OUT WHEEL...
// Prints the modules that could not be imported, if any, on stderr.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [dist, out, ...wheels] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(`${dist}/pyodide/pyodide.mjs`).href);
// No loadPackage() before a snapshot ("Unexpected hiwire entry"): unpack the
// wheels instead (seen with Pyodide 314.0.7: loadPackage then makeMemorySnapshot fails).
// Code compiled here stays in the image: without docstrings and asserts
// (-OO) and without column positions (-X no_debug_ranges, only used to
// underline tracebacks) it takes less room; measured: 0.95 MB less brotli.
// The page's Python keeps these flags (they are in the image).
const py = await loadPyodide({ indexURL: `${dist}/pyodide/`, lockFileURL: `${dist}/pyodide-lock.json`,
                               _makeSnapshot: true, env: { PYTHONOPTIMIZE: "2", PYTHONNODEBUGRANGES: "1" } });
for (const w of wheels) {
  py.unpackArchive(new Uint8Array(readFileSync(w)), "wheel", { extractDir: "/lib/python3.14/site-packages" });
}
const missing = py.runPython(`
import roledoctor.inputs.hcl as h, roledoctor.warm as w
h.parser()
missing = ",".join(w.prepare())
w.build_lexers()
w.settle()
missing`);
if (missing) console.error(`not in the snapshot: ${missing}`);
scrubFreeMemory(py._module);
writeFileSync(out, py.makeMemorySnapshot());

// Memory that malloc holds free still has the bytes of what lived there, and
// the snapshot copies all of it: zeroing it makes the image compress better
// (measured: 11.0 MB gzipped without, 9.4 MB with). Take every free block
// malloc hands out below the current break (largest first), zero it, and
// give it back; a size that could make the heap grow is not tried.
function scrubFreeMemory(module) {
  const heap = module.HEAP8.buffer.byteLength;
  const brk = module._sbrk(0) >>> 0;
  const blocks = [];
  for (let size = 1 << 24; size >= 16; size >>= 1) {
    if (size > heap - brk - (1 << 20)) continue;
    for (;;) {
      const ptr = module._malloc(size) >>> 0;
      if (!ptr) break;
      if (ptr + size > brk) { module._free(ptr); break; } // from the top: nothing old there
      module.HEAPU8.fill(0, ptr, ptr + size);
      blocks.push(ptr);
    }
  }
  for (const ptr of blocks.reverse()) module._free(ptr);
  if (module.HEAP8.buffer.byteLength !== heap) throw new Error("scrubbing the free memory grew the heap");
}
