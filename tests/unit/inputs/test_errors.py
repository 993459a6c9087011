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


# ---- the cause each template states (ErrorFacts.cause, a catalogue code) ------------------------

CAUSES = {"v5_no_identity.txt": "CALLER_POLICY_NO_ALLOW", "v4_go_v1.txt": "CALLER_EXPLICIT_DENY",
          "scp_arn.txt": "SCP_BLOCKS", "rcp_arn.txt": "RCP_BLOCKS", "boundary_no_allow.txt": "BOUNDARY_BLOCKS",
          "boundary_explicit_arn.txt": "BOUNDARY_BLOCKS", "session_no_allow.txt": "SESSION_POLICY_BLOCKS",
          "sessions_explicit.txt": "SESSION_POLICY_BLOCKS", "resource_no_allow.txt": "TRUST_PRINCIPAL_MISSING",
          "trust_explicit.txt": "TRUST_EXPLICIT_DENY", "tag_session.txt": "TAG_SESSION_NOT_ALLOWED",
          "source_identity.txt": "SOURCE_IDENTITY_NOT_ALLOWED", "chain_limit.txt": "DURATION_EXCEEDS_CHAIN_LIMIT",
          "max_duration.txt": "DURATION_EXCEEDS_MAX_SESSION", "expired.txt": "BASE_CREDENTIALS_INVALID",
          "invalid_token.txt": "BASE_CREDENTIALS_INVALID", "no_creds.txt": "BASE_CREDENTIALS_INVALID",
          "oidc_missing.txt": "OIDC_PROVIDER_NOT_REGISTERED", "oidc_audience.txt": "OIDC_AUDIENCE_NOT_REGISTERED",
          "region_disabled.txt": "STS_REGION_DISABLED", "s3_block.txt": "S3_BACKEND_ASSUME_ROLE_SYNTAX",
          "v5_plain_alias.txt": None, "trust_allows_sic.txt": None, "web_identity.txt": None}


@pytest.mark.parametrize("name", sorted(CAUSES))
def test_template_cause(name):
    e = [r.facts for r in read(name, fixture("errors", name)) if r.kind == "error"][0]
    assert e.cause == CAUSES[name]


def _one(text):
    errs = [r.facts for r in read("error.txt", text) if r.kind == "error"]
    assert errs, read("error.txt", text)
    return errs[0]


# ---- masked accounts (the forms posters use; the sentence is STS's, github.com/hashicorp/terraform-provider-aws/issues/22773)

MASKS = ["OMITTED", "***", "xxx", "XXXXXXXXXXXX", "<redacted>", "<aws acct>", "REDACTED", "{account}", "[ACCOUNT_ID]",
         "1234xxxxxxxx", "<redacted-accountid>"]


@pytest.mark.parametrize("mask", MASKS)
def test_masked_account_ids_are_read_as_arns(mask):
    caller, role = f"arn:aws:iam::{mask}:user/michael", f"arn:aws:iam::{mask}:role/mikelyticsToSandbox"
    e = _one(f"error AccessDenied: User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role}")
    assert (e.caller, e.role, e.action, e.error_code, e.cause) == (caller, role, "sts:AssumeRole", "AccessDenied", None)
    assert e.caller_account == e.role_account == mask


def test_a_quoted_account_is_an_invalid_role_arn():
    # github.com/gruntwork-io/terragrunt/issues/899
    e = _one('AccessDenied: User: arn:aws:iam::111222333444:user/myawsuser is not authorized to perform: sts:AssumeRole '
             'on resource: arn:aws:iam::"111222333444":role/TerragruntAdministrator')
    assert e.role == 'arn:aws:iam::"111222333444":role/TerragruntAdministrator'
    assert e.cause == "PROVIDER_ROLE_ARN_INVALID"


