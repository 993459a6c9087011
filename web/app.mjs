// The page: takes over the Pyodide worker (start.js started it), keeps the text areas usable
// while it loads, re-runs the diagnosis as the user edits (debounced; stale
// answers dropped by request id), routes dropped files to the right boxes,
// and shows what the core answers. All Python work happens in the worker. A
// large AWS evidence file is read by the worker and held there (a chip, never a
// text box: pageapi/held.py).

import { Editor } from "./editor.mjs";
import { el } from "./code.mjs";
import { renderDiagnosis, renderRecognised, INPUT_TITLES } from "./results.mjs";
import { initAssistant } from "./assistant.mjs";
import { connect } from "./client.mjs";

// start.js started the worker before this module loaded, and kept its first
// messages. Framed by another page, it started nothing: then nothing here runs
// (this module waits forever, and says nothing to the framing page).
if (!self.roledoctorWorker) await new Promise(() => {});
const { worker, early, scriptURL } = self.roledoctorWorker;
let client = null; // connected at the end of this module, once everything below exists
const $ = (sel) => document.querySelector(sel);
const DEBOUNCE_MS = 400;

function onBoot(mode) {
  document.body.dataset.boot = mode;
  if (diagnoseWhenReady) diagnoseNow();
  offlineCopyWhenIdle();
}

// The service worker keeps an offline copy of the page. It is registered once
// the engine is ready and no answer is pending: precaching all of dist/ during
// start-up would compete with Python's start for the network and the CPU.
let offlineCopy = "not yet";
function offlineCopyWhenIdle() {
  if (offlineCopy !== "not yet" || !document.body.dataset.boot || client?.busy) return;
  if (!("serviceWorker" in navigator)) return void (offlineCopy = "unsupported");
  offlineCopy = "queued";
  const later = self.requestIdleCallback ?? ((fn) => setTimeout(fn, 500));
  later(() => {
    navigator.serviceWorker.register(scriptURL(new URL("./sw.js", import.meta.url)), { scope: "./" })
      .then(announceUpdates).catch(() => {});
  }, { timeout: 5000 });
}

// A new version installed while this page runs waits (sw.js): say so, and
// let the user reload into it (https://web.dev/articles/service-worker-lifecycle).
function announceUpdates(reg) {
  const announce = () => {
    if (!reg.waiting || !navigator.serviceWorker.controller || $("#update")) return;
    const waiting = reg.waiting;
    const reload = el("button", { type: "button", text: "Reload", onclick: () => {
      navigator.serviceWorker.addEventListener("controllerchange", () => location.reload(), { once: true });
      waiting.postMessage("skip-waiting");
    } });
    $("#loader").after(el("p", { id: "update", class: "update", role: "status" },
      "A new version of roledoctor is ready. Your inputs are not kept across the reload. ", reload));
  };
  announce();
  reg.addEventListener("updatefound", () => {
    const next = reg.installing;
    next?.addEventListener("statechange", () => { if (next.state === "installed") announce(); });
  });
}

export function call(method, args = {}, options = {}) {
  return client.call(method, args, options);
}

function showProgress(stage, pct) {
  $("#load-progress").value = pct;
  $("#load-stage").textContent = pct >= 100 ? "Ready: analysis runs in this page." : `${stage}…`;
  document.body.classList.toggle("engine-ready", pct >= 100);
}

function showFatal(message) {
  $("#load-stage").textContent = `The analysis engine could not start: ${message}`;
  $("#loader").classList.add("error");
  if (diagnoseWhenReady) {
    diagnoseWhenReady = false;
    body.replaceChildren(el("p", { class: "error", text: `No diagnosis: the analysis engine could not start (${message}).` }));
    body.removeAttribute("aria-busy");
  }
}

// ---- inputs

const editors = {};
for (const ta of document.querySelectorAll("textarea[data-input]")) editors[ta.dataset.input] = new Editor(ta);

function inputs() {
  const out = {};
  for (const [name, ed] of Object.entries(editors)) if (ed.value.trim()) out[name] = ed.value;
  if (held.size) out.held = [...held.keys()]; // large files the worker holds, by name
  return out;
}

