"""Gate-by-gate decisions that cannot be data.

Every (request, policies) -> verdict / gate / trace check is a JSON case in
tests/engine/cases/, run by tests/engine/test_cases.py (which also checks, on
every case, that an evaluation is deterministic and uses only the known gate
results) and by the peer oracle in tests/oracle/test_oracle.py.
"""

from __future__ import annotations

from unit.evaluation.evaluation_helpers import allow, pol, req, trust_allow

from roledoctor.evaluation import Caller, Policies, evaluate
from roledoctor.policy import policy_from_obj
from roledoctor.source import Span

XROLE = "arn:aws:iam::222222222222:role/ci"
CALLER = Caller(arn="arn:aws:sts::222222222222:assumed-role/ci/s1", role_path="/")


def test_deciding_statement_keeps_its_source_span():
    # Not data: a Span comes from parsing policy text (the editor's positions), which a JSON case
    # does not carry; the check is that the trace hands back the very Span the parser attached.
    span = Span(10, 90, 2, 3, 6, 4)
    t = policy_from_obj({"Version": "2012-10-17", "Statement": [trust_allow({"AWS": XROLE})]},
                        spans={("Statement", 0): span})
    ev = evaluate(req(caller_obj=CALLER), Policies(trust=t, identity=[pol(allow())]))
    assert ev.gate("trust").statement.span == span


# Speed: `python build.py bench` prints g_engine_cross_account_ms (budget: under 5 ms).
