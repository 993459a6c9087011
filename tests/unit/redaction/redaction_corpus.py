"""Synthetic secrets (seeded RNG) embedded in HCL, JSON, env, YAML and error
logs, plus benign look-alikes. Every value here is random or invented."""

from __future__ import annotations

import base64
import json
import random
import string
from dataclasses import dataclass

ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"
B32 = string.ascii_uppercase + "234567"
LOWER_ALNUM = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"


@dataclass(frozen=True)
class Sample:
    name: str
    text: str
    secrets: tuple[str, ...]  # strings that must not survive redaction


def _rs(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _pem_body(rng: random.Random, lines: int = 6) -> list[str]:
    return ["MIIE" + _rs(rng, 60, B64)] + [_rs(rng, 64, B64) for _ in range(lines - 1)]


# name -> (key name used in assignments, value maker, self-identifying?)
# Self-identifying values (prefixed tokens) also appear in logs without a key.
def _makers() -> list[tuple[str, str, object, bool]]:
    return [
        ("aws-access-key-id", "aws_access_key_id", lambda r: "AKIA" + _rs(r, 16, B32), True),
        ("aws-temp-key-id", "access_key_id", lambda r: "ASIA" + _rs(r, 16, B32), True),
        ("aws-secret-key", "aws_secret_access_key", lambda r: _rs(r, 40, B64), False),
        ("aws-session-token", "aws_session_token", lambda r: "IQoJb3JpZ2luX2Vj" + _rs(r, 300, B64), True),
        ("github-pat", "github_token", lambda r: "ghp_" + _rs(r, 36), True),
        ("github-oauth", "oauth_token", lambda r: "gho_" + _rs(r, 36), True),
        ("github-app", "installation_token", lambda r: "ghs_" + _rs(r, 36), True),
        ("github-fine-grained", "gh_token", lambda r: "github_pat_" + _rs(r, 22) + "_" + _rs(r, 59), True),
        ("gitlab-pat", "gitlab_token", lambda r: "glpat-" + _rs(r, 20, URLSAFE), True),
        ("slack-bot", "slack_bot_token", lambda r: f"xoxb-{_rs(r, 12, string.digits)}-{_rs(r, 13, string.digits)}-{_rs(r, 24)}", True),
        ("slack-webhook", "slack_webhook_url", lambda r: f"https://hooks.slack.com/services/T{_rs(r, 8, string.ascii_uppercase)}/B{_rs(r, 10, string.ascii_uppercase)}/{_rs(r, 24)}", True),
        ("stripe", "stripe_secret_key", lambda r: "sk_live_" + _rs(r, 24), True),
        ("google-api-key", "google_api_key", lambda r: "AIza" + _rs(r, 35, URLSAFE), True),
        ("azure-client-secret", "client_secret", lambda r: _rs(r, 3) + str(r.randint(0, 9)) + "Q~" + _rs(r, 34, ALNUM + "_~.-"), True),
        ("vault", "vault_token", lambda r: "hvs." + _rs(r, 95, URLSAFE), True),
        ("tfc", "tfe_token", lambda r: _rs(r, 14, LOWER_ALNUM) + ".atlasv1." + _rs(r, 67), True),
        ("npm", "npm_token", lambda r: "npm_" + _rs(r, 36), True),
        ("pypi", "pypi_token", lambda r: "pypi-AgEIcHlwaS5vcmc" + _rs(r, 120, URLSAFE), True),
        ("openai", "openai_api_key", lambda r: "sk-proj-" + _rs(r, 74, URLSAFE) + "T3BlbkFJ" + _rs(r, 74, URLSAFE), True),
        ("anthropic", "anthropic_api_key", lambda r: "sk-ant-api03-" + _rs(r, 93, URLSAFE) + "AA", True),
        ("jwt", "id_token", lambda r: _b64url(b'{"alg":"RS256","kid":"' + _rs(r, 8).encode() + b'"}') + "." + _b64url(json.dumps({"sub": _rs(r, 10), "aud": "sts.amazonaws.com"}).encode()) + "." + _rs(r, 86, URLSAFE), True),
        ("password", "db_password", lambda r: _rs(r, 14, ALNUM + "!%*-_+.") + "9", False),
        ("client-secret", "client_secret", lambda r: _rs(r, 32, ALNUM), False),
        ("hmac-key", "hmac_key", lambda r: _rs(r, 40, HEX), False),
    ]


def _embed(fmt: str, key: str, value: str, self_identifying: bool) -> str:
    if fmt == "hcl":
        return f'resource "example_thing" "this" {{\n  name = "ci"\n  {key} = "{value}"\n}}\n'
    if fmt == "json":
        return json.dumps({"name": "ci", key: value, "region": "us-east-1"}, indent=2) + "\n"
    if fmt == "env":
        return f"AWS_REGION=eu-west-1\n{key.upper()}={value}\nLOG_LEVEL=debug\n"
    if fmt == "yaml":
        return f"jobs:\n  deploy:\n    env:\n      {key}: {value}\n      region: us-east-1\n"
    # error log
    if self_identifying:
        return f"2024-05-01T10:00:00Z ERROR authentication failed for credential {value} (status 401)\n"
    return f"2024-05-01T10:00:00Z DEBUG loaded config {key}={value} from environment\n"


FORMATS = ("hcl", "json", "env", "yaml", "log")


def secret_samples(seed: int = 20240501) -> list[Sample]:
    rng = random.Random(seed)
    out: list[Sample] = []
    for name, key, make, self_id in _makers():
        for fmt in FORMATS:
            value = make(rng)
            out.append(Sample(f"{name}/{fmt}", _embed(fmt, key, value, self_id), (value,)))
    # private keys: PEM in a heredoc, in JSON with \n escapes, in YAML block scalar; OpenSSH raw
    body = _pem_body(rng)
    pem = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(body) + "\n-----END RSA PRIVATE KEY-----"
    out.append(Sample("pem/hcl", f'resource "tls_thing" "k" {{\n  private_key = <<-EOT\n{pem}\nEOT\n}}\n', tuple(body)))
    body = _pem_body(rng)
    pem = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(body) + "\n-----END PRIVATE KEY-----\n"
    out.append(Sample("pem/json", json.dumps({"type": "service_account", "private_key": pem}, indent=2), tuple(body)))
    body = _pem_body(rng)
    out.append(Sample("pem/yaml", "tls:\n  key: |\n    -----BEGIN EC PRIVATE KEY-----\n" + "".join(f"    {b}\n" for b in body) + "    -----END EC PRIVATE KEY-----\n", tuple(body)))
    body = ["b3BlbnNzaC1rZXktdjEAAAAA" + _rs(rng, 46, B64)] + [_rs(rng, 70, B64) for _ in range(4)]
    out.append(Sample("openssh/log", "deploy key:\n-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(body) + "\n-----END OPENSSH PRIVATE KEY-----\n", tuple(body)))
    # passwords in URLs and connection strings
    for scheme, host in (("postgres", "db.internal:5432/app"), ("mysql", "10.1.2.3:3306/app"), ("mongodb+srv", "cluster0.x1y2z.mongodb.net/prod"), ("redis", "cache:6379/0"), ("amqps", "mq.acme.io/vhost")):
        pw = _rs(rng, 16, ALNUM + "-_.~!*")
        out.append(Sample(f"url-password/{scheme}", f'DATABASE_URL="{scheme}://app_user:{pw}@{host}"\n', (pw,)))
    pw = _rs(rng, 12, ALNUM)
    out.append(Sample("connection-string/ado", f"Server=tcp:sql.acme.io,1433;Database=app;User ID=app;Password={pw};Encrypt=true;\n", (pw,)))
    pw = _rs(rng, 12, ALNUM)
    out.append(Sample("connection-string/jdbc", f"jdbc:postgresql://db:5432/app?user=app&password={pw}&ssl=true\n", (pw,)))
    key = _rs(rng, 86, B64) + "=="
    out.append(Sample("azure-storage/conn", f"DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey={key};EndpointSuffix=core.windows.net\n", (key,)))
    # identifiers
    caller, target, other = (str(rng.randint(10**11, 10**12 - 1)) for _ in range(3))
    ext = f"acme-{_rs(rng, 6, LOWER_ALNUM)}"
    aroa = "AROA" + _rs(rng, 17, string.ascii_uppercase + string.digits)
    org = "o-" + _rs(rng, 10, LOWER_ALNUM)
    ou = "ou-" + _rs(rng, 4, LOWER_ALNUM) + "-" + _rs(rng, 8, LOWER_ALNUM)
    email = f"{_rs(rng, 6, string.ascii_lowercase)}.{_rs(rng, 5, string.ascii_lowercase)}@acme-corp.com"
    out.append(Sample("ids/error-log", (
        f"Error: failed to assume role\nAWS Error: AccessDenied: User: arn:aws:sts::{caller}:assumed-role/AWSReservedSSO_Admin_0a1b/{email}\n"
        f"is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{target}:role/deploy\n"
    ), (caller, target, email)))
    out.append(Sample("ids/trust-json", json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{caller}:role/ci", other]},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": ext, "aws:PrincipalOrgID": org}},
        }],
    }, indent=2), (caller, other, ext, org)))
    out.append(Sample("ids/provider-hcl", (
        f'provider "aws" {{\n  allowed_account_ids = ["{target}"]\n  assume_role {{\n'
        f'    role_arn    = "arn:aws:iam::{target}:role/deploy"\n    external_id = "{ext}"\n  }}\n}}\n'
    ), (target, ext)))
    out.append(Sample("ids/caller-identity", json.dumps({"UserId": f"{aroa}:botocore-session-1714557600", "Account": caller, "Arn": f"arn:aws:sts::{caller}:assumed-role/ci/botocore-session-1714557600"}, indent=2), (caller, aroa)))
    out.append(Sample("ids/scp-yaml", f"conditions:\n  aws:PrincipalOrgPaths: {org}/r-{_rs(rng, 4, string.digits)}/{ou}/*\n  aws:SourceIp: 52.{rng.randint(0, 255)}.{rng.randint(0, 255)}.7/32\n", (org, ou)))
    ip = f"34.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    out.append(Sample("ids/ip-log", f"Error: dial tcp {ip}:443: connect: connection refused (via proxy 10.20.30.40:3128)\n", (ip, "10.20.30.40")))
    ecr = str(rng.randint(10**11, 10**12 - 1))
    out.append(Sample("ids/ecr-image", f'image = "{ecr}.dkr.ecr.eu-west-1.amazonaws.com/app:1.4.2"\n', (ecr,)))
    return out