def test_masks_inside_the_resource_and_xml_tags_around_it():
    e = _one("api error AccessDenied: User: arn:aws:sts::<redacted-accountid>:assumed-role/AWSReservedSSO_Admin_"
             "<redacted-unique-id>/alvin is not authorized to perform: sts:AssumeRole on resource: "
             "arn:aws:iam::<redacted-accountid>:role/Dev")
    assert e.caller == "arn:aws:sts::<redacted-accountid>:assumed-role/AWSReservedSSO_Admin_<redacted-unique-id>/alvin"
    x = _one("<Message>User: arn:aws:iam::123456789012:user/a is not authorized to perform: sts:AssumeRole on resource: "
             "arn:aws:iam::123456789012:role/SecurityMonkey</Message>")
    assert x.role == "arn:aws:iam::123456789012:role/SecurityMonkey"


# ---- every wording of the failure -------------------------------------------------------------

WORDINGS = [
    # botocore / AWS CLI (github.com/kubeflow/testing/pull/961)
    ("An error occurred (AccessDenied) when calling the AssumeRole operation: Roles may not be assumed by root accounts.",
     dict(action="sts:AssumeRole", error_code="AccessDenied", cause="CALLER_IS_ROOT", operation="AssumeRole")),
    ("An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: Incorrect token audience",
     dict(action="sts:AssumeRoleWithWebIdentity", error_code="InvalidIdentityToken", cause="OIDC_AUDIENCE_NOT_REGISTERED")),
    ("Not authorized to perform sts:AssumeRoleWithSAML (Service: AWSSecurityTokenService; Status Code: 403; "
     "Error Code: AccessDenied; Request ID: fe270994-9399-11e7-a47b-d3b1bc4b70cf).",
     dict(action="sts:AssumeRoleWithSAML", error_code="AccessDenied", cause=None)),
    ("Error: Could not assume role with OIDC: No OpenIDConnect provider found in your account for "
     "https://token.actions.githubusercontent.com", dict(action="sts:AssumeRoleWithWebIdentity",
                                                         cause="OIDC_PROVIDER_NOT_REGISTERED")),
    ("Error: error validating provider credentials: error calling sts:GetCallerIdentity: NoCredentialProviders: no "
     "valid providers in chain. Deprecated.", dict(action="sts:GetCallerIdentity", error_code="NoCredentialProviders",
                                                   cause="BASE_CREDENTIALS_INVALID")),
    ('Received error  The role "arn:aws:iam::<aws acct>:role/trustedrole" cannot be assumed.',
     dict(role="arn:aws:iam::<aws acct>:role/trustedrole", action="sts:AssumeRole")),
    ("error configuring Terraform AWS Provider: IAM Role (arn:aws:iam::633688738694:role/X) cannot be assumed.",
     dict(role="arn:aws:iam::633688738694:role/X", action="sts:AssumeRole")),
    ("Amazon.Runtime.AmazonClientException: Error calling AssumeRole for role arn:aws:iam::xxxx:role/xxx\n"
     " ---> Amazon.SecurityToken.AmazonSecurityTokenServiceException: Not authorized to perform "
     "sts:AssumeRoleWithWebIdentity", dict(role="arn:aws:iam::xxxx:role/xxx", action="sts:AssumeRoleWithWebIdentity")),
    (' aws sts assume-role --role-arn arn:aws:iam::809251082950:role/infra-viewer --role-session-name hehe\n\n'
     'An error occurred (AccessDenied) when calling the AssumeRole operation: Roles may not be assumed by root accounts.',
     dict(role="arn:aws:iam::809251082950:role/infra-viewer")),
    ("INFO - Assuming Role - Profile: development.sap, Role: arn:aws:iam::876701326593:role/HSEAdminRole, Duration: 3600\n"
     "ERROR - An error occured while calling assume role: An error occurred (InvalidClientTokenId) when calling the "
     "AssumeRole operation: The security token included in the request is invalid.",
     dict(role="arn:aws:iam::876701326593:role/HSEAdminRole", cause="BASE_CREDENTIALS_INVALID")),
    ('[Aws::STS::Client 403 0.297658 0 retries] assume_role(role_arn:"arn:aws:iam::995319131876:role/Administrator",'
     'role_session_name:"test") Aws::STS::Errors::AccessDenied Access denied',
     dict(role="arn:aws:iam::995319131876:role/Administrator", action="sts:AssumeRole", error_code="AccessDenied")),
    ("  assume_role_arn=arn:aws:iam::REDACTED:role/IambicHubRole\n  error=ClientError('An error occurred (AccessDenied)')",
     dict(role="arn:aws:iam::REDACTED:role/IambicHubRole")),
    ('Error executing "AssumeRole" on "https://sts.eu-west-1.amazonaws.com"; AWS HTTP error: Client error: `POST '
     'https://sts.eu-west-1.amazonaws.com` resulted in a `403 Forbidden` response: Sender AccessDenied',
     dict(action="sts:AssumeRole", error_code="AccessDenied")),
    ("A client error (SignatureDoesNotMatch) occurred when calling the AssumeRole operation: Signature expired: "
     "20160609T184512Z is now earlier than 20160610T013008Z (20160610T014508Z - 15 min.)",
     dict(error_code="SignatureDoesNotMatch", cause="CLOCK_SKEW")),
    ("An error occurred (AccessDenied) when calling the GetSessionToken operation: MultiFactorAuthentication failed, "
     "unable to validate MFA code.", dict(action="sts:GetSessionToken", cause="MFA_CODE_REJECTED")),
    ("AssumeRoleTokenProviderNotSetError: assume role with MFA enabled, but AssumeRoleTokenProvider session option not set.",
     dict(error_code="AssumeRoleTokenProviderNotSetError", cause="MFA_NOT_PRESENT")),
    ("Error: WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: Couldn't retrieve "
     "verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation",
     dict(error_code="InvalidIdentityToken", cause="WEB_IDENTITY_TOKEN_INVALID")),
    ("botocore.exceptions.ClientError: An error occurred (ValidationError) when calling the AssumeRole operation: 1 "
     "validation error detected: Value 'PowerUser/hjacobs' at 'roleSessionName' failed to satisfy constraint: Member "
     "must satisfy regular expression pattern: [\\w+=,.@-]*", dict(error_code="ValidationError", cause="SESSION_NAME_INVALID")),
    ('Error: Invalid backend configuration argument\n\nThe backend configuration argument "role_arn" given on the '
     'command line is\nnot expected for the selected backend type.', dict(cause="S3_BACKEND_ASSUME_ROLE_SYNTAX")),
    ("Error: Credentials could not be loaded, please check your action inputs: Could not load credentials from any "
     "providers", dict(cause="OIDC_TOKEN_NOT_ISSUED")),
    ("Assuming role with OIDC\nError: Credentials could not be loaded, please check your action inputs: Could not load "
     "credentials from any providers", dict(cause="BASE_CREDENTIALS_INVALID")),
    ("Error: no EC2 IMDS role found, operation error ec2imds: GetMetadata, canceled, context deadline exceeded",
     dict(cause="BASE_CREDENTIALS_INVALID")),
    ("An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::abc:assumed-role/"
     "AssumeRoleWithAction/GitHub_to_AWS is not authorized to perform: sts:AssumeRole on resource: "
     "arn:aws:iam::abc:role/AssumeRoleWithAction", dict(cause="SELF_ASSUME_NOT_TRUSTED")),
    ("User: arn:aws:sts::<ChildAWSAccountId>:assumed-role/service/botocore-session-1664316680 is not authorized to "
     "perform: sts:AssumeRole on resource: arn:aws:iam::089297561553:role/service", dict(cause=None)),
    ("User: arn:aws:iam::579974362352:user/qilin is not authorized to perform: sts:AssumeRole on resource: "
     "arn:aws:iam::579974362352:user/qilin", dict(cause="PROVIDER_ROLE_ARN_INVALID")),
    ('* The role "arn:aws:iam:::role/devops" cannot be assumed.', dict(cause="PROVIDER_ROLE_ARN_INVALID")),
]


