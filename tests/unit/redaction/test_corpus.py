"""Recall on synthetic secrets in five formats; false positives on look-alikes."""

from __future__ import annotations

from unit.redaction.redaction_corpus import BENIGN, secret_samples

from roledoctor.redaction import Redactor

SAMPLES = secret_samples()


def _leaks(sample, redacted: str) -> list[str]:
    return [s for s in sample.secrets if s in redacted]


def test_corpus_is_big_enough():
    assert len(SAMPLES) >= 60
    assert sum(len(s.secrets) for s in SAMPLES) >= 60


def test_recall_and_false_positive_rate():
    missed = []
    for sample in SAMPLES:
        red = Redactor()
        result = red.redact(sample.text)
        if _leaks(sample, result.text):
            missed.append((sample.name, _leaks(sample, result.text)))
        assert red.restore(result.text) == sample.text, sample.name
    flagged = []
    for text in BENIGN:
        result = Redactor().redact(text)
        if result.replacements:
            flagged.append((text, [(r.rule, text[r.orig_start : r.orig_end]) for r in result.replacements]))
    recall = 1 - len(missed) / len(SAMPLES)
    fp_rate = len(flagged) / len(BENIGN)
    print(f"\nredaction corpus: {len(SAMPLES)} secret samples, recall {recall:.1%}; "
          f"{len(BENIGN)} benign texts, false-positive rate {fp_rate:.1%}")
    assert missed == []
    assert flagged == []


def test_whole_corpus_through_one_redactor():
    """One Redactor for every sample: consistent placeholders, nothing leaks, exact restore."""
    red = Redactor()
    results = red.redact_all([s.text for s in SAMPLES])
    for sample, result in zip(SAMPLES, results, strict=False):
        assert _leaks(sample, result.text) == [], sample.name
        assert red.restore(result.text) == sample.text, sample.name
    joined = "\n".join(r.text for r in results)
    assert red.restore(joined) == "\n".join(s.text for s in SAMPLES)
    # the same value got the same placeholder everywhere
    seen: dict[str, str] = {}
    for sample, result in zip(SAMPLES, results, strict=False):
        for rep in result.replacements:
            value = sample.text[rep.orig_start : rep.orig_end]
            assert seen.setdefault(value, rep.placeholder) == rep.placeholder


def test_spans_point_at_values_and_placeholders():
    red = Redactor()
    for sample in SAMPLES:
        result = red.redact(sample.text)
        for rep in result.replacements:
            assert result.text[rep.start : rep.end] == rep.placeholder
            assert red.mapping[rep.placeholder] == sample.text[rep.orig_start : rep.orig_end]
