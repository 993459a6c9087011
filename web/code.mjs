// Code display: a tiny tokenizer for JSON / HCL / shell / Rego (one line at a
// time: enough for colouring), code blocks, unified and side-by-side diffs,
// and the Copy / Download buttons. Everything is built with createElement and
// textContent, so the text shown is never parsed as HTML.

const TOKEN = new RegExp([
  String.raw`(?<com>#.*|\/\/.*|\/\*.*?(?:\*\/|$))`,
  String.raw`(?<str>"(?:[^"\\]|\\.)*"?)`,
  String.raw`(?<num>-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)`,
  String.raw`(?<kw>\b(?:true|false|null|resource|data|provider|variable|locals|terraform|module|output|package|import|default|if|contains|some|in|not|every|set|then|fi|echo|export)\b)`,
  String.raw`(?<id>[A-Za-z_][\w-]*)`,
  String.raw`(?<punct>[{}\[\]():=,])`,
].join("|"), "g");

export function languageOf(filename = "", text = "") {
  if (/\.json$/i.test(filename)) return "json";
  if (/\.(tf|tfvars|hcl)$/i.test(filename)) return "hcl";
  if (/\.sh$/i.test(filename)) return "sh";
  if (/\.rego$/i.test(filename)) return "rego";
  return /^\s*[{[]/.test(text) ? "json" : "hcl";
}

// Spans for one line: [{text, cls}]
export function tokenize(line, language = "json") {
  const out = [];
  let pos = 0;
  TOKEN.lastIndex = 0;
  for (const m of line.matchAll(TOKEN)) {
    if (m.index > pos) out.push({ text: line.slice(pos, m.index), cls: "" });
    const g = m.groups;
    let cls = "";
    if (g.com !== undefined) cls = language === "json" ? "" : "tok-com";
    else if (g.str !== undefined) cls = /^\s*:/.test(line.slice(m.index + m[0].length)) ? "tok-key" : "tok-str";
    else if (g.num !== undefined) cls = "tok-num";
    else if (g.kw !== undefined) cls = "tok-kw";
    else if (g.id !== undefined) cls = language === "hcl" && /^\s*=(?!=)/.test(line.slice(m.index + m[0].length)) ? "tok-key" : "";
    else if (g.punct !== undefined) cls = "tok-punct";
    out.push({ text: m[0], cls });
    pos = m.index + m[0].length;
  }
  if (pos < line.length) out.push({ text: line.slice(pos), cls: "" });
  return out;
}

export function colourLine(parent, line, language) {
  for (const { text, cls } of tokenize(line, language)) {
    if (!cls) parent.append(text);
    else {
      const s = document.createElement("span");
      s.className = cls;
      s.textContent = text;
      parent.append(s);
    }
  }
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

// A scrollable code block (keyboard-reachable: tabindex 0, named).
export function codeBlock(text, language, label) {
  const pre = el("pre", { class: "code", tabindex: "0", "aria-label": label });
  const code = el("code");
  text.replace(/\n$/, "").split("\n").forEach((line, i) => {
    if (i) code.append("\n");
    colourLine(code, line, language);
  });
  pre.append(code);
  return pre;
}

// Unified diff text -> rows [{kind: " " | "-" | "+" | "@", text, old, new}]
export function parseDiff(diff) {
  const rows = [];
  let oldNo = 0, newNo = 0;
  for (const line of diff.replace(/\n$/, "").split("\n")) {
    if (line.startsWith("---") || line.startsWith("+++")) continue;
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) { oldNo = +hunk[1]; newNo = +hunk[2]; rows.push({ kind: "@", text: line }); continue; }
    const kind = line[0] === "-" || line[0] === "+" ? line[0] : " ";
    const text = line.slice(1);
    if (kind === "-") rows.push({ kind, text, old: oldNo++ });
    else if (kind === "+") rows.push({ kind, text, new: newNo++ });
    else if (line.startsWith("\\")) continue;
    else rows.push({ kind, text, old: oldNo++, new: newNo++ });
  }
  return rows;
}

const SIGN = { "-": "removed", "+": "added", " ": "" };

function lineCell(no, text, kind, language) {
  const num = el("td", { class: "ln", "aria-hidden": "true", text: no ?? "" });
  const cell = el("td", { class: `src ${kind ? SIGN[kind] : "empty"}` });
  if (kind === "-" || kind === "+") cell.append(el("span", { class: "visually-hidden", text: `${SIGN[kind]}: ` }));
  if (kind) cell.append(el("span", { class: "sign", "aria-hidden": "true", text: kind === " " ? " " : kind }));
  if (text !== undefined) colourLine(cell, text, language);
  return [num, cell];
}

export function unifiedDiff(diff, language, label) {
  const table = el("table", { class: "diff unified" }, el("caption", { class: "visually-hidden", text: `${label}, unified diff` }));
  const body = el("tbody");
  for (const r of parseDiff(diff)) {
    if (r.kind === "@") { body.append(el("tr", { class: "hunk" }, el("td", { colspan: "3", text: r.text }))); continue; }
    const tr = el("tr", { class: SIGN[r.kind] || "same" });
    tr.append(el("td", { class: "ln", "aria-hidden": "true", text: r.old ?? "" }), ...lineCell(r.new, r.text, r.kind, language));
    body.append(tr);
  }
  table.append(body);
  return el("div", { class: "diff-scroll", tabindex: "0", role: "group", "aria-label": `${label} (unified diff)` }, table);
}

export function splitDiff(diff, language, label) {
  const table = el("table", { class: "diff split" }, el("caption", { class: "visually-hidden", text: `${label}, before and after` }),
    el("colgroup", {}, el("col", { class: "ln" }), el("col"), el("col", { class: "ln" }), el("col")));
  const body = el("tbody");
  const rows = parseDiff(diff);
  for (let i = 0; i < rows.length;) {
    const r = rows[i];
    if (r.kind === "@") { body.append(el("tr", { class: "hunk" }, el("td", { colspan: "4", text: r.text }))); i++; continue; }
    if (r.kind === " ") {
      body.append(el("tr", { class: "same" }, ...lineCell(r.old, r.text, " ", language), ...lineCell(r.new, r.text, " ", language)));
      i++; continue;
    }
    const dels = [], adds = [];
    while (i < rows.length && rows[i].kind === "-") dels.push(rows[i++]);
    while (i < rows.length && rows[i].kind === "+") adds.push(rows[i++]);
    for (let k = 0; k < Math.max(dels.length, adds.length); k++) {
      const d = dels[k], a = adds[k];
      body.append(el("tr", { class: "change" },
        ...lineCell(d?.old, d?.text, d ? "-" : "", language), ...lineCell(a?.new, a?.text, a ? "+" : "", language)));
    }
  }
  table.append(body);
  return el("div", { class: "diff-scroll", tabindex: "0", role: "group", "aria-label": `${label} (before and after)` }, table);
}

// ---- copy and download

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = el("textarea", { class: "offscreen", "aria-hidden": "true", tabindex: "-1" });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand("copy");
    ta.remove();
    return ok;
  }
}

// `text` may also be a Blob (the zip of all fixed files).
export function download(filename, text, type = "text/plain") {
  const blob = text instanceof Blob ? text : new Blob([text], { type: `${type};charset=utf-8` });
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: filename, class: "offscreen" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// Copy + Download buttons for one file, with a small status next to them.
export function fileButtons(filename, text, what, variant = "") {
  const extra = variant ? ` (${variant})` : "";
  const status = el("span", { class: "copy-status", role: "status" });
  const copy = el("button", { type: "button", "aria-label": `Copy ${what}${extra}`, text: "Copy",
    onclick: async () => { status.textContent = (await copyText(text)) ? "Copied." : "Copy failed: select and copy by hand."; } });
  const save = el("button", { type: "button", "aria-label": `Download ${filename}${extra}`, text: "Download",
    onclick: () => download(filename, text) });
  return el("div", { class: "file-buttons" }, copy, save, status);
}