@pytest.mark.parametrize("text,want", WORDINGS, ids=[w[0][:50] for w in WORDINGS])
def test_wordings(text, want):
    e = _one(text)
    for key, value in want.items():
        assert getattr(e, key) == value, (key, getattr(e, key))


# ---- not every denial is an assume-role failure ----------------------------------------------

def test_another_actions_denial_keeps_its_resource_and_gate():
    # github.com/alphagov/govuk-infrastructure/pull/2439
    e = _one("operation error Bedrock: PutModelInvocationLoggingConfiguration, https response error StatusCode: 403, "
             "User: arn:aws:sts::210287912431:assumed-role/terraform-cloud/terraform-run-h7rD1XcGWxHMDCG7 is not "
             "authorized to perform: iam:PassRole on resource: arn:aws:iam::210287912431:role/govuk-chat-bedrock-access-"
             "role because no identity-based policy allows the iam:PassRole action")
    assert (e.action, e.role, e.cause) == ("iam:PassRole", None, "NOT_AN_ASSUME_ROLE_FAILURE")
    assert e.resource == "arn:aws:iam::210287912431:role/govuk-chat-bedrock-access-role"
    assert (e.denial.form, e.denial.gate) == ("no-allow", "identity")


@pytest.mark.parametrize("reason,gate,form", [
    ("because no identity-based policy allows the secretsmanager:GetSecretValue action", "identity", "no-allow"),
    ("with an explicit deny in a service control policy", "scp", "explicit-deny"),
    ("because no resource-based policy allows the secretsmanager:GetSecretValue action", "trust", "no-allow"),
    ("because no permissions boundary allows the secretsmanager:GetSecretValue action", "boundary", "no-allow"),
    ("because no session policy allows the secretsmanager:GetSecretValue action", "session", "no-allow")])
