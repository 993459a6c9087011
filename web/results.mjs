// Renders the worker's diagnosis object (webapi "diagnose") into the
// "Diagnosis" region: verdict, the path as a picture, findings by kind, fixed
// files as diffs, prevention artifacts, and the report export. Every string
// from the worker or the user is set as text.

import { el, codeBlock, fileButtons, splitDiff, unifiedDiff, languageOf, download } from "./code.mjs";
import { drawPath, gateWord } from "./diagram.mjs";
import { zipFiles } from "./zip.mjs";

export const INPUT_TITLES = {
  error: "Error output", provider: "Provider configuration", trust_policy: "Trust policy",
  caller_policy: "Caller permissions policy", org_policies: "Organization policies", aws_evidence: "AWS evidence",
  caller_files: "Where the caller comes from",
};
const KINDS = [["blocker", "Blockers", "why the role cannot be assumed"],
  ["input", "Input problems", "what is wrong or missing in what you pasted"],
  ["hardening", "Hardening", "works, but unsafe or fragile"]];
const VERDICT_CLASS = { Denied: "denied", Allowed: "allowed", Undetermined: "undetermined" };

// Text with `code` spans (the engine quotes values in backticks) as nodes.
export function inline(text) {
  const out = [];
  String(text ?? "").split(/(`[^`\n]+`)/).forEach((part) => {
    if (/^`[^`]+`$/.test(part)) out.push(el("code", { text: part.slice(1, -1) }));
    else if (part) out.push(part);
  });
  return out;
}

function evidenceButton(ev, onEvidence) {
  const where = `${INPUT_TITLES[ev.input] ?? ev.input}, line ${ev.line}`;
  return el("li", { class: "evidence" },
    el("button", { type: "button", class: "link", text: where, onclick: () => onEvidence(ev) }),
    ev.text ? el("code", { text: ev.text }) : "");
}

export function findingCard(f, onEvidence) {
  const card = el("article", { class: `finding ${f.kind} sev-${f.severity ?? "info"}`, id: `finding-${f.code}` },
    el("h4", { class: "finding-title" }, el("code", { class: "finding-code", text: f.code }), " ", el("span", { text: f.title ?? "" })),
    f.severity ? el("span", { class: `severity ${f.severity}`, text: f.severity }) : "",
    f.message ? el("p", {}, ...inline(f.message)) : "",
    f.fix ? el("p", { class: "fix-text" }, el("strong", { text: "Fix: " }), ...inline(f.fix)) : "");
  if (f.evidence?.length) card.append(el("ul", { class: "evidence-list" }, ...f.evidence.map((ev) => evidenceButton(ev, onEvidence))));
  return card;
}

function verdictBlock(page) {
  const word = page.verdict_word ?? "Undetermined";
  const cls = VERDICT_CLASS[word] ?? "undetermined";
  const req = page.report?.request ?? {};
  const block = el("div", { class: `verdict ${cls}` },
    el("p", { class: "verdict-line" },
      el("span", { class: "verdict-icon", "aria-hidden": "true", text: cls === "allowed" ? "✓" : cls === "denied" ? "✕" : "?" }),
      el("strong", { class: "verdict-word", text: word }),
      el("span", { class: "verdict-sentence" }, ...inline(page.verdict_sentence))));
  if (req.caller || req.role) {
    block.append(el("p", { class: "request" }, el("code", { text: req.caller ?? "unknown caller" }),
      ` → ${req.action ?? "sts:AssumeRole"} → `, el("code", { text: req.role ?? "unknown role" })));
  }
  return block;
}

function pathBlock(gates, onEvidence, width) {
  const wrap = el("div", { class: "path" }, el("h3", { text: "Path of the request" }));
  if (!gates?.length) {
    wrap.append(el("p", { class: "muted", text: "No gates were evaluated." }));
    return wrap;
  }
  wrap.append(drawPath(gates, { width, onActivate: (g) => (g.evidence ? onEvidence(g.evidence) : onEvidence(null, g)) }));
  const list = el("ol", { class: "gate-list" });
  for (const g of gates) {
    list.append(el("li", { class: `gate-item ${g.result}` },
      el("strong", { text: `${g.label}: ` }), el("span", { class: `gate-word ${g.result}`, text: gateWord(g.result) }),
      g.detail ? " · " : "", ...inline(g.detail)));
  }
  wrap.append(list);
  return wrap;
}

