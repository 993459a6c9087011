"""Every input kind, in one table: what recognises it, what reads it, which box of
the page it goes to and how the page and `inspect` name it.

Adding a kind = a module with `recognise(text) -> bool` (cheap, never raises) and
`read(name, text, lines) -> list[Recognised]` (facts with spans), and a row here.
reader.classify asks the rows stage by stage, in this order:

  own         texts that say which kind they are (tokens, AWS config, CI files, ...):
              the first row whose module recognises the text reads it
  json        a text that parses as JSON: `recognise_json(text, value)` with the value
              parsed once; the first row that recognises it is the kind, read by
              `read_json(name, text, lines, doc)` with the document parsed once (spans
              included) when the row names one, else by `read`; a reader that gives
              None after all hands the text to the next row
  log         logfmt lines quoting an error
  text        everything else: every row that recognises the text (a paste may hold
              AWS output, HCL and an error at once)
  aws-output  the AWS CLI / CloudTrail outputs of the aws-evidence kind, one row per
              output: `recognise` and `read` name the family module's functions
              (inputs/evidence/ registers them from here)

The page routes a dropped file by its row (pageapi/routing.py): the row's `box`; a row
naming `box_by` lets its module choose the box by content (`box_by(name, text)`: a box,
or "" for the row's own); `unless_named` file name endings send a file of the kind to the
box its name says instead; a text holding several kinds goes by the one that `wins`.

Modules are imported only when their row is first asked.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any


@dataclass(frozen=True)
class Kind:
    name: str  # the kind classify() returns / the Recognised kind
    module: str  # what recognises and reads it
    stage: str  # own | json | log | text | aws-output
    box: str = ""  # the page's box for a dropped file of this kind ("" = decided by the router)
    what: str = ""  # how the page and `inspect` call it
    recognise: str = "recognise"  # function names in `module`
    read: str = "read"
    read_json: str = ""  # stage json: a reader of the parsed document (name, text, lines, doc)
    box_by: str = ""  # a function (name, text) -> box in `module`: the box by content, "" for `box`
    unless_named: tuple[str, ...] = ()  # file name endings that route a file of this kind by its name
    wins: int = 0  # a text holding several kinds goes to the box of the one with the highest

    def box_for(self, name: str, text: str) -> str:
        """The page's box for a dropped file of this kind: by content when the row says so."""
        return (getattr(self.load(), self.box_by)(name, text) if self.box_by else "") or self.box

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)

    def recogniser(self) -> Any:
        return getattr(self.load(), self.recognise)

    def reader(self) -> Any:
        return getattr(self.load(), self.read)

    def json_reader(self) -> Any:
        """(name, text, lines, doc) -> records, or None: this row does not read it after all."""
        if self.read_json:
            return getattr(self.load(), self.read_json)
        read = self.reader()
        return lambda name, text, lines, doc: read(name, text, lines)


_IAM = "roledoctor.inputs.evidence.iam"
_ORGS = "roledoctor.inputs.evidence.orgs"
_OIDC = "roledoctor.inputs.evidence.oidc"
_TRAIL = "roledoctor.inputs.evidence.cloudtrail"

