// The bare page of the bench: starts a worker that boots Pyodide, nothing of ours.
const w = new Worker(new URL("./bare-worker.mjs", import.meta.url), { type: "module" });
w.onmessage = ({ data }) => { document.body.dataset.ready = data; };
