"""`aws sts get-caller-identity` output, and the catch-all for JSON no other kind
recognises (classify calls it "json": the page places it by its file name).
https://docs.aws.amazon.com/cli/latest/reference/sts/get-caller-identity.html
"""

from __future__ import annotations

from typing import Any

from roledoctor.inputs import jsonkind, jsonspan
from roledoctor.inputs.model import CallerIdentity, Recognised
from roledoctor.source import LineIndex


def caller_identity(value: Any) -> CallerIdentity | None:
    """{"UserId": …, "Account": …, "Arn": "arn:aws:…"} as printed by get-caller-identity."""
    if not isinstance(value, dict) or not isinstance(value.get("Arn"), str):
        return None
    if set(value) - {"UserId", "Account", "Arn", "ResponseMetadata"} or not value["Arn"].startswith("arn:aws"):
        return None
    account, user_id = value.get("Account"), value.get("UserId")
    return CallerIdentity("", value["Arn"], account if isinstance(account, str) else None,
                          user_id if isinstance(user_id, str) else None)


def recognise_json(text: str, parsed) -> bool:
    return True  # the last JSON row: whatever JSON is left


def recognise(text: str) -> bool:
    try:
        return caller_identity(jsonspan.parse(text, positions=False).value) is not None
    except jsonspan.JSONSyntaxError:
        return False


def read_json(name: str, text: str, lines: LineIndex, doc: jsonspan.JSONDoc) -> list[Recognised]:
    """Caller identity; any other JSON left to this last row is a problem saying what it is not."""
    ci = caller_identity(doc.value)
    if ci is None:
        return [jsonkind.unrecognised(name, lines, doc)]
    ci.input, ci.span = name, lines.span(doc.start, doc.end)
    return [Recognised(name, "caller-identity", ci, ci.span)]


def read(name: str, text: str, lines: LineIndex) -> list[Recognised]:
    return jsonkind.read_whole(name, text, lines, read_json)


def box(name: str, text: str) -> str:
    """The kinds table's box_by: get-caller-identity output is AWS evidence; other JSON, ""."""
    from roledoctor.inputs.reader import read as read_any
    return "aws_evidence" if any(r.kind == "caller-identity" for r in read_any("route", text)) else ""
