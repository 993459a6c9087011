"""AWS evidence readers (roledoctor.inputs.evidence): recognised by content, read with spans."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from roledoctor.inputs import classify, read, read_all
from roledoctor.inputs.evidence import authdetails, textual

ROLE = "arn:aws:iam::111111111111:role/tf-deploy"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"},
                                                "Action": "sts:AssumeRole"}]}


def evidence(name, text):
    recs = read(name, text)
    assert not [r for r in recs if r.kind == "problem"], recs
    return [r.facts for r in recs if r.kind == "aws-evidence"]


def get_role(doc) -> str:
    return json.dumps({"Role": {"Path": "/deploy/", "RoleName": "tf-deploy", "RoleId": "AROA1234567890EXAMPLE",
                                "Arn": "arn:aws:iam::111111111111:role/deploy/tf-deploy",
                                "CreateDate": "2024-03-11T09:14:27Z", "AssumeRolePolicyDocument": doc,
                                "MaxSessionDuration": 7200,
                                "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                                                        "PermissionsBoundaryArn": "arn:aws:iam::111111111111:policy/b"},
                                "RoleLastUsed": {"LastUsedDate": "2024-05-02T16:40:03Z", "Region": "eu-west-1"}}},
                      indent=4)


def test_get_role_object_form_keeps_exact_spans():
    text = get_role(TRUST)
    assert classify(text) == ["aws-evidence"]
    (ev,) = evidence("get-role.json", text)
    (role,) = ev.principals
    assert ev.title == "get-role output for tf-deploy"
    assert (role.path, role.max_session, role.create_date, role.boundary_arn, role.last_used_region) == \
        ("/deploy/", 7200, "2024-03-11T09:14:27Z", "arn:aws:iam::111111111111:policy/b", "eu-west-1")
    sp = role.trust.policy.spans[("Statement", 0, "Principal", "AWS")]
    assert text[sp.start:sp.end] == '"arn:aws:iam::111111111111:user/alice"'


def test_get_role_url_encoded_trust_as_the_api_returns_it():
    encoded = urllib.parse.quote(json.dumps(TRUST), safe="")
    (ev,) = evidence("get-role.json", get_role(encoded))
    trust = ev.principals[0].trust
    assert trust.form == "urlencoded"
    assert trust.policy.statements[0].principal["AWS"] == ["arn:aws:iam::111111111111:user/alice"]


def test_no_such_entity_names_the_role():
    text = ("$ aws iam get-role --role-name tf-deploy\n\nAn error occurred (NoSuchEntity) when calling the GetRole "
            "operation: The role with name tf-deploy cannot be found.\n")
    (ev,) = evidence("get-role.txt", text)
    assert ev.not_found["entity"] == "role" and ev.not_found["name"] == "tf-deploy"
    assert ev.span.line == 3


def test_several_outputs_in_one_paste_with_their_command_lines():
    text = ("$ aws iam list-attached-user-policies --user-name alice\n"
            '{"AttachedPolicies": [{"PolicyName": "p", "PolicyArn": "arn:aws:iam::1:policy/p"}], "IsTruncated": false}\n'
            '{"PolicyNames": ["inline-1"]}\n'
            "$ aws iam get-policy-version --policy-arn arn:aws:iam::1:policy/p --version-id=v2\n"
            '{"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", '
            '"Resource": "*"}]}, "VersionId": "v2", "IsDefaultVersion": true}}\n')
    evs = evidence("session.txt", text)
    assert [e.kind for e in evs] == ["attached-policies", "policy-names", "policy-version"]
    assert evs[0].attached == [("user/alice", "arn:aws:iam::1:policy/p")]
    assert evs[1].inline_names == [("", "inline-1")]
    assert evs[2].managed[0].arn == "arn:aws:iam::1:policy/p" and evs[2].managed[0].documents[0].version == "v2"


def test_options_of_a_command_line():
    assert textual.options(" --target-id ou-ab12-1 --filter=SERVICE_CONTROL_POLICY --no-paginate") == \
        {"--target-id": "ou-ab12-1", "--filter": "SERVICE_CONTROL_POLICY"}


AUTH = {"UserDetailList": [{"UserName": "alice", "Arn": "arn:aws:iam::222222222222:user/alice", "Path": "/",
                            "GroupList": ["g"], "UserPolicyList": [], "AttachedManagedPolicies": []}],
        "GroupDetailList": [{"GroupName": "g", "Arn": "arn:aws:iam::222222222222:group/g", "GroupPolicyList": [],
                             "AttachedManagedPolicies": [{"PolicyName": "p", "PolicyArn": "arn:aws:iam::222222222222:policy/p"}]}],
        "RoleDetailList": [],
        "Policies": [{"PolicyName": "p", "Arn": "arn:aws:iam::222222222222:policy/p", "DefaultVersionId": "v2",
                      "PolicyVersionList": [
                          {"VersionId": "v1", "IsDefaultVersion": False, "Document": TRUST | {"Statement": [
                              {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}},
                          {"VersionId": "v2", "IsDefaultVersion": True, "Document": urllib.parse.quote(json.dumps(
                              {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                       "Resource": "*"}]}), safe="")}]}]}


def test_authorization_details_read_on_demand():
    text = json.dumps(AUTH, indent=4)
    assert classify(text) == ["aws-evidence"]
    (ev,) = evidence("auth.json", text)
    assert ev.account == "222222222222" and "1 users, 1 groups, 0 roles, 1 managed policies" in ev.facts
    u = ev.auth.user("arn:aws:iam::222222222222:user/alice")
    assert u.groups == ["g"] and ev.auth.group("g").attached == ["arn:aws:iam::222222222222:policy/p"]
    mp = ev.auth.policy("arn:aws:iam::222222222222:policy/p")
    (doc,) = mp.documents  # the default version only
    assert doc.version == "v2" and doc.form == "urlencoded" and doc.policy.statements[0].action == ["s3:*"]


def test_authorization_details_syntax_error_has_line_and_column():
    text = json.dumps(AUTH, indent=4).replace('"GroupList"', "GroupList", 1)
    problems = [r.facts for r in read("auth.json", text) if r.kind == "problem"]
    assert problems and "line 7, column 13" in problems[0].message and "column" in problems[0].message


def test_describe_policy_content_spans_point_inside_the_string():
    content = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sts:AssumeRole",
                                                                  "Resource": "*"}]})
    text = json.dumps({"Policy": {"PolicySummary": {"Id": "p-1", "Name": "n", "Type": "SERVICE_CONTROL_POLICY",
                                                    "AwsManaged": False}, "Content": content}}, indent=4)
    (ev,) = evidence("scp.json", text)
    d = ev.org_policies[0]
    sp = d.policy.spans[("Statement", 0, "Effect")]
    assert text[sp.start:sp.end] == '\\"Deny\\"' and d.role == "scp" and d.version == "p-1"


def _event(**kw):
    ev = {"eventVersion": "1.08", "eventSource": "sts.amazonaws.com", "eventName": "AssumeRole",
          "eventTime": "2024-06-03T10:15:12Z", "awsRegion": "eu-west-1",
          "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111111111111:user/alice", "accountId": "111111111111"},
          "requestParameters": {"roleArn": ROLE, "roleSessionName": "s", "durationSeconds": 900, "externalId": "x",
                                "tags": [{"key": "team", "value": "a"}], "transitiveTagKeys": ["team"],
                                "sourceIdentity": "alice"},
          "errorCode": "AccessDenied",
          "errorMessage": f"User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole on "
                          f"resource: {ROLE}"}
    ev.update(kw)
    return ev


@pytest.mark.parametrize("form", ["event", "records", "lookup"])
def test_cloudtrail_forms(form):
    ev = _event()
    value = {"event": ev, "records": {"Records": [_event(errorCode=None), ev]},
             "lookup": {"Events": [{"EventId": "1", "EventName": "AssumeRole",
                                    "CloudTrailEvent": json.dumps(ev)}]}}[form]
    text = json.dumps(value, indent=2)
    recs = read("trail.json", text)
    (trail,) = [r.facts for r in recs if r.kind == "aws-evidence"]
    t = trail.trail[0]
    assert (t.caller_arn, t.role_arn, t.session_name, t.duration, t.external_id, t.tags, t.transitive_tag_keys,
            t.source_identity, t.error_code) == ("arn:aws:iam::111111111111:user/alice", ROLE, "s", 900, "x",
                                                 {"team": "a"}, ["team"], "alice", "AccessDenied")
    (err,) = [r.facts for r in recs if r.kind == "error"]
    assert err.kind == "access-denied" and err.caller == "arn:aws:iam::111111111111:user/alice" and err.role == ROLE
    assert "User: arn:aws:iam::111111111111:user/alice" in text[err.span.start:err.span.end].replace('\\"', '"')


def test_caller_arn_bare_and_in_a_ci_log():
    res = read_all({"who": "arn:aws:sts::222222222222:assumed-role/ci/run-1\n"})
    assert [i.arn for i in res.identities] == ["arn:aws:sts::222222222222:assumed-role/ci/run-1"]
    res = read_all({"who": "arn:aws:iam::222222222222:role/ci"})  # the whole paste: a role's own ARN
    assert [i.arn for i in res.identities] == ["arn:aws:iam::222222222222:role/ci"]
    log = ("2024-06-03T10:14:03.0071655Z arn:aws:iam::222222222222:user/bob\n"
           "Error: api error AccessDenied: not authorized\n"
           "resource arn:aws:iam::222222222222:role/ci\n")
    res = read_all({"log": log})
    assert [i.arn for i in res.identities] == ["arn:aws:iam::222222222222:user/bob"]


def test_rewalk_after_an_edit_equals_a_fresh_walk():
    text = json.dumps({"UserDetailList": [{"UserName": f"u{i}", "Arn": f"arn:aws:iam::1:user/u{i}", "Pad": "x" * 2000}
                                          for i in range(600)]}, indent=4)
    authdetails._LAST.clear()
    authdetails.walk(text)
    edited = text.replace('"u7"', '"u7-renamed"', 1)
    got = authdetails.walk(edited)
    authdetails._LAST.clear()
    fresh = authdetails._walk(edited)
    assert [(a, b) for _, a, b in got[0]["UserDetailList"]] == [(a, b) for _, a, b in fresh[0]["UserDetailList"]]
    assert got[0]["UserDetailList"][7][0] == fresh[0]["UserDetailList"][7][0]


def test_large_authorization_details_file_is_allowed_pasted_text_is_not(tmp_path):
    from roledoctor.cli import UsageError
    from roledoctor.commands import read_limited
    from roledoctor.limits import MAX_INPUT_BYTES, check_text
    big = json.dumps({"UserDetailList": [{"UserName": "u", "Pad": "x" * 1000}] * 6000})
    assert len(big) > MAX_INPUT_BYTES
    (tmp_path / "auth.json").write_text(big)
    assert read_limited(str(tmp_path / "auth.json")) == big
    (tmp_path / "other.json").write_text('{"Other": ' + json.dumps(["x" * 1000] * 6000) + "}")
    with pytest.raises(UsageError):
        read_limited(str(tmp_path / "other.json"))
    assert check_text(big)  # the page's boxes keep the 5 MB limit


def test_management_account_and_service_linked_callers_are_not_restricted_by_scps():
    from roledoctor.diagnosis.diagnose import diagnose
    deny = json.dumps({"Policy": {"PolicySummary": {"Id": "p-1", "Name": "deny", "Type": "SERVICE_CONTROL_POLICY"},
                                  "Content": json.dumps({"Version": "2012-10-17", "Statement": [
                                      {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]})}})
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                                "Action": "sts:AssumeRole"}]})
    ident = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                "Resource": "*"}]})
    base = {"trust_policy": trust, "caller_policy": ident, "scp.json": deny,
            "provider": 'provider "aws" {\n  assume_role {\n    role_arn = "%s"\n  }\n}\n' % ROLE}
    slots = {"trust_policy": "trust_policy", "caller_policy": "caller_policy", "scp.json": "auto", "provider": "provider"}
    caller = "arn:aws:iam::222222222222:user/alice"
    assert diagnose(base, slots, caller=caller).verdict == "denied"
    org = json.dumps({"Organization": {"Id": "o-1", "MasterAccountId": "222222222222"}})
    d = diagnose({**base, "org.json": org}, {**slots, "org.json": "auto"}, caller=caller)
    assert d.verdict == "allowed" and d.evaluation.gate("scp").result == "not-evaluated"
    slr = "arn:aws:iam::222222222222:role/aws-service-role/ops.example.amazonaws.com/AWSServiceRoleForOps"
    d = diagnose(base, slots, caller=slr)
    assert d.verdict == "allowed"


def test_check_reads_trusts_from_authorization_details(tmp_path):
    from roledoctor.check.run import check
    auth = {"RoleDetailList": [{"RoleName": "open", "Arn": "arn:aws:iam::111111111111:role/open", "Path": "/",
                                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                                    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}}]}
    (tmp_path / "auth.json").write_text(json.dumps(auth, indent=4))
    res = check([str(tmp_path / "auth.json")])
    assert [f.code for f in res.findings] == ["TRUST_WILDCARD_PRINCIPAL"]


def test_page_routes_aws_output_to_its_box_and_redacts_it():
    from roledoctor import webapi
    text = get_role(TRUST).replace("111111111111", "493029413412")
    routed = json.loads(webapi.handle("route", json.dumps({"files": [{"name": "role.json", "text": text}]})))["result"]
    assert routed["files"][0]["parts"][0]["input"] == "aws_evidence"
    red = json.loads(webapi.handle("redact", json.dumps({"inputs": {"aws_evidence": text}})))["result"]
    out = red["texts"]["aws_evidence"]
    assert "493029413412" not in out["text"] and any(s["original"] == "493029413412" for s in out["spans"])


def test_policy_output_pasted_into_a_box_plays_its_part():
    from roledoctor.diagnosis.diagnose import diagnose
    pv = json.dumps({"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, "VersionId": "v1", "IsDefaultVersion": True}})
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:user/alice"}, "Action": "sts:AssumeRole"}]})
    err = ("api error AccessDenied: User: arn:aws:iam::222222222222:user/alice is not authorized to perform: "
           "sts:AssumeRole on resource: arn:aws:iam::111111111111:role/x")
    raw = {"error": err, "trust_policy": trust, "caller_policy": pv}
    d = diagnose(raw, {k: k for k in raw})
    assert d.verdict == "denied" and "CALLER_POLICY_NO_ALLOW" in [i.code for i in d.issues]
