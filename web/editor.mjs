// A plain <textarea> with a line-number gutter and line highlights drawn
// behind it (for evidence and parse errors). Lines never wrap, so line N sits
// at a fixed height and a highlight is one absolutely placed bar.

export class Editor {
  constructor(textarea) {
    this.textarea = textarea;
    this.wrap = document.createElement("div");
    this.wrap.className = "editor";
    this.gutter = document.createElement("div");
    this.gutter.className = "gutter";
    this.gutter.setAttribute("aria-hidden", "true");
    this.backdrop = document.createElement("div");
    this.backdrop.className = "backdrop";
    this.backdrop.setAttribute("aria-hidden", "true");
    this.message = document.createElement("p");
    this.message.className = "input-message";
    this.message.id = `${textarea.id}-message`;
    this.message.hidden = true;
    textarea.replaceWith(this.wrap);
    this.wrap.append(this.gutter, this.backdrop, textarea);
    this.wrap.after(this.message);
    textarea.setAttribute("aria-describedby", this.message.id);
    this.marks = new Map(); // line -> kind ("evidence" | "error")
    this.lineCount = 0;
    textarea.addEventListener("input", () => this.refresh());
    textarea.addEventListener("scroll", () => this.sync());
    new ResizeObserver(() => this.sync()).observe(textarea);
    this.refresh();
  }

  get value() { return this.textarea.value; }
  set value(text) { this.textarea.value = text; this.clearMarks(); this.refresh(); }

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
    this.backdrop.style.transform = `translate(${-this.textarea.scrollLeft}px, ${-this.textarea.scrollTop}px)`;
    this.gutter.style.height = `${this.textarea.offsetHeight}px`;
  }

  clearMarks() {
    this.marks.clear();
    this.backdrop.replaceChildren();
    this.message.hidden = true;
    this.message.textContent = "";
    this.textarea.removeAttribute("aria-invalid");
  }

  mark(line, kind = "evidence") {
    if (line < 1 || this.marks.has(line)) return;
    this.marks.set(line, kind);
    const bar = document.createElement("div");
    bar.className = `line-mark ${kind}`;
    bar.style.top = `calc(${line - 1} * var(--line-height) + var(--pad))`;
    this.backdrop.append(bar);
  }

  // Show a message under the box; for parse errors, also mark the line.
  say(text, { line = 0, kind = "error" } = {}) {
    this.message.textContent = text;
    this.message.className = `input-message ${kind}`;
    this.message.hidden = false;
    if (kind === "error") this.textarea.setAttribute("aria-invalid", "true");
    if (line) this.mark(line, kind);
  }

  // Scroll so that `line` is visible and put the caret there.
  reveal(line) {
    const lh = parseFloat(getComputedStyle(this.textarea).lineHeight) || 18;
    this.textarea.scrollTop = Math.max(0, (line - 3) * lh);
    const starts = this.textarea.value.split("\n").slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    this.textarea.focus({ preventScroll: true });
    this.textarea.setSelectionRange(starts, starts);
    this.wrap.scrollIntoView({ block: "nearest", behavior: "smooth" });
    this.sync();
  }
}