# Look-alikes that must come out unchanged.
BENIGN: tuple[str, ...] = (
    '# .terraform.lock.hcl\nprovider "registry.terraform.io/hashicorp/aws" {\n  version = "5.31.0"\n  hashes = [\n'
    '    "h1:Oo8TJUPRnjEDbLzK8oJw0NrKJz0JlYMJe2HQJ5M3m7s=",\n'
    '    "zh:0ad68ea2aa3eb49a04c3dfd75fc0b8a1f7c7e5c7d3f0e4dbc31f0fb2be5d2a11",\n  ]\n}\n',
    'image: ghcr.io/acme/app@sha256:4c9b2a7f1e3d5c8b0a6f9e2d1c4b7a0f3e6d9c2b5a8f1e4d7c0b3a6f9e2d5c8b',
    'ami = "ami-0abcdef1234567890"',
    'password = var.db_password',
    'password = random_password.db.result',
    'password = "${var.db_password}"',
    'token: ${{ secrets.GITHUB_TOKEN }}',
    'managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"]',
    '"Principal": {"Service": ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]}',
    'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'commit 9fceb02d0ae598e95dc970b74767f19372d61af8\nAuthor: CI <ci>',
    'request id: a1b2c3d4-5678-90ab-cdef-111122223333',
    'status code: 403, request id: 6f1d0e2b-9c4a-4b7e-8f3d-2a1c0b9e8d7f',
    '"Timestamp": 1700000000000, "Duration": 123456789012345',
    'Terraform v1.8.5 on linux_amd64 + provider registry.terraform.io/hashicorp/aws v5.31.0',
    'region = "us-east-1"\nsession_name = "terraform-ci-session"\nduration_seconds = 3600',
    'password_length = 24\nmin_password_length = 14\nrequire_symbols = true',
    'secret_name = "prod/db/credentials"\nsecret_arn = aws_secretsmanager_secret.db.arn',
    'token_type = "Bearer"\nmax_tokens: 1024',
    'kms_key_id = "alias/aws/secretsmanager"',
    'key    = "env:/prod/network/terraform.tfstate"\nbucket = "acme-terraform-state"',
    'public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDx7Kq3mZ1vN0xJb9f8sT3qWcL5aP6oH4uK1jE7gB2dY ci@runner"',
    'cidr_blocks = ["0.0.0.0/0"]\nmetadata = "http://169.254.169.254/latest/api/token"',
    'source = "git::https://github.com/acme/modules.git//vpc?ref=v1.2.0"',
    'git@github.com:acme/infra.git',
    '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----',
    'Resource: arn:aws:s3:::acme-artifacts/*',
    'Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]',
    '"Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}',
    'terraform { required_providers { aws = { source = "hashicorp/aws", version = "~> 5.0" } } }',
    'count = length(var.subnets)\nfor_each = toset(var.names)',
    'password: "{{ vault_db_password }}"',
    'api_key_id = "0123456789"',
    'manage_master_user_password = true',
    'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx placeholder',
    'Error: Invalid provider configuration; the session name must be 2-64 characters',
    'auto-scaling-group and for-each and owner-role',
    'The account ID must be 12 digits, e.g. <ACCOUNT_ID>.',
    'checksum: sha512:' + "ab" * 64,
    'uuid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"',
    'export AWS_PROFILE=prod\nexport AWS_REGION=eu-west-1',
    'Error: creating IAM Role (deploy): EntityAlreadyExists: Role with name deploy already exists.',
)


def self_identifying_secrets(seed: int = 7) -> list[str]:
    """Values any detector finds without a key next to them (prefixed tokens)."""
    rng = random.Random(seed)
    return [make(rng) for _, _, make, self_id in _makers() if self_id]