function setBox(name, text) {
  editors[name].value = text;
}

async function loadExample() {
  const files = { error: "error.txt", provider: "provider.tf", trust_policy: "trust-policy.json",
                  caller_policy: "caller-policy.json" };
  const texts = await Promise.all(Object.values(files).map(async (file) => {
    const res = await fetch(new URL(`examples/seed-cross-account/${file}`, import.meta.url));
    if (!res.ok) throw new Error(`${file}: HTTP ${res.status}`);
    return res.text();
  }));
  for (const name of Object.keys(editors)) setBox(name, "");
  for (const chip of [...held.values()]) chip.release();
  Object.keys(files).forEach((name, i) => setBox(name, texts[i]));
  $("#route-status").textContent = "Loaded the cross-account example.";
  diagnoseNow();
}

// ---- diagnosis

let lastReport = null; // the page object of the newest answer shown
let seq = 0;
// The inputs the newest answer (or its failure) is for, and who waits for the
// answer to the inputs as they are now (the LLM prompt carries both, so they must match).
let answeredFor = null;
let answerWaiters = [];

function answered(current) {
  answeredFor = JSON.stringify(current);
  if (answeredFor !== JSON.stringify(inputs())) return; // an edit since: its own diagnosis follows
  for (const resolve of answerWaiters.splice(0)) resolve();
}

const answerIsCurrent = () => answeredFor === JSON.stringify(inputs());

function diagnosisOfCurrentInputs() {
  if (answerIsCurrent()) return Promise.resolve();
  if (!timer) scheduleDiagnosis(); // (an edit has scheduled one already)
  return new Promise((resolve) => answerWaiters.push(resolve));
}
// Asked for while the engine starts: one diagnosis of the newest inputs runs
// once it is ready, rather than one per edit queued behind the start-up.
let diagnoseWhenReady = false;
let timer = null;

function scheduleDiagnosis() {
  clearTimeout(timer);
  timer = setTimeout(diagnoseNow, DEBOUNCE_MS);
}

function showInputProblems(list) {
  for (const ed of Object.values(editors)) { ed.clearMarks(); ed.setInfo(""); }
  for (const item of list ?? []) {
    held.get(item.input)?.recognised(item);
    const ed = editors[item.input];
    if (!ed) continue;
    ed.setInfo(item.recognised ? `Recognised: ${item.recognised}` : "");
    for (const m of item.facts ?? []) ed.markFact(m.line, m.column, m.length, m.label);
    for (const p of item.problems ?? []) {
      const where = p.line ? `Line ${p.line}${p.column ? `, column ${p.column}` : ""}: ` : "";
      ed.say(`${where}${p.message}`, { line: p.line ?? 0, column: p.column ?? 0, kind: "error" });
    }
  }
}

function markEvidence(page) {
  for (const f of page.report?.findings ?? []) {
    for (const ev of f.evidence ?? []) editors[ev.input]?.mark(ev.line, f.kind === "hardening" ? "hardening" : "evidence");
  }
}

function onEvidence(ev, gate) {
  if (ev && editors[ev.input]) { editors[ev.input].reveal(ev.line); return; }
  if (ev && held.has(ev.input)) { $("#route-status").textContent = `${gate?.label ?? "Evidence"}: line ${ev.line} of ${ev.input} (a large file, held by the engine, not shown).`; return; }
  $("#route-status").textContent = gate ? `${gate.label}: no line in your inputs decided this gate.` : "";
}

const body = $("#diagnosis-body");

// The report export of the inputs a diagnosis was made for (the engine renders it when asked).
const exportOf = (current) => (format) => call("export", { inputs: current, format }).then((r) => r.text, (err) => {
  $("#route-status").textContent = `The report could not be exported: ${err?.message ?? err}`;
  return null;
});
let lastExport = null;

