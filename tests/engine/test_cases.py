"""One runner for the engine cases in tests/engine/cases/*.json (format: tests/engine/README.md).

Each case is one sts:AssumeRole request with its policies and the verdict,
deciding gate and trace details AWS's documented evaluation logic gives; the
case's `source` is the AWS page it checks. The same files feed the peer oracle
(tests/oracle/test_oracle.py).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from engine import case_format
from engine.case_format import VERDICTS, check, format_problems, load_cases, to_engine

from roledoctor.evaluation import ALLOW, DENY, IMPLICIT_DENY, NOT_EVALUATED, evaluate

CASES = load_cases()
IDS = [c["id"] for c in CASES]


def run_case(case: dict) -> None:
    """Evaluate one case with our engine and assert its expectation, naming every difference."""
    bad = format_problems(case)
    assert not bad, "malformed case:\n  " + "\n  ".join(bad)
    ev = evaluate(*to_engine(case))
    problems = check(case, ev)
    assert not problems, (f"{case['id']} ({case['topic']}.json, checks {case['source']}):\n  "
                          + "\n  ".join(problems))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_case(case):
    run_case(case)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_evaluation_is_deterministic_and_uses_known_results(case):
    # Properties of every evaluation, not one case's expectation: checked on all cases.
    ev = evaluate(*to_engine(case))
    assert ev == evaluate(*to_engine(case))
    assert {g.result for g in ev.trace} <= {ALLOW, DENY, IMPLICIT_DENY, NOT_EVALUATED}


def test_case_ids_are_unique_and_every_topic_has_cases():
    assert len(IDS) == len(set(IDS)), sorted(i for i in IDS if IDS.count(i) > 1)
    topics = {c["topic"] for c in CASES}
    assert {"cross-account", "same-account", "explicit-deny", "scp", "rcp", "boundary", "session-policy",
            "conditions", "duration", "chaining"} <= topics


# ---- the runner can fail: wrong expectations, changed in memory, are caught ----

def _mutations(node, where=""):
    """(where, copy of node with one leaf changed), for every leaf of an `expect`; a list also gets
    one extra item (a length or membership check must notice), except `statements`, whose items
    are independent checks."""
    if isinstance(node, dict):
        for key, value in node.items():
            for w, new in _mutations(value, f"{where}.{key}"):
                yield w, {**node, key: new}
    elif isinstance(node, list):
        for i, value in enumerate(node):
            for w, new in _mutations(value, f"{where}[{i}]"):
                yield w, node[:i] + [new] + node[i + 1:]
        if not where.endswith(".statements"):
            extra = {} if node and isinstance(node[0], dict) else "mutated:extra"
            yield f"{where}+", node + [extra]
    elif isinstance(node, bool):
        yield where, not node
    elif isinstance(node, int):
        yield where, node + 1
    elif isinstance(node, str):
        yield where, node + "#mutated"
    elif node is None:
        yield where, "mutated"
    else:
        raise TypeError(f"{where}: unexpected {type(node).__name__} in an expectation")


def test_runner_fails_on_a_wrong_verdict_in_a_loaded_case():
    case = copy.deepcopy(next(c for c in CASES if c["id"] == "xacct-both-sides-allow"))
    run_case(case)  # as written it passes
    case["expect"]["verdict"] = "implicitly-denied"
    with pytest.raises(AssertionError, match=r"verdict: expected 'implicitly-denied', got 'allowed'"):
        run_case(case)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_other_verdict_fails(case):
    ev = evaluate(*to_engine(case))
    for verdict in VERDICTS:
        if verdict != case["expect"]["verdict"]:
            wrong = {**case, "expect": {**case["expect"], "verdict": verdict}}
            assert check(wrong, ev), f"{case['id']}: expecting {verdict} did not fail"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_every_expectation_can_fail(case):
    ev = evaluate(*to_engine(case))
    assert not check(case, ev)
    silent = [where for where, exp in _mutations(case["expect"]) if not check({**case, "expect": exp}, ev)]
    assert not silent, f"{case['id']}: changing these expectations went unnoticed: {silent}"


def test_a_misspelt_key_is_rejected_not_skipped():
    case = copy.deepcopy(CASES[0])
    case["expect"]["uncertian"] = True
    case["caller"]["rolepath"] = "/"
    bad = format_problems(case)
    assert any("expect.'uncertian'" in b for b in bad) and any("caller.'rolepath'" in b for b in bad)
    with pytest.raises(AssertionError, match="malformed case"):
        run_case(case)


def test_readme_documents_every_key():
    readme = (Path(__file__).resolve().parent / "README.md").read_text(encoding="utf-8")
    keys = (case_format.CASE_KEYS | case_format.CALLER_KEYS | case_format.EXPECT_KEYS | case_format.GATE_KEYS
            | case_format.STATEMENT_KEYS | case_format.CONDITION_KEYS)
    assert not [k for k in sorted(keys) if f"`{k}`" not in readme]
