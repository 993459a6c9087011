"""`roledoctor inspect FILE...`: what each input was recognised as, and its facts, as JSON."""

from __future__ import annotations

import json
import sys



def add_arguments(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="inputs to read; - is stdin")


def _load(path: str) -> str:
    from roledoctor.commands import read_limited

    return read_limited(path)


def run(args) -> int:
    from roledoctor.inputs import read_all, to_jsonable
    texts: dict[str, str] = {}
    for path in args.files:
        name = "stdin" if path == "-" else path
        while name in texts:
            name += "'"
        texts[name] = _load(path)
    res = read_all(texts)
    from roledoctor.inputs import classify
    from roledoctor.inputs.kinds import row

    def classified(text: str) -> list[dict]:  # the kinds table's rows that recognise the text
        return [{"kind": k, "what": (r.what if (r := row(k)) else "")} for k in classify(text)]
    out = {
        "inputs": [{"input": name, "recognised": sorted({r.kind for r in res.recognised if r.input == name}),
                    "classified": classified(text)}
                   for name, text in texts.items()],
        "variables": to_jsonable(res.variables),
        "facts": [{"input": r.input, "kind": r.kind, "facts": to_jsonable(r.facts)} for r in res.recognised
                  if r.kind != "problem"],
        "problems": [to_jsonable(p) for p in res.problems],
    }
    from roledoctor.render.inline import json_safe

    sys.stdout.write(json_safe(json.dumps(out, indent=2, ensure_ascii=False)) + "\n")
    return 2 if res.problems and not any(r.kind != "problem" for r in res.recognised) else 0
