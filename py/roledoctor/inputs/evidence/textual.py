"""Evidence in plain text: a `$ aws …` command line above its JSON output (a pasted
terminal session, several commands in one paste), the CLI's NoSuchEntity error
(`An error occurred (NoSuchEntity) when calling the GetRole operation: The role with
name X cannot be found.`, https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-returncodes.html),
and the bare ARN that `aws sts get-caller-identity --query Arn --output text` prints
(https://docs.aws.amazon.com/cli/latest/reference/sts/get-caller-identity.html).

Every pattern is linear: bounded classes, no nested or adjacent ambiguous quantifiers.
"""

from __future__ import annotations

import re

# `$ aws iam get-role --role-name x` (also `> `, `PS C:\> `), at the start of a line
COMMAND = re.compile(r"^[ \t]*(?:(?:\$|>|PS [^\n>]{0,100}>)[ \t]*)?aws[ \t]+([a-z0-9-]{1,40})[ \t]+([a-z0-9-]{1,60})"
                     r"([^\n]{0,2000})$", re.M)
_OPTION = re.compile(r"(--[a-z0-9-]{1,60})(?:=|[ \t]+)(\"[^\"\n]{0,2000}\"|'[^'\n]{0,2000}'|[^ \t\n\"'-][^ \t\n]{0,2000})")
NO_SUCH_ENTITY = re.compile(r"(?:\(NoSuchEntity\) when calling the ([A-Za-z]{1,60}) operation|NoSuchEntity(?:Exception)?)"
                            r":[ \t]*([^\n]{0,1000})")
_ROLE_NAME = re.compile(r"role with name ([\w+=,.@-]{1,64}) cannot be found")
_ARN_IN = re.compile(r"arn:aws[a-z-]{0,20}:iam::[0-9]{12}:[A-Za-z0-9+=,.@_/-]{1,1000}")
CALLER_ARN = re.compile(r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{8,20}Z[ \t]+)?[ \t]*"
                        r"(arn:aws[a-z-]{0,20}:(?:iam|sts)::[0-9]{12}:(?:(?:user|assumed-role|federated-user)/"
                        r"[A-Za-z0-9+=,.@_/-]{1,512}|root))[ \t]*\r?$", re.M)


def options(rest: str) -> dict[str, str]:
    return {m.group(1): m.group(2).strip("\"'") for m in _OPTION.finditer(rest)}


def command_blocks(text: str) -> list[tuple[dict, int, int]]:
    """({"service", "operation", "--opt": value}, start, end) of the JSON output after each
    `$ aws …` line, up to the next such line."""
    lines = list(COMMAND.finditer(text))
    out = []
    for k, m in enumerate(lines):
        start = m.end()
        end = lines[k + 1].start() if k + 1 < len(lines) else len(text)
        i = start
        while i < end and text[i] in " \t\r\n":
            i += 1
        if i < end and text[i] == "{":
            cmd = {"service": m.group(1), "operation": m.group(2), **options(m.group(3))}
            out.append((cmd, i, end))
    return out


def not_found(text: str) -> dict | None:
    m = NO_SUCH_ENTITY.search(text)
    if not m:
        return None
    message = m.group(2).strip()
    op = m.group(1) or ""
    out = {"operation": op, "message": message, "start": m.start(), "end": m.end()}
    r = _ROLE_NAME.search(message)
    if r or op == "GetRole":
        out["entity"], out["name"] = "role", r.group(1) if r else ""
    elif "OpenIDConnect" in op or "OpenIDConnect" in message:
        out["entity"] = "oidc-provider"
    else:
        out["entity"] = "entity"
    a = _ARN_IN.search(message)
    if a:
        out["arn"] = a.group(0).rstrip(".")
    return out


def caller_arns(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(1), m.start(1), m.end(1)) for m in CALLER_ARN.finditer(text)]
