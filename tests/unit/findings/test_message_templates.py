"""The catalogue's message templates (findings/template.py): named fields, a few filters,
optional sections, no expressions; every blocker code a rule emits has its template, and
the rules word no message themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from roledoctor.diagnosis import evidence_rules, rules
from roledoctor.findings.catalogue import load, message, parse
from roledoctor.findings.template import TemplateError, names_in, render

ROLE = "arn:aws:iam::111122223333:role/deploy"


def test_fields_filters_and_sections():
    t = "Statement {index}[[sid: ({sid})]] names {p|names|or:nothing}, {q|join}; {{literal}}"
    assert render(t, {"index": 0, "sid": "S1", "p": ["a", "b"], "q": ["x", "y"]}) == \
        "Statement 0 (S1) names `a`, `b`, x, y; {literal}"
    assert render(t, {"index": 3, "sid": None, "p": [], "q": []}) == "Statement 3 names nothing, ; {literal}"
    assert render("[[flag: on]]", {"flag": False}) == "" and render("[[flag: on]]", {"flag": True}) == " on"


def test_a_value_is_inserted_as_text_never_read_again():
    hostile = "{index} [[sid:x]] {{ }} {__class__}"
    assert render("{a}[[a: ({a})]]", {"a": hostile, "index": 1}) == f"{hostile} ({hostile})"


@pytest.mark.parametrize("template, values", [("{missing}", {}), ("[[gone: x]]", {}), ("a { b", {}),
                                               ("{a.__class__}", {"a": 1}), ("{a|upper}", {"a": "x"})])
def test_bad_templates_and_missing_values_are_errors(template, values):
    with pytest.raises(TemplateError):
        render(template, values)


def test_the_catalogue_refuses_a_template_that_does_not_parse():
    entry = {"kind": "blocker", "severity": "high", "gate": "trust", "title": "t", "explanation": "e", "fix": "f"}
    with pytest.raises(ValueError, match="X: exemption"):
        parse({"finding": {"X": {**entry, "messages": {"exemption": "{who|shout}"}}}})
    with pytest.raises(ValueError, match="X: message"):
        parse({"finding": {"X": {**entry, "message": "{a.b}"}}})
    assert names_in(load()["SCP_BLOCKS"].template("exemption")) == {"who"}


def test_every_code_a_rule_emits_has_a_template():
    cat = load()
    codes = {c for r in rules.RULES for c in r.codes}
    assert len(codes) > 30
    bare = sorted(c for c in codes if not cat[c].message and not cat[c].messages)
    assert not bare


def _message_args(path: Path) -> list[tuple[int, str]]:
    """Issue(...) calls whose message is worded in code (a string, an f-string, a concatenation)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Issue":
            args = node.args[1:2] + [k.value for k in node.keywords if k.arg in ("message", "fix")]
            out += [(node.lineno, ast.dump(a)[:60]) for a in args
                    if isinstance(a, (ast.JoinedStr, ast.BinOp)) or isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return out


def test_the_rules_word_no_message_themselves():
    paths = sorted(Path(rules.__file__).parent.glob("*.py")) + [Path(evidence_rules.__file__)]
    found = {p.name: _message_args(p) for p in paths}
    assert not {k: v for k, v in found.items() if v}


# The wording the rules used before the templates, for the cases no scenario reaches; every
# other case is compared by the scenario tests' reports.
WORDING = [
    (("BASE_CREDENTIALS_INVALID", "no-credentials"), {},
     "The credentials used to call STS are unusable: no credential source was found. Refresh them before looking "
     "at any policy."),
    (("BOUNDARY_BLOCKS", "statement"), {"index": 2, "sid": "Deny", "action": "sts:AssumeRole", "role": ROLE,
                                        "suggestion": "S."},
     f"Statement 2 (Deny) of the permissions boundary denies `sts:AssumeRole` on `{ROLE}`. Change that statement: S."),
    (("SCP_BLOCKS", "exemption"), {"who": None},
     'exempt the caller on the Deny with `"ArnNotLike": {"aws:PrincipalArn": "the caller\'s role ARN"}`, or move '
     "the account to an OU whose SCPs allow it."),
    (("RCP_BLOCKS", None), {"suggestion": "S.", "unpasted": True},
     "A resource control policy of the role's account refuses the caller: S. (Paste the policy to see which "
     "statement.)"),
    (("OIDC_PROVIDER_NOT_REGISTERED", "not_listed"), {"listed": [], "arn": "A", "host": "h"},
     "The account's OIDC providers (none) do not include `A`: create the provider for https://h."),
    (("TAG_SESSION_NOT_ALLOWED", "identity"), {"action": "sts:TagSession"},
     "The provider passes session tags, so STS also checks `sts:TagSession`; the caller's policy does not allow it."),
    (("TRUST_PRINCIPAL_MISSING", "no_match"), {"reason": "R"}, "No Allow statement of the trust matches: R."),
    (("TRUST_PRINCIPAL_MISSING", None), {"trusted": [], "caller": None},
     "The trust names no AWS principal; the caller is `None`."),
    (("TRUST_PRINCIPAL_PATH_MISMATCH", "unknown_path"), {"value": ROLE},
     f"The trust names `{ROLE}`; the caller's role path is not known (the error gives a session ARN, which has no "
     "path), so it may or may not be the same role. Give the caller's role ARN with --caller to be sure."),
    (("TRUST_CONDITION_UNMET", None), {"operator": "Bool", "key": "aws:MultiFactorAuthPresent", "expected": ["true"],
                                       "reason": "R", "mfa": True},
     "The trust's condition Bool `aws:MultiFactorAuthPresent` = `true` is not met: R. Terraform's provider cannot "
     "pass MFA for `assume_role`; trust a CI role without MFA, or use an MFA-authenticated profile session as the "
     "caller."),
]


@pytest.mark.parametrize("key, values, text", WORDING, ids=[f"{k[0]}:{k[1]}" for k, _, _ in WORDING])
def test_wording_is_kept(key, values, text):
    assert message(key[0], key[1], **values) == text
