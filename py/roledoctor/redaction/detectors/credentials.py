"""Passwords and secrets by context: URLs, connection strings, HTTP auth
headers, and KEY = VALUE assignments in HCL, JSON, YAML, env and INI."""

from __future__ import annotations

from roledoctor.redaction.rules import BENIGN_KEY, Rule, assignment

# detect-secrets KeywordDetector denylist (password family)
_PASSWORD_KEYS = r"passw(?:or)?d|passphrase|(?<![a-z])pass(?![a-z])|(?<![a-z])pwd(?![a-z])|contrase[nñ]a"
# gitleaks generic-api-key keywords that name a secret outright
_SECRET_KEYS = (
    r"secret|token|api[_.-]?key|apikey|access[_.-]?key|private[_.-]?key|auth[_.-]?key|"
    r"client[_.-]?key|account[_.-]?key|service[_.-]?key|signing[_.-]?key|encryption[_.-]?key|"
    r"master[_.-]?key|db[_.-]?key|database[_.-]?key|credentials?|authtoken"
)
# weaker key words: only high-entropy values under them count
_HINT_KEYS = (
    r"key|auth|cred|cert|signature|(?<![a-z])sig(?![a-z])|salt|hmac|seed|cookie|session|bearer|"
    r"(?<![a-z])pat(?![a-z])|license|(?<![a-z])dsn(?![a-z])|(?<![a-z])sas(?![a-z])"
)

