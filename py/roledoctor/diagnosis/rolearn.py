"""IAM role ARN validity (reference-arns.md: arn:PARTITION:iam::ACCOUNT:role/PATH/NAME;
IAM ARNs have no region; role names are [\\w+=,.@-]{1,64})."""

from __future__ import annotations

import re

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
# One character class per part, fully anchored: linear time.
_ROLE_RESOURCE = re.compile(r"role/(?:[!-~]{1,510}/)?[A-Za-z0-9_+=,.@-]{1,64}")


def role_arn_problem(arn: str) -> tuple[str, str | None] | None:
    """-> (what is wrong, the valid form when it can be derived) or None when valid."""
    if arn != arn.strip():
        return "it has leading or trailing whitespace", arn.strip()
    if any(c.isspace() for c in arn):
        return "it contains whitespace", "".join(arn.split())
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return "it is not an ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)", None
    _, part, service, region, account, resource = parts
    fixed = None
    why = []
    if part not in PARTITIONS:
        why.append(f"unknown partition {part!r}")
    if service == "sts" and resource.startswith("assumed-role/"):
        bits = resource.split("/")
        why.append("it is an assumed-role session ARN, not the role")
        if len(bits) >= 2 and bits[1]:
            fixed = f"arn:{part}:iam::{account}:role/{bits[1]}"
    elif service != "iam":
        why.append(f"the service is {service!r}, not iam")
    if region:
        why.append(f"IAM ARNs have no region (found {region!r})")
    if not (len(account) == 12 and account.isdigit()):
        why.append(f"the account {account!r} is not 12 digits")
    if not resource.startswith("assumed-role/") and not _ROLE_RESOURCE.fullmatch(resource):
        why.append("the resource is not role/NAME")
    if not why:
        return None
    if fixed is None and part in PARTITIONS and len(account) == 12 and account.isdigit() and \
            _ROLE_RESOURCE.fullmatch(resource):
        fixed = f"arn:{part}:iam::{account}:{resource}"
    return "; ".join(why), fixed


