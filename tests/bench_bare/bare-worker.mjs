// Boots the same Pyodide as dist/, with an empty lock file, and says when Python runs.
import { loadPyodide } from "./pyodide/pyodide.mjs";
const py = await loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href,
                               lockFileURL: new URL("./bare-lock.json", import.meta.url).href });
self.postMessage(py.runPython("1 + 1") === 2 ? "yes" : "no");
