"""Error output -> ErrorFacts, one row per template of
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html."""

from __future__ import annotations

from pathlib import Path

import pytest

from roledoctor.inputs import read

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(*parts: str) -> str:
    return FIXTURES.joinpath(*parts).read_bytes().decode("utf-8")


A = "arn:aws:iam::111111111111:role/tf-deploy"
SSO = "arn:aws:sts::222222222222:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/jane@example.com"

# file -> expected fields (a "denial.x" key checks ErrorFacts.denial.x)
CASES = {
    "v5_no_identity.txt": dict(kind="access-denied", action="sts:AssumeRole", role=A, caller_kind="assumed-role",
                               caller="arn:aws:sts::222222222222:assumed-role/ci/session-1", caller_account="222222222222",
                               **{"denial.form": "no-allow", "denial.gate": "identity", "denial.policy_type": "identity-based"},
                               status_code=403, request_id="5e3f9a2c-1111-4c3e-9c43-0123456789ab", sdk="go-v2",
                               operation="AssumeRole", wrapper="terraform-v5+", config_file="providers.tf", config_line=1,
                               error_code="AccessDenied"),
    "v5_plain_alias.txt": dict(kind="access-denied", caller="arn:aws:iam::222222222222:user/alice", caller_kind="user",
                               role=A, provider_alias="prod", config_line=12, **{"denial.form": "plain"}),
    "v4_go_v1.txt": dict(kind="access-denied", caller_kind="user", sdk="go-v1", status_code=403,
                         request_id="9f1c0b7e-3333-11ee-be56-0242ac120002", wrapper="terraform-v3/v4",
                         **{"denial.form": "explicit-deny", "denial.gate": "identity"}),
    "scp_arn.txt": dict(caller=SSO, caller_kind="assumed-role", role=A,
                        **{"denial.gate": "scp", "denial.form": "explicit-deny",
                           "denial.policy_arn": "arn:aws:organizations::999999999999:policy/o-exampleorg1/service_control_policy/p-examplescp"}),
    "rcp_arn.txt": dict(**{"denial.gate": "rcp", "denial.policy_type": "resource control",
                           "denial.policy_arn": "arn:aws:organizations::999999999999:policy/o-exampleorg1/resource_control_policy/p-examplercp"}),
    "boundary_no_allow.txt": dict(**{"denial.gate": "boundary", "denial.form": "no-allow"}, caller_account="111111111111",
                                  role_account="111111111111"),
    "session_no_allow.txt": dict(**{"denial.gate": "session", "denial.form": "no-allow"}),
    "resource_no_allow.txt": dict(**{"denial.gate": "trust", "denial.policy_type": "resource-based"}, sdk="go-v1",
                                  status_code=403),
    "boundary_explicit_arn.txt": dict(**{"denial.gate": "boundary", "denial.form": "explicit-deny",
                                         "denial.policy_arn": "arn:aws:iam::111111111111:policy/DevBoundary"}),
    "sessions_explicit.txt": dict(**{"denial.gate": "session", "denial.policy_type": "sessions"}),
    "trust_explicit.txt": dict(**{"denial.gate": "trust", "denial.form": "explicit-deny", "denial.policy_type": "role trust"}),
    "trust_allows_sic.txt": dict(**{"denial.form": "trust-allows", "denial.gate": "trust"}),
    "chain_limit.txt": dict(kind="duration-chain-limit", error_code="ValidationError", status_code=400, role=A),
    "max_duration.txt": dict(kind="duration-exceeds-max", operation="AssumeRole"),
    "duration_validation.txt": dict(kind="duration-validation", duration="50000"),
    "duration_plan.txt": dict(kind="duration-out-of-range", duration="10m", config_line=5),
    "region_disabled.txt": dict(kind="region-disabled", account="111111111111", error_code="RegionDisabledException",
                                wrapper="terraform-v5+", role=A),
    "tag_session.txt": dict(kind="access-denied", action="sts:TagSession", role=A, operation="AssumeRole"),
    "source_identity.txt": dict(kind="access-denied", action="sts:SetSourceIdentity", caller_kind="user"),
    "web_identity.txt": dict(kind="web-identity-denied", caller_kind="web-identity", role="arn:aws:iam::111111111111:role/gh-deploy",
                             operation="AssumeRoleWithWebIdentity", wrapper="terraform-v5+"),
    "oidc_missing.txt": dict(kind="oidc-provider-missing", oidc_provider_url="https://token.actions.githubusercontent.com",
                             operation="AssumeRoleWithWebIdentity"),
    "oidc_audience.txt": dict(kind="oidc-invalid-token", error_code="InvalidIdentityToken"),
    "arn_not_set.txt": dict(kind="role-arn-not-set", hop=2, hops=2),
    "no_creds.txt": dict(kind="no-credentials", line=2),
    "invalid_token.txt": dict(kind="invalid-client-token", operation="GetCallerIdentity", error_code="InvalidClientTokenId"),
    "expired.txt": dict(kind="expired-token", sdk="go-v1", role=A),
    "s3_block.txt": dict(kind="s3-backend-block-syntax", config_file="backend.tf", config_line=6),
    "malformed.txt": dict(kind="malformed-policy"),
    "packed.txt": dict(kind="packed-policy-too-large"),
    "beta_aws_error.txt": dict(caller_kind="federated-user", caller="arn:aws:sts::222222222222:federated-user/carol",
                               wrapper="terraform-v4/v5"),
    "ansi_crlf.txt": dict(kind="access-denied", caller="arn:aws:sts::222222222222:assumed-role/ci/s", role=A,
                          wrapper="terraform-v5+", **{"denial.form": "plain"}),
    "missing_arg.txt": dict(kind="role-arn-missing", config_line=9),
    "v2_role_cannot.txt": dict(kind="unknown", wrapper="terraform-v2", role=A),
    "profile_refresh.txt": dict(kind="access-denied", caller="arn:aws:iam::222222222222:user/alice", sdk="go-v2"),
}


