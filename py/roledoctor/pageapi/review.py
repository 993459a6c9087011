"""The model's answer: its fenced blocks read as the boxes they would replace,
then the engine run again on the changed inputs."""

from __future__ import annotations

import re

from roledoctor.inputs.policyjson import box as policy_box
from roledoctor.pageapi.boxes import BOX_TITLES, inputs_of, problem_obj
from roledoctor.pageapi.engine import EngineMissing, engine
from roledoctor.pageapi.session import redactor
from roledoctor.pageapi.split import split_hcl

_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*([A-Za-z0-9_+-]*)")
UNSAFE = ("critical", "high")  # hardening severities that qualify a proposed change's verdict


def fences(text: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced block, closed by a line holding the same
    fence. One pass over the lines (a regex with a back-reference here was
    quadratic on unclosed fences); an unclosed fence ends the scan."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        i += 1
        if not m:
            continue
        fence, language, body = m.group(1), m.group(2), []
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        if i == len(lines):
            break
        out.append((language, "\n".join(body) + "\n" if body else ""))
        i += 1
    return out


def target(language: str, text: str) -> str | None:
    from roledoctor.inputs import classify

    kinds = classify(text)
    if "policy-json" in kinds:
        return policy_box("answer", text) or None
    if "hcl" in kinds or language in ("hcl", "terraform", "tf"):
        parts = split_hcl(text)
        if len(parts) == 1:
            return parts[0]["input"]
        return "provider" if parts else None
    return None


def _verdict(changed: dict[str, str]) -> dict:
    page = engine()(changed)
    findings = page.get("report", {}).get("findings", [])
    # A model can "fix" an access problem by opening the role to
    # everyone: the engine then says Allowed. Its critical and high
    # hardening findings go with the verdict, which says so.
    unsafe = [{k: f.get(k) for k in ("code", "kind", "severity", "title", "message", "fix")}
              for f in findings if f.get("kind") == "hardening" and f.get("severity") in UNSAFE]
    word = page.get("verdict_word")
    return {"word": f"{word}, but unsafe" if word == "Allowed" and unsafe else word,
            "sentence": page.get("verdict_sentence"), "unsafe": unsafe,
            "codes": [f.get("code") for f in findings if f.get("kind") == "blocker"]}


def review(args: dict) -> dict:
    """Method `review_answer` {answer, inputs} -> {restored, blocks[{language,target,title,text,problems}],
    verdict, note}; verdict {word, sentence, codes, unsafe[finding]}: word "Allowed, but unsafe" with
    critical/high hardening."""
    from roledoctor.inputs import read

    answer = str(args.get("answer", ""))
    restored = redactor().restore(answer)
    texts = inputs_of(args)
    blocks = []
    changed = dict(texts)
    for language, body in fences(restored):
        language = language.lower()
        box = target(language, body)
        problems = []
        if box:
            problems = [problem_obj(r.facts) for r in read(box, body) if r.kind == "problem"]
            if not problems:
                changed[box] = body
        blocks.append({"language": language or "text", "target": box, "title": BOX_TITLES.get(box or "", ""),
                       "text": body, "problems": problems})
    verdict = None
    note = ""
    used = [b for b in blocks if b["target"] and not b["problems"]]
    if used:
        try:
            verdict = _verdict(changed)
        except EngineMissing as err:
            note = f"Not checked: {err}."
    elif blocks:
        note = "No block of the answer could be read as a policy or provider configuration."
    else:
        note = "The answer proposes no changed policy or provider block."
    return {"restored": restored, "blocks": blocks, "verdict": verdict, "note": note}
