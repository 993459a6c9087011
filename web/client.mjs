// The page's side of the worker protocol (as Pyodide's py-worker example:
// https://pyodide.org/en/stable/usage/webworker.html). One envelope each way:
//   page -> worker  {id, method, args}
//   worker -> page  {type, ...}: "progress" {stage, pct}, "boot" {mode},
//                   "fatal" {error}, "reply" {id, result} or {id, error, code},
//                   "file-progress" {id, stage, done, total} (a large file being read)
// start.js started the worker and kept what it said before this module ran.

export function connect(worker, early, { onProgress, onBoot, onFatal, onSettled }) {
  const pending = new Map();
  let nextId = 1;

  function receive(data) {
    if (data.type === "progress") return onProgress(data.stage, data.pct);
    if (data.type === "fatal") return onFatal(data.error);
    if (data.type === "boot") return onBoot(data.mode);
    if (data.type === "file-progress") return pending.get(data.id)?.onFileProgress?.(data);
    if (data.type !== "reply") return undefined;
    const p = pending.get(data.id);
    if (!p) return undefined;
    pending.delete(data.id);
    if ("error" in data) p.reject(Object.assign(new Error(data.error), { code: data.code }));
    else p.resolve(data.result);
    return onSettled();
  }

  worker.onmessage = ({ data }) => receive(data);
  for (const data of early.splice(0)) receive(data);

  return {
    call(method, args = {}, { onFileProgress } = {}) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject, onFileProgress });
        worker.postMessage({ id, method, args });
      });
    },
    get busy() { return pending.size > 0; },
  };
}
