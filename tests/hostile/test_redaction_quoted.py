"""Quoted secrets shaped like references: the reference allowlists (var.x,
aws_x.y.z, ${…}) describe HCL expressions, not string literals; a password
that merely looks like one must still be redacted."""

from __future__ import annotations

import pytest

from roledoctor.redaction import redact

LEAKS = [
    ('password = "super_secret.hunter2"', "super_secret.hunter2"),
    ('client_secret = "abc${x}defghijklmnop"', "abc${x}defghijklmnop"),
    ('db_password = "pass{{word}}Xy7qLm2"', "pass{{word}}Xy7qLm2"),
    ('"password": "var.hunter2_is_not_a_var"', "var.hunter2_is_not_a_var"),
    ("password: 'my_db.s3cr3tpass'", "my_db.s3cr3tpass"),
    ('PASSWORD=\\"aws_x.y_zzy_Q9\\"', "aws_x.y_zzy_Q9"),
]

REFERENCES = [
    "password = var.db_password",
    "password = random_password.db.result",
    "password = aws_secretsmanager_secret_version.db.secret_string",
    'password = "${var.db_password}"',
    'password = "${var.a}${var.b}"',
    'client_secret = "${{ secrets.CLIENT_SECRET }}"',
    'password = "{{ vault_db_password }}"',
    'password = "$DB_PASSWORD"',
]


@pytest.mark.parametrize("line,secret", LEAKS)
def test_a_quoted_secret_that_looks_like_a_reference_is_redacted(line, secret):
    out = redact(line).text
    assert secret not in out, out


@pytest.mark.parametrize("line", REFERENCES)
def test_references_are_left_alone(line):
    assert redact(line).text == line
