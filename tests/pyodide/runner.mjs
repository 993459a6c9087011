// Runs Python snippets in real Pyodide under Node, one JSON request per line
// on stdin ({"code": "..."}), one JSON answer per line on stdout. The snippet's
// last expression must be a string (tests use json.dumps). Loads the wheels of
// the built dist/ through its own pyodide-lock.json, as the page does.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const dist = process.argv[2];
const { loadPyodide } = await import(pathToFileURL(`${dist}/pyodide/pyodide.mjs`).href);
const py = await loadPyodide({
  indexURL: `${dist}/pyodide/`,
  lockFileURL: `${dist}/pyodide-lock.json`,
  packages: ["roledoctor"],
  stdout: () => {}, // stdout is the protocol channel
  stderr: (s) => process.stderr.write(s + "\n"),
});
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
out({ ready: true, python: py.runPython("import sys; sys.version.split()[0]") });

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  try {
    const { code } = JSON.parse(line);
    const value = py.runPython(code);
    out({ ok: true, value: typeof value === "string" ? value : String(value) });
  } catch (err) {
    out({ ok: false, error: String(err?.message ?? err) });
  }
}
