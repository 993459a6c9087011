// The optional second opinion: the redaction preview (exactly what will be
// sent, each placeholder highlighted; un-redact a value or redact a
// selection), the provider settings, the streamed answer with placeholders
// mapped back (the map stays in the worker), and the engine's verdict on any
// policy the model proposes. API keys live in memory unless the user ticks
// "Remember on this device"; they are never logged. Each key belongs to the
// provider and the endpoint (origin) it was entered for, and is sent nowhere
// else.

import { el } from "./code.mjs";
import { PROVIDERS, streamChat } from "./llm.mjs";
import { INPUT_TITLES, findingCard } from "./results.mjs";

const STORE = "roledoctor.llm.v2";
const OLD_STORE = "roledoctor.llm.v1"; // one key for whatever provider was chosen
const $ = (sel) => document.querySelector(sel);

function originOf(url) {
  try { return new URL(url).origin; } catch { return ""; }
}

// The LLM endpoints this copy of the page may call: the connect-src of its
// CSP (build.py writes it; `--llm-origin` adds to it).
function allowedSources() {
  const csp = document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? "";
  const connect = csp.split(";").map((d) => d.trim().split(/\s+/)).find((d) => d[0] === "connect-src") ?? [];
  return connect.slice(1).filter((s) => /^https?:\/\//.test(s));
}

// Does a CSP source such as https://api.openai.com or http://localhost:* match this URL?
// (https://www.w3.org/TR/CSP3/#match-url-to-source-expression, the subset build.py writes)
function allows(source, url) {
  const m = /^(https?):\/\/([^/:]+)(?::(\d+|\*))?$/.exec(source);
  if (!m || url.protocol !== `${m[1]}:` || url.hostname !== m[2]) return false;
  return m[3] === "*" || url.port === (m[3] ?? "");
}

const sourceText = (s) => s.replace(/:\*$/, " (any port)");

export function initAssistant({ call, getInputs, getReport, isCurrent = () => true, settled = async () => {} }) {
  const f = {
    provider: $("#llm-provider"), base: $("#llm-base"), model: $("#llm-model"), key: $("#llm-key"),
    remember: $("#llm-remember"), forget: $("#llm-forget"), ask: $("#llm-ask"), cancel: $("#llm-cancel"),
    status: $("#llm-status"), preview: $("#preview-body"), answer: $("#answer-body"), review: $("#answer-review"),
    origins: $("#llm-origins"),
  };
  let prompt = null; // {system, user, spans, count} as shown in the preview
  let promptKey = ""; // inputs + report it was made from
  let previewSeq = 0;
  let lastSelection = "";
  let controller = null;
  const sources = allowedSources();

  f.origins.replaceChildren(
    "This copy of the page may call: ", ...sources.flatMap((s, i) => [i ? ", " : "", el("code", { text: sourceText(s) })]), ". ",
    "Another endpoint (Azure OpenAI, a company gateway) must be added by whoever builds or hosts the page: ",
    el("code", { text: "python build.py build --llm-origin https://…" }), " (see the README).");

  // ---- settings: one key per provider and endpoint ("provider origin" -> key)
  const keys = new Map();
  const slot = () => `${f.provider.value} ${originOf(f.base.value.trim())}`;
  const showKey = () => {
    const had = f.key.value;
    f.key.value = keys.get(slot()) ?? "";
    if (had && !f.key.value) f.status.textContent = `API keys are kept per provider and endpoint: enter the key for ${originOf(f.base.value.trim()) || "this endpoint"}.`;
  };

  function defaults() {
    const p = PROVIDERS[f.provider.value];
    f.base.value = p.base;
    f.model.value = p.model;
  }
  function save() {
    if (!f.remember.checked) return;
    localStorage.setItem(STORE, JSON.stringify({ provider: f.provider.value, baseUrl: f.base.value, model: f.model.value,
                                                 keys: Object.fromEntries(keys) }));
  }
  function load() {
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(STORE) ?? "null"); } catch { saved = null; }
    try {
      // a key saved by an older page belongs to the provider and endpoint saved with it
      const old = JSON.parse(localStorage.getItem(OLD_STORE) ?? "null");
      if (old && PROVIDERS[old.provider] && !saved) {
        const base = old.baseUrl ?? PROVIDERS[old.provider].base;
        saved = { provider: old.provider, baseUrl: base, model: old.model,
                  keys: old.apiKey ? { [`${old.provider} ${originOf(base)}`]: old.apiKey } : {} };
        localStorage.setItem(STORE, JSON.stringify(saved));
      }
    } catch { /* unreadable: ignored */ }
    localStorage.removeItem(OLD_STORE);
    if (saved && PROVIDERS[saved.provider]) {
      f.provider.value = saved.provider;
      f.base.value = saved.baseUrl ?? PROVIDERS[saved.provider].base;
      f.model.value = saved.model ?? PROVIDERS[saved.provider].model;
      for (const [k, v] of Object.entries(saved.keys ?? {})) if (typeof v === "string" && v) keys.set(k, v);
      f.remember.checked = true;
    } else defaults();
    showKey();
  }
  f.provider.addEventListener("change", () => { defaults(); showKey(); save(); });
  f.base.addEventListener("input", showKey);
  f.key.addEventListener("input", () => {
    if (f.key.value) keys.set(slot(), f.key.value);
    else keys.delete(slot());
  });
  for (const input of [f.base, f.model, f.key]) input.addEventListener("change", save);
  f.remember.addEventListener("change", () => {
    if (f.remember.checked) { save(); f.status.textContent = "Settings and keys are kept in this browser's local storage."; }
    else { localStorage.removeItem(STORE); f.status.textContent = "Keys kept in memory only."; }
  });
  f.forget.addEventListener("click", () => {
    localStorage.removeItem(STORE);
    localStorage.removeItem(OLD_STORE);
    keys.clear();
    f.key.value = "";
    f.remember.checked = false;
    f.status.textContent = "Forgot the keys and the settings on this device.";
  });
  load();

  // ---- redaction preview
  function renderPreview(p) {
    prompt = p;
    const pre = el("pre", { class: "preview-text", id: "preview-text", tabindex: "0", "aria-label": "Text that will be sent" });
    let pos = 0;
    for (const s of p.spans) {
      if (s.start > pos) pre.append(p.user.slice(pos, s.start));
      pre.append(el("mark", { class: `ph t-${s.type.toLowerCase()}`, "data-type": s.type, text: p.user.slice(s.start, s.end) }));
      pos = s.end;
    }
    pre.append(p.user.slice(pos));
    const seen = new Map();
    for (const s of p.spans) if (!seen.has(s.placeholder)) seen.set(s.placeholder, s);
    const rows = [...seen.values()].map((s) => el("tr", {},
      el("td", {}, el("mark", { class: `ph t-${s.type.toLowerCase()}`, text: s.placeholder })),
      el("td", { class: "col-type", text: s.type }),
      el("td", {}, el("code", { class: "original", text: s.original })),
      el("td", {}, el("button", { type: "button", text: "Un-redact", "aria-label": `Un-redact ${s.placeholder}`,
        onclick: () => update("unredact", { placeholder: s.placeholder }) }))));
    const table = rows.length
      ? el("table", { class: "placeholders" }, el("caption", { text: "Replaced values (the originals stay in this page)" }),
        el("thead", {}, el("tr", {}, ...["Placeholder", "Type", "Original", "Action"].map((h, i) => el("th", { scope: "col", class: i === 1 ? "col-type" : null, text: h })))),
        el("tbody", {}, ...rows))
      : el("p", { class: "muted", text: "Nothing was found to replace." });
    f.preview.replaceChildren(
      el("p", { class: "small", text: `${seen.size} value${seen.size === 1 ? "" : "s"} replaced by placeholders. Select text in the preview or in a box, then choose “Redact selection” to hide more.` }),
      el("div", { class: "actions" }, el("button", { type: "button", text: "Redact selection", onclick: redactSelection })),
      el("details", { class: "system-prompt" }, el("summary", { text: "System prompt" }), el("pre", { class: "preview-text", tabindex: "0", "aria-label": "System prompt that will be sent", text: p.system })),
      pre, table);
  }

  async function update(method, extra = {}) {
    const seq = ++previewSeq;
    const inputs = getInputs();
    const report = getReport();
    try {
      const p = await call(method, { inputs, report, ...extra });
      if (seq !== previewSeq) return prompt;
      promptKey = JSON.stringify([inputs, report]);
      renderPreview(p);
      return p;
    } catch (err) {
      if (seq === previewSeq) f.preview.replaceChildren(el("p", { class: "error", text: `Could not prepare the redacted text: ${err.message}` }));
      throw err;
    }
  }

  async function redactSelection() {
    const text = lastSelection.trim();
    if (!text) { f.status.textContent = "Select the text to redact first (in the preview or in a box)."; return; }
    try {
      await update("redact_more", { fragment: text, type: "REDACTED" });
      f.status.textContent = "The selection is redacted from now on.";
      lastSelection = "";
    } catch (err) { f.status.textContent = `Could not redact the selection: ${err.message}`; }
  }

  document.addEventListener("selectionchange", () => {
    const a = document.activeElement;
    if (a?.tagName === "TEXTAREA" && a.dataset.input && a.selectionEnd > a.selectionStart) {
      lastSelection = a.value.slice(a.selectionStart, a.selectionEnd);
      return;
    }
    const sel = document.getSelection();
    if (sel && !sel.isCollapsed && f.preview.contains(sel.anchorNode)) lastSelection = sel.toString();
  });

  // ---- the question
  function busy(on) {
    f.ask.hidden = on;
    f.cancel.hidden = !on;
    (on ? f.cancel : f.ask).focus({ preventScroll: true });
  }

  function renderReview(r) {
    const parts = [el("h4", { text: "The engine's check of the answer" })];
    for (const b of r.blocks) {
      const what = b.target ? `${b.title || INPUT_TITLES[b.target]} (${b.language})` : `a ${b.language} block`;
      parts.push(el("p", {}, b.problems.length
        ? `Proposed ${what}: could not be read: ${b.problems.map((p) => (p.line ? `line ${p.line}, column ${p.column}: ` : "") + p.message).join("; ")}`
        : b.target ? `Proposed ${what}: read; substituted for yours.` : `Skipped ${what}: not a policy or provider configuration.`));
    }
    if (r.verdict) {
      const unsafe = r.verdict.unsafe ?? [];
      const cls = unsafe.length ? "unsafe" : (r.verdict.word ?? "").toLowerCase();
      parts.push(el("p", { class: `verdict-small ${cls}` },
        el("strong", { text: `Engine verdict with the model's changes: ${r.verdict.word}.` }), ` ${r.verdict.sentence ?? ""}`,
        r.verdict.codes?.length ? ` Remaining blockers: ${r.verdict.codes.join(", ")}.` : ""));
      if (unsafe.length) {
        parts.push(el("p", { class: "unsafe-note", role: "alert",
          text: `Do not apply this change as it is: the engine finds ${unsafe.length} critical or high hardening problem${unsafe.length > 1 ? "s" : ""} in it.` }));
        // (the evidence lines are in the model's text, not in your boxes: none are linked)
        parts.push(...unsafe.map((finding) => findingCard({ ...finding, evidence: [] })));
      }
    }
    if (r.note) parts.push(el("p", { class: "muted", text: r.note }));
    f.review.replaceChildren(...parts);
  }

  async function ask() {
    const provider = f.provider.value;
    const baseUrl = f.base.value.trim();
    const model = f.model.value.trim();
    if (!baseUrl || !model) { f.status.textContent = "Enter a base URL and a model first."; return; }
    try { new URL(baseUrl); } catch { f.status.textContent = "The base URL is not a valid URL."; return; }
    const origin = originOf(baseUrl);
    if (!sources.some((s) => allows(s, new URL(baseUrl)))) {
      f.status.textContent = `This copy of the page may not call ${origin}: its security policy (CSP) lists only `
        + `${sources.map(sourceText).join(", ")}. To use this endpoint, build the page with `
        + `python build.py build --llm-origin ${origin} (or ask whoever hosts it to).`;
      return;
    }
    // the key entered for this provider and this endpoint, and no other
    const apiKey = (keys.get(slot()) ?? "").trim();
    if (provider !== "compatible" && !apiKey) { f.status.textContent = "Enter your API key first."; f.key.focus(); return; }
    // Only what the preview shows is sent: if the inputs changed since it was
    // drawn, draw it again and let the user look before a second click.
    // The preview is drawn from the diagnosis of the inputs as they are now, never an older one.
    if (!isCurrent() || !prompt || promptKey !== JSON.stringify([getInputs(), getReport()])) {
      f.status.textContent = "Preparing the redacted text…";
      try { await settled(); await update("prompt"); } catch { f.status.textContent = "Could not prepare the redacted text."; return; }
      f.status.textContent = "Your inputs changed since the redaction preview was drawn: it is drawn again. "
        + "Check it, then choose “Ask the LLM” again.";
      return;
    }
    const p = prompt;
    const answerText = el("div", { class: "answer-text", tabindex: "0", "aria-label": "Answer text" });
    f.answer.replaceChildren(answerText);
    f.review.replaceChildren();
    controller = new AbortController();
    busy(true);
    f.status.textContent = `Asking ${new URL(baseUrl).host}…`;
    let raw = "";
    let restoreSeq = 0;
    const show = async () => {
      const seq = ++restoreSeq;
      const { text } = await call("restore", { text: raw });
      if (seq === restoreSeq) answerText.textContent = text;
    };
    let failed = null;
    try {
      for await (const delta of streamChat({ provider, baseUrl, model, apiKey, system: p.system, user: p.user }, controller.signal)) {
        raw += delta;
        show();
      }
    } catch (err) {
      failed = controller.signal.aborted ? "cancelled" : err;
    } finally {
      busy(false);
      controller = null;
    }
    await show();
    if (failed === "cancelled") {
      f.status.textContent = "Cancelled.";
      answerText.after(el("p", { class: "muted", text: "Cancelled: the answer above is incomplete." }));
      return;
    }
    if (failed) {
      f.status.textContent = `The LLM request failed: ${failed.message}`;
      f.answer.append(el("p", { class: "error", role: "alert", text: `The LLM request failed: ${failed.message}` }));
      return;
    }
    f.status.textContent = "Answer received; the engine is checking any proposed change…";
    try {
      const r = await call("review_answer", { answer: raw, inputs: getInputs() });
      answerText.textContent = r.restored;
      renderReview(r);
      f.status.textContent = "Answer received and checked.";
    } catch (err) {
      f.status.textContent = `Could not check the answer: ${err.message}`;
    }
  }

  f.ask.addEventListener("click", ask);
  f.cancel.addEventListener("click", () => controller?.abort(new DOMException("cancelled", "AbortError")));

  return { refresh: () => update("prompt").catch(() => {}) };
}
