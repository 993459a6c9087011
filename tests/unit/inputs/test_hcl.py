"""HCL forms: provider, backend, roles and policy documents (https://registry.terraform.io/providers/hashicorp/aws/latest/docs#assume-role-configuration-block)."""

from __future__ import annotations

from pathlib import Path

import pytest

from roledoctor.inputs import read, read_all

SEED_PROVIDER = (Path(__file__).resolve().parents[3] / "examples" / "seed-cross-account" / "provider.tf").read_text(encoding="utf-8")


def one(text, kind, name="main.tf"):
    recs = [r.facts for r in read(name, text) if r.kind == kind]
    assert recs, [(r.kind, r.facts) for r in read(name, text)]
    return recs[0]


def at(text, span):
    return text[span.start:span.end]


def test_seed_provider_args_with_spans():
    p = one(SEED_PROVIDER, "provider")
    hop = p.assume_role[0]
    assert p.region.value == "us-east-1"
    assert hop.external_id.value == "acme-ci-7f3a"
    assert at(SEED_PROVIDER, hop.external_id.span) == '"acme-ci-7f3a"'
    assert (hop.external_id.span.line, hop.external_id.span.col) == (7, 20)
    assert at(SEED_PROVIDER, hop.session_name.name_span) == "session_name"


CHAIN = '''provider "aws" {
  region  = "us-east-1"
  profile = "ci"
}

provider "aws" {
  alias      = "target"
  region     = "eu-west-1"
  sts_region = "us-east-1"
  access_key = "AKIAIOSFODNN7EXAMPLE"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

  assume_role {
    role_arn     = "arn:aws:iam::111111111111:role/hop1"
    session_name = "tf"
    duration     = "1h"
    policy       = jsonencode({ Version = "2012-10-17", Statement = [] })
    policy_arns  = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    tags = {
      Team = "platform"
    }
    transitive_tag_keys = ["Team"]
    source_identity     = "alice"
  }

  assume_role {
    role_arn         = "arn:aws:iam::333333333333:role/hop2"
    duration_seconds = 3600
    external_id      = var.external_id
  }
}
'''


def test_several_providers_alias_chain_and_every_argument():
    provs = [r.facts for r in read("p.tf", CHAIN) if r.kind == "provider"]
    assert len(provs) == 2
    assert provs[0].profile.value == "ci" and provs[0].alias is None
    p = provs[1]
    assert p.alias.value == "target" and p.sts_region.value == "us-east-1"
    assert p.access_key.value.startswith("AKIA") and p.secret_key is not None
    assert [h.role_arn.value for h in p.assume_role] == ["arn:aws:iam::111111111111:role/hop1",
                                                         "arn:aws:iam::333333333333:role/hop2"]
    h1, h2 = p.assume_role
    assert h1.duration.value == "1h" and h1.tags.value == {"Team": "platform"}
    assert h1.transitive_tag_keys.value == ["Team"] and h1.source_identity.value == "alice"
    assert h1.policy_arns.value == ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert h1.policy.value == '{"Version":"2012-10-17","Statement":[]}'
    assert h2.duration_seconds.value == 3600 and h2.duration_seconds.span.line == 28
    # references stay symbolic
    assert h2.external_id.symbolic and h2.external_id.refs == ["var.external_id"] and h2.external_id.value is None


def test_variable_default_and_tfvars_resolve_references():
    vars_tf = 'variable "external_id" {\n  default = "from-default"\n}\nvariable "acct" {}\n'
    res = read_all({"p.tf": CHAIN, "variables.tf": vars_tf})
    assert res.providers[1].assume_role[1].external_id.value == "from-default"
    res = read_all({"p.tf": CHAIN, "variables.tf": vars_tf, "prod.tfvars": 'external_id = "from-tfvars"\n'})
    hop = res.providers[1].assume_role[1]
    assert hop.external_id.value == "from-tfvars" and not hop.external_id.symbolic
    assert at(CHAIN, hop.external_id.span) == "var.external_id"  # span stays on the user's text


