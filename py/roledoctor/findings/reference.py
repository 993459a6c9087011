"""docs/findings.md, written from catalogue.toml: the project's own finding
reference. `python build.py docs` writes it; a test keeps the file equal to
what this module renders, so the data file stays the single source."""

from __future__ import annotations

from roledoctor.findings.catalogue import KINDS, Catalogue, load

HEADINGS = {
    "blocker": "Why the call fails (blockers)",
    "input": "The pasted configuration itself (input)",
    "hardening": "Works today, but unsafe or fragile (hardening)",
}


OUTPUT_CONTRACT = [
    "## Output contract",
    "",
    "`roledoctor diagnose --format json` prints one object (the page shows the same data):",
    "",
    "```json",
    "{",
    '  "verdict": "denied | allowed | undetermined",',
    '  "request": {"action": "sts:AssumeRole", "caller": "arn:…", "role": "arn:…"},',
    '  "trace": [{"gate": "scp | rcp | identity | boundary | session | trust",',
    '             "result": "allow | deny | implicit-deny | not-evaluated", "statement": "…"}],',
    '  "assumptions": ["no SCPs pasted: assumed none"],',
    '  "findings": [{"code": "EXTERNAL_ID_MISMATCH", "kind": "blocker", "severity": "high",',
    '                "title": "…", "evidence": [{"input": "provider", "line": 7, "text": "…"}], "fix": "…"}],',
    '  "fixes": {"trust_policy": {"before": "…", "after": "…", "diff": "…", "verdict_after": "allowed"},',
    '            "provider": {"…": "…"}, "caller_policy": {"…": "…"}},',
    '  "prevention": {"preflight": "…", "rego": "…", "checkov": "…"},',
    '  "next_commands": [{"command": "aws iam get-role --role-name tf-deploy", "why": "…"}],',
    '  "next_commands_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:GetRole"], …}]}',
    "}",
    "```",
    "",
    "`verdict` is the engine's answer for the inputs as given. Policies that were not given",
    "(SCPs, boundaries, session policies) are assumed absent unless the error text names",
    "them, and each such assumption is listed under `assumptions`. `verdict_after` is the",
    "engine's answer once a fix is applied: a fix is proposed only when that answer is",
    "`allowed`. `prevention` holds checks that keep the fault from coming back (a preflight",
    "command, a Rego policy, a Checkov rule); it is left out while the verdict is `undetermined`.",
    "The verdict is `undetermined` only when a value of an input not given could change it, and an",
    "`INPUT_MISSING` finding names that input; otherwise the verdict stands and the unknown is listed",
    "under `assumptions`. One cause is one finding, whose `evidence` lists its place in every input",
    "that shows it (e.g. the provider's line and the error's). Exit codes of the command: 0 allowed, 1 denied, 2 undetermined or unusable input.",
    "",
    "AWS output can be given too (the output of `aws iam get-role`, `get-account-authorization-details`,",
    "`aws organizations describe-policy`, `list-policies-for-target`, `list-parents`, `list-roots`,",
    "`aws iam get-open-id-connect-provider`, CloudTrail records, …), recognised by content. When an input",
    "is missing, `next_commands` lists the read-only AWS CLI commands that fetch it, with the names,",
    "accounts and regions already known filled in, and `next_commands_policy` the smallest IAM policy",
    "they need; nothing is run. A fix of a document that came from AWS output is the corrected document",
    "itself, with `command` (e.g. `aws iam update-assume-role-policy --role-name … --policy-document",
    "file://trust-policy.json`), `document` and `filename` beside `before`, `after` and `diff`.",
    "",
]


def _cell(text: str) -> str:
    # a Markdown table cell: one line, no bare pipe
    return " ".join(text.split()).replace("|", "\\|")


def render(catalogue: Catalogue | None = None) -> str:
    cat = catalogue or load()
    out = [
        "# Finding codes",
        "",
        "<!-- Generated from py/roledoctor/findings/catalogue.toml by `python build.py docs`; do not edit. -->",
        "",
        "Every diagnosis and every `roledoctor check` names its findings by these codes, in the",
        "JSON, SARIF, Markdown and HTML outputs and on the page. A code never changes meaning",
        "once it ships. **kind**: `blocker` makes the `sts:AssumeRole*` call fail; `input`: the",
        "input itself is wrong or incomplete; `hardening`: works today but is unsafe or fragile.",
        "",
    ]
    for kind in KINDS:
        entries = [e for e in cat.entries.values() if e.kind == kind]
        gate = kind == "blocker"  # where in AWS's decision a blocker says no
        out += [f"## {HEADINGS[kind]}", "",
                f"| code |{' gate |' if gate else ''} severity | meaning | proposed fix | Checkov |",
                f"|---|{'---|' if gate else ''}---|---|---|---|"]
        for e in entries:
            checkov = ", ".join(e.checkov) or "–"
            note = " *(Not reported yet.)*" if e.planned else ""
            out.append(f"| `{e.code}` |{f' {e.gate} |' if gate else ''} {e.severity} | **{_cell(e.title)}.** "
                       f"{_cell(e.explanation)}{note} | {_cell(e.fix)} | {checkov} |")
        out.append("")
    out += OUTPUT_CONTRACT
    if cat.checkov:
        out += ["## Checkov checks named above", "", "| id | title | what it looks at |", "|---|---|---|"]
        out += [f"| {c.id} | {_cell(c.title)} | {_cell(c.checks)} |" for c in cat.checkov.values()]
        out.append("")
    return "\n".join(out)
