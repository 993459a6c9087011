"""The input layer: understand everything a user pastes.

    from roledoctor.inputs import read_all, read, classify
    inputs = read_all({"error.txt": err, "main.tf": hcl, "trust.json": js})

Importing this package is cheap: the HCL parser is built on the first HCL parse
(see roledoctor.inputs.hcl.LARK_CACHE / build_lark_cache).
"""

from __future__ import annotations

from roledoctor.inputs.model import (  # noqa: F401
    INPUT_UNPARSEABLE, POLICY_INVALID, Arg, AssumeRoleHop, Denial, ErrorFacts, Inputs, PolicyAttachment,
    PolicyDocument, PolicyResource, PolicySource, Problem, ProviderConfig, Recognised, RoleResource, S3Backend,
    Variable, WebIdentityConfig,
)
from roledoctor.inputs.reader import classify, read  # noqa: F401
from roledoctor.inputs.gather import ModuleValues, read_all  # noqa: F401
from roledoctor.inputs.jsonout import to_jsonable  # noqa: F401
