"""Profile chains, CI files and tokens -> the request and the caller (diagnosis/callerside.py)."""

from __future__ import annotations

import pytest

from roledoctor.diagnosis.diagnose import diagnose

TRUST = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": '
         '"arn:aws:iam::111111111111:role/ci"}, "Action": "sts:AssumeRole"}]}')


def _codes(d):
    return [i.code for i in d.issues]


@pytest.mark.parametrize("config, why", [
    ("[profile a]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = b\n[profile b]\nrole_arn = "
     "arn:aws:iam::1:role/y\nsource_profile = a\n", "loops back"),
    ("[profile a]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = b\ncredential_source = Environment\n"
     "[profile b]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", "both"),
    ("[profile a]\nrole_arn = arn:aws:iam::1:role/x\ncredential_process = /bin/creds\n", "credential_process"),
    ("[profile a]\nrole_arn = arn:aws:iam::1:role/x\n", "no `source_profile`"),
])
def test_broken_chains(config, why):
    d = diagnose({"config": config, "env": "export AWS_PROFILE=a\n"})
    broken = [i for i in d.issues if i.code == "PROFILE_CHAIN_BROKEN"]
    assert broken and why in broken[0].message and broken[0].where
    assert d.verdict == "denied"


def test_sso_caller_is_a_reserved_role():
    config = ("[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n"
              "[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n"
              "[profile deploy]\nrole_arn = arn:aws:iam::111111111111:role/tf\nsource_profile = dev\n")
    d = diagnose({"config": config, "env": "AWS_PROFILE=deploy\n", "trust_policy": TRUST},
                 {"trust_policy": "trust_policy"})
    assert d.case.caller.role_arn.startswith("arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/")
    assert "TRUST_PRINCIPAL_MISSING" in _codes(d)


def test_provider_profile_gives_the_first_hops_caller():
    config = "[profile ci]\nrole_arn = arn:aws:iam::111111111111:role/ci\nsource_profile = keys\n" \
             "[profile keys]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
    provider = ('provider "aws" {\n  profile = "ci"\n  assume_role {\n'
                '    role_arn = "arn:aws:iam::111111111111:role/tf"\n  }\n}\n')
    d = diagnose({"config": config, "provider": provider, "trust_policy": TRUST},
                 {"provider": "provider", "trust_policy": "trust_policy"})
    assert d.case.caller.role_arn == "arn:aws:iam::111111111111:role/ci"
    assert d.verdict == "allowed"


def test_profile_duration_and_external_id_reach_the_request():
    config = ("[profile deploy]\nrole_arn = arn:aws:iam::111111111111:role/tf\nsource_profile = ci\n"
              "external_id = abc-123\nduration_seconds = 1800\nrole_session_name = tf\n"
              "[profile ci]\nrole_arn = arn:aws:iam::111111111111:role/ci\nsource_profile = keys\n"
              "[profile keys]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n")
    d = diagnose({"config": config, "env": "AWS_PROFILE=deploy\n", "trust_policy": TRUST},
                 {"trust_policy": "trust_policy"})
    req = d.case.request
    assert (req.external_id, req.duration_seconds, req.session_name) == ("abc-123", 1800, "tf")
    assert req.chained


def test_token_claims_set_subject_audience_and_say_unverified():
    claims = ('{"iss": "https://gitlab.com", "aud": "https://gitlab.com", '
              '"sub": "project_path:acme/infra:ref_type:branch:ref:main", "exp": 4102444800}')
    d = diagnose({"claims.json": claims, "env": "AWS_ROLE_ARN=arn:aws:iam::1:role/x\n"
                                                "AWS_WEB_IDENTITY_TOKEN_FILE=/t\n"})
    assert d.case.oidc_subject.startswith("project_path:") and d.case.oidc_audience == "https://gitlab.com"
    assert any("not verified" in a for a in d.report.assumptions)


def test_hcp_without_provider_auth_issues_no_token():
    d = diagnose({"ws.env": "TFC_AWS_RUN_ROLE_ARN=arn:aws:iam::1:role/x\n"})
    assert "OIDC_TOKEN_NOT_ISSUED" in _codes(d) and d.verdict == "denied"


def test_a_raw_token_is_never_quoted_in_the_report():
    import base64
    import json as _json

    from roledoctor.findings import to_json_obj
    b = lambda o: base64.urlsafe_b64encode(_json.dumps(o).encode()).rstrip(b"=").decode()
    tok = b({"alg": "RS256"}) + "." + b({"iss": "https://token.actions.githubusercontent.com",
                                         "sub": "repo:a/b:ref:refs/heads/main", "aud": "sts.amazonaws.com",
                                         "exp": 1700000000}) + ".c2ln"
    d = diagnose({"token.jwt": tok, "env": "AWS_ROLE_ARN=arn:aws:iam::1:role/x\nAWS_WEB_IDENTITY_TOKEN_FILE=/t\n"})
    assert "WEB_IDENTITY_TOKEN_INVALID" in _codes(d)
    text = _json.dumps(to_json_obj(d.report))
    assert tok not in text and tok.split(".")[1] not in text


def test_sso_suffix_is_taken_from_the_trust():
    config = ("[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n"
              "[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n"
              "[profile deploy]\nrole_arn = arn:aws:iam::111111111111:role/tf\nsource_profile = dev\n")
    arn = "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123abcd4567ef89"
    trust = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "%s"}, '
             '"Action": "sts:AssumeRole"}]}' % arn)
    d = diagnose({"config": config, "env": "AWS_PROFILE=deploy\n", "trust_policy": trust},
                 {"trust_policy": "trust_policy"})
    assert d.case.caller.role_arn == arn and d.verdict == "allowed"
