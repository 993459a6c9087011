"""Findings: the catalogue (data), the Finding type and the Report model.

Light on purpose (stdlib only): the engine imports this; jinja2 is only
imported by roledoctor.render.
"""

from __future__ import annotations

from roledoctor.findings.catalogue import KINDS, SEVERITIES, load as load_catalogue
from roledoctor.findings.model import Evidence, Finding, UnknownFindingCode, make_finding
from roledoctor.findings.report import Fix, Report, Request, TraceStep, to_json_obj

__all__ = [
    "KINDS", "SEVERITIES", "load_catalogue", "Evidence", "Finding", "UnknownFindingCode",
    "make_finding", "Fix", "Report", "Request", "TraceStep", "to_json_obj",
]
