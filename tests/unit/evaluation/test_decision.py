"""Gate-by-gate decisions. Each test cites the AWS page it checks.

EL  = https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
XA  = https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations


from unit.evaluation.evaluation_helpers import (ROLE, SAME_ROLE_CALLER, SAME_USER, XACCT_ROLE_CALLER, XACCT_USER, allow, deny, levels,
                      pol, req, trust, trust_allow)

from roledoctor.evaluation import (
    ALLOW, ALLOWED, DENY, EXPLICITLY_DENIED, IMPLICIT_DENY, IMPLICITLY_DENIED, NOT_EVALUATED, UNDETERMINED,
    Caller, Policies, evaluate,
)

XROLE = "arn:aws:iam::222222222222:role/ci"
T_XROLE = trust(trust_allow({"AWS": XROLE}))
T_XROOT = trust(trust_allow({"AWS": "arn:aws:iam::222222222222:root"}))
CALLER = Caller(arn=XACCT_ROLE_CALLER, role_path="/")


def run(policies, caller=CALLER, **kw):
    return evaluate(req(caller_obj=caller, **kw), policies)


# ---- cross account (XA: "both evaluations must return Allow") ----

def test_xacct_both_sides_allow():
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow(resource=ROLE))]))
    assert ev.verdict == ALLOWED and ev.same_account is False
    assert ev.gate("trust").statement.index == 0 and ev.gate("identity").result == ALLOW


def test_xacct_identity_no_allow_is_implicit_deny():
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow(action="s3:*"))]))
    assert (ev.verdict, ev.deciding_gate) == (IMPLICITLY_DENIED, "identity")


def test_xacct_identity_missing_is_undetermined_and_names_the_input():
    ev = run(Policies(trust=T_XROLE))
    assert (ev.verdict, ev.deciding_gate) == (UNDETERMINED, "identity")
    assert ev.gate("identity").result == NOT_EVALUATED
    assert any("identity policies" in m for m in ev.missing)


def test_xacct_identity_missing_but_error_blames_trust():
    ev = run(Policies(trust=T_XROLE), reported_denial="trust", reported_explicit=False)
    assert (ev.verdict, ev.deciding_gate) == (IMPLICITLY_DENIED, "trust") and ev.uncertain


def test_xacct_wrong_resource_in_identity_policy():
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow(resource="arn:aws:iam::111111111111:role/tf-deplo"))]))
    st = ev.gate("identity").policies[0].statements[0]
    assert ev.verdict == IMPLICITLY_DENIED and st.action_matched and st.resource_matched is False


def test_no_trust_policy_is_undetermined():
    ev = run(Policies(identity=[pol(allow())]))
    assert (ev.verdict, ev.deciding_gate) == (UNDETERMINED, "trust")
    assert any("trust policy" in m for m in ev.missing)


# ---- same account (EL, "Resource-based policies" / id_roles_use_permissions-to-switch.html) ----

def test_same_account_trust_naming_the_role_suffices():
    c = Caller(arn=SAME_ROLE_CALLER, role_path="/")
    t = trust(trust_allow({"AWS": "arn:aws:iam::111111111111:role/ci"}))
    ev = run(Policies(trust=t), caller=c)
    assert ev.verdict == ALLOWED and ev.gate("identity").required is False


def test_same_account_trust_naming_the_account_needs_identity_allow():
    c = Caller(arn=SAME_ROLE_CALLER, role_path="/")
    t = trust(trust_allow({"AWS": "111111111111"}))
    assert run(Policies(trust=t, identity=[]), caller=c).verdict == IMPLICITLY_DENIED
    assert run(Policies(trust=t, identity=[pol(allow())]), caller=c).verdict == ALLOWED
    ev = run(Policies(trust=t), caller=c)
    assert (ev.verdict, ev.deciding_gate) == (UNDETERMINED, "identity")


def test_self_assumption_needs_explicit_trust():
    # https://aws.amazon.com/blogs/security/announcing-an-update-to-iam-role-trust-policy-behavior/
    c = Caller(arn="arn:aws:sts::111111111111:assumed-role/tf-deploy/s", role_path="/")
    ev = run(Policies(trust=trust(trust_allow({"AWS": "111111111111"})), identity=[pol(allow())]), caller=c)
    assert (ev.verdict, ev.deciding_gate) == (IMPLICITLY_DENIED, "trust")
    ev = run(Policies(trust=trust(trust_allow({"AWS": ROLE}))), caller=c)
    assert ev.verdict == ALLOWED


def test_root_user_cannot_assume_roles():
    # API_AssumeRole.html: root user credentials cannot call AssumeRole
    ev = run(Policies(trust=T_XROOT, identity=[]), caller=Caller(arn="arn:aws:iam::222222222222:root"))
    assert (ev.verdict, ev.deciding_gate) == (IMPLICITLY_DENIED, "identity")


# ---- explicit deny anywhere wins (EL) ----

def test_trust_deny_beats_allow():
    t = trust(trust_allow({"AWS": XROLE}), {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:*"})
    ev = run(Policies(trust=t, identity=[pol(allow())]))
    assert (ev.verdict, ev.deciding_gate) == (EXPLICITLY_DENIED, "trust")
    assert ev.gate("trust").statement.index == 1


def test_identity_deny_beats_allow():
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow(), deny(resource=ROLE))]))
    assert (ev.verdict, ev.deciding_gate) == (EXPLICITLY_DENIED, "identity")


def test_explicit_deny_is_decided_even_without_trust():
    ev = run(Policies(identity=[pol(deny(action="sts:*"))]))
    assert ev.verdict == EXPLICITLY_DENIED


# ---- SCPs (orgs_manage_policies_scps_evaluation.html: every level must allow) ----

def test_scp_every_level_must_allow():
    full = pol(allow(action="*"))
    base = dict(trust=T_XROLE, identity=[pol(allow())])
    assert run(Policies(**base, scps=levels([full], [full], [full]))).verdict == ALLOWED
    ev = run(Policies(**base, scps=levels([full], [pol(allow(action="s3:*"))], [full])))
    assert (ev.verdict, ev.deciding_gate) == (IMPLICITLY_DENIED, "scp") and "L1" in ev.gate("scp").reason


def test_scp_deny():
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow())],
                      scps=levels([pol(allow(action="*"), deny(action="sts:AssumeRole"))])))
    assert (ev.verdict, ev.deciding_gate) == (EXPLICITLY_DENIED, "scp")
    assert ev.gate("scp").statement.policy.startswith("scp[L0]")


def test_scps_absent_are_assumed_none_and_said_so():
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow())]))
    assert ev.verdict == ALLOWED and any("no SCPs given" in a for a in ev.assumptions)


def test_scp_reported_by_error_without_policy():
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow())]), reported_denial="scp")
    assert (ev.verdict, ev.deciding_gate) == (EXPLICITLY_DENIED, "scp") and ev.gate("scp").reported


def test_scp_not_applied_outside_org_and_to_management_account():
    scps = levels([pol(deny(action="*"))])
    out = Caller(arn=XACCT_ROLE_CALLER, role_path="/", in_org=False)
    assert run(Policies(trust=T_XROLE, identity=[pol(allow())], scps=scps), caller=out).verdict == ALLOWED
    mgmt = Caller(arn=XACCT_ROLE_CALLER, role_path="/", is_management_account=True)
    assert run(Policies(trust=T_XROLE, identity=[pol(allow())], scps=scps), caller=mgmt).verdict == ALLOWED


# ---- RCPs (orgs_manage_policies_rcps.html: role's account, deny-only with RCPFullAWSAccess) ----

def test_rcp_deny_outside_org():
    rcp = pol({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
               "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-mine"}}})
    base = dict(trust=T_XROLE, identity=[pol(allow())], rcps=levels([rcp]))
    ev = run(Policies(**base), caller=Caller(arn=XACCT_ROLE_CALLER, role_path="/", org_id="o-other"))
    assert (ev.verdict, ev.deciding_gate) == (EXPLICITLY_DENIED, "rcp")
    assert run(Policies(**base), caller=Caller(arn=XACCT_ROLE_CALLER, role_path="/", org_id="o-mine")).verdict == ALLOWED
    # org unknown: the Deny might apply -> never a silent allow
    ev = run(Policies(**base))
    assert (ev.verdict, ev.deciding_gate) == (UNDETERMINED, "rcp") and "aws:PrincipalOrgID" in ev.unknown_keys


def test_rcp_allow_only_policy_is_not_an_allow_list():
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow())], rcps=levels([pol({"Effect": "Allow", "Principal": "*",
                                                                                "Action": "s3:*", "Resource": "*"})])))
    assert ev.verdict == ALLOWED


# ---- boundaries and session policies ----

def test_boundary_must_allow_cross_account():
    # reference_policies_evaluation-logic.html#policy-eval-boundaries
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow())], boundary=pol(allow(action="s3:*"))))
    assert (ev.verdict, ev.deciding_gate) == (IMPLICITLY_DENIED, "boundary") and not ev.uncertain


def test_boundary_same_account_user_named_in_trust_blocks_but_uncertain():
    # roles-managingrole-editing-cli.html ("must allow the sts:AssumeRole action") vs the EL table
    c = Caller(arn=SAME_USER)
    t = trust(trust_allow({"AWS": SAME_USER}))
    ev = run(Policies(trust=t, boundary=pol(allow(action="s3:*"))), caller=c)
    assert (ev.verdict, ev.deciding_gate) == (IMPLICITLY_DENIED, "boundary") and ev.uncertain


def test_boundary_deny_is_explicit():
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow())], boundary=pol(allow(action="*"), deny())))
    assert (ev.verdict, ev.deciding_gate) == (EXPLICITLY_DENIED, "boundary")


def test_session_policy_intersects():
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow())], session=pol(allow(action="s3:GetObject"))))
    assert (ev.verdict, ev.deciding_gate) == (IMPLICITLY_DENIED, "session")


def test_session_policy_does_not_limit_a_trust_naming_the_session():
    # EL "Resource-based policies": a grant to a role session ARN is not limited by the session policy
    c = Caller(arn=SAME_ROLE_CALLER, role_path="/")
    t = trust(trust_allow({"AWS": SAME_ROLE_CALLER}))
    assert run(Policies(trust=t, session=pol(allow(action="s3:*"))), caller=c).verdict == ALLOWED
    t = trust(trust_allow({"AWS": "arn:aws:iam::111111111111:role/ci"}))
    assert run(Policies(trust=t, session=pol(allow(action="s3:*"))), caller=c).verdict == IMPLICITLY_DENIED


# ---- conditions in the trust, with a structured why ----

def test_external_id_mismatch_trace():
    # id_roles_create_for-user_externalid.html
    t = trust(trust_allow({"AWS": XROLE}, Condition={"StringEquals": {"sts:ExternalId": "acme-7f2a"}}))
    ev = run(Policies(trust=t, identity=[pol(allow())]), external_id="acme-7F2A")
    st = ev.gate("trust").policies[0].statements[0]
    assert ev.verdict == IMPLICITLY_DENIED and st.principal.matched and st.action_matched
    (c,) = st.conditions
    assert (c.key, c.result, c.policy_values, c.context_values) == ("sts:ExternalId", False, ["acme-7f2a"], ["acme-7F2A"])


def test_external_id_missing_trace():
    t = trust(trust_allow({"AWS": XROLE}, Condition={"StringEquals": {"sts:ExternalId": "x"}}))
    c = run(Policies(trust=t, identity=[pol(allow())])).gate("trust").policies[0].statements[0].conditions[0]
    assert c.key_status == "absent" and c.result is False


def test_principal_arn_condition_and_org():
    t = trust(trust_allow({"AWS": "222222222222"}, Condition={
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::222222222222:role/ci"},
        "StringEquals": {"aws:PrincipalOrgID": "o-abc"}}))
    caller = Caller(arn=XACCT_ROLE_CALLER, role_path="/", org_id="o-abc")
    assert run(Policies(trust=t, identity=[pol(allow())]), caller=caller).verdict == ALLOWED
    caller = Caller(arn=XACCT_ROLE_CALLER, role_path="/", org_id="o-zzz")
    st = run(Policies(trust=t, identity=[pol(allow())]), caller=caller).gate("trust").policies[0].statements[0]
    assert [c.result for c in st.conditions] == [True, False]


def test_mfa_condition_fails_for_terraform_session():
    t = trust(trust_allow({"AWS": XROLE}, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    assert run(Policies(trust=t, identity=[pol(allow())])).verdict == IMPLICITLY_DENIED


def test_unknown_context_on_trust_allow_is_marked_uncertain():
    t = trust(trust_allow({"AWS": XROLE}, Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))
    ev = run(Policies(trust=t, identity=[pol(allow())]))
    assert ev.verdict == IMPLICITLY_DENIED and ev.uncertain and "aws:SourceIp" in ev.unknown_keys
    ev = run(Policies(trust=t, identity=[pol(allow())]), context={"aws:SourceIp": "203.0.113.9"})
    assert ev.verdict == ALLOWED


def test_action_mismatch_web_identity():
    t = trust(trust_allow({"AWS": XROLE}, action="sts:AssumeRoleWithWebIdentity"))
    st = run(Policies(trust=t, identity=[pol(allow())])).gate("trust").policies[0].statements[0]
    assert st.principal.matched and not st.action_matched


def test_action_names_are_case_insensitive_and_wildcards_work():
    t = trust(trust_allow({"AWS": XROLE}, action="STS:assume*"))
    assert run(Policies(trust=t, identity=[pol(allow(action="sts:AssumeRol?"))])).verdict == ALLOWED


def test_not_action_and_not_resource():
    ident = pol({"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:iam::111111111111:role/admin"})
    assert run(Policies(trust=T_XROLE, identity=[ident])).verdict == ALLOWED
    ident = pol({"Effect": "Allow", "NotAction": "sts:*", "Resource": "*"})
    assert run(Policies(trust=T_XROLE, identity=[ident])).verdict == IMPLICITLY_DENIED


def test_policy_variables_need_version_2012():
    # reference_policies_variables.html: "${…}" is literal text under Version 2008-10-17
    c = Caller(arn="arn:aws:iam::222222222222:user/alice")
    t = trust(trust_allow({"AWS": "arn:aws:iam::222222222222:user/alice"}))
    res = "arn:aws:iam::111111111111:role/${aws:username}"
    assert run(Policies(trust=t, identity=[pol(allow(resource=res))]), caller=c,
               role="arn:aws:iam::111111111111:role/alice").verdict == ALLOWED
    assert run(Policies(trust=t, identity=[pol(allow(resource=res), version="2008-10-17")]), caller=c,
               role="arn:aws:iam::111111111111:role/alice").verdict == IMPLICITLY_DENIED


def test_unique_id_in_trust():
    t = trust(trust_allow({"AWS": "AROAEXAMPLEID1234567"}))
    ev = run(Policies(trust=t, identity=[pol(allow())]))
    assert ev.verdict == IMPLICITLY_DENIED and "unique ID" in ev.gate("trust").policies[0].statements[0].principal.reason


# ---- OIDC (id_roles_create_for-idp_oidc.html) ----

GH = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
T_GH = trust({"Effect": "Allow", "Principal": {"Federated": GH}, "Action": "sts:AssumeRoleWithWebIdentity",
              "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:Org/Repo:ref:refs/heads/main"}}})


def test_oidc_subject():
    kw = dict(action="sts:AssumeRoleWithWebIdentity")
    ctx = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
           "token.actions.githubusercontent.com:sub": "repo:Org/Repo:ref:refs/heads/main"}
    assert run(Policies(trust=T_GH), caller=Caller(arn=GH), context=ctx, **kw).verdict == ALLOWED
    ctx["token.actions.githubusercontent.com:sub"] = "repo:Org/Repo:pull_request"
    ev = run(Policies(trust=T_GH), caller=Caller(arn=GH), context=ctx, **kw)
    assert ev.verdict == IMPLICITLY_DENIED
    assert [c.result for c in ev.gate("trust").policies[0].statements[0].conditions] == [True, False]
    ev = run(Policies(trust=T_GH), caller=Caller(arn=GH), **kw)  # claims not given
    assert ev.uncertain and "token.actions.githubusercontent.com:sub" in ev.unknown_keys


# ---- durations (API_AssumeRole.html, id_roles_terms-and-concepts.html "role chaining") ----

def test_duration_above_max():
    t = trust(trust_allow({"AWS": XACCT_USER}))
    ev = run(Policies(trust=t, identity=[pol(allow())], max_session_duration=3600),
             caller=Caller(arn=XACCT_USER), duration_seconds=7200)
    assert (ev.verdict, ev.deciding_gate) == (EXPLICITLY_DENIED, "duration")


def test_duration_chaining_limit():
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow())], max_session_duration=43200), duration_seconds=7200)
    assert ev.deciding_gate == "duration" and "chaining" in ev.gate("duration").reason
    assert run(Policies(trust=T_XROLE, identity=[pol(allow())], max_session_duration=43200),
               duration_seconds=3600).verdict == ALLOWED


def test_duration_unknown_max_is_undetermined_above_one_hour():
    t = trust(trust_allow({"AWS": XACCT_USER}))
    ev = run(Policies(trust=t, identity=[pol(allow())]), caller=Caller(arn=XACCT_USER), duration_seconds=7200)
    assert (ev.verdict, ev.deciding_gate) == (UNDETERMINED, "duration")


# ---- session tags and source identity ----

def test_tag_session_needed_when_tags_passed():
    # id_session-tags.html: "or the AssumeRole operation fails"
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow(action="sts:*"))]), tags={"team": "blue"})
    g = ev.gate("tag-session")
    assert (ev.verdict, ev.deciding_gate) == (IMPLICITLY_DENIED, "tag-session") and g.sub.deciding_gate == "trust"
    t = trust(trust_allow({"AWS": XROLE}, action=["sts:AssumeRole", "sts:TagSession"]))
    assert run(Policies(trust=t, identity=[pol(allow(action="sts:*"))]), transitive_tag_keys=["team"]).verdict == ALLOWED


def test_tag_conditions_on_request_tags():
    t = trust(trust_allow({"AWS": XROLE}, action=["sts:AssumeRole", "sts:TagSession"],
                          Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}))
    base = Policies(trust=t, identity=[pol(allow(action="sts:*"))])
    assert run(base, tags={"team": "x"}).verdict == ALLOWED
    assert run(base, tags={"team": "x", "env": "p"}).verdict == IMPLICITLY_DENIED


def test_source_identity_trust_and_caller_when_chaining():
    # id_credentials_temp_control-access_monitor.html
    t = trust(trust_allow({"AWS": XROLE}, action=["sts:AssumeRole", "sts:SetSourceIdentity"]))
    assert run(Policies(trust=t, identity=[pol(allow(action="sts:AssumeRole"))]),
               source_identity="alice").deciding_gate == "source-identity"
    assert run(Policies(trust=t, identity=[pol(allow(action=["sts:AssumeRole", "sts:SetSourceIdentity"]))]),
               source_identity="alice").verdict == ALLOWED
    assert run(Policies(trust=T_XROLE, identity=[pol(allow(action="sts:*"))]),
               source_identity="alice").deciding_gate == "source-identity"


# ---- trace shape ----

def test_trace_lists_every_gate_in_order_with_spans():
    from roledoctor.policy import policy_from_obj
    from roledoctor.source import Span
    span = Span(10, 90, 2, 3, 6, 4)
    t = policy_from_obj({"Version": "2012-10-17", "Statement": [trust_allow({"AWS": XROLE})]},
                        spans={("Statement", 0): span})
    ev = run(Policies(trust=t, identity=[pol(allow())]))
    assert [g.gate for g in ev.trace] == ["scp", "rcp", "identity", "boundary", "session", "trust", "duration"]
    assert ev.gate("trust").statement.span == span


# Speed: `python build.py bench` prints g_engine_cross_account_ms (budget: under 5 ms).


def test_deterministic():
    p = Policies(trust=T_XROLE, identity=[pol(allow())])
    assert evaluate(req(caller_obj=CALLER), p) == evaluate(req(caller_obj=CALLER), p)


def test_result_values():
    ev = run(Policies(trust=T_XROLE, identity=[pol(allow())]))
    assert {g.result for g in ev.trace} <= {ALLOW, DENY, IMPLICIT_DENY, NOT_EVALUATED}