RULES = (
    Rule(
        id="url-password",
        type="PASSWORD",
        # detect-secrets BasicAuthDetector; trufflehog uri, postgres, mongodb, redis, ftp, ldap
        pattern=r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}+://[^\s:/?#@'\"<>]{0,256}+:(?P<s>[^\s/?#@'\"<>]{1,256}+)@",
        keywords=("://",),
        allow=(r"(?i)^(?:password|pass|passwd|secret|\*+|x+|%s|\{\w{0,40}\})$",),
        source="detect-secrets BasicAuthDetector; trufflehog uri/postgres/mongodb",
        tp=(
            'DATABASE_URL=postgres://app:Xk29dLmQ4pWz@db.internal:5432/app',
            'uri = "mongodb+srv://admin:S3cr3t%21pass@cluster0.abcde.mongodb.net/test"',
            'redis://:hunter2@cache:6379/0',
            'https://ci-bot:ghs_7Hq2Lm9XzP4wK1vR8tN3cY6bJ0fD5sGaE2uQ@github.com/org/repo.git',
        ),
        fp=(
            'postgres://app:${var.db_password}@db:5432/app',
            'https://user:password@example.com',
            'https://github.com/org/repo.git',
            'git@github.com:org/repo.git',
        ),
    ),
    Rule(
        id="http-authorization",
        type="AUTH_HEADER",
        pattern=r"(?i)\b(?:proxy-)?authorization(?:\\?[\"'])?[ \t]{0,5}[:=][ \t]{0,5}(?:\\?[\"'])?(?:bearer|basic|token|digest|aws4-hmac-sha256|api-?token|api-?key|sso-key|ssws)[ \t]{1,5}(?P<s>[A-Za-z0-9._~+/=,-]{8,4096}+)",
        keywords=("authorization",),
        entropy=2.5,
        source="gitleaks curl-auth-header (adapted)",
        tp=('Authorization: Basic Y2ktYm90OlhrMjlkTG1RNHBXeg==', '-H "Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0"'),
        fp=('Authorization: Bearer ${TOKEN}', 'authorization: Bearer <token>'),
    ),
    Rule(
        id="kv-password",
        type="PASSWORD",
        # detect-secrets KeywordDetector; gitleaks hashicorp-tf-password
        pattern=assignment(_PASSWORD_KEYS),
        keywords=("pass", "pwd", "contrase"),
        min_len=3,
        key_allow=BENIGN_KEY,
        source="detect-secrets KeywordDetector; gitleaks hashicorp-tf-password",
        tp=(
            'password = "hunter2!x"',
            '"db_password": "Tr0ub4dor&3",',
            'DB_PASSWORD=Xk29dLmQ4pWz',
            "  password: 'correct horse battery staple'",
            'Server=db;Database=app;User Id=sa;Password=S3cr3t;',
            'jdbc:mysql://db:3306/app?user=app&password=Xk29dLmQ&ssl=true',
            '{\\"password\\": \\"Tr0ub4dor&3\\"}',
            'master_password = "Zq8!rT3#wL"',
        ),
        fp=(
            'password = var.db_password',
            'password = random_password.db.result',
            'password_length = 24',
            'manage_master_user_password = true',
            'password = "${data.aws_ssm_parameter.db.value}"',
            'password: "{{ vault_db_password }}"',
            'password = jsondecode(data.aws_secretsmanager_secret_version.db.secret_string)["password"]',
            'password: <your-password>',
            'password = "********"',
            'passthrough = "enabled-for-all-users"',
            'bypass: everything-goes-here',
        ),
    ),
    Rule(
        id="kv-secret",
        type="SECRET",
        # gitleaks generic-api-key keywords, value as detect-secrets KeywordDetector
        pattern=assignment(_SECRET_KEYS),
        keywords=("secret", "token", "key", "credential"),
        min_len=8,
        entropy=2.5,
        key_allow=BENIGN_KEY,
        source="gitleaks generic-api-key; detect-secrets KeywordDetector",
        tp=(
            'client_secret = "q8Fz2LmN4vR7tY1wX9cB"',
            '"api_key": "3f9a1c0b7e2d4a6f8b1c3e5d"',
            'SECRET_KEY=django-insecure-7h$2k!x9q@w3e',
            '  webhook_token: Zk3p9QW1xvL7mN0bR4tY8cD2',
            'credentials = "Zk3p9QW1xvL7mN0bR4tY8cD2"',
        ),
        fp=(
            'secret_name = "prod/db/credentials"',
            'token_type = "Bearer"',
            'secret_arn = aws_secretsmanager_secret.db.arn',
            'max_tokens: 1024',
            'kms_key_id = "alias/aws/secretsmanager"',
            'secret = var.webhook_secret',
            'token: ${{ secrets.GITHUB_TOKEN }}',
            'api_key_id = "0123456789"',
            'public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDx7Kq3mZ1vN0xJb9f8sT3qWcL5aP6oH4uK1jE7gB2dY"',
            'secret_string = jsonencode(local.db)',
            'token_endpoint: https://oauth2.googleapis.com/token',
        ),
    ),
    Rule(
        id="kv-high-entropy",
        type="SECRET",
        # detect-secrets Base64HighEntropyString (limit 4.5) restricted to secret-sounding keys
        pattern=assignment(_HINT_KEYS),
        keywords=("key", "auth", "cred", "cert", "sig", "salt", "hmac", "seed", "cookie", "session", "bearer", "pat", "license", "dsn", "sas"),
        min_len=16,
        entropy=3.5,
        key_allow=BENIGN_KEY,
        validate=lambda s: "." not in s and any(c.isdigit() for c in s) and any(c.isalpha() for c in s),
        priority=70,
        source="detect-secrets Base64HighEntropyString / HexHighEntropyString",
        tp=('hmac_key = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"', 'cookie: Zk3p9QW1xvL7mN0bR4tY8cD2fH6jK5sA'),
        fp=(
            'key = "terraform/state/prod.tfstate"',
            'key = "env:/prod/network/terraform.tfstate"',
            'session_name = "terraform-ci-session"',
            'pattern = "arn:aws:iam::aws:policy/ReadOnlyAccess"',
            'cert_arn = "arn:aws:acm:us-east-1:123456789012:certificate/1"',
        ),
    ),
)