def test_template_with_var_and_local():
    text = ('locals {\n  acct = "111111111111"\n}\nvariable "role" {\n  default = "deploy"\n}\n'
            'provider "aws" {\n  assume_role {\n    role_arn = "arn:aws:iam::${local.acct}:role/${var.role}"\n  }\n}\n')
    arg = read_all({"main.tf": text}).providers[0].assume_role[0].role_arn
    assert arg.value == "arn:aws:iam::111111111111:role/deploy" and not arg.symbolic
    unresolved = read("main.tf", text.replace('default = "deploy"', 'type = string'))
    arg = [r.facts for r in unresolved if r.kind == "provider"][0].assume_role[0].role_arn
    assert arg.symbolic and arg.value == "arn:aws:iam::${local.acct}:role/${var.role}"


def test_web_identity_block():
    text = '''provider "aws" {
  assume_role_with_web_identity {
    role_arn                = "arn:aws:iam::111111111111:role/gh"
    session_name            = "gha"
    web_identity_token_file = "/tmp/token"
    duration                = "1h"
  }
}
'''
    w = one(text, "provider").web_identity
    assert w.role_arn.value == "arn:aws:iam::111111111111:role/gh"
    assert w.web_identity_token_file.value == "/tmp/token" and w.span.line == 2


@pytest.mark.parametrize("body,form,role", [
    ('    assume_role = {\n      role_arn = "arn:aws:iam::111111111111:role/state"\n      external_id = "x1"\n    }\n',
     "attribute", "arn:aws:iam::111111111111:role/state"),
    ('    assume_role {\n      role_arn = "arn:aws:iam::111111111111:role/state"\n    }\n',
     "block", "arn:aws:iam::111111111111:role/state"),
    ('    role_arn = "arn:aws:iam::111111111111:role/state"\n', "top-level", None),
])
def test_s3_backend_forms(body, form, role):
    text = 'terraform {\n  backend "s3" {\n    bucket = "tf-state"\n    key = "a/b.tfstate"\n    region = "us-east-1"\n' + body + '  }\n}\n'
    b = one(text, "backend-s3")
    assert b.assume_role_form == form and b.bucket.value == "tf-state"
    if role:
        assert b.assume_role.role_arn.value == role
        assert at(text, b.assume_role.role_arn.span) == f'"{role}"'
    else:
        assert b.role_arn.value == "arn:aws:iam::111111111111:role/state" and b.assume_role is None


ROLE_JSONENCODE = '''resource "aws_iam_role" "deploy" {
  name                 = "tf-deploy"
  max_session_duration = 7200
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { AWS = ["arn:aws:iam::222222222222:role/ci", "arn:aws:iam::222222222222:root"] }
        Action    = ["sts:AssumeRole", "sts:TagSession"]
        Condition = {
          StringEquals = { "sts:ExternalId" = "acme" }
        }
      },
    ]
  })
}
'''


def test_role_with_jsonencode_trust_and_spans():
    r = one(ROLE_JSONENCODE, "role")
    assert r.max_session_duration.value == 7200 and r.name.value == "tf-deploy"
    st = r.trust.statements[0]
    assert st.principal == {"AWS": ["arn:aws:iam::222222222222:role/ci", "arn:aws:iam::222222222222:root"]}
    assert st.conditions[0].key == "sts:ExternalId" and st.conditions[0].values == ["acme"]
    span = r.trust.spans[("Statement", 0, "Principal", "AWS", 1)]
    assert at(ROLE_JSONENCODE, span) == '"arn:aws:iam::222222222222:root"' and span.line == 9
    assert at(ROLE_JSONENCODE, r.trust.spans[("Statement", 0, "Condition", "StringEquals", "sts:ExternalId")]) == '"acme"'
    assert at(ROLE_JSONENCODE, r.trust.key_spans[("Statement", 0, "Effect")]) == "Effect"
    assert r.trust_source.form == "jsonencode"


def test_role_with_heredoc_trust_exact_spans():
    text = ('resource "aws_iam_role" "r" {\n  assume_role_policy = <<-EOF\n    {\n      "Version": "2012-10-17",\n'
            '      "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]\n'
            '    }\n  EOF\n}\n')
    r = one(text, "role")
    assert r.trust_source.form == "heredoc"
    span = r.trust.spans[("Statement", 0, "Principal", "Service")]
    assert at(text, span) == '"ec2.amazonaws.com"' and span.line == 5


