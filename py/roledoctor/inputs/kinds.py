"""Input kinds read by a module of their own: each module has `recognise(text) -> bool`
(cheap, never raises) and `read(name, text, lines) -> list[Recognised]`. reader.py
asks them in this order before its own kinds (JSON policies, plans, HCL, error text).
A module is imported only when its kind is first needed."""

from __future__ import annotations

import importlib

# (kind, module). Order matters: the first module that recognises a text reads it.
KINDS = (
    ("oidc-token", "roledoctor.inputs.oidctoken"),
    ("pod-identity", "roledoctor.inputs.podidentity"),
    ("aws-config", "roledoctor.inputs.awsconfig"),
    ("ci-file", "roledoctor.inputs.cifiles"),
    ("terragrunt", "roledoctor.inputs.terragrunt"),
)


def recognised(text: str):
    """(kind, module) of the first module that recognises the text, else None."""
    for kind, name in KINDS:
        mod = importlib.import_module(name)
        try:
            if mod.recognise(text):
                return kind, mod
        except Exception:  # noqa: BLE001 - recognition never raises for any text
            continue
    return None


# The page joins the files dropped into its "caller_files" box with this line (web/app.mjs).
FILE_SEPARATOR = "# ---- next file"


def split_files(text: str) -> list[tuple[int, int]]:
    """(start, end) of each file in a text joined with FILE_SEPARATOR lines; [] for one file."""
    if not isinstance(text, str) or FILE_SEPARATOR not in text:
        return []
    out, start, pos = [], 0, 0
    for line in text.split("\n"):
        if line.strip() == FILE_SEPARATOR:
            out.append((start, pos))
            start = pos + len(line) + 1
        pos += len(line) + 1
    out.append((start, len(text)))
    return [(a, b) for a, b in out if text[a:b].strip()]