function fixBlock(fix, dup) {
  const lang = languageOf(fix.filename, fix.after);
  const label = `Fixed ${fix.filename}`;
  const verified = fix.verdict_after === "allowed";
  return el("article", { class: "fix" },
    el("h4", {}, el("span", { text: fix.title }), " ", el("code", { class: "filename", text: fix.filename })),
    el("p", { class: `verified ${verified ? "ok" : "no"}` },
      el("span", { "aria-hidden": "true", text: verified ? "✓ " : "! " }),
      verified ? "verified: allowed after this fix" : `after this fix: ${fix.verdict_after ?? "not verified"}`),
    fileButtons(fix.filename, fix.after, `fixed ${fix.filename}`, dup ? fix.title : ""),
    el("div", { class: "diff-views" }, splitDiff(fix.diff, lang, label), unifiedDiff(fix.diff, lang, label)),
    ...(fix.command ? applyBlock(fix) : []));
}

// The fixed files: each proven fix; an alternative side by side with the fix it
// stands in for ("Either … Or …", both proven); one button saves them all as a zip.
function fixesBlock(fixes) {
  const dup = (f) => fixes.findIndex((g) => g.filename === f.filename) !== fixes.indexOf(f);
  const alts = fixes.filter((f) => f.alternative);
  const paired = new Set(alts.flatMap((a) => a.replaces ?? []));
  const shown = new Set();
  const items = fixes.filter((f) => !f.alternative && !paired.has(f.name)).map((f) => fixBlock(f, dup(f)));
  for (const alt of alts) {
    const either = fixes.filter((f) => !f.alternative && (alt.replaces ?? []).includes(f.name) && !shown.has(f.name));
    either.forEach((f) => shown.add(f.name));
    items.push(el("div", { class: "alternatives", role: "group", "aria-label": `Two ways to fix it: ${either.map((f) => f.title).join(", ") || "this fix"} or ${alt.title}` },
      el("div", { class: "option" }, el("p", { class: "option-word", text: "Either" }), ...either.map((f) => fixBlock(f, dup(f)))),
      el("div", { class: "option" }, el("p", { class: "option-word", text: "Or" }), fixBlock(alt, dup(alt)))));
  }
  const all = el("div", { class: "actions" }, el("button", { type: "button", text: "Download all fixed files",
    onclick: () => download("roledoctor-fixes.zip", zipFiles(fixedFiles(fixes))) }));
  return el("div", { class: "fixes" }, el("h3", { text: "Fixed files" }), all, ...items);
}

// What the zip holds: each fixed file under its name, alternatives under alternative/,
// the commands that apply fixed AWS documents in apply.sh. A second file of one name gets a number.
export function fixedFiles(fixes) {
  const out = [];
  const taken = new Set();
  const add = (name, text) => {
    let unique = name;
    for (let k = 2; taken.has(unique); k++) unique = name.replace(/(\.[^./]+)?$/, (ext) => `-${k}${ext}`);
    taken.add(unique);
    out.push({ name: unique, text });
  };
  for (const f of fixes) add(`${f.alternative ? "alternative/" : ""}${f.filename}`, f.after);
  const commands = fixes.filter((f) => f.command && !f.alternative).map((f) => `${f.command}\n`);
  if (commands.length) add("apply.sh", commands.join(""));
  return out;
}

// A fix of AWS output: the corrected document and the command that applies it (run by the user).
function applyBlock(fix) {
  return [el("p", { text: `Save the corrected document as ${fix.document_filename}, then apply it:` }),
    fileButtons(fix.document_filename, fix.document, fix.document_filename),
    codeBlock(fix.command, "sh", `Command that applies ${fix.document_filename}`),
    fileButtons("apply.sh", fix.command + "\n", "the command")];
}

