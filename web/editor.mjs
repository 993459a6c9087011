// A plain <textarea> with a line-number gutter and line highlights drawn
// behind it (for evidence and parse errors). Lines never wrap, so line N sits
// at a fixed height and a highlight is one absolutely placed bar; a column
// marker is placed in `ch` units (the font is monospaced).

export class Editor {
  constructor(textarea) {
    this.textarea = textarea;
    this.name = textarea.dataset.input;
    this.wrap = document.createElement("div");
    this.wrap.className = "editor";
    this.gutter = document.createElement("div");
    this.gutter.className = "gutter";
    this.gutter.setAttribute("aria-hidden", "true");
    this.backdrop = document.createElement("div");
    this.backdrop.className = "backdrop";
    this.backdrop.setAttribute("aria-hidden", "true");
    this.layer = document.createElement("div"); // moves with the text's scroll position
    this.layer.className = "layer";
    this.backdrop.append(this.layer);
    this.info = document.createElement("p");
    this.info.className = "input-info";
    this.info.id = `${textarea.id}-info`;
    this.message = document.createElement("p");
    this.message.className = "input-message";
    this.message.id = `${textarea.id}-message`;
    this.message.hidden = true;
    textarea.replaceWith(this.wrap);
    this.wrap.append(this.gutter, this.backdrop, textarea);
    this.wrap.after(this.info, this.message);
    textarea.setAttribute("aria-describedby", `${this.info.id} ${this.message.id}`);
    this.marks = new Map(); // line -> kind ("evidence" | "error")
    this.lineCount = 0;
    textarea.addEventListener("input", () => this.refresh());
    textarea.addEventListener("scroll", () => this.sync());
    new ResizeObserver(() => this.sync()).observe(textarea);
    this.refresh();
  }

  get value() { return this.textarea.value; }
  set value(text) {
    this.textarea.value = text;
    this.clearMarks();
    this.refresh();
  }

  refresh() {
    const count = this.textarea.value.split("\n").length;
    if (count !== this.lineCount) {
      this.lineCount = count;
      const lines = [];
      for (let i = 1; i <= count; i++) lines.push(i);
      this.gutter.textContent = lines.join("\n");
    }
    this.sync();
  }

  // Keep gutter and highlights aligned with the text area's scroll position.
  sync() {
    this.gutter.scrollTop = this.textarea.scrollTop;
    this.layer.style.transform = `translate(${-this.textarea.scrollLeft}px, ${-this.textarea.scrollTop}px)`;
  }

  setInfo(text) { this.info.textContent = text; }

  clearMarks() {
    this.marks.clear();
    this.layer.replaceChildren();
    this.message.hidden = true;
    this.message.replaceChildren();
    this.textarea.removeAttribute("aria-invalid");
  }

  mark(line, kind = "evidence", column = 0) {
    if (!(line >= 1)) return;
    if (!this.marks.has(line) || kind === "error") {
      this.marks.set(line, kind);
      const bar = document.createElement("div");
      bar.className = `line-mark ${kind}`;
      bar.style.top = `calc(${line - 1} * var(--line-height) + var(--pad))`;
      this.layer.append(bar);
    }
    if (column >= 1) {
      const caret = document.createElement("div");
      caret.className = `col-mark ${kind}`;
      caret.style.top = `calc(${line - 1} * var(--line-height) + var(--pad))`;
      caret.style.left = `calc(var(--pad) + ${column - 1}ch)`;
      this.layer.append(caret);
    }
  }

  // Underline a fact read from the text (caller, role, action, resource, code).
  markFact(line, column, length, label) {
    if (!(line >= 1 && column >= 1 && length >= 1)) return;
    const u = document.createElement("div");
    u.className = "fact-mark";
    u.dataset.fact = label;
    u.style.top = `calc(${line - 1} * var(--line-height) + var(--pad))`;
    u.style.left = `calc(var(--pad) + ${column - 1}ch)`;
    u.style.width = `${length}ch`;
    this.layer.append(u);
  }

  // Show a message under the box (several lines allowed); errors also mark the line.
  say(text, { line = 0, column = 0, kind = "error" } = {}) {
    const p = document.createElement("span");
    p.className = "msg-line";
    p.textContent = text;
    if (this.message.childNodes.length) this.message.append(document.createElement("br"));
    this.message.append(p);
    this.message.classList.toggle("error", kind === "error" || this.message.classList.contains("error"));
    this.message.hidden = false;
    if (kind === "error") this.textarea.setAttribute("aria-invalid", "true");
    if (line) this.mark(line, kind, column);
  }

  // Scroll so that `line` is visible and put the caret there.
  reveal(line, { focus = true } = {}) {
    const lh = parseFloat(getComputedStyle(this.textarea).lineHeight) || 18;
    this.textarea.scrollTop = Math.max(0, (line - 3) * lh);
    const starts = this.textarea.value.split("\n").slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    if (focus) {
      this.textarea.focus({ preventScroll: true });
      this.textarea.setSelectionRange(starts, starts);
    }
    this.wrap.scrollIntoView({ block: "center", behavior: "smooth" });
    this.wrap.classList.remove("flash");
    void this.wrap.offsetWidth; // restart the animation
    this.wrap.classList.add("flash");
    this.sync();
  }
}
