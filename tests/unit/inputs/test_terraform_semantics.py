"""Terraform as Terraform reads it: syntax python-hcl2 6.1.1 rejected, values the
code does not decide (unknown is not wrong), documents judged by what they are.
Each case is a shape found in the public corpus (tests/fixtures/terraform)."""

from __future__ import annotations

from roledoctor.check import check
from roledoctor.inputs import hcl, read_all
from roledoctor.inputs.hcleval import Env, evaluate


def codes(tmp_path, text: str, name: str = "main.tf") -> list[str]:
    (tmp_path / name).write_text(text)
    return sorted(f.code for f in check([str(tmp_path)]).findings)


# ---- syntax (HCL spec: https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md)

def test_object_element_ending_in_an_operator_expression():
    src = 'locals {\n  x = {\n    a = var.p == "b" ? 1 : 2\n    c = var.q != ""\n    d = 1 + 2\n  }\n}\n'
    body = hcl.parse(src)
    items = body.blocks[0].body.attributes["x"].value.value
    assert [i.key for i in items] == ["a", "c", "d"]
    a = items[0].value
    assert src[a.start:a.end] == 'var.p == "b" ? 1 : 2'  # no trailing newline in the expression's span
    assert a.kind == "cond" and evaluate(a, Env(variables={"p": "b"})).value == 1


def test_template_escapes_and_directives():
    body = hcl.parse('a = "user/$${aws:username}"\nb = "%{if var.x == "y"}z%{endif}"\nc = (var.a\n  || var.b)\n')
    a = body.attributes["a"].value
    assert (a.kind, a.value) == ("str", "user/${aws:username}")
    assert a.offsets[0] == body.attributes["a"].value.start + 1
    assert body.attributes["b"].value.kind == "expr"  # a directive: decided at plan time
    c = body.attributes["c"].value  # one expression over two lines inside ( )
    assert c.kind == "binop" and c.value[0] == "||" and [x.value for x in c.value[1:]] == ["var.a", "var.b"]


def test_parse_error_has_line_and_column(tmp_path):
    out = codes(tmp_path, 'resource "aws_iam_role" "r" {\n  name = \n}\n')
    assert out == ["INPUT_UNPARSEABLE"]
    msg = check([str(tmp_path)]).findings[0].message
    assert "line 2" in msg or "line 3" in msg


def test_heredoc_policy_with_quotes_in_an_interpolation(tmp_path):
    tf = ('resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",'
          ' "Action": "ssm:GetParameter", "Resource": "arn:aws:ssm:*:*:parameter/${trimprefix(var.n, "/")}"}]}\nEOF\n}\n')
    assert "INPUT_UNPARSEABLE" not in codes(tmp_path, tf)


def test_comment_before_a_block_in_a_big_file():
    filler = "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n}}\n' for i in range(700))
    text = filler + '# the deploy role\nresource "aws_iam_role" "r" {\n  name = "r"\n}\n'
    assert len(text) > 20000
    inputs = read_all({"main.tf": text})
    assert [r.address for r in inputs.roles] == ["aws_iam_role.r"]


# ---- unknown is not wrong

DOC = 'data "aws_iam_policy_document" "d" {{\n{}\n}}\n'


def test_dynamic_statement_over_a_known_list():
    tf = ('locals {\n  s = [{ a = ["s3:GetObject"], r = ["*"] }]\n}\n' + DOC.format(
        '  dynamic "statement" {\n    for_each = local.s\n    content {\n      actions = statement.value.a\n'
        '      resources = statement.value.r\n    }\n  }'))
    inputs = read_all({"main.tf": tf})
    (doc,) = inputs.policies
    assert [s.action for s in doc.policy.statements] == [["s3:GetObject"]]
    assert not inputs.problems


def test_dynamic_statement_over_an_unknown_value_is_not_invalid(tmp_path):
    tf = 'variable "s" {}\n' + DOC.format('  dynamic "statement" {\n    for_each = var.s\n    content {\n'
                                         '      actions = statement.value.a\n    }\n  }')
    assert "POLICY_INVALID" not in codes(tmp_path, tf)