def test_role_with_quoted_json_string_maps_through_escapes():
    text = 'resource "aws_iam_role" "r" {\n  assume_role_policy = "{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":{\\"Effect\\":\\"Allow\\",\\"Principal\\":{\\"AWS\\":\\"*\\"},\\"Action\\":\\"sts:AssumeRole\\"}}"\n}\n'
    r = one(text, "role")
    assert r.trust.statements[0].principal == {"AWS": ["*"]}
    assert at(text, r.trust.spans[("Statement", "Effect")]) == '\\"Allow\\"'


DOC = '''data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "CI"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [var.ci_role_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = ["acme"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = ["arn:aws:iam::222222222222:role/ci-*"]
    }
  }
  statement {
    effect         = "Deny"
    not_actions    = ["sts:TagSession"]
    not_resources  = ["arn:aws:iam::111111111111:role/keep"]
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111111111111:root"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name               = "tf-deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

variable "ci_role_arn" {
  default = "arn:aws:iam::222222222222:role/ci"
}
'''


def test_policy_document_block_all_elements_and_data_reference():
    res = read_all({"main.tf": DOC})
    role = res.roles[0]
    assert role.trust_source.ref == "data.aws_iam_policy_document.trust.json"
    s0, s1 = role.trust.statements
    assert s0.sid == "CI" and s0.principal == {"AWS": ["arn:aws:iam::222222222222:role/ci"]}
    assert {(c.operator, c.key): c.values for c in s0.conditions} == {
        ("StringEquals", "sts:ExternalId"): ["acme"], ("ArnLike", "aws:PrincipalArn"): ["arn:aws:iam::222222222222:role/ci-*"]}
    assert s1.effect == "Deny" and s1.not_action == ["sts:TagSession"]
    assert s1.not_resource == ["arn:aws:iam::111111111111:role/keep"]
    assert s1.not_principal == {"AWS": ["arn:aws:iam::111111111111:root"]}
    sp = role.trust.spans[("Statement", 0, "Principal", "AWS", 0)]
    assert at(DOC, sp) == "var.ci_role_arn"
    assert at(DOC, role.trust.spans[("Statement", 1, "NotAction", 0)]) == '"sts:TagSession"'
    assert role.trust.spans[("Statement", 0, "Condition", "StringEquals", "sts:ExternalId")].line == 10


def test_policy_document_cross_input_and_file_reference():
    role_tf = ('resource "aws_iam_role" "a" {\n  assume_role_policy = data.aws_iam_policy_document.trust.json\n}\n'
               'resource "aws_iam_role" "b" {\n  assume_role_policy = file("${path.module}/policies/trust.json")\n}\n')
    trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"}]}'
    res = read_all({"roles.tf": role_tf, "data.tf": DOC, "trust.json": trust})
    a, b = sorted((r for r in res.roles if r.address in ("aws_iam_role.a", "aws_iam_role.b")), key=lambda r: r.address)
    assert a.trust is not None and a.trust.statements[0].sid == "CI"
    assert b.trust_source.form == "file" and b.trust.statements[0].principal == {"AWS": ["arn:aws:iam::1:root"]}
    assert b.trust.source == "trust.json"


def test_policy_resources_and_attachments():
    text = '''resource "aws_iam_policy" "assume" {
  name   = "assume-deploy"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "arn:aws:iam::111111111111:role/tf-deploy" }]
  })
}
resource "aws_iam_role_policy" "inline" {
  name   = "inline"
  role   = aws_iam_role.ci.id
  policy = data.aws_iam_policy_document.caller.json
}
resource "aws_iam_role_policy_attachment" "attach" {
  role       = aws_iam_role.ci.name
  policy_arn = aws_iam_policy.assume.arn
}
'''
    recs = read("iam.tf", text)
    kinds = [r.kind for r in recs]
    assert kinds.count("policy-resource") == 2 and kinds.count("attachment") == 1
    pol = [r.facts for r in recs if r.kind == "policy-resource"][0]
    assert pol.policy.statements[0].resource == ["arn:aws:iam::111111111111:role/tf-deploy"]
    inline = [r.facts for r in recs if r.kind == "policy-resource"][1]
    assert inline.role.refs == ["aws_iam_role.ci.id"] and inline.policy_source.ref == "data.aws_iam_policy_document.caller.json"
    att = [r.facts for r in recs if r.kind == "attachment"][0]
    assert att.policy_arn.symbolic and att.policy_arn.refs == ["aws_iam_policy.assume.arn"]


