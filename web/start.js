// Starts the analysis worker while the page is still loading, before the
// page's modules arrive: Python's start-up is the longest wait, so it begins
// first. Messages the worker sends before app.mjs takes it over are kept for
// it (a Worker drops messages that arrive with no listener).
"use strict";
(() => {
  const url = new URL("worker.mjs", document.currentScript.src);
  // ?boot=normal skips the memory snapshot (tests and the bench compare both paths)
  if (new URLSearchParams(location.search).get("boot") === "normal") url.search = "?boot=normal";
  const worker = new Worker(url, { type: "module" });
  const early = [];
  worker.onmessage = ({ data }) => early.push(data);
  self.roledoctorWorker = { worker, early };
})();