// Read-only AWS CLI commands that fetch what the diagnosis lacks; nothing is run for the user.
function nextCommandsBlock(report) {
  const script = report.next_commands.map((c) => `# ${c.why}\n${c.command}\n`).join("");
  const items = [el("h3", { text: "What to run next" }),
    el("p", { class: "muted small", text: "Read-only commands that fetch what is missing; roledoctor runs nothing." }),
    fileButtons("next-commands.sh", script, "the commands"), codeBlock(script, "sh", "What to run next")];
  if (report.next_commands_policy) {
    const pol = JSON.stringify(report.next_commands_policy, null, 2) + "\n";
    items.push(el("p", { text: "The smallest IAM policy these commands need:" }),
      fileButtons("next-commands-policy.json", pol, "the policy"), codeBlock(pol, "json", "IAM policy for the commands"));
  }
  return el("div", { class: "next-commands" }, ...items);
}

function preventionBlock(item) {
  return el("article", { class: "fix prevention-item" },
    el("h4", {}, el("span", { text: item.title }), " ", el("code", { class: "filename", text: item.filename })),
    fileButtons(item.filename, item.text, item.filename),
    codeBlock(item.text, item.language === "sh" ? "sh" : item.language === "rego" ? "rego" : languageOf(item.filename, item.text), item.title));
}

export function renderDiagnosis(container, page, { onEvidence, onExport, width }) {
  const parts = [verdictBlock(page), pathBlock(page.gates, onEvidence, width)];
  const findings = page.report?.findings ?? [];
  const fsec = el("div", { class: "findings" }, el("h3", { text: `Findings (${findings.length})` }));
  if (!findings.length) fsec.append(el("p", { class: "muted", text: "No findings." }));
  for (const [kind, title, blurb] of KINDS) {
    const items = findings.filter((f) => f.kind === kind);
    if (!items.length) continue;
    fsec.append(el("section", { class: `finding-group ${kind}`, "aria-label": title },
      el("h4", { class: "group-title", text: `${title} (${items.length})` }), el("p", { class: "muted small", text: blurb }),
      ...items.map((f) => findingCard(f, onEvidence))));
  }
  parts.push(fsec);
  if (page.report?.assumptions?.length) {
    parts.push(el("details", { class: "assumptions" }, el("summary", { text: `Assumptions (${page.report.assumptions.length})` }),
      el("ul", {}, ...page.report.assumptions.map((a) => el("li", { text: a })))));
  }
  if (page.fixes?.length) parts.push(fixesBlock(page.fixes));
  if (page.report?.next_commands?.length) parts.push(nextCommandsBlock(page.report));
  if (page.prevention?.length) {
    parts.push(el("div", { class: "prevention" }, el("h3", { text: "Prevent it next time" }), ...page.prevention.map(preventionBlock)));
  }
  if (onExport) {
    // rendered by the engine when asked for: the first answer does without the template engine
    const button = (format, label, filename, type) => el("button", { type: "button", text: `Export report as ${label}`,
      onclick: async () => {
        const text = await onExport(format);
        if (text !== null) download(filename, text, type);
      } });
    parts.push(el("div", { class: "export" }, el("h3", { text: "Export report" }),
      el("div", { class: "actions" }, button("markdown", "Markdown", "roledoctor-report.md", "text/markdown"),
        button("html", "HTML", "roledoctor-report.html", "text/html"))));
  }
  container.replaceChildren(...parts);
}

// Without the engine (or when it failed): what each box was recognised as.
export function renderRecognised(container, inputs, note) {
  const list = el("ul", { class: "summary" });
  for (const item of inputs) {
    if (!item.input) continue;
    list.append(el("li", {}, el("strong", { text: `${INPUT_TITLES[item.input] ?? item.input}: ` }),
      item.recognised || "nothing recognised",
      item.problems?.length ? el("span", { class: "error", text: ` (${item.problems.length} problem${item.problems.length > 1 ? "s" : ""})` }) : ""));
  }
  container.replaceChildren(
    el("div", { class: "verdict undetermined" }, el("p", { class: "verdict-line" },
      el("span", { class: "verdict-icon", "aria-hidden": "true", text: "?" }),
      el("strong", { class: "verdict-word", text: "Undetermined" }),
      el("span", { class: "verdict-sentence", text: note }))),
    el("h3", { text: "Recognised" }), list);
}
