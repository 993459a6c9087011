"""Private keys (PEM, OpenSSH, PGP) and JWTs."""

from __future__ import annotations

from roledoctor.redaction.rules import Rule

# The body between the armour lines: anything but the start of "-----"
# (so a run of headers cannot make one attempt scan past the next one);
# JSON strings carry it with literal "\n" escapes, which this also allows.
_BODY = r"(?P<s>(?:[^-]|-(?!----)){16,16384}?)"

RULES = (
    Rule(
        id="openssh-private-key",
        type="PRIVATE_KEY",
        pattern=r"-----BEGIN OPENSSH PRIVATE KEY-----" + _BODY + r"-----END OPENSSH PRIVATE KEY-----",
        keywords=("-----begin openssh private key",),
        priority=10,
        source="gitleaks private-key; detect-secrets PrivateKeyDetector",
        tp=(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDx7Kq3mZ1vN0xJb9f8sT3qWcL5aP6oH4uK1jE7gB2dYw==\n-----END OPENSSH PRIVATE KEY-----",
        ),
        fp=("-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDx7Kq3mZ1vN0xJb9f8sT3qWcL5aP6oH4uK1jE7gB2dY ci@runner"),
    ),
    Rule(
        id="pem-private-key",
        type="PRIVATE_KEY",
        # gitleaks private-key: any "... PRIVATE KEY" armour, incl. PGP "PRIVATE KEY BLOCK"
        pattern=r"-----BEGIN (?:[A-Z0-9_-]{1,30}+ ){0,4}PRIVATE KEY(?: BLOCK)?-----" + _BODY + r"-----END (?:[A-Z0-9_-]{1,30}+ ){0,4}PRIVATE KEY(?: BLOCK)?-----",
        keywords=("private key",),
        priority=11,
        source="gitleaks private-key",
        tp=(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7Kq3mZ1vN0xJb9f8sT3qWcL5aP6oH4uK1jE7gB2dYwR9tV0pX3n\nM8kL2sJ5hG7fD4aQ1zW6yC0bE9vU3iO=\n-----END RSA PRIVATE KEY-----",
            '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\\n-----END PRIVATE KEY-----\\n",',
        ),
        fp=("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAx7Kq3mZ1vN0xJb9f8sT3qWcL5a\n-----END PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----"),
    ),
    Rule(
        id="jwt",
        type="JWT",
        # gitleaks jwt; the header always starts with {" = "eyJ"
        pattern=r"\beyJ[A-Za-z0-9_-]{10,4096}+\.ey[A-Za-z0-9_-]{10,16384}+(?:\.[A-Za-z0-9_-]{0,4096}+)?",
        keywords=("eyj",),
        entropy=3.0,
        source="gitleaks jwt; detect-secrets JwtTokenDetector",
        tp=(
            'Authorization: Bearer eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJzdWIiOiAiMTIzNDU2Nzg5MCIsICJuYW1lIjogImNpIiwgImlhdCI6IDE3MTYyMzkwMjJ9.tFPSuEPyHnvnzXtsMM3JznnJAX7ebZ3CL7csGZaF31D',
            'ACTIONS_ID_TOKEN=eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJhdWQiOiJzdHMuYW1hem9uYXdzLmNvbSJ9.',
        ),
        fp=('eyJhbGciOiJSUzI1NiJ9', 'eyJhbGciOiJSUzI1NiJ9.notapayload'),
    ),
)
