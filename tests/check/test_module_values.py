"""Values the code decides across modules and documents: arguments of local module calls,
variable defaults (a value a caller may replace is not decided), and documents merged through
source_policy_documents / override_policy_documents.

Terraform's rules followed here:
- module arguments: https://developer.hashicorp.com/terraform/language/modules/syntax
- a variable's default is used only when no value is given (tfvars, -var, a module argument):
  https://developer.hashicorp.com/terraform/language/values/variables
- the data source's merge: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document
  (source statements first, the document's own statements replace those with the same sid,
  then override documents replace by sid or are appended)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from roledoctor.check import check
from roledoctor.inputs import read_all

ROLE_MODULE = '''variable "trusted_arns" {
  type    = list(string)
  default = %s
}

variable "conditions" {
  type = list(object({
    test     = string
    variable = string
    values   = list(string)
  }))
  default = []
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.trusted_arns
    }
    dynamic "condition" {
      for_each = var.conditions
      content {
        test     = condition.value.test
        variable = condition.value.variable
        values   = condition.value.values
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
'''
ROOT = "arn:aws:iam::111122223333:root"


def _repo(tmp_path: Path, default: str = "[]", call: str | None = None) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "modules" / "role").mkdir(parents=True)
    (repo / "modules" / "role" / "main.tf").write_text(ROLE_MODULE % default)
    if call is not None:
        (repo / "live").mkdir()
        (repo / "live" / "main.tf").write_text(call)
    return repo


def _found(repo: Path) -> list[tuple[str, str, int]]:
    r = check([str(repo)])
    return sorted((f.code, os.path.relpath(f.evidence[0].input, repo), f.evidence[0].line) for f in r.findings)


def test_an_argument_passed_into_a_local_module_is_judged_at_the_call(tmp_path):
    repo = _repo(tmp_path, call=f'module "x" {{\n  source       = "../modules/role"\n  trusted_arns = ["{ROOT}"]\n}}\n')
    assert _found(repo) == [("TRUST_ACCOUNT_ROOT_PRINCIPAL", "live/main.tf", 3)]
    f = check([str(repo)]).findings[0]
    assert f.evidence[1].input.endswith("modules/role/main.tf")  # and where the module uses it
    assert 'module "x"' in f.message


def test_an_argument_the_call_narrows_earns_nothing(tmp_path):
    call = (f'module "x" {{\n  source       = "../modules/role"\n  trusted_arns = ["{ROOT}"]\n'
            '  conditions = [{ test = "ArnLike", variable = "aws:PrincipalArn", '
            'values = ["arn:aws:iam::111122223333:role/ci"] }]\n}\n')
    assert _found(_repo(tmp_path, call=call)) == []


def test_each_call_is_its_own_instance(tmp_path):
    call = (f'module "a" {{\n  source       = "../modules/role"\n  trusted_arns = ["{ROOT}"]\n}}\n'
            'module "b" {\n  source       = "../modules/role"\n'
            '  trusted_arns = ["arn:aws:iam::111122223333:role/ci"]\n}\n'
            f'module "c" {{\n  source       = "../modules/role"\n  trusted_arns = ["{ROOT}"]\n}}\n')
    assert _found(_repo(tmp_path, call=call)) == [("TRUST_ACCOUNT_ROOT_PRINCIPAL", "live/main.tf", 3),
                                                  ("TRUST_ACCOUNT_ROOT_PRINCIPAL", "live/main.tf", 11)]


def test_a_default_the_module_alone_has_is_not_a_decided_value(tmp_path):
    # Read on its own the module's default may be replaced by any caller: no finding ...
    repo = _repo(tmp_path, default=f'["{ROOT}"]')
    assert _found(repo) == []
    # ... a tfvars file sets it: decided ...
    (repo / "modules" / "role" / "terraform.tfvars").write_text(f'trusted_arns = ["{ROOT}"]\n')
    assert _found(repo) == [("TRUST_ACCOUNT_ROOT_PRINCIPAL", "modules/role/main.tf", 18)]


def test_a_call_that_leaves_the_variable_out_decides_its_default(tmp_path):
    repo = _repo(tmp_path, default=f'["{ROOT}"]', call='module "x" {\n  source = "../modules/role"\n}\n')
    assert _found(repo) == [("TRUST_ACCOUNT_ROOT_PRINCIPAL", "live/main.tf", 1)]


def test_a_value_the_caller_does_not_decide_stays_unknown(tmp_path):
    # the module's default would earn the finding, but the call passes a value from elsewhere
    call = 'variable "arns" {}\nmodule "x" {\n  source       = "../modules/role"\n  trusted_arns = var.arns\n}\n'
    assert _found(_repo(tmp_path, default=f'["{ROOT}"]', call=call)) == []


def test_the_callers_own_default_is_not_decided_either(tmp_path):
    call = (f'variable "arns" {{\n  default = ["{ROOT}"]\n}}\n'
            'module "x" {\n  source       = "../modules/role"\n  trusted_arns = var.arns\n}\n')
    repo = _repo(tmp_path, call=call)
    assert _found(repo) == []
    (repo / "live" / "terraform.tfvars").write_text(f'arns = ["{ROOT}"]\n')
    assert _found(repo) == [("TRUST_ACCOUNT_ROOT_PRINCIPAL", "live/main.tf", 4)]  # the call


def test_nested_calls_are_followed(tmp_path):
    repo = _repo(tmp_path)
    (repo / "modules" / "wrapper").mkdir()
    (repo / "modules" / "wrapper" / "main.tf").write_text(
        'variable "who" {}\nmodule "inner" {\n  source       = "../role"\n  trusted_arns = [var.who]\n}\n')
    (repo / "live").mkdir()
    (repo / "live" / "main.tf").write_text(f'module "w" {{\n  source = "../modules/wrapper"\n  who    = "{ROOT}"\n}}\n')
    assert _found(repo) == [("TRUST_ACCOUNT_ROOT_PRINCIPAL", "live/main.tf", 1)]  # the outermost call


def test_optional_attributes_get_their_type_defaults(tmp_path):
    """`optional(string, "Allow")`: the attribute a caller leaves out of an object takes the
    default the type declares (terraform-aws-modules/iam-role's trust_policy_permissions)."""
    module = '''variable "statements" {
  type = map(object({
    effect     = optional(string, "Allow")
    actions    = list(string)
    principals = optional(list(object({ type = string, identifiers = list(string) })))
    condition  = optional(list(object({ test = string, variable = string, values = list(string) })))
  }))
  default = null
}

data "aws_iam_policy_document" "trust" {
  dynamic "statement" {
    for_each = var.statements != null ? var.statements : {}
    content {
      sid     = statement.key
      effect  = statement.value.effect
      actions = statement.value.actions
      dynamic "principals" {
        for_each = statement.value.principals != null ? statement.value.principals : []
        content {
          type        = principals.value.type
          identifiers = principals.value.identifiers
        }
      }
      dynamic "condition" {
        for_each = statement.value.condition != null ? statement.value.condition : []
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
'''
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "mod").mkdir()
    (repo / "mod" / "main.tf").write_text(module)
    (repo / "main.tf").write_text(
        'module "m" {\n  source = "./mod"\n  statements = {\n    Trust = {\n      actions = ["sts:AssumeRole"]\n'
        f'      principals = [{{ type = "AWS", identifiers = ["{ROOT}"] }}]\n    }}\n  }}\n}}\n')
    assert _found(repo) == [("TRUST_ACCOUNT_ROOT_PRINCIPAL", "main.tf", 3)]  # the argument


