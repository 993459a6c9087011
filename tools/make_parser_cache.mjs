// Builds lark's parser tables in the same Pyodide that runs the page (the
// normal start-up path loads them instead of building them). Run by build.py:
//   node tools/make_parser_cache.mjs DIST OUT
// Prints the JSON list of the files written into OUT.
import { mkdirSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [dist, out] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(`${dist}/pyodide/pyodide.mjs`).href);
const py = await loadPyodide({ indexURL: `${dist}/pyodide/`, lockFileURL: `${dist}/pyodide-lock.json`,
                               packages: ["roledoctor"] });
const names = py.runPython("import roledoctor.webapi as w; w.build_caches('/tmp/rdcache')").toJs();
mkdirSync(out, { recursive: true });
for (const name of names) writeFileSync(`${out}/${name}`, py.FS.readFile(`/tmp/rdcache/${name}`));
console.log(JSON.stringify(names));