def test_crlf_hcl_keeps_offsets():
    text = SEED_PROVIDER.replace("\n", "\r\n")
    hop = one(text, "provider").assume_role[0]
    assert hop.role_arn.value == "arn:aws:iam::987654321098:role/terraform-deploy-role"
    assert at(text, hop.role_arn.span) == '"arn:aws:iam::987654321098:role/terraform-deploy-role"'
    assert hop.role_arn.span.line == 5


def test_comments_and_no_trailing_newline():
    text = '# creds\nprovider "aws" { # inline\n  region = "us-east-1" // c\n  /* block */\n}'
    assert one(text, "provider").region.value == "us-east-1"


# ---- only the blocks the reader uses are parsed; the others are syntax-checked ----

_MIXED = '''# a bucket nobody reads
resource "aws_s3_bucket" "logs" {
  bucket = "x-${var.env}"
  tags   = { Team = "data" }
}

resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = jsonencode({ Statement = [] })
}
output "arn" {
  value = aws_iam_role.r.arn
}
'''


def test_unread_blocks_keep_type_labels_and_span():
    from roledoctor.inputs import hcl

    every = hcl.parse(_MIXED, every_block=True)
    body = hcl.parse(_MIXED)
    assert [(b.type, b.labels, b.start, b.end, b.label_spans) for b in body.blocks] == \
        [(b.type, b.labels, b.start, b.end, b.label_spans) for b in every.blocks]
    assert body.blocks[1] == every.blocks[1]  # the role is parsed
    assert body.blocks[0].body.attributes == {} and every.blocks[0].body.attributes  # the bucket is not
    assert hcl.read_block(_MIXED, 0, _MIXED.index("}\n") + 1) is False


@pytest.mark.parametrize("broken", [
    _MIXED.replace('bucket = "x', 'bucket = = "x'),       # in a block no reader uses
    _MIXED.replace("r.arn\n", "r.arn +\n"),              # at the end of one
    _MIXED.replace('Team = "data" }', 'Team = "data" '),  # a brace missing: the text does not split
    _MIXED.replace('name               = "r"', 'name = "r" = 2'),
])
def test_a_broken_block_fails_where_the_whole_text_fails(broken):
    from roledoctor.inputs import hcl

    with pytest.raises(hcl.HCLSyntaxError) as whole:
        hcl._parse_slice(broken, 0, len(broken))  # the whole text at once, trees and all
    with pytest.raises(hcl.HCLSyntaxError) as split:
        hcl.parse(broken)
    with pytest.raises(hcl.HCLSyntaxError) as checked:
        hcl.check_syntax(broken + "\n")
    assert split.value.offset == checked.value.offset == whole.value.offset
    assert split.value.message == whole.value.message


def test_the_check_without_trees_agrees_with_the_parser_on_every_fixture():
    """check_syntax drives lark's parser tables through its internal interface: it
    must accept and reject exactly what the parser does (a lark upgrade shows here)."""
    from roledoctor.inputs import hcl

    root = Path(__file__).parents[2] / "fixtures" / "terraform"
    texts = [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.tf"))[:120]]
    texts += [t[:len(t) // 2] for t in texts[:40]]  # cut in the middle: mostly broken
    verdicts = set()
    for t in texts:
        src = t.replace("\r", " ") + "\n"
        try:
            hcl.parser().parse(src)
            full = None
        except Exception as err:  # noqa: BLE001 - lark's error, compared by its place
            full = hcl._offset(err, src)
        try:
            hcl.check_syntax(src)
            quick = None
        except hcl.HCLSyntaxError as err:
            quick = err.offset
        assert quick == full
        verdicts.add(full is None)
    assert verdicts == {True, False}