# ---- hostile: never out of the scanned tree, never a loop

def test_a_module_source_outside_the_repository_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.tf").write_text(ROLE_MODULE % f'["{ROOT}"]')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "main.tf").write_text(f'module "x" {{\n  source       = "../outside"\n  trusted_arns = ["{ROOT}"]\n}}\n')
    r = check([str(repo)])
    assert r.findings == []
    assert any("outside the repository" in n for n in r.notes)
    assert not any("outside/main.tf" in name for name in r.files)


def test_a_linked_module_folder_leaving_the_repository_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.tf").write_text(ROLE_MODULE % "[]")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    os.symlink(outside, repo / "mod")
    (repo / "main.tf").write_text(f'module "x" {{\n  source       = "./mod"\n  trusted_arns = ["{ROOT}"]\n}}\n')
    r = check([str(repo)])
    assert r.findings == [] and all("outside" not in name for name in r.files)


def test_a_symlink_loop_and_a_module_calling_itself_end(tmp_path):
    repo = _repo(tmp_path)
    role = repo / "modules" / "role"
    os.symlink("..", role / "loop")  # modules/role/loop -> modules: a walk that follows it never ends
    with open(role / "main.tf", "a") as f:  # the module calls itself, through the link and directly
        f.write('module "again" {\n  source = "./loop/role"\n  trusted_arns = var.trusted_arns\n}\n'
                'module "self" {\n  source = "."\n  trusted_arns = ["arn:aws:iam::111122223333:role/x"]\n}\n')
    (repo / "main.tf").write_text(f'module "x" {{\n  source       = "./modules/role"\n  trusted_arns = ["{ROOT}"]\n}}\n')
    assert _found(repo) == [("TRUST_ACCOUNT_ROOT_PRINCIPAL", "main.tf", 3)]


