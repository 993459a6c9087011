"""The `roledoctor diagnose` command (exit codes, formats, stdin, --caller) and the page entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from roledoctor.cli import main
from roledoctor.pageapi.boxes import SLOT_BOXES
from roledoctor.limits import MAX_INPUT_BYTES
from roledoctor.pageapi.view import diagnose_for_page, export_for_page
from roledoctor.webapi import handle
from scenarios.scenario_io import HERE, OPTIONS, SEED, load

SEED_ARGS = ["--error", str(SEED / "error.txt"), "--provider", str(SEED / "provider.tf"),
             "--trust-policy", str(SEED / "trust-policy.json"), "--caller-policy", str(SEED / "caller-policy.json")]


def cli(args, capsys, stdin=None, monkeypatch=None):
    if stdin is not None:
        import io
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    rc = main(["diagnose", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_seed_json_exit_1(capsys):
    rc, out, err = cli(SEED_ARGS + ["--format", "json"], capsys)
    assert rc == 1
    obj = json.loads(out)
    assert obj["verdict"] == "denied"
    assert err.count("\n") == 1 and "TRUST_PRINCIPAL_MISSING" in err


def test_bare_files_are_classified(capsys):
    rc, out, _ = cli([str(SEED / n) for n in ("error.txt", "provider.tf", "trust-policy.json", "caller-policy.json")]
                     + ["--format", "json"], capsys)
    assert rc == 1 and json.loads(out)["verdict"] == "denied"


@pytest.mark.parametrize("fmt", ["text", "markdown", "sarif"])
def test_formats(capsys, fmt):
    rc, out, _ = cli(SEED_ARGS + ["--format", fmt], capsys)
    assert rc == 1
    if fmt == "sarif":
        run = json.loads(out)["runs"][0]
        rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
        assert len(rules) == len(set(rules)) and "EXTERNAL_ID_MISMATCH" in rules
        locs = [r["locations"][0]["physicalLocation"] for r in run["results"] if "locations" in r]
        assert any(p["artifactLocation"]["uri"].endswith("trust-policy.json") and p["region"]["startLine"] == 7
                   for p in locs)
    else:
        assert "TRUST_PRINCIPAL_MISSING" in out


def test_allowed_exit_0_with_caller(capsys):
    folder = HERE / "s45-cross-account-no-condition"
    rc, out, err = cli(["--provider", str(folder / "provider.tf"), "--trust-policy", str(folder / "trust-policy.json"),
                        "--caller-policy", str(folder / "caller-policy.json"),
                        "--caller", "arn:aws:iam::222222222222:role/ci", "--format", "json"], capsys)
    assert rc == 0 and json.loads(out)["verdict"] == "allowed" and err.strip() == "roledoctor: allowed"


def test_undetermined_exit_2_without_caller(capsys):
    folder = HERE / "s45-cross-account-no-condition"
    rc, _, err = cli(["--provider", str(folder / "provider.tf"), "--trust-policy", str(folder / "trust-policy.json")],
                     capsys)
    assert rc == 2 and err.startswith("roledoctor: undetermined")


def test_stdin(capsys, monkeypatch):
    text = (SEED / "trust-policy.json").read_text()
    rc, out, _ = cli(["-", "--error", str(SEED / "error.txt"), "--provider", str(SEED / "provider.tf"),
                      "--caller-policy", str(SEED / "caller-policy.json"), "--format", "json"], capsys,
                     stdin=text, monkeypatch=monkeypatch)
    assert rc == 1 and json.loads(out)["verdict"] == "denied"


def test_unreadable_file_is_a_usage_error(capsys):
    rc, _, err = cli(["--trust-policy", "/nonexistent/trust.json"], capsys)
    assert rc == 2 and "cannot read" in err and err.count("\n") == 1


def test_every_scenario_through_the_cli_options(capsys):
    """The scenarios' files through the CLI options (bare FILEs for the rest): same verdict, exit code."""
    for folder in sorted(p for p in HERE.iterdir() if (p / "expected.json").exists()):
        raw, slots, paths, expected = load(folder)
        args = ["--format", "json"]
        for name, slot in slots.items():
            args += [OPTIONS[slot], paths[name]] if slot in OPTIONS else []
        args += [paths[name] for name, slot in slots.items() if slot not in OPTIONS]  # bare FILEs last
        if expected.get("caller"):
            args += ["--caller", expected["caller"]]
        rc, out, _ = cli(args, capsys)
        verdict = json.loads(out)["verdict"]
        if "org_policies" not in slots:
            assert verdict == expected["verdict"], folder.name
        assert rc == {"allowed": 0, "denied": 1}.get(verdict, 2)