def test_enhanced_reasons_on_a_resource_that_is_not_an_arn(reason, gate, form):
    # the sentence of github.com/aws-samples/aws-health-aware/issues/19, with each reason of
    # docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    e = _one(f"User: arn:aws:sts::123456789012:assumed-role/AHA/x is not authorized to perform: "
             f"secretsmanager:GetSecretValue on resource: ChimeChannelID {reason}")
    assert (e.resource, e.role, e.cause) == ("ChimeChannelID", None, "NOT_AN_ASSUME_ROLE_FAILURE")
    assert (e.denial.gate, e.denial.form) == (gate, form)


# ---- log lines are error text ----------------------------------------------------------------

JSON_LOG = ('{"level":"error","ts":1657324768.868449,"msg":"Reconciler error","error":"WebIdentityErr: failed to '
            'retrieve credentials\\ncaused by: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity'
            '\\n\\tstatus code: 403, request id: 5c3f9ce5-ba7d-495e-98b1-ffcd5cf85133"}')
LOGFMT = ('time="2019-05-07T02:31:53Z" level=error msg="Failed to get credentials for role kube-fluentd-operator-role: '
          "ValidationError: 1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: "
          'Member must have length less than or equal to 64\\n\\tstatus code: 400, request id: 4690bf63"')


@pytest.mark.parametrize("text", [JSON_LOG, LOGFMT], ids=["json", "logfmt"])
def test_log_lines_are_classified_and_read_as_error_text(text):
    from roledoctor.inputs import classify
    assert classify(text) == ["error"]
    assert _one(text).error_code in ("AccessDenied", "ValidationError")


def test_json_that_is_a_policy_or_caller_identity_stays_so():
    from roledoctor.inputs import classify
    assert classify('{"Statement": [{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]}') == ["policy-json"]
    who = '{"UserId": "AIDAEXAMPLE", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/a"}'
    assert [r.kind for r in read("who.json", who)] == ["caller-identity"]
