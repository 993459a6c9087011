"""Dropped files to the page's boxes by the kinds table (roledoctor.inputs.kinds): the
box of the file's kind (classify), chosen by content where its row names a `box_by`;
a file whose content decides no box goes by its name."""

from __future__ import annotations

from roledoctor.inputs import kinds as table
from roledoctor.pageapi.split import split_hcl

# A file whose content decides no box is routed as the kind its name says; a .json file
# that is no policy goes to the trust box when its name says trust, else the caller's.
_BY_NAME = (((".log", ".txt"), "error"), ((".tf", ".tfvars"), "hcl"))
_JSON_BY_NAME = "not recognised as a policy: placed by its file name"
_UNKNOWN = "not recognised: error output, Terraform or a JSON policy"


def _deciding(found: list[str]) -> table.Kind | None:
    """The row of the kind that places the file: of several (a paste), the one that wins."""
    rows = [r for k in found if (r := table.row(k)) is not None]
    return max(rows, key=lambda r: r.wins, default=None)


def _parts(k: table.Kind, box: str, text: str) -> list[dict]:
    """The file in its box, named as the kind whose box it is; Terraform cut into the boxes
    its blocks belong to (split.py)."""
    if k.name == "hcl":
        return split_hcl(text) or [{"input": box, "text": text, "what": k.what}]
    what = k.what if box == k.box else next((r.what for r in table.KINDS if r.box == box), k.what)
    return [{"input": box, "text": text, "what": what}]


def _by_name(name: str, found: list[str], text: str) -> dict:
    lname = name.lower()
    for endings, kind in _BY_NAME:
        k = table.row(kind)
        if lname.endswith(endings) and k is not None:
            return {"name": name, "kinds": found, "parts": _parts(k, k.box, text), "note": ""}
    if lname.endswith(".json"):
        box = "trust_policy" if "trust" in lname else "caller_policy"
        return {"name": name, "kinds": found, "parts": [{"input": box, "text": text, "what": "JSON"}],
                "note": _JSON_BY_NAME}
    return {"name": name, "kinds": found, "parts": [], "note": _UNKNOWN}


def route_one(name: str, text: str) -> dict:
    from roledoctor.inputs import classify
    from roledoctor.limits import check_text

    too_large = check_text(text)
    if too_large:
        return {"name": name, "kinds": [], "parts": [], "note": f"not read: {too_large}"}
    found = classify(text)
    k = _deciding(found)
    box = k.box_for(name, text) if k is not None and not name.lower().endswith(k.unless_named) else ""
    if k is None or not box:
        return _by_name(name, found, text)
    return {"name": name, "kinds": found, "parts": _parts(k, box, text), "note": ""}


def route(args: dict) -> dict:
    """Method `route` {files: [{name, text}]} -> {files: [{name, kinds, parts: [{input, text, what}], note}]}."""
    files = args.get("files") or []
    return {"files": [route_one(str(f.get("name", "")), str(f.get("text", ""))) for f in files]}