def _get(obj, dotted):
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_template(name):
    recs = read(name, fixture("errors", name))
    errors = [r.facts for r in recs if r.kind == "error"]
    assert errors, [r.facts for r in recs]
    e = errors[0]
    for key, want in CASES[name].items():
        assert _get(e, key) == want, (key, _get(e, key))


def test_seed_example_error_wrapped_non_standard_phrasing():
    # examples/seed-cross-account/error.txt wraps the message and says "assume role:"
    with open(Path(__file__).resolve().parents[3] / "examples" / "seed-cross-account" / "error.txt", encoding="utf-8") as f:
        e = [r.facts for r in read("error.txt", f.read()) if r.kind == "error"][0]
    assert (e.caller, e.role, e.action) == ("arn:aws:iam::123456789012:role/ci-runner",
                                            "arn:aws:iam::987654321098:role/terraform-deploy-role", "sts:AssumeRole")
    assert (e.status_code, e.request_id, e.sdk) == (403, "a1b2c3d4-5678-90ab-cdef-111122223333", "go-v1")
    assert e.line == 7 and e.span.line == 7
    assert e.config_file == "main.tf" and e.config_line == 3


def test_two_diagnostics_in_one_paste():
    text = fixture("errors", "tag_session.txt") + "\n" + fixture("errors", "chain_limit.txt")
    kinds = [r.facts.kind for r in read("both.txt", text) if r.kind == "error"]
    assert kinds == ["access-denied", "duration-chain-limit"]


def test_sentence_full_stop_is_not_part_of_the_role_arn():
    e = read("x", "api error AccessDenied: User: arn:aws:iam::222222222222:user/a is not authorized to perform: "
                  "sts:AssumeRole on resource: arn:aws:iam::111111111111:role/r.")[0].facts
    assert e.role == "arn:aws:iam::111111111111:role/r"


def test_error_text_with_pasted_provider_block_reads_both():
    text = fixture("errors", "v5_plain_alias.txt") + '\nprovider "aws" {\n  alias = "prod"\n  assume_role {\n    role_arn = "arn:aws:iam::111111111111:role/tf-deploy"\n  }\n}\n'
    kinds = {r.kind for r in read("mixed", text)}
    assert kinds == {"error", "provider"}
    p = [r.facts for r in read("mixed", text) if r.kind == "provider"][0]
    # spans are positions in the whole paste
    assert text[p.assume_role[0].role_arn.span.start:p.assume_role[0].role_arn.span.end] == '"arn:aws:iam::111111111111:role/tf-deploy"'
