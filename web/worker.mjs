// The Pyodide worker: loads Python and our wheels from this origin, then
// answers {id, method, args} with {type: "reply", id, result} or
// {type: "reply", id, error, code}. While loading it posts
// {type: "progress", stage, pct}, then {type: "boot", mode} or
// {type: "fatal", error} (the protocol: client.mjs). A large AWS evidence file
// comes as {method: "hold_file", args: {file}}: read here, with
// {type: "file-progress", id, stage, done, total} on the way.
import { boot, fetchChecked } from "./boot.mjs";

const base = new URL("./", import.meta.url);
// ?boot=normal skips the memory snapshot (tests and the bench compare both paths).
const allowSnapshot = new URL(import.meta.url).searchParams.get("boot") !== "normal";

let handle = null;
let holdText = null; // webapi.hold_file(name, text, size): a large file's text, not sent as JSON
let pyodide = null;
// From the snapshot, the wheels' files are unpacked once the worker has been
// idle for a moment, so that the first question is answered first; a request
// that needs them sooner unpacks them at once.
let unpackFiles = () => Promise.resolve();
let filesNeeded = () => false;
let filesDone = false;
let unpackTimer = null;
const UNPACK_WHEN_IDLE_MS = 300;
// Errors that mean "a file the snapshot does not hold was needed": write the
// files and run the request again. (The core also notes each import it
// missed, filesNeeded(), for the ones that some code catches.)
const NEEDS_FILES = /ModuleNotFoundError|ImportError|TemplateNotFound|FileNotFoundError|ZipImportError|EOFError/;
let bootMode = null;
const ready = init().catch((err) => {
  self.postMessage({ type: "fatal", error: String(err?.message ?? err) });
  throw err;
});

function progress(stage, pct) {
  self.postMessage({ type: "progress", stage, pct });
}

async function init() {
  const { py, mode, unpackFiles: unpack, filesNeeded: needed } = await boot(base, progress, { allowSnapshot });
  unpackFiles = () => unpack().then(() => { filesDone = true; });
  filesNeeded = needed;
  bootMode = mode;
  pyodide = py;
  const webapi = py.pyimport("roledoctor.webapi");
  if (mode === "normal") {
    // Pre-built parser tables (the snapshot already holds the built parser).
    // A pickle: fetched with Subresource Integrity from the manifest's sha256,
    // as the wheels; a file that fails it is not used (the parser is built).
    progress("Preparing the parser", 80);
    const entries = await fetch(new URL("cache/manifest.json", base)).then((r) => (r.ok ? r.json() : []));
    for (const { file, sha256 } of entries) {
      try {
        const res = await fetchChecked(new URL(`cache/${file}`, base), sha256);
        webapi.install_cache(file, new Uint8Array(await res.arrayBuffer()));
      } catch (err) {
        console.warn(`roledoctor: cache/${file} not used (${err?.message ?? err})`);
      }
    }
    progress("Warming up the parsers", 90);
    try { webapi.warm_up(); } catch { /* only a speed-up */ }
  }
  handle = webapi.handle;
  holdText = webapi.hold_file;
  self.postMessage({ type: "boot", mode });
  progress("Ready", 100);
  unpackWhenIdle();
}

function unpackWhenIdle() {
  if (filesDone) return;
  clearTimeout(unpackTimer);
  unpackTimer = setTimeout(() => unpackFiles().catch((err) => console.warn(`roledoctor: ${err?.message ?? err}`)),
    UNPACK_WHEN_IDLE_MS);
}

self.onmessage = async ({ data: { id, method, args } }) => {
  try {
    await ready;
    if (method === "boot-mode") return reply({ id, result: bootMode });
    if (method === "memory") {
      return reply({ id, result: { wasm_heap_mb: Math.round(pyodide._module.HEAP8.length / 1e5) / 10 } });
    }
    let raw;
    if (method === "hold_file") {
      const file = await readFile(id, args.file);
      if (file.error) return reply({ id, error: file.error });
      raw = await runPython(method, () => holdText(args.file.name, file.text, args.file.size));
    } else {
      const request = JSON.stringify(args ?? {});
      raw = await runPython(method, () => handle(method, request));
    }
    const answer = JSON.parse(raw);
    if (answer.ok) reply({ id, result: answer.result });
    else reply({ id, error: answer.error, code: answer.code });
  } catch (err) {
    reply({ id, error: String(err?.message ?? err) });
  }
};

// One call into Python; from the snapshot, again once the files it needed are written.
async function runPython(method, run) {
  if (!filesDone) filesNeeded(); // (clears the note)
  let raw = run();
  // (the core reports its own errors inside an answer too, so look at the whole text;
  // a false alarm only costs one wait and a second run)
  const missed = filesDone ? "" : filesNeeded();
  if (!filesDone && (missed || NEEDS_FILES.test(raw))) {
    console.info(`roledoctor: ${method} needs files (${missed || "an error says so"}): run again once they are in`);
    await unpackFiles();
    raw = run();
  }
  unpackWhenIdle();
  return raw;
}

// A large file (the page holds a File: a handle, no copy) read in chunks here, off the
// page's thread, and decoded as it comes; UTF-8 only, as the CLI reads files.
const PROGRESS_EVERY = 4e6;
async function readFile(id, file) {
  const total = file.size;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const parts = [];
  let done = 0;
  let told = 0;
  const tell = (stage) => self.postMessage({ type: "file-progress", id, stage, done, total });
  tell("reading");
  const reader = file.stream().getReader();
  try {
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      parts.push(decoder.decode(value, { stream: true }));
      done += value.byteLength;
      if (done - told >= PROGRESS_EVERY) { told = done; tell("reading"); }
    }
    parts.push(decoder.decode());
  } catch (err) {
    if (err instanceof TypeError) return { error: `${file.name}: not read, not UTF-8 text (within the first ${Math.ceil(done / 1e6)} MB)` };
    return { error: `${file.name}: could not be read (${err?.message ?? err})` };
  }
  tell("parsing");
  return { text: parts.join("") };
}

function reply(fields) {
  self.postMessage({ type: "reply", ...fields });
}
