// Starts the analysis worker while the page is still loading, before the
// page's modules arrive: Python's start-up is the longest wait, so it begins
// first. Messages the worker sends before app.mjs takes it over are kept for
// it (a Worker drops messages that arrive with no listener).
//
// Two guards come first:
//  - framed by another page (clickjacking), the page does not start at all;
//    the server's headers forbid framing too, but a static host may send none.
//  - the worker is started from a blob: module that imports worker.mjs: a
//    worker loaded by its URL follows only its own response's headers, while
//    a blob: worker inherits this page's policy, <meta> included
//    (https://www.w3.org/TR/CSP3/#initialize-global-object-csp), so the worker,
//    which holds the unredacted text, cannot eval or fetch other origins.
"use strict";
(() => {
  if (window.top !== window.self) {
    const msg = document.createElement("p");
    msg.setAttribute("role", "alert");
    msg.textContent = "roledoctor does not run inside a frame: another site may be trying to make you click in it. ";
    const link = document.createElement("a");
    link.href = location.href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.textContent = "Open roledoctor in its own tab";
    msg.append(link, ".");
    // once parsed, before the page's modules run (they see no worker and stop)
    document.addEventListener("readystatechange", () => document.body.replaceChildren(msg), { once: true });
    self.roledoctorWorker = null;
    return;
  }
  // The page's CSP requires Trusted Types for script URLs
  // (https://developer.mozilla.org/docs/Web/API/Trusted_Types_API): this one
  // policy passes only this site's own URLs and the blob: URL made below.
  const own = (url) => {
    const u = new URL(url, location.href);
    if (u.origin !== location.origin && !(u.protocol === "blob:" && url === wrapper)) throw new TypeError(`not this site's script: ${url}`);
    return u.href;
  };
  const policy = self.trustedTypes?.createPolicy("roledoctor", { createScriptURL: own });
  const scriptURL = (url) => (policy ? policy.createScriptURL(String(url)) : own(String(url)));

  const url = new URL("worker.mjs", document.currentScript.src);
  // ?boot=normal skips the memory snapshot (tests and the bench compare both paths)
  if (new URLSearchParams(location.search).get("boot") === "normal") url.search = "?boot=normal";
  const wrapper = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], { type: "text/javascript" }));
  const worker = new Worker(scriptURL(wrapper), { type: "module", name: "roledoctor" });
  const early = [];
  worker.onmessage = ({ data }) => early.push(data);
  self.roledoctorWorker = { worker, early, scriptURL };
})();
