// The path of the request as an inline SVG: caller → SCP → identity policy →
// boundary → trust policy → conditions → role. Each gate has a colour AND a
// shape and a word (allow: circle with a tick; deny: octagon with a cross;
// no allow: dashed square with a cross; not evaluated: dashed circle with a
// dash). Gates are keyboard buttons: Enter or Space (or a click) calls
// onActivate(gate). Built with createElementNS only.

const NS = "http://www.w3.org/2000/svg";
// Short names for the picture; the engine's full label is the accessible name and is listed below it.
const SHORT = { caller: "Caller", scp: "SCP / RCP", identity: "Identity policy", boundary: "Boundary",
  trust: "Trust policy", conditions: "Conditions", role: "Role" };
const WORDS = { allow: "allows", deny: "denies", "implicit-deny": "no allow", "not-evaluated": "not checked" };

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function octagon(cx, cy, r) {
  const pts = [];
  for (let i = 0; i < 8; i++) {
    const a = Math.PI / 8 + (i * Math.PI) / 4;
    pts.push(`${(cx + r * Math.cos(a)).toFixed(1)},${(cy + r * Math.sin(a)).toFixed(1)}`);
  }
  return svg("polygon", { points: pts.join(" ") });
}

function icon(result, cx, cy) {
  const g = svg("g", { class: `gate-icon ${result}`, "aria-hidden": "true" });
  const r = 17;
  if (result === "allow") {
    g.append(svg("circle", { cx, cy, r, class: "shape" }),
      svg("path", { d: `M${cx - 7} ${cy} l5 5 l9 -10`, class: "glyph" }));
  } else if (result === "deny") {
    const o = octagon(cx, cy, r + 1);
    o.setAttribute("class", "shape");
    g.append(o, svg("path", { d: `M${cx - 6} ${cy - 6} l12 12 M${cx + 6} ${cy - 6} l-12 12`, class: "glyph" }));
  } else if (result === "implicit-deny") {
    g.append(svg("rect", { x: cx - r + 1, y: cy - r + 1, width: 2 * r - 2, height: 2 * r - 2, rx: 4, class: "shape dashed" }),
      svg("path", { d: `M${cx - 6} ${cy - 6} l12 12 M${cx + 6} ${cy - 6} l-12 12`, class: "glyph" }));
  } else {
    g.append(svg("circle", { cx, cy, r, class: "shape dashed" }),
      svg("path", { d: `M${cx - 7} ${cy} h14`, class: "glyph" }));
  }
  return g;
}

// At most two lines of at most n characters, broken at spaces.
function wrap(text, n) {
  if (text.length <= n) return [text];
  const cut = text.lastIndexOf(" ", n);
  if (cut <= 0) return [clip(text, n)];
  return [text.slice(0, cut), clip(text.slice(cut + 1), n)];
}

function clip(text, n) { return text.length > n ? `${text.slice(0, n - 1)}…` : text; }

export function gateWord(result) { return WORDS[result] ?? result; }

export function drawPath(gates, { width = 700, onActivate = () => {} } = {}) {
  const vertical = width < 560;
  const n = gates.length;
  const W = vertical ? Math.max(280, width) : Math.max(560, width);
  const step = vertical ? 56 : (W - 40) / n;
  const H = vertical ? n * step + 8 : 132;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", class: `path-diagram ${vertical ? "vertical" : "horizontal"}`,
    role: "group", "aria-label": "Path of the request, one gate at a time" });
  root.append(svg("title", {}, "Path of the request"));
  const centre = (i) => (vertical ? [30, 28 + i * step] : [20 + step * (i + 0.5), 34]);
  for (let i = 0; i + 1 < n; i++) { // connectors first, under the nodes
    const [x1, y1] = centre(i), [x2, y2] = centre(i + 1);
    const line = vertical ? svg("line", { x1, y1: y1 + 20, x2, y2: y2 - 20 }) : svg("line", { x1: x1 + 21, y1, x2: x2 - 23, y2 });
    line.setAttribute("class", "connector");
    line.setAttribute("marker-end", "url(#arrow)");
    root.append(line);
  }
  const defs = svg("defs");
  const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0 0 L10 5 L0 10 z", class: "arrow-head" }));
  defs.append(marker);
  root.prepend(defs);
  gates.forEach((gate, i) => {
    const [cx, cy] = centre(i);
    const word = gateWord(gate.result);
    const label = `${gate.label}: ${word}${gate.detail ? `. ${gate.detail.replaceAll("`", "")}` : ""}${gate.evidence ? ". Show the evidence" : ""}`;
    const g = svg("g", { class: `gate ${gate.result}${gate.evidence ? " linked" : ""}`, "data-gate": gate.gate,
      role: "button", tabindex: "0" });
    // the name comes from <title> (not aria-label, so that get_by_label("Trust policy") finds only the box)
    g.append(svg("title", {}, label));
    // a generous hit area (also the focus ring)
    const hit = vertical
      ? svg("rect", { x: 4, y: cy - 24, width: W - 8, height: 48, rx: 8, class: "hit" })
      : svg("rect", { x: cx - step / 2 + 3, y: 4, width: step - 6, height: H - 8, rx: 8, class: "hit" });
    g.append(hit, icon(gate.result, cx, cy));
    if (vertical) {
      g.append(svg("text", { x: 58, y: cy - 4, class: "gate-label" }, SHORT[gate.gate] ?? gate.label),
        svg("text", { x: 58, y: cy + 14, class: `gate-word ${gate.result}` }, clip(`${word}${gate.detail ? ` · ${gate.detail.replaceAll("`", "")}` : ""}`, Math.floor((W - 66) / 6.6))));
    } else {
      const fit = Math.floor(step / 7.4);
      const label = svg("text", { x: cx, y: cy + 38, "text-anchor": "middle", class: "gate-label" });
      const lines = wrap(SHORT[gate.gate] ?? gate.label, fit);
      lines.forEach((line, k) => label.append(svg("tspan", { x: cx, dy: k ? 15 : 0 }, line)));
      g.append(label, svg("text", { x: cx, y: cy + 56 + 15 * (lines.length - 1), "text-anchor": "middle", class: `gate-word ${gate.result}` }, word));
    }
    const activate = () => onActivate(gate);
    g.addEventListener("click", activate);
    g.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); activate(); }
    });
    root.append(g);
  });
  return root;
}