def test_source_policy_documents_merge_by_sid():
    src = '{\\"Statement\\": [{\\"Sid\\": \\"A\\", \\"Effect\\": \\"Allow\\", \\"Action\\": \\"s3:*\\", \\"Resource\\": \\"*\\"}]}'
    tf = DOC.format(f'  source_policy_documents = ["{src}"]\n  statement {{\n    sid = "A"\n    actions = ["s3:GetObject"]\n'
                    '    resources = ["*"]\n  }\n  statement {\n    sid = "B"\n    actions = ["s3:ListBucket"]\n'
                    '    resources = ["*"]\n  }')
    (doc,) = read_all({"main.tf": tf}).policies
    assert [(s.sid, s.action) for s in doc.policy.statements] == [("A", ["s3:GetObject"]), ("B", ["s3:ListBucket"])]


def test_source_policy_documents_unknown_is_not_invalid(tmp_path):
    tf = 'variable "extra" {}\n' + DOC.format('  source_policy_documents = [var.extra]')
    assert "POLICY_INVALID" not in codes(tmp_path, tf)


def test_a_variable_default_is_not_the_code_value(tmp_path):
    tf = 'variable "arns" {\n  default = []\n}\n' + DOC.format(
        '  statement {\n    actions = ["s3:GetObject"]\n    resources = var.arns\n  }')
    assert "POLICY_INVALID" not in codes(tmp_path, tf)


def test_counted_document_trust_is_followed(tmp_path):
    tf = (DOC.format('  count = 1\n  statement {\n    actions = ["sts:AssumeRole"]\n    principals {\n      type = "AWS"\n'
                     '      identifiers = ["arn:aws:iam::111122223333:root"]\n    }\n  }')
          + 'resource "aws_iam_role" "r" {\n  assume_role_policy = data.aws_iam_policy_document.d[0].json\n}\n')
    inputs = read_all({"main.tf": tf})
    assert inputs.roles[0].trust is not None


# ---- each document by what it is, hardening as proposed

ROOT_TRUST = ('  statement {{\n    actions = ["{action}"]\n    principals {{\n      type = "AWS"\n'
              '      identifiers = ["arn:aws:iam::111122223333:root"]\n    }}\n{cond}  }}')


def test_a_kms_key_policy_gets_no_trust_findings(tmp_path):
    tf = DOC.format(ROOT_TRUST.format(action="kms:*", cond="")) + \
        'resource "aws_kms_key" "k" {\n  policy = data.aws_iam_policy_document.d.json\n}\n'
    assert not [c for c in codes(tmp_path, tf) if c.startswith("TRUST_")]


def test_root_narrowed_by_external_id_is_not_reported(tmp_path):
    cond = '    condition {\n      test = "StringEquals"\n      variable = "sts:ExternalId"\n      values = ["x"]\n    }\n'
    tf = DOC.format(ROOT_TRUST.format(action="sts:AssumeRole", cond=cond)) + \
        'resource "aws_iam_role" "r" {\n  assume_role_policy = data.aws_iam_policy_document.d.json\n}\n'
    assert "TRUST_ACCOUNT_ROOT_PRINCIPAL" not in codes(tmp_path, tf)
    tf2 = DOC.format(ROOT_TRUST.format(action="sts:AssumeRole", cond="")) + \
        'resource "aws_iam_role" "r" {\n  assume_role_policy = data.aws_iam_policy_document.d.json\n}\n'
    assert "TRUST_ACCOUNT_ROOT_PRINCIPAL" in codes(tmp_path, tf2)


def test_wildcard_role_arn_is_a_wildcard_sts_resource(tmp_path):
    tf = DOC.format('  statement {\n    actions = ["sts:AssumeRole"]\n    resources = ["arn:aws:iam::*:role/*"]\n  }') + \
        'resource "aws_iam_role_policy" "p" {\n  role = "r"\n  policy = data.aws_iam_policy_document.d.json\n}\n'
    assert "CALLER_POLICY_WILDCARD_STS" in codes(tmp_path, tf)


def test_a_broken_tf_file_is_never_read_as_error_text():
    text = ('resource "aws_iam_role_policy" "p" {\n  # api error AccessDenied: User: arn:aws:iam::111122223333:user/x is not '
            'authorized to perform: sts:AssumeRole\n  policy = \n}\n')
    inputs = read_all({"main.tf": text})
    assert [p.code for p in inputs.problems] == ["INPUT_UNPARSEABLE"] and not inputs.errors
