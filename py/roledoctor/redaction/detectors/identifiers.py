"""Identifiers that are not secrets but are pseudonymised anyway (research
notes section 5): account ids, ExternalIds, IAM unique ids, Organizations
ids, e-mail addresses and IPv4 addresses."""

from __future__ import annotations

import ipaddress

from roledoctor.redaction.rules import LIST_VALUE, VALUE, Rule, assignment


def _is_account(s: str) -> bool:
    return len(s) == 12 and s.isdigit()


def _ip(s: str) -> ipaddress.IPv4Address | None:
    try:
        ip = ipaddress.IPv4Address(s)
    except ValueError:
        return None
    # 0.0.0.0, loopback, link-local (IMDS 169.254.169.254), broadcast stay: they are not identifying
    if ip.is_unspecified or ip.is_loopback or ip.is_link_local or ip.is_multicast or s == "255.255.255.255":
        return None
    return ip


def _email_ok(s: str) -> bool:
    tld = s.rsplit(".", 1)[-1]
    return len(tld) >= 2 and tld.isalpha()


_IPV4 = r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)"

RULES = (
    Rule(
        id="aws-account-in-arn",
        type="ACCOUNT",
        # research notes: arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):
        pattern=r"\barn:aws[\w-]{0,20}+:[\w-]{0,40}+:[\w-]{0,30}+:(?P<s>\d{12}):",
        keywords=("arn:",),
        priority=20,
        source="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (account ID in ARN)",
        tp=(
            '"AWS": "arn:aws:iam::123456789012:role/ci-runner"',
            'User: arn:aws:sts::987654321098:assumed-role/deploy/session is not authorized',
            'arn:aws-us-gov:s3:us-gov-west-1:210987654321:accesspoint/x',
        ),
        fp=('arn:aws:iam::aws:policy/AdministratorAccess', 'arn:aws:s3:::my-bucket/key'),
    ),
    Rule(
        id="aws-account-in-ecr-host",
        type="ACCOUNT",
        pattern=r"\b(?P<s>\d{12})\.dkr\.ecr\.",
        keywords=(".dkr.ecr.",),
        priority=20,
        source="https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html (registry host)",
        tp=('image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.2"',),
        fp=('image = "public.ecr.aws/docker/library/alpine:3"',),
    ),
    Rule(
        id="aws-account-by-context",
        type="ACCOUNT",
        # bare 12-digit numbers only after an account-ish key (AWS principal,
        # account_id, owner_id, allowed_account_ids, aws:SourceAccount, "Account:")
        pattern=assignment(
            r"account|owner|aws",
            r"(?:(?:\\?[\"'])?(?P<s>\d{12})(?![\w-])|" + LIST_VALUE + ")",
            sep=r"[ \t]{0,5}(?:(?:=>|:=|=|:)[ \t]{0,5})?",
        ),
        keywords=("account", "owner", "aws"),
        validate=_is_account,
        priority=20,
        source="https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html (12-digit account ID; bare numbers need context)",
        tp=(
            'allowed_account_ids = ["111122223333", "444455556666"]',
            '"Principal": {"AWS": "210987654321"}',
            '    "Account": "123456789012",',
            'aws:SourceAccount = 123456789012',
            'role does not exist in account 123456789012.',
        ),
        fp=('request_count = 123456789012', '"Timestamp": 1700000000000', 'account_name = "prod-123456789012x"'),
    ),
    Rule(
        id="aws-external-id",
        type="EXTERNAL_ID",
        # the value of external_id / sts:ExternalId (AWS: not a secret; pseudonymised anyway)
        pattern=assignment(r"external[_-]?id", f"(?:{VALUE}|{LIST_VALUE})"),
        keywords=("externalid", "external_id", "external-id"),
        min_len=2,
        priority=30,
        source="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html (ExternalId)",
        tp=(
            'external_id  = "acme-ci-7f3a"',
            '"sts:ExternalId": "acme-ci-7f2a"',
            '"sts:ExternalId": ["first-id-1", "second-id-2"]',
            'aws sts assume-role --external-id=Zx81kq',
        ),
        fp=('external_id = var.external_id', 'external_id = "${var.external_id}"'),
    ),
    Rule(
        id="aws-external-id-policy-document",
        type="EXTERNAL_ID",
        # aws_iam_policy_document condition { variable = "sts:ExternalId" values = [...] }
        pattern=r"(?i:variable)[ \t]{0,5}=[ \t]{0,5}\"sts:ExternalId\"\s{1,200}+(?i:values)[ \t]{0,5}=[ \t]{0,5}" + LIST_VALUE,
        keywords=("sts:externalid",),
        priority=30,
        source="Terraform aws_iam_policy_document condition block",
        tp=('condition {\n  test     = "StringEquals"\n  variable = "sts:ExternalId"\n  values   = ["acme-ci-7f3a"]\n}',),
        fp=('variable = "aws:PrincipalOrgID"\n  values = ["o-abc"]',),
    ),
    Rule(
        id="aws-external-id-policy-document-values-first",
        type="EXTERNAL_ID",
        pattern=r"(?i:values)[ \t]{0,5}=[ \t]{0,5}" + LIST_VALUE + r"\s{1,200}+(?i:variable)[ \t]{0,5}=[ \t]{0,5}\"sts:ExternalId\"",
        keywords=("sts:externalid",),
        priority=30,
        source="Terraform aws_iam_policy_document condition block",
        tp=('values   = ["acme-ci-7f3a"]\n  variable = "sts:ExternalId"',),
        fp=('values = ["x"]\n variable = "aws:SourceArn"',),
    ),
    Rule(
        id="aws-unique-id",
        type="UNIQUE_ID",
        # IAM unique id prefixes (IAM reference_identifiers; trufflehog aws/utils.go)
        pattern=r"\b(?:AIDA|AROA|AGPA|AIPA|ANPA|ANVA|APKA|ASCA)[A-Z0-9]{16,28}+\b",
        keywords=("aida", "aroa", "agpa", "aipa", "anpa", "anva", "apka", "asca"),
        entropy=3.0,
        priority=30,
        source="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids",
        tp=('"UserId": "AROAF9TM5N7F2H9HQ0OI4:botocore-session-1716239022"', 'aws:userid = AIDA59D43J5P5K8AKU35S'),
        fp=('AROAAAAAAAAAAAAAAAAAA', 'AROADMAP'),
    ),
    Rule(
        id="aws-org-id",
        type="ORG_ID",
        pattern=r"\bo-[a-z0-9]{10,32}+\b",
        keywords=("o-",),
        entropy=2.5,
        priority=30,
        source="AWS Organizations API reference (Organization Id)",
        tp=('"aws:PrincipalOrgID": "o-3x10elxbbc"',),
        fp=('auto-scaling-group', 'o-short'),
    ),
    Rule(
        id="aws-ou-id",
        type="OU_ID",
        pattern=r"\bou-[0-9a-z]{4,32}+-[a-z0-9]{8,32}+\b",
        keywords=("ou-",),
        priority=30,
        source="AWS Organizations API reference (OrganizationalUnit Id)",
        tp=('parent_id = "ou-vg64-5jcn0ivg"', 'o-3x10elxbbc/r-xv47/ou-vg64-5jcn0ivg/'),
        fp=('you-know-what',),
    ),
    Rule(
        id="aws-org-root-id",
        type="ORG_ROOT_ID",
        pattern=r"(?:(?<=/)|(?<=[\"'=:\s]))r-[0-9a-z]{4,32}+(?![\w-])",
        keywords=("r-",),
        validate=lambda s: any(c.isdigit() for c in s),
        priority=30,
        source="AWS Organizations API reference (Root Id)",
        tp=('"aws:PrincipalOrgPaths": "o-3x10elxbbc/r-xv47/*"', 'target_id = "r-9z1q"'),
        fp=('r-type', 'for-each', 'owner-role'),
    ),
    Rule(
        id="email",
        type="EMAIL",
        pattern=r"(?<![\w.%+-])(?:(?<=mailto:)|(?<!:))[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}+@[A-Za-z0-9-]{1,63}+(?:\.[A-Za-z0-9-]{1,63}+){1,8}+",
        keywords=("@",),
        allow=(r"^git@",),
        validate=_email_ok,
        priority=40,
        source="RFC 5322 addr-spec, simplified (email)",
        tp=(
            'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin/jane.doe@acme-corp.com',
            'owner = "platform-team+aws@acme.io"',
        ),
        fp=('git@github.com:org/repo.git', 'hashicorp/aws@5.31.0', 'pkg@1.2.3'),
    ),
    Rule(
        id="ipv4-public",
        type="IP",
        pattern=_IPV4,
        keywords=(".",),
        validate=lambda s: (ip := _ip(s)) is not None and ip.is_global,
        priority=40,
        source="detect-secrets IPPublicDetector",
        tp=('"aws:SourceIp": "34.201.10.7/32"', 'dial tcp 52.94.76.10:443: i/o timeout'),
        fp=('cidr_blocks = ["0.0.0.0/0"]', 'http://169.254.169.254/latest/meta-data/', 'version 1.2.3', '300.1.2.3'),
    ),
    Rule(
        id="ipv4-private",
        type="PRIVATE_IP",
        pattern=_IPV4,
        keywords=(".",),
        validate=lambda s: (ip := _ip(s)) is not None and not ip.is_global,
        priority=40,
        source="RFC 1918 / RFC 6890 (keep the private/public class)",
        tp=('host = "10.12.0.5"', 'proxy 192.168.1.20:3128'),
        fp=('127.0.0.1', '10.0.0'),
    ),
)
