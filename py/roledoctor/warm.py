"""Do once, ahead of the first question, what the first answer would pay for:
import every module the page uses and run one diagnosis, so that lark's
parser tables and jinja2's compiled templates exist.

Called by the build inside Pyodide before the memory snapshot is taken (the
page then starts with all of this already in memory), and by the worker on
the normal start-up path right after loading.
"""

from __future__ import annotations

import importlib

MODULES = (
    "roledoctor.inputs", "roledoctor.evaluation", "roledoctor.findings", "roledoctor.render",
    "roledoctor.fixes.edits", "roledoctor.fixes.apply", "roledoctor.redaction", "roledoctor.webapi", "roledoctor.diagnosis",
    "roledoctor.pageapi.view", "jinja2", "jinja2.sandbox", "json", "difflib",
    # readers of caller files (roledoctor.inputs.kinds) and the YAML parser they use
    "roledoctor.inputs.kinds", "roledoctor.inputs.cifiles", "roledoctor.inputs.awsconfig",
    "roledoctor.inputs.oidctoken", "roledoctor.inputs.yamlsafe", "ruamel.yaml",
)

SAMPLE = {
    "error": "Error: Cannot assume IAM Role\n\nUser: arn:aws:sts::222222222222:assumed-role/ci/s is not "
             "authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/deploy\n",
    "provider": 'provider "aws" {\n  assume_role {\n    role_arn    = "arn:aws:iam::111111111111:role/deploy"\n'
                '    external_id = "x-1"\n  }\n}\n',
    "trust_policy": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": '
                    '"arn:aws:iam::222222222222:role/old"}, "Action": "sts:AssumeRole"}]}',
    "caller_policy": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '
                     '"Resource": "*"}]}',
}


def prepare() -> list[str]:
    """Import and exercise; return the modules that could not be imported (none, normally)."""
    missing = []
    for name in MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    try:
        from roledoctor.pageapi.view import diagnose_for_page
    except ImportError:
        from roledoctor.inputs import read_all

        read_all(dict(SAMPLE))
    else:
        diagnose_for_page(dict(SAMPLE))
    return missing
