// Makes the page's memory snapshot: Pyodide booted in Node, our wheels
// unpacked, what the first answer needs imported and run once, then the
// heap written out. Run by build.py:
//   node tools/make_snapshot.mjs DIST OUT WHEEL...
// OUT is the image as a delta against the memory Pyodide starts with (see
// writeDelta); OUT.json its description for snapshot.json. Prints the
// modules that could not be imported, if any, on stderr.
import { createHash } from "node:crypto";
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
await writeDelta(py.makeMemorySnapshot());

// The wasm's data segments are in the image a second time (1.3 MB of the
// wasm's brotli): when the page restores the image, Pyodide's memory already
// holds them. So that span of the image is sent XORed with that memory
// (bytes still equal to it become zeros and compress away) and web/boot.mjs
// XORs it back; the manifest's sha256 is the true image's, checked after.
// Only the data segments' span: the rest of the start-up memory holds the
// program's name, the environment and pointers to them, which differ in a
// browser. In the span, only the 4-byte words that are not zero here and
// the same at every start: some differ from one start to the next (random
// keys of the allocator), and Chromium's start writes a few where Node's
// leaves zeros. Which words are XORed is a bitmap sent after the image
// (bit i of byte i >> 3 for the span's word i).
async function writeDelta(image) {
  const header = new Uint32Array(image.buffer, image.byteOffset, 4)[1];
  const [from, to] = dataSpan(readFileSync(`${dist}/pyodide/pyodide.asm.wasm`));
  if (header % 16 || header + to > image.length) throw new Error("the image is smaller than the data segments");
  const bases = [];
  for (let i = 0; i < 4; i++) {
    const memory = await startMemory();
    bases.push(new Uint32Array(memory.buffer, from, (to - from) / 4));
  }
  const words = bases[0].length;
  const mask = new Uint8Array(Math.ceil(words / 8));
  const delta = new Uint8Array(image.length + mask.length);
  delta.set(image);
  const heap = new Uint32Array(delta.buffer, header + from, words);
  for (let i = 0; i < words; i++) {
    const word = bases[0][i];
    if (word !== 0 && bases.every((b) => b[i] === word)) {
      heap[i] ^= word;
      mask[i >> 3] |= 1 << (i & 7);
    }
  }
  delta.set(mask, image.length);
  writeFileSync(out, delta);
  writeFileSync(`${out}.json`, JSON.stringify({
    sha256: createHash("sha256").update(image).digest("hex"),
    delta: { format: "xor-base-v1", image_size: image.length, from, to } }));
}

// The memory the wasm's data segments fill, rounded out to 16 bytes: from
// the lowest segment's start to the highest one's end (all are active
// segments at constant offsets in Pyodide's build; anything else is refused).
// Format: https://webassembly.github.io/spec/core/binary/modules.html#data-section
function dataSpan(wasm) {
  let at = 8;
  const leb = () => { // unsigned LEB128
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = wasm[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < wasm.length) {
    const id = wasm[at++];
    const size = leb();
    const end = at + size;
    if (id !== 11) { at = end; continue; }
    let low = Infinity, high = 0;
    for (let n = leb(); n > 0; n--) {
      if (leb() !== 0 || wasm[at++] !== 0x41) throw new Error("a data segment that is not at a constant offset");
      const offset = leb(); // (a signed LEB128: read unsigned, a positive one is the same)
      if (wasm[at++] !== 0x0b) throw new Error("a data segment offset that is not one constant");
      const length = leb();
      low = Math.min(low, offset);
      high = Math.max(high, offset + length);
      at += length;
    }
    return [Math.floor(low / 16) * 16, Math.ceil(high / 16) * 16];
  }
  throw new Error("the wasm has no data section");
}

// Pyodide's memory as web/boot.mjs finds it: the same options as the page's
// snapshot start (a snapshot given, so no initial run), read as soon as
// createPyodideModule returns; the start is then abandoned.
async function startMemory() {
  const { default: createPyodideModule } = await import(pathToFileURL(`${dist}/pyodide/pyodide.asm.mjs`).href);
  const stop = new Error("memory read");
  let memory;
  try {
    await loadPyodide({
      indexURL: `${dist}/pyodide/`, lockFileURL: `${dist}/pyodide-lock.json`, _loadSnapshot: new Uint8Array(16),
      createPyodideModule: async (settings) => {
        memory = (await createPyodideModule(settings)).HEAPU8.slice();
        throw stop;
      },
    });
  } catch (err) {
    if (err !== stop) throw err;
  }
  return memory;
}

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