KINDS: tuple[Kind, ...] = (
    # where the caller comes from: the page's "caller_files" box
    Kind("oidc-token", "roledoctor.inputs.oidctoken", "own", "caller_files", "OIDC token (decoded, not verified)"),
    Kind("pod-identity", "roledoctor.inputs.podidentity", "own", "caller_files", "EKS Pod Identity association"),
    Kind("aws-config", "roledoctor.inputs.awsconfig", "own", "caller_files", "AWS config, credentials or environment"),
    Kind("ci-file", "roledoctor.inputs.cifiles", "own", "caller_files", "CI file"),
    Kind("terragrunt", "roledoctor.inputs.terragrunt", "own", "caller_files", "terragrunt.hcl"),
    # JSON, by content
    Kind("aws-evidence", "roledoctor.inputs.evidence", "json", "aws_evidence", "AWS output",
         recognise="recognise_json", read_json="read_json", wins=1),
    Kind("plan", "roledoctor.inputs.plan", "json", "provider", "plan", recognise="recognise_json",
         read_json="read_json", unless_named=(".log", ".txt")),
    # a policy's box is what it is: trust, caller permissions or organization policy
    Kind("policy-json", "roledoctor.inputs.policyjson", "json", "trust_policy", "policy",
         recognise="recognise_json", read_json="read_json", box_by="box"),
    Kind("error", "roledoctor.inputs.errortext", "json", "error", "error output", recognise="recognise_json",
         wins=2),
    # get-caller-identity output goes with the AWS output; other JSON by its file name
    Kind("json", "roledoctor.inputs.identity", "json", "", "JSON", recognise="recognise_json",
         read_json="read_json", box_by="box"),
    # logfmt log lines (logrus, kiam, kube controllers)
    Kind("error", "roledoctor.inputs.errortext", "log", "error", "error output", recognise="recognise_log",
         wins=2),
    # any other text
    Kind("aws-evidence", "roledoctor.inputs.evidence", "text", "aws_evidence", "AWS output",
         recognise="recognise_text", wins=1),
    Kind("hcl", "roledoctor.inputs.terraform", "text", "provider", "Terraform"),
    Kind("error", "roledoctor.inputs.errortext", "text", "error", "error output", wins=2),
    # AWS CLI and CloudTrail outputs (all of kind aws-evidence)
    Kind("get-role", _IAM, "aws-output", recognise="is_get_role", read="read_get_role"),
    Kind("inline-policy", _IAM, "aws-output", recognise="is_inline_policy", read="read_inline_policy"),
    Kind("policy-names", _IAM, "aws-output", recognise="is_policy_names", read="read_policy_names"),
    Kind("attached-policies", _IAM, "aws-output", recognise="is_attached", read="read_attached"),
    Kind("get-policy", _IAM, "aws-output", recognise="is_get_policy", read="read_get_policy"),
    Kind("policy-version", _IAM, "aws-output", recognise="is_policy_version", read="read_policy_version"),
    Kind("get-user", _IAM, "aws-output", recognise="is_get_user", read="read_get_user"),
    Kind("groups-for-user", _IAM, "aws-output", recognise="is_groups", read="read_groups"),
    Kind("org-policy", _ORGS, "aws-output", recognise="is_describe_policy", read="read_describe_policy"),
    Kind("org-policies-for-target", _ORGS, "aws-output", recognise="is_policies_for_target",
         read="read_policies_for_target"),
    Kind("org-parents", _ORGS, "aws-output", recognise="is_parents", read="read_parents"),
    Kind("org-roots", _ORGS, "aws-output", recognise="is_roots", read="read_roots"),
    Kind("organization", _ORGS, "aws-output", recognise="is_organization", read="read_organization"),
    Kind("oidc-provider", _OIDC, "aws-output", recognise="is_provider", read="read_provider"),
    Kind("oidc-providers", _OIDC, "aws-output", recognise="is_list", read="read_list"),
    Kind("cloudtrail", _TRAIL, "aws-output"),
)

STAGES = ("own", "json", "log", "text", "aws-output")


def rows(stage: str) -> tuple[Kind, ...]:
    return tuple(k for k in KINDS if k.stage == stage)


def names() -> list[str]:
    """Every kind classify() can return (plus "unknown")."""
    return list(dict.fromkeys(k.name for k in KINDS if k.stage != "aws-output")) + ["unknown"]


def row(name: str) -> Kind | None:
    """The first row of a kind (its box and name on the page)."""
    return next((k for k in KINDS if k.name == name and k.stage != "aws-output"), None)


def recognised(text: str):
    """(kind, module) of the first `own` row that recognises the text, else None."""
    for k in rows("own"):
        mod = k.load()
        try:
            if getattr(mod, k.recognise)(text):
                return k.name, mod
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
