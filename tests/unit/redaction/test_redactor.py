"""Redactor behaviour: placeholders, restore variants, user edits, the map, CLI, speed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from unit.redaction.redaction_corpus import secret_samples

from roledoctor import cli
from roledoctor.redaction import Redactor, account_from_access_key, redact, restore

SHARED = Path(__file__).resolve().parents[3] / "examples" / "seed-cross-account"
TRUST = '{"Principal": {"AWS": "arn:aws:iam::123456789012:role/ci"}, "Condition": {"StringEquals": {"sts:ExternalId": "acme-ci-7f2a"}}}'
PROVIDER = 'assume_role {\n  role_arn = "arn:aws:iam::987654321098:role/deploy"\n  external_id = "acme-ci-7f3a"\n}\n'


def test_arn_keeps_its_shape_and_same_value_same_placeholder():
    red = Redactor()
    a, b = red.redact_all([TRUST, PROVIDER + "caller arn:aws:iam::123456789012:role/ci\n"])
    assert "arn:aws:iam::ACCOUNT_1:role/ci" in a.text
    assert "arn:aws:iam::ACCOUNT_2:role/deploy" in b.text and "arn:aws:iam::ACCOUNT_1:role/ci" in b.text
    assert "EXTERNAL_ID_1" in a.text and "EXTERNAL_ID_2" in b.text  # one character apart: two placeholders
    assert json.loads(a.text)["Principal"]["AWS"] == "arn:aws:iam::ACCOUNT_1:role/ci"  # still valid JSON


def test_known_account_redacted_everywhere_and_later():
    red = Redactor()
    red.redact(TRUST)
    later = red.redact("the bill for 123456789012 is due; 1234567890123 is not an account")
    assert later.text == "the bill for ACCOUNT_1 is due; 1234567890123 is not an account"
    assert later.replacements[0].rule == "known-value"


def test_account_encoded_in_access_key_is_redacted_too():
    assert account_from_access_key("ASIAY34FZKBOKMUTVV7A") == "609629065308"
    result = redact("key ASIAY34FZKBOKMUTVV7A belongs to 609629065308")
    assert "609629065308" not in result.text and "ASIAY34FZKBOKMUTVV7A" not in result.text
    assert {r.type for r in result.replacements} == {"ACCESS_KEY_ID", "ACCOUNT"}


def test_placeholder_avoids_text_already_in_the_input():
    text = 'note: ACCOUNT_1 and secret_1 are literal here\nrole = "arn:aws:iam::123456789012:role/x"\nsecret = "q8Fz2LmN4vR7tY1wX9cB"\n'
    red = Redactor()
    result = red.redact(text)
    assert set(red.mapping) == {"ACCOUNT_2", "SECRET_2"}
    assert red.restore(result.text) == text


def test_restore_variants_a_model_may_write():
    red = Redactor()
    red.redact(TRUST)
    answer = ("Trust `ACCOUNT_1` via arn:aws:iam::<ACCOUNT_1>:root or [[account_1]] or {{Account_1}}; "
              "ACCOUNT_12 and myaccount_1 are not placeholders; ExternalId \"EXTERNAL_ID_1\".")
    assert red.restore(answer) == (
        "Trust `123456789012` via arn:aws:iam::123456789012:root or 123456789012 or 123456789012; "
        "ACCOUNT_12 and myaccount_1 are not placeholders; ExternalId \"acme-ci-7f2a\".")


def test_restore_is_literal_and_single_pass():
    red = Redactor()
    red.redact_more(r"a\1$&[x]", "SPECIAL")
    red.redact_more("SPECIAL_1 inside", "OTHER")  # a value that looks like a placeholder
    text = r"x a\1$&[x] y SPECIAL_1 inside z"
    result = red.redact(text)
    assert red.restore(result.text) == text


def test_brackets_in_the_original_are_kept():
    red = Redactor()
    red.redact_more("Xk29dLmQ4pWz")
    text = "value <Xk29dLmQ4pWz> here"
    result = red.redact(text)
    assert result.text == "value <REDACTED_1> here"
    assert red.restore(result.text) == text


def test_unredact_and_redact_more_keep_the_map_consistent():
    text = 'password = "hunter2!x"\nowner = "jane.doe@acme-corp.com"\nteam acme-corp\n'
    red = Redactor()
    first = red.redact(text)
    placeholders = {r.placeholder for r in first.replacements}
    assert placeholders == {"PASSWORD_1", "EMAIL_1"}
    assert red.unredact("EMAIL_1") == "jane.doe@acme-corp.com"
    assert red.redact_more("acme-corp", "COMPANY") == "COMPANY_1"
    second = red.redact(text)
    assert "jane.doe@COMPANY_1.com" in second.text and "PASSWORD_1" in second.text
    assert "COMPANY_1" in second.text.splitlines()[2]
    assert red.restore(second.text) == text
    assert "EMAIL_1" not in red.mapping
    red.redact("other: bob@example.org")
    assert "EMAIL_1" not in red.mapping and "EMAIL_2" in red.mapping  # retired, never reused
    with pytest.raises(KeyError):
        red.unredact("NOPE_1")
    with pytest.raises(ValueError):
        red.redact_more("x", "bad type")


def test_spans_for_the_ui():
    result = redact(TRUST)
    for rep in result.replacements:
        assert result.text[rep.start : rep.end] == rep.placeholder
        assert rep.type in ("ACCOUNT", "EXTERNAL_ID") and rep.rule
    d = result.to_dict()
    assert d["text"] == result.text and d["replacements"][0]["placeholder"] == "ACCOUNT_1"
    json.dumps(d)


def test_map_json_roundtrip_continues_numbering():
    red = Redactor()
    result = red.redact(TRUST + "\nACCOUNT_3 literal")
    saved = red.to_json()
    again = Redactor.from_json(saved)
    assert again.mapping == red.mapping
    assert restore(result.text, saved) == TRUST + "\nACCOUNT_3 literal"
    nxt = again.redact("arn:aws:iam::210987654321:role/x arn:aws:iam::111122223333:role/y")
    assert [r.placeholder for r in nxt.replacements] == ["ACCOUNT_2", "ACCOUNT_4"]  # 3 is reserved
    for bad in ("{}", "not json", '{"format": "roledoctor-redaction-map", "entries": [{"x": 1}]}'):
        with pytest.raises(ValueError):
            Redactor.from_json(bad)


def test_allowlisted_values_untouched():
    text = ('aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n'
            'policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"\n'
            'Principal = { Service = "ec2.amazonaws.com" }\n'
            'hashes = ["h1:Oo8TJUPRnjEDbLzK8oJw0NrKJz0JlYMJe2HQJ5M3m7s="]\n'
            'password = "${var.db_password}"\ntoken: ${{ secrets.DEPLOY_TOKEN }}\nami = "ami-0abcdef1234567890"\n')
    assert redact(text).text == text


def test_redacting_a_few_hundred_kb_round_trips():
    """(Its speed is printed by `python build.py bench`, j_redact_300kb_s.)"""
    samples = secret_samples()
    text = "\n".join(s.text for s in samples)
    filler = "2024-05-01T10:00:00Z INFO provider[\"registry.terraform.io/hashicorp/aws\"] plan ok, request id: a1b2c3d4-5678\n"
    big = (text + filler * 40) * 12
    assert len(big) > 300_000
    red = Redactor()
    result = red.redact(big)
    assert red.restore(result.text) == big
    assert not [x for s in samples for x in s.secrets if x in result.text]


# ---------------------------------------------------------------- CLI
def test_cli_redact_and_restore(tmp_path, capsys):
    src = SHARED / "provider.tf"
    mapfile = tmp_path / "map.json"
    assert cli.main(["redact", str(src), "--map", str(mapfile)]) == 0
    redacted = capsys.readouterr().out
    assert "987654321098" not in redacted and "acme-ci-7f3a" not in redacted
    assert "arn:aws:iam::ACCOUNT_1:role/terraform-deploy-role" in redacted
    assert os.stat(mapfile).st_mode & 0o077 == 0  # the map holds the secrets: owner only
    # a second file extends the same map
    assert cli.main(["redact", str(SHARED / "trust-policy.json"), "--map", str(mapfile)]) == 0
    trust_redacted = capsys.readouterr().out
    answer = tmp_path / "answer.txt"
    answer.write_text(redacted + trust_redacted)
    assert cli.main(["restore", "--map", str(mapfile), str(answer)]) == 0
    assert capsys.readouterr().out == src.read_text() + (SHARED / "trust-policy.json").read_text()


def test_cli_json_output_and_stdin(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(TRUST))
    assert cli.main(["redact", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["replacements"][0]["placeholder"] == "ACCOUNT_1"


@pytest.mark.parametrize("argv", [["redact", "/nonexistent/x.tf"], ["restore", "--map", "/nonexistent/m.json"]])
def test_cli_bad_file_is_a_usage_error(argv, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("roledoctor: ") and err.count("\n") == 1


def test_cli_bad_map_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "m.json"
    bad.write_text("{}")
    assert cli.main(["restore", "--map", str(bad), str(bad)]) == 2
    assert "roledoctor-redaction-map" in capsys.readouterr().err
