"""Evidence in plain text: a `$ aws …` command line above its JSON output (a pasted
terminal session, several commands in one paste), the CLI's NoSuchEntity error
(`An error occurred (NoSuchEntity) when calling the GetRole operation: The role with
name X cannot be found.`, https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-returncodes.html),
and the bare ARN that `aws sts get-caller-identity --query Arn --output text` prints
(https://docs.aws.amazon.com/cli/latest/reference/sts/get-caller-identity.html).

Every pattern is linear: bounded classes, no nested or adjacent ambiguous quantifiers.
"""

from __future__ import annotations

import json
import re

# `$ aws iam get-role --role-name x` (also `> `, `PS C:\> `), at the start of a line
COMMAND = re.compile(r"^[ \t]*(?:(?:\$|>|PS [^\n>]{0,100}>)[ \t]*)?aws[ \t]+([a-z0-9-]{1,40})[ \t]+([a-z0-9-]{1,60})"
                     r"([^\n]{0,2000})$", re.M)
NO_SUCH_ENTITY = re.compile(r"(?:\(NoSuchEntity\) when calling the ([A-Za-z]{1,60}) operation|NoSuchEntity(?:Exception)?)"
                            r":[ \t]*([^\n]{0,1000})")
_ROLE_NAME = re.compile(r"role with name ([\w+=,.@-]{1,64}) cannot be found")
_ARN_IN = re.compile(r"arn:aws[a-z-]{0,20}:iam::[0-9]{12}:[A-Za-z0-9+=,.@_/-]{1,1000}")
CALLER_ARN = re.compile(r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{8,20}Z[ \t]+)?[ \t]*"
                        r"(arn:aws[a-z-]{0,20}:(?:iam|sts)::[0-9]{12}:(?:(?:user|assumed-role|federated-user)/"
                        r"[A-Za-z0-9+=,.@_/-]{1,512}|root))[ \t]*\r?$", re.M)


_DECODER = json.JSONDecoder()


# The whole paste is one ARN: the caller as the user knows it (also a role's own ARN).
ONLY_ARN = re.compile(r"[ \t\r\n]*(arn:aws[a-z-]{0,20}:(?:iam|sts)::[0-9]{12}:(?:(?:user|assumed-role|federated-user|role)/"
                      r"[A-Za-z0-9+=,.@_/-]{1,512}|root))[ \t\r\n]*")


def options(rest: str) -> dict[str, str]:
    """`--name value` and `--name=value` pairs of a command line (words split on blanks, quotes dropped)."""
    words = rest.split()
    out: dict[str, str] = {}
    for i, w in enumerate(words):
        if not w.startswith("--") or len(w) < 3:
            continue
        if "=" in w:
            name, value = w.split("=", 1)
        elif i + 1 < len(words) and not words[i + 1].startswith("--"):
            name, value = w, words[i + 1]
        else:
            continue
        out[name] = value.strip("\"'")
    return out


def objects(text: str) -> tuple[list[tuple[dict | None, int, int]], list[tuple[int, int]]]:
    """The JSON objects of a paste, each with the `$ aws …` line above it (or None):
    ([(command, start, end)], ranges read). One pass, line by line; each object's end is
    found by the stdlib's C decoder. Several outputs (pasted one after another, or files
    dropped into one box) come out one by one."""
    out: list[tuple[dict | None, int, int]] = []
    covered: list[tuple[int, int]] = []
    cmd: dict | None = None
    i, n = 0, len(text)
    while i < n:
        j = text.find("\n", i)
        end = n if j < 0 else j
        k = i
        while k < end and text[k] in " \t\r\ufeff":
            k += 1
        if k == end:
            i = end + 1
            continue
        m = COMMAND.match(text, i) if text[k] in "$>Pa" else None
        if m and m.end() <= end:
            cmd = {"service": m.group(1), "operation": m.group(2), **options(m.group(3))}
            covered.append((m.start(), m.end()))
            i = end + 1
            continue
        if text[k] == "{":
            try:
                _, e = _DECODER.raw_decode(text, k)
            except (ValueError, RecursionError):
                i = end + 1
                continue
            out.append((cmd, k, e))
            covered.append((k, e))
            cmd, i = None, e
            continue
        i = end + 1
    return out, covered


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
    whole = ONLY_ARN.fullmatch(text) if len(text) < 2000 else None
    if whole:
        return [(whole.group(1), whole.start(1), whole.end(1))]
    return [(m.group(1), m.start(1), m.end(1)) for m in CALLER_ARN.finditer(text)]
