// The page: starts the Pyodide worker at once, keeps the text areas usable
// while it loads, and shows what the core answers.
const worker = new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" });
const pending = new Map();
let nextId = 1;
const $ = (sel) => document.querySelector(sel);

worker.onmessage = ({ data }) => {
  if (data.type === "progress") return showProgress(data.stage, data.pct);
  if (data.type === "fatal") return showFatal(data.error);
  const p = pending.get(data.id);
  if (!p) return;
  pending.delete(data.id);
  if (data.error) p.reject(new Error(data.error));
  else p.resolve(data.result);
};

export function call(method, args = {}) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, method, args });
  });
}

function showProgress(stage, pct) {
  $("#load-progress").value = pct;
  $("#load-stage").textContent = pct >= 100 ? "Ready: analysis runs in this page." : `${stage}…`;
  document.body.classList.toggle("engine-ready", pct >= 100);
}

function showFatal(message) {
  $("#load-stage").textContent = `The analysis engine could not start: ${message}`;
  $("#loader").classList.add("error");
}

function inputs() {
  const out = {};
  for (const ta of document.querySelectorAll("textarea[data-input]")) out[ta.dataset.input] = ta.value;
  return out;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

async function loadExample() {
  const files = { error: "error.txt", provider: "provider.tf", trust_policy: "trust-policy.json",
                  caller_policy: "caller-policy.json" };
  for (const ta of document.querySelectorAll("textarea[data-input]")) ta.value = "";
  for (const [name, file] of Object.entries(files)) {
    const res = await fetch(new URL(`examples/seed-cross-account/${file}`, import.meta.url));
    document.querySelector(`textarea[data-input="${name}"]`).value = await res.text();
  }
}

async function diagnose() {
  const body = $("#diagnosis-body");
  body.replaceChildren(el("p", { class: "muted" }, "Working…"));
  try {
    const result = await call("summary", { inputs: inputs() });
    const list = el("ul", { class: "summary" });
    for (const item of result.inputs) list.append(el("li", {}, `${item.input}: ${item.description}`));
    body.replaceChildren(el("p", {}, "Recognised:"), list);
  } catch (err) {
    body.replaceChildren(el("p", { class: "error" }, `Error: ${err.message}`));
  }
}

$("#load-example").addEventListener("click", () => loadExample().catch((e) => showFatal(e.message)));
$("#diagnose").addEventListener("click", diagnose);

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(new URL("./sw.js", import.meta.url), { scope: "./" }).catch(() => {});
}
