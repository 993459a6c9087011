"""What every JSON kind's reader shares: the text parsed once with spans, the
problem for text that is no JSON, and the problem for JSON that no kind reads."""

from __future__ import annotations

from collections.abc import Callable

from roledoctor.inputs import jsonspan, policydoc
from roledoctor.inputs.model import INPUT_UNPARSEABLE, Problem, Recognised, problem_record
from roledoctor.source import LineIndex

ReadJSON = Callable[[str, str, LineIndex, jsonspan.JSONDoc], list[Recognised]]


def invalid(name: str, err: jsonspan.JSONSyntaxError, lines: LineIndex) -> Recognised:
    """Text that starts as JSON but does not parse: where it breaks (line, column)."""
    return problem_record(name, policydoc.unparseable(err.message, err.offset, lines, name, "invalid JSON"))


def unrecognised(name: str, lines: LineIndex, doc: jsonspan.JSONDoc) -> Recognised:
    """JSON that is none of the JSON kinds."""
    return problem_record(name, Problem(INPUT_UNPARSEABLE, "JSON, but neither an IAM policy (no Statement) nor a "
                                        "`terraform show -json` plan", name, lines.span(doc.start, doc.end),
                                        lines.line_text(1)[:200]))


def read_whole(name: str, text: str, lines: LineIndex, read_json: ReadJSON) -> list[Recognised]:
    """A JSON kind's `read(name, text, lines)`: parse the text, then its `read_json`."""
    try:
        doc = jsonspan.parse(text)
    except jsonspan.JSONSyntaxError as err:
        return [invalid(name, err, lines)]
    return read_json(name, text, lines, doc)
