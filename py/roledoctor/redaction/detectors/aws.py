"""AWS credentials: access key ids, secret access keys, session tokens."""

from __future__ import annotations

from roledoctor.redaction.rules import Rule, assignment

RULES = (
    Rule(
        id="aws-access-key-id",
        type="ACCESS_KEY_ID",
        # gitleaks aws-access-token; [A-Z0-9] as trufflehog aws/access_keys (old ids)
        pattern=r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b",
        keywords=("a3t", "akia", "asia", "abia", "acca"),
        entropy=3.0,
        allow=(r"EXAMPLE$",),  # gitleaks allowlist: AWS documentation keys
        source="gitleaks aws-access-token; trufflehog aws/access_keys",
        tp=(
            'aws_access_key_id = AKIAUJZDEGXDNCF32EPF',
            '"AccessKeyId": "ASIA3DHODZDOCIS2JHTL",',
            'export AWS_ACCESS_KEY_ID="AKIA2QPFZ7WMXRT6K4NB"',
        ),
        fp=(
            'access_key = "AKIAIOSFODNN7EXAMPLE"',
            'AKIAAAAAAAAAAAAAAAAA',  # entropy below the floor
            'XAKIAUJZDEGXDNCF32EPFX',  # inside a longer word
            'AKIAUJZDEGXD',  # too short
        ),
    ),
    Rule(
        id="aws-secret-access-key",
        type="SECRET_ACCESS_KEY",
        # detect-secrets AWSKeyDetector secret-key regex, as an assignment
        pattern=assignment(
            r"aws_?secret_?access_?key|secret_?access_?key|aws_?secret_?key|secretkey|aws_?secret",
            r"(?:\\?[\"'])?(?P<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
        ),
        keywords=("secret",),
        entropy=3.0,
        allow=(r"EXAMPLEKEY$",),
        source="detect-secrets AWSKeyDetector; gitleaks v7 AWS Secret Key",
        tp=(
            'aws_secret_access_key = nyVmihA/2O76UMFxFkM/R5Kjp1vRt+1fjORS/6il',
            '"SecretAccessKey": "Kq2v7ZcN1xWm9TbH4yRf0LpA3sDgE6uJ8iOk5Pn/",',
            'AWS_SECRET_ACCESS_KEY=Ztm4QvX0bY7cR2nL9pK5wH1jF8sD3gA6eU+iO/rT',
        ),
        fp=(
            'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
            'aws_secret_access_key = ${AWS_SECRET}',
            'secret_access_key_rotation_days = 90',
        ),
    ),
    Rule(
        id="aws-secret-access-key-bare",
        type="SECRET_ACCESS_KEY",
        # trufflehog aws/access_keys secret regex with its 4.25 entropy gate;
        # hex strings (git hashes) stay below the gate
        pattern=r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
        entropy=4.25,
        validate=lambda s: any(c.isdigit() for c in s) and any(c.islower() for c in s) and any(c.isupper() for c in s),
        source="trufflehog aws/access_keys (secret pattern, entropy 4.25)",
        priority=60,
        tp=('credentials: AKIA2QPFZ7WMXRT6K4NB nyVmihA/2O76UMFxFkM/R5Kjp1vRt+1fjORS/6il',),
        fp=(
            'commit 69dad8199bfca8b6f3a6a9421cc1c93016f1c426',
            'path/to/some/deeply/nested/module/file/x',
            'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        ),
    ),
    Rule(
        id="aws-session-token",
        type="SESSION_TOKEN",
        # trufflehog aws/session_keys: [A-Za-z0-9+/]{100,}={0,3}
        pattern=assignment(
            r"aws_?session_?token|session_?token|security_?token|x-amz-security-token",
            r"(?:\\?[\"'])?(?P<s>[A-Za-z0-9/+]{100,4096}+={0,3})",
        ),
        keywords=("token",),
        entropy=3.5,
        source="trufflehog aws/session_keys",
        tp=(
            'aws_session_token = IQoJb3JpZ2luX2VjI8ihN5KXSc7Tvo/hBKqFYY/kv5ZJr3J1TWDtkwtDDb+xHKas1VOqg6YYZYn9ZhyiA4uoRgnatmUdjAWtGSU8po+799NksnRH9ucAUsdMlHUvTCQCyEZDz/Td',
            '"SessionToken": "FwoGZXIvYXdzEJr//////////wEaDM3xk0b5Gq1mYk9TyCKAAXq1w8oPz7fJdR0sVb3nLc2Hy6tQeKjW4uA9iXpMgZ5oNvEr1bFsCdT0hUlI7yO3aP8wQmRkGx2JeSzV6nYc",',
        ),
        fp=('session_token_duration = 3600', 'aws_session_token = var.session_token'),
    ),
    Rule(
        id="aws-session-token-bare",
        type="SESSION_TOKEN",
        # STS session tokens begin with a fixed base64 prefix:
        # "IQoJb3JpZ2luX2Vj" (= "!\n\torigin_ec") or the older "FwoGZXIvYXdzE"
        pattern=r"(?<![A-Za-z0-9/+=])(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE)[A-Za-z0-9/+]{50,4096}+={0,3}",
        keywords=("iqojb3jpz2lux2vj", "fwogzxivyxdze"),
        source="STS token prefix (observed format)",
        tp=('X-Amz-Security-Token: IQoJb3JpZ2luX2VjEHkaCXVzLWVhc3QtMSJHMEUCIQDk2yR7mZ1vN0xJb9f8sT3qWcL5aP6oH4uK1jE7gB2dYwIgR9tV0pX3nM8kL2sJ5hG7fD4aQ1zW6yC0bE9vU3iO',),
        fp=('IQoJb3JpZ2luX2Vj',),
    ),
    Rule(
        id="aws-bedrock-api-key",
        type="BEDROCK_API_KEY",
        # gitleaks aws-amazon-bedrock-api-key-long-lived
        pattern=r"\bABSK[A-Za-z0-9+/]{109,269}+={0,2}",
        keywords=("absk",),
        entropy=3.0,
        source="gitleaks aws-amazon-bedrock-api-key-long-lived",
        tp=('BEDROCK_KEY=ABSKDxp63OHm1FZuG296c0xPbX+neGBuzSm6A8cVR06AxYpThGJWZhbj11THnCMZCY7Bvqiy8CsT07Lq8TDIWG2x9aJTFMP9+2kUtMXhkPrSbbAjLGmsDx5StAZv',),
        fp=('ABSKDxp63OHm1FZuG296c0xPbX',),
    ),
)