function render(page, current = inputs()) {
  lastReport = page;
  lastExport = exportOf(current);
  answered(current);
  showInputProblems(page.inputs);
  markEvidence(page);
  renderDiagnosis(body, page, { onEvidence, onExport: lastExport, width: body.clientWidth });
  // the redaction preview further down can wait until the verdict is on screen
  requestAnimationFrame(() => setTimeout(() => assistant.refresh(), 0));
}

// Exported for tests that develop the page against a fixture of the contract.
export function showDiagnosis(page) { render(page); }

async function diagnoseNow() {
  clearTimeout(timer);
  timer = null;
  const id = ++seq;
  const current = inputs();
  if (!Object.keys(current).length) {
    lastReport = null;
    answered(current);
    diagnoseWhenReady = false;
    showInputProblems([]);
    body.replaceChildren(el("p", { class: "muted", text: "Paste your inputs or load the example: the diagnosis appears here." }));
    body.removeAttribute("aria-busy");
    return;
  }
  body.setAttribute("aria-busy", "true");
  for (const chip of held.values()) chip.stage("Diagnosing…");
  diagnoseWhenReady = !document.body.dataset.boot;
  if (diagnoseWhenReady) {
    body.replaceChildren(el("p", { class: "muted", text: "Waiting for the analysis engine to load…" }));
    return;
  }
  try {
    const page = await call("diagnose", { inputs: current });
    if (id !== seq) return; // a newer edit is on its way
    render(page, current);
  } catch (err) {
    if (id !== seq) return;
    try {
      const summary = await call("inspect", { inputs: current });
      if (id !== seq) return;
      lastReport = null;
      answered(current);
      showInputProblems(summary.inputs);
      renderRecognised(body, summary.inputs, err.code === "engine-missing"
        ? `No verdict: ${err.message}.` : `No verdict: the diagnosis failed (${err.message}).`);
      assistant.refresh();
    } catch (err2) {
      body.replaceChildren(el("p", { class: "error", text: `Error: ${err2.message}` }));
    }
  } finally {
    if (id === seq) {
      body.removeAttribute("aria-busy");
      for (const chip of held.values()) chip.stage("");
    }
  }
}

// Re-render the picture when the layout width changes a lot (narrow <-> wide).
let lastWide = null;
new ResizeObserver(() => {
  const wide = body.clientWidth >= 560;
  if (lastReport && wide !== lastWide) renderDiagnosis(body, lastReport, { onEvidence, onExport: lastExport, width: body.clientWidth });
  lastWide = wide;
}).observe(body);

// ---- files: drop anywhere, or open

const ACCEPT = /\.(tf|json|tfvars|log|txt|ya?ml|env|sh|jwt|hcl)$|^(config|credentials)$/i;
// The core refuses bigger inputs (py/roledoctor/limits.py): such a file is not even read.
const MAX_INPUT_BYTES = 5_000_000;
const megabytes = (n) => `${(n / 1e6).toFixed(1).replace(/\.0$/, "")} MB`;

async function placeFiles(fileList) {
  const files = [...fileList].filter((f) => ACCEPT.test(f.name) || f.type.startsWith("text/"));
  const skipped = [...fileList].length - files.length;
  if (!files.length) { $("#route-status").textContent = "Only .tf, .json, .tfvars, .log, .txt, .yml/.yaml, .env, .jwt and AWS config or credentials files can be used."; return; }
  const big = files.filter((f) => f.size > MAX_INPUT_BYTES);
  const notes = [];
  const holding = big.map(holdFile); // read in the worker while the small ones are routed
  const texts = await Promise.all(files.filter((f) => !big.includes(f)).map(async (f) => ({ name: f.name, text: await f.text() })));
  $("#route-status").textContent = "Reading the files…";
  const { files: routed } = texts.length ? await call("route", { files: texts }) : { files: [] };
  const fresh = {}; // box -> texts from this drop
  for (const r of routed) {
    if (!r.parts.length) { notes.push(`${r.name}: ${r.note}`); continue; }
    for (const p of r.parts) (fresh[p.input] ??= []).push(p.text);
    notes.push(`${r.name} → ${r.parts.map((p) => INPUT_TITLES[p.input]).join(", ")}${r.note ? ` (${r.note})` : ""}`);
  }
  // caller files stay apart: the core splits that box at this line (py/roledoctor/inputs/kinds.py FILE_SEPARATOR)
  for (const [box, list] of Object.entries(fresh)) setBox(box, list.join(box === "caller_files" ? "\n# ---- next file\n" : "\n"));
  if (big.length) $("#route-status").textContent = `Reading ${big.map((f) => f.name).join(", ")} in the background…`;
  notes.push(...await Promise.all(holding));
  if (skipped) notes.push(`${skipped} other file${skipped > 1 ? "s" : ""} skipped`);
  $("#route-status").textContent = `Placed: ${notes.join("; ")}.`;
  diagnoseNow();
}

