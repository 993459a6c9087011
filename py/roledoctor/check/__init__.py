"""`roledoctor check`: scan a Terraform directory (local modules followed) or a
`terraform show -json` plan for every finding that can be judged statically,
for CI and pre-commit.

    from roledoctor.check import check
    result = check(["infra/"])          # CheckResult
    result.failed("input")              # blockers or input findings present?

Modules: discover (which files), run (rules -> findings), cross (provider
role_arn vs. a role defined in the same code, through the engine), suppress
(`# roledoctor:ignore CODE reason: …`), output (text, JSON, SARIF).
"""

from __future__ import annotations

from roledoctor.check.discover import DiscoveryError  # noqa: F401
from roledoctor.check.run import DEFAULT_FAIL_ON, FAIL_ON, CheckResult, check  # noqa: F401