def test_subprocess_entry_point():
    p = subprocess.run([sys.executable, "-m", "roledoctor", "diagnose", *SEED_ARGS, "--format", "json"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and json.loads(p.stdout)["verdict"] == "denied"
    assert len(p.stderr.strip().splitlines()) == 1


# ---- the page ---------------------------------------------------------------------------

def seed_boxes():
    return {"error": (SEED / "error.txt").read_text(), "provider": (SEED / "provider.tf").read_text(),
            "trust_policy": (SEED / "trust-policy.json").read_text(),
            "caller_policy": (SEED / "caller-policy.json").read_text(), "org_policies": "", "aws_evidence": ""}


def test_page_shape_on_the_seed():
    r = diagnose_for_page(seed_boxes())
    assert set(r) == {"report", "verdict_word", "verdict_sentence", "gates", "inputs", "fixes", "prevention"}
    assert r["verdict_word"] == "Denied" and r["report"]["verdict"] == "denied"
    assert [g["gate"] for g in r["gates"]] == ["caller", "scp", "identity", "boundary", "trust", "conditions", "role"]
    for g in r["gates"]:
        assert g["result"] in ("allow", "deny", "implicit-deny", "not-evaluated") and g["label"] and g["detail"]
        assert g["evidence"] is None or set(g["evidence"]) == {"input", "line"}
    trust = next(g for g in r["gates"] if g["gate"] == "trust")
    assert trust["result"] == "implicit-deny" and trust["evidence"] == {"input": "trust_policy", "line": 7}
    assert [i["input"] for i in r["inputs"]] == list(SLOT_BOXES)
    fix = next(f for f in r["fixes"] if f["name"] == "trust_policy")
    assert fix["filename"] == "trust-policy.json" and fix["verdict_after"] == "allowed"
    assert "arn:aws:iam::123456789012:role/ci-runner" in fix["after"]
    assert {p["name"] for p in r["prevention"]} >= {"preflight", "rego"}
    json.dumps(r)


def test_page_exports_are_rendered_when_asked_for():
    # the report the page used to carry with every answer; the page now asks for it with the export buttons
    boxes = seed_boxes()
    md, html = export_for_page(boxes, "markdown"), export_for_page(boxes, "html")
    assert "TRUST_PRINCIPAL_MISSING" in md and md.startswith("## roledoctor: Denied")
    assert html.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in html and "TRUST_PRINCIPAL_MISSING" in html
    result = json.loads(handle("export", json.dumps({"inputs": boxes, "format": "markdown"})))
    assert result == {"ok": True, "result": {"text": md}}
    bad = json.loads(handle("export", json.dumps({"inputs": boxes, "format": "pdf"})))
    assert not bad["ok"] and "format must be one of markdown, html" in bad["error"]
    too_big = export_for_page({"error": "x" * (MAX_INPUT_BYTES + 1)}, "markdown")
    assert too_big.startswith("## roledoctor: Undetermined") and "error:" in too_big


def test_page_org_policies_box_reads_every_document():
    folder = HERE / "s48-org-policies-box"
    raw, _, _, _ = load(folder)
    boxes = {"error": raw["error"], "provider": raw["provider"], "trust_policy": raw["trust_policy"],
             "caller_policy": raw["caller_policy"], "org_policies": raw["org_policies"]}
    r = diagnose_for_page(boxes)
    assert r["verdict_word"] == "Denied"
    assert [f["code"] for f in r["report"]["findings"] if f["kind"] == "blocker"] == ["SCP_BLOCKS"]
    org = next(i for i in r["inputs"] if i["input"] == "org_policies")
    assert "SCP" in org["recognised"] and "permissions boundary" in org["recognised"] and not org["problems"]
    scp = next(f for f in r["report"]["findings"] if f["code"] == "SCP_BLOCKS")
    assert scp["evidence"][0]["input"] == "org_policies" and scp["evidence"][0]["line"] >= 1


def test_page_problems_have_line_and_column():
    boxes = seed_boxes()
    boxes["trust_policy"] = '{\n  "Version": "2012-10-17"\n  "Statement": []\n}\n'
    r = diagnose_for_page(boxes)
    assert r["verdict_word"] == "Undetermined"
    trust = next(i for i in r["inputs"] if i["input"] == "trust_policy")
    assert trust["problems"][0]["code"] == "INPUT_UNPARSEABLE" and trust["problems"][0]["line"] == 3


@pytest.mark.parametrize("bad", [None, {}, {"error": None}, {"provider": "provider \"aws\" {"}, {"trust_policy": "[" * 5000},
                                 {"org_policies": "{}{}{"}, {"caller_policy": "\x00\x01"}])
def test_page_never_raises(bad):
    r = diagnose_for_page(bad)
    assert r["verdict_word"] in ("Denied", "Allowed", "Undetermined")
    json.dumps(r)


def test_page_internal_error_is_undetermined(monkeypatch):
    import roledoctor.diagnosis.diagnose as dg
    monkeypatch.setattr(dg, "blockers", lambda *a: 1 / 0)
    r = diagnose_for_page(seed_boxes())
    assert r["verdict_word"] == "Undetermined" and r["inputs"][0]["problems"][0]["code"] == "INPUT_UNPARSEABLE"


# Speed of diagnose_for_page is measured by `python build.py bench` (d_worker_diagnosis_ms, in the page's worker).


def test_page_error_box_shows_the_facts_it_read():
    # github.com/hashicorp/terraform-provider-aws/issues/22773: masked accounts, read as ARNs
    text = ("error AccessDenied: User: arn:aws:iam::OMITTED:user/michael is not authorized to perform: sts:AssumeRole "
            "on resource: arn:aws:iam::OMITTED:role/mikelyticsToSandbox")
    r = diagnose_for_page({"error": text})
    err = next(i for i in r["inputs"] if i["input"] == "error")
    assert "caller arn:aws:iam::OMITTED:user/michael" in err["recognised"]
    assert "role arn:aws:iam::OMITTED:role/mikelyticsToSandbox" in err["recognised"]
    assert any("same mask" in a for a in r["report"]["assumptions"])
    marks = {m["label"]: m for m in err["facts"]}
    assert set(marks) == {"caller", "role", "action", "code"}
    for m in marks.values():  # where the page underlines them
        assert text[m["column"] - 1:m["column"] - 1 + m["length"]] == m["value"] and m["line"] == 1
    assert not [f for f in r["report"]["findings"] if f["code"] == "INPUT_MISSING"
                and f["details"].get("missing") in ("the identity that runs Terraform", "the role ARN")]


def page_boxes(folder):
    """The folder's inputs on the page: a file named for a box is pasted into it; the others are
    dropped and routed by content as web/app.mjs does (texts for one box joined by a newline)."""
    from roledoctor.pageapi.boxes import BOXES
    from roledoctor.pageapi.routing import route_one
    raw, slots, paths, expected = load(folder)
    fresh: dict[str, list[str]] = {}
    for name in raw:
        if slots[name] in BOXES:
            fresh.setdefault(slots[name], []).append(raw[name])
            continue
        routed = route_one(paths[name].rsplit("/", 1)[-1], raw[name])
        for part in routed["parts"]:
            fresh.setdefault(part["input"], []).append(part["text"])
    from roledoctor.inputs.kinds import FILE_SEPARATOR  # caller files stay apart, as web/app.mjs joins them
    return {box: (f"\n{FILE_SEPARATOR}\n" if box == "caller_files" else "\n").join(texts)
            for box, texts in fresh.items()}, expected


@pytest.mark.parametrize("folder", sorted(p for p in HERE.iterdir() if (p / "expected.json").exists()),
                         ids=lambda p: p.name)
def test_page_and_cli_agree_on_every_scenario(folder, capsys):
    """Each scenario on the page gives the verdict, blockers and next commands the CLI gives."""
    raw, slots, paths, expected = load(folder)
    if any(slots[n] not in OPTIONS and slots[n] not in ("auto", "org_policies") for n in raw):
        pytest.skip("an input the CLI has no option for")
    args = ["--format", "json"]
    for name in raw:
        args += [OPTIONS[slots[name]], paths[name]] if slots[name] in OPTIONS else []
    args += [paths[n] for n in raw if slots[n] not in OPTIONS]
    caller = expected.get("caller")
    if caller:
        args += ["--caller", caller]
    rc, out, _ = cli(args, capsys)
    obj = json.loads(out)
    boxes, _ = page_boxes(folder)
    if caller:  # the page has no --caller: pasted as a user would, the bare ARN or the OIDC subject
        box = "error" if caller.startswith("repo:") else "aws_evidence"
        boxes[box] = (boxes.get(box, "") + "\n" + caller + "\n").lstrip("\n")
    page = diagnose_for_page(boxes)["report"]
    if "org_policies" not in slots.values():  # the box reads several documents; the CLI, one per option
        assert page["verdict"] == obj["verdict"] == expected["verdict"], folder.name
        blockers = lambda o: sorted({f["code"] for f in o["findings"] if f["kind"] == "blocker"})  # noqa: E731
        assert blockers(page) == blockers(obj), folder.name
        assert page.get("next_commands", []) == obj.get("next_commands", []), folder.name


def test_page_names_aws_evidence_and_its_facts():
    boxes, _ = page_boxes(HERE / "s61-get-role-trust")
    assert "AssumeRolePolicyDocument" in boxes["aws_evidence"]
    r = diagnose_for_page(boxes)
    box = next(i for i in r["inputs"] if i["input"] == "aws_evidence")
    assert box["recognised"].startswith("get-role output for tf-deploy (role arn:aws:iam::111111111111:role/tf-deploy")
    assert "maximum session 3600 s" in box["recognised"]
    fix = next(f for f in r["fixes"] if f["name"] == "trust_policy")
    assert fix["command"] == ("aws iam update-assume-role-policy --role-name tf-deploy "
                              "--policy-document file://trust-policy.json")
    assert '"arn:aws:iam::111111111111:user/alice"' in fix["document"]
    assert r["report"]["next_commands"] and r["report"]["next_commands_policy"]["Statement"][0]["Effect"] == "Allow"