// ---- large AWS evidence files (over the 5 MB of a box): read by the worker, shown as a chip

const MAX_PAGE_FILE_BYTES = 100_000_000; // py/roledoctor/limits.py MAX_PAGE_FILE_BYTES
// get-account-authorization-details output opens with one of its lists (the CLI prints the
// API's fields in order: https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html):
// told from the first bytes here, confirmed in the worker by the kinds table.
const EVIDENCE_HEAD = /^\uFEFF?\s*\{\s*"(UserDetailList|GroupDetailList|RoleDetailList)"\s*:/;
const held = new Map(); // input name -> chip
const heldList = el("ul", { class: "held-files", "aria-label": "Large AWS evidence files" });
editors.aws_evidence.message.after(heldList);
const thousands = (fact) => fact.replace(/\b\d{4,9}\b/g, (n) => Number(n).toLocaleString("en-US"));

async function holdFile(f) {
  if (f.size > MAX_PAGE_FILE_BYTES) {
    return `${f.name}: not read, too large (${megabytes(f.size)}; AWS evidence files are read up to ${megabytes(MAX_PAGE_FILE_BYTES)})`;
  }
  if (!EVIDENCE_HEAD.test(await f.slice(0, 4096).text())) {
    return `${f.name}: not read, too large (${megabytes(f.size)}, the limit is ${megabytes(MAX_INPUT_BYTES)}): ` +
      `only AWS evidence such as get-account-authorization-details output is read up to ${megabytes(MAX_PAGE_FILE_BYTES)}`;
  }
  const chip = heldChip(f);
  try {
    const r = await call("hold_file", { file: f }, { onFileProgress: chip.progress });
    if (r.error) { chip.node.remove(); return r.error; }
    chip.hold(r);
    return `${f.name} → ${INPUT_TITLES.aws_evidence} (${r.title}, ${r.mb} MB: held by the engine, not put in the box)`;
  } catch (err) {
    chip.node.remove();
    return `${f.name}: not read (${err.message})`;
  }
}

function heldChip(f) {
  const title = el("span", { class: "held-title", text: f.name });
  const size = el("span", { class: "held-size", text: ` (${megabytes(f.size)})` });
  const bar = el("progress", { max: String(f.size), value: "0", "aria-label": `Reading ${f.name}` });
  const stageText = el("span", { class: "held-stage", role: "status", text: "Waiting for the analysis engine…" });
  const facts = el("p", { class: "held-facts" });
  const problems = el("p", { class: "held-problems error" });
  const remove = el("button", { type: "button", class: "held-remove", text: "Remove", "aria-label": `Remove ${f.name}`, disabled: true });
  const node = el("li", { class: "held-file" }, el("div", { class: "held-head" }, title, size, remove),
    el("div", { class: "held-progress" }, bar, stageText), facts, problems);
  heldList.append(node);
  let input = null;
  const chip = {
    node,
    stage(text) { stageText.textContent = text; bar.hidden = !text; },
    progress({ stage, done, total }) {
      bar.value = done;
      chip.stage(stage === "reading" ? `Reading ${megabytes(done)} of ${megabytes(total)}…` : `Parsing ${megabytes(total)} of AWS output…`);
    },
    hold(r) {
      input = r.input;
      held.set(input, chip);
      title.textContent = r.title;
      size.textContent = ` from ${r.name} (${r.mb} MB, read only: not editable here)`;
      facts.textContent = r.facts.map(thousands).join("; ");
      node.dataset.input = input;
      remove.disabled = false;
      chip.stage("");
    },
    recognised(item) {
      facts.textContent = thousands(item.recognised ? `Recognised: ${item.recognised}` : "");
      problems.textContent = (item.problems ?? []).map((p) => p.message).join("; ");
    },
    release() {
      held.delete(input);
      node.remove();
      call("release_file", { input }).catch(() => {});
    },
  };
  remove.addEventListener("click", () => {
    chip.release();
    $("#route-status").textContent = `Removed ${f.name}.`;
    editors.aws_evidence.textarea.focus();
    diagnoseNow();
  });
  return chip;
}

const overlay = $("#drop-overlay");
let dragDepth = 0;
document.addEventListener("dragenter", (e) => {
  if (![...(e.dataTransfer?.types ?? [])].includes("Files")) return;
  dragDepth++;
  overlay.classList.add("on");
});
document.addEventListener("dragleave", () => { if (--dragDepth <= 0) { dragDepth = 0; overlay.classList.remove("on"); } });
document.addEventListener("dragover", (e) => { if ([...(e.dataTransfer?.types ?? [])].includes("Files")) e.preventDefault(); });
document.addEventListener("drop", (e) => {
  dragDepth = 0;
  overlay.classList.remove("on");
  if (!e.dataTransfer?.files?.length) return;
  e.preventDefault();
  placeFiles(e.dataTransfer.files).catch((err) => { $("#route-status").textContent = `Could not place the files: ${err.message}`; });
});

const fileInput = $("#file-input");
$("#open-files").addEventListener("click", () => fileInput.click());
fileInput.addEventListener("change", () => {
  placeFiles(fileInput.files).catch((err) => { $("#route-status").textContent = `Could not place the files: ${err.message}`; })
    .finally(() => { fileInput.value = ""; });
});

// A whole main.tf pasted into any box is split into its parts.
const MANY_BLOCKS = /^[ \t]*(provider|resource|data|terraform|variable|locals)\b/gm;
for (const [name, ed] of Object.entries(editors)) {
  ed.textarea.addEventListener("input", scheduleDiagnosis);
  ed.textarea.addEventListener("paste", (e) => {
    const text = e.clipboardData?.getData("text/plain") ?? "";
    if (text.length > MAX_INPUT_BYTES) return; // pasted as is: the core says it is too large
    const kinds = new Set([...text.matchAll(MANY_BLOCKS)].map((m) => m[1]));
    if (kinds.size < 2 && !(kinds.has("resource") && /aws_iam_(role|policy)/.test(text) && /provider\s+"aws"/.test(text))) return;
    e.preventDefault();
    call("split", { text, input: name }).then(({ parts }) => {
      if (parts.length <= 1) {
        ed.textarea.setRangeText(text, ed.textarea.selectionStart, ed.textarea.selectionEnd, "end");
        ed.refresh();
      } else {
        for (const p of parts) setBox(p.input, p.text);
        $("#route-status").textContent = `Split the pasted Terraform: ${parts.map((p) => `${p.what} → ${INPUT_TITLES[p.input]}`).join("; ")}.`;
      }
      diagnoseNow();
    }).catch((err) => { $("#route-status").textContent = `Could not split the paste: ${err.message}`; });
  });
}

$("#load-example").addEventListener("click", () => loadExample().catch((e) => showFatal(e.message)));
$("#diagnose").addEventListener("click", () => { diagnoseNow(); });

const assistant = initAssistant({ call, getInputs: inputs, getReport: () => lastReport?.report ?? null,
                                  isCurrent: answerIsCurrent, settled: diagnosisOfCurrentInputs });

// Take the worker over from start.js, and handle what it said before now.
client = connect(worker, early, { onProgress: showProgress, onBoot, onFatal: showFatal,
                                  onSettled: offlineCopyWhenIdle });