# ---- source_policy_documents / override_policy_documents

MERGE = '''data "aws_iam_policy_document" "base" {
  statement {
    sid     = "Base"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
  statement {
    sid     = "Keep"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "override" {
  statement {
    sid     = "Late"
    actions = ["sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "trust" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.override.json]
  statement {
    sid     = "Base"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/ci"]
    }
  }
}

resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
'''


def test_source_and_override_documents_merge_as_the_provider_documents():
    res = read_all({"main.tf": MERGE})
    role = res.roles[0]
    assert role.trust is not None
    got = [(s.sid, s.principal, s.action) for s in role.trust.statements]
    assert got == [("Base", {"AWS": ["arn:aws:iam::111122223333:role/ci"]}, ["sts:AssumeRole"]),  # own replaces source
                   ("Keep", {"Service": ["ec2.amazonaws.com"]}, ["sts:AssumeRole"]),
                   ("Late", {"Service": ["ecs-tasks.amazonaws.com"]}, ["sts:TagSession"])]  # override appended


def test_a_merged_document_is_judged_by_what_it_holds(tmp_path):
    (tmp_path / "main.tf").write_text(MERGE)
    # base's root trust is replaced in trust by the role ARN; base itself reaches no role
    assert [f.code for f in check([str(tmp_path)]).findings] == []
    (tmp_path / "main.tf").write_text(MERGE.replace('sid     = "Base"\n    actions = ["sts:AssumeRole"]\n'
                                                    '    principals {\n      type        = "AWS"\n'
                                                    '      identifiers = ["arn:aws:iam::111122223333:role/ci"]',
                                                    'sid     = "Own"\n    actions = ["sts:AssumeRole"]\n'
                                                    '    principals {\n      type        = "AWS"\n'
                                                    '      identifiers = ["arn:aws:iam::111122223333:role/ci"]'))
    assert [f.code for f in check([str(tmp_path)]).findings] == ["TRUST_ACCOUNT_ROOT_PRINCIPAL"]


def test_a_merge_with_an_undecided_source_stays_unknown():
    text = MERGE.replace("[data.aws_iam_policy_document.base.json]", "[var.extra]")
    res = read_all({"main.tf": 'variable "extra" {}\n' + text})
    assert res.problems == []
    assert any("source_policy_documents" in u for u in res.roles[0].trust_source.unresolved + [
        u for p in res.policies for u in (p.policy_source.unresolved if p.policy_source else [])])


@pytest.mark.parametrize("default,codes", [
    ('  default = "arn:aws:iam::111122223333:role/deploy"\n', ["TRUST_PRINCIPAL_MISSING"]),
    ("", []),  # no default: the role is not known, nothing is evaluated
])
def test_the_cross_check_evaluates_a_provider_role_from_its_default(tmp_path, default, codes):
    """The engine's check of a provider's role against the role in the code predicts the run
    as configured: a role_arn that is a variable's default is what a plain `terraform apply`
    assumes, so it is evaluated (hardening is not: see test_a_default_the_module_alone_...)."""
    (tmp_path / "main.tf").write_text(
        'variable "role_arn" {\n' + default + '}\n'
        'provider "aws" {\n  assume_role {\n    role_arn = var.role_arn\n  }\n}\n'
        'resource "aws_iam_role" "deploy" {\n  name = "deploy"\n  assume_role_policy = jsonencode({\n'
        '    Version = "2012-10-17"\n    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",\n'
        '      Principal = { Service = "ec2.amazonaws.com" } }]\n  })\n}\n')
    r = check([str(tmp_path)], caller="arn:aws:iam::111122223333:role/ci")
    assert [f.code for f in r.findings] == codes


@pytest.mark.parametrize("variable,codes", [
    ('variable "role_arn" {\n  default = null\n}\n', []),  # a caller or tfvars sets it
    ('variable "role_arn" {\n  default = null\n}\n', ["PROVIDER_ROLE_ARN_MISSING"]),  # ... tfvars sets it empty
    ('', ["PROVIDER_ROLE_ARN_MISSING"]),  # written empty in the code
])
def test_an_empty_role_arn_default_is_not_missing(tmp_path, variable, codes):
    role_arn = "var.role_arn" if variable else '""'
    (tmp_path / "main.tf").write_text(variable + f'provider "aws" {{\n  assume_role {{\n    role_arn = {role_arn}\n  }}\n}}\n')
    if codes and variable:
        (tmp_path / "terraform.tfvars").write_text('role_arn = ""\n')
    assert [f.code for f in check([str(tmp_path)]).findings] == codes
