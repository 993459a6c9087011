"""`roledoctor check PATH...`: the static findings of a Terraform directory or a
`terraform show -json` plan, for CI and pre-commit.

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it;
2 unusable input (PATH missing or unreadable, no Terraform files, a plan that is
not valid plan JSON) or a usage error, with a one-line reason on stderr.
"""

from __future__ import annotations

import sys

from roledoctor.cli import UsageError

FORMATS = ("text", "json", "sarif")
FAIL_ON = ("blocker", "input", "hardening")


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="a Terraform directory, a .tf/.tfvars file (stands for its directory), "
                             "or a `terraform show -json` plan file")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--fail-on", dest="fail_on", choices=FAIL_ON, default="input",
                        help="the lowest kind of finding that fails the run: blocker, input (default: "
                             "blockers and input findings fail, hardening only reports) or hardening")
    parser.add_argument("--caller", metavar="ARN",
                        help="the identity that runs Terraform (checks hop 0's trust against it)")
    parser.add_argument("--account", metavar="ID",
                        help="the AWS account the roles are created in, when no provider block says "
                             "(enables the cross-account trust check)")
    # Every module below PATH by default, as Checkov, tfsec and Trivy scan a directory.
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("-r", "--recursive", dest="recursive", action="store_true", default=True,
                       help="scan every directory with .tf files below each PATH as its own module (the default)")
    scope.add_argument("--single-module", "--no-recursive", dest="recursive", action="store_false",
                       help="scan only the module in each PATH (and the local modules it calls)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")


def run(args) -> int:
    from roledoctor.check import DiscoveryError, check
    from roledoctor.check.output import render
    from roledoctor.evaluation.arns import is_account_id

    if args.account is not None and not is_account_id(args.account):
        raise UsageError(f"--account {args.account!r} is not a 12-digit AWS account ID")
    try:
        result = check(args.paths, caller=args.caller, account=args.account, recursive=args.recursive)
    except DiscoveryError as err:
        raise UsageError(str(err)) from None
    plan_problem = _unusable_plan(result)
    if plan_problem:
        raise UsageError(plan_problem)
    code = 1 if result.failed(args.fail_on) else 0
    out = render(result, args.format, args.fail_on, exit_code=code)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(out)
        except OSError as err:
            raise UsageError(f"cannot write {args.output}: {err.strerror or err}") from None
    else:
        sys.stdout.write(out)
        sys.stdout.flush()
    if args.format != "text" or args.output:
        c = result.counts()
        print(f"roledoctor check: {c['blocker']} blocker, {c['input']} input, {c['hardening']} hardening; "
              f"{len(result.suppressed)} suppressed; {'FAIL' if code else 'pass'} (--fail-on {args.fail_on})",
              file=sys.stderr)
    return code


def _unusable_plan(result) -> str | None:
    """A plan file that is not a plan (or not JSON) is unusable input (exit 2), not a finding."""
    for f in result.findings:
        if f.code != "INPUT_UNPARSEABLE" or not f.evidence:
            continue
        name = f.evidence[0].input
        if name in result.plans:
            return f"{name}: not a `terraform show -json` plan: {f.message}"
    return None
