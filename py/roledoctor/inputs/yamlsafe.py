"""Safe YAML: ruamel.yaml's pure-Python composer builds a node graph (no object is
ever constructed, tags such as `!!python/object` are ignored), then this module
turns nodes into plain values with a span per path, under limits:
input size, documents, nodes visited (aliases count each time they are expanded, so
a "billion laughs" alias bomb stops at the budget), depth, and alias cycles.

ruamel.yaml is imported on the first parse only (importing roledoctor.inputs stays cheap).
https://yaml.dev/doc/ruamel.yaml/ ; YAML 1.2 core schema: https://yaml.org/spec/1.2.2/#103-core-schema

    parse(text) -> list[YamlDoc]        raises YamlError(message, offset)
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_BYTES = 1_000_000
MAX_DOCUMENTS = 50
MAX_NODES = 200_000
MAX_DEPTH = 64


class YamlError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass
class YamlDoc:
    value: object
    spans: dict = field(default_factory=dict)  # path tuple -> (start, end) of the value
    key_spans: dict = field(default_factory=dict)  # path tuple -> (start, end) of the key
    start: int = 0
    end: int = 0


_BOOL = {"true": True, "false": False, "True": True, "False": False, "TRUE": True, "FALSE": False}


def _scalar(node):
    tag = str(node.tag or "")
    v = node.value
    if node.style is not None or not tag.endswith(("bool", "int", "null", "float")):
        return v  # quoted, block or any other tag: the text as written
    if tag.endswith("bool") and v in _BOOL:
        return _BOOL[v]
    if tag.endswith("null"):
        return None
    if tag.endswith("int"):
        try:
            return int(v.replace("_", ""), 0) if len(v) < 40 else v
        except ValueError:
            return v
    return v


class _Walker:
    def __init__(self):
        self.budget = MAX_NODES

    def walk(self, node, path: tuple, doc: YamlDoc, depth: int, stack: set):
        self.budget -= 1
        if self.budget < 0:
            raise YamlError(f"more than {MAX_NODES} YAML nodes (aliases expanded): not read", node.start_mark.index)
        if depth > MAX_DEPTH:
            raise YamlError(f"YAML nested deeper than {MAX_DEPTH} levels", node.start_mark.index)
        if id(node) in stack:
            raise YamlError("a YAML alias refers to itself (recursive anchor)", node.start_mark.index)
        doc.spans.setdefault(path, (node.start_mark.index, node.end_mark.index))
        kind = type(node).__name__
        if kind == "ScalarNode":
            return _scalar(node)
        stack.add(id(node))
        try:
            if kind == "SequenceNode":
                return [self.walk(n, path + (i,), doc, depth + 1, stack) for i, n in enumerate(node.value)]
            out: dict = {}
            for k, v in node.value:
                key = self.walk(k, path + ("<key>",), doc, depth + 1, stack) if type(k).__name__ == "ScalarNode" \
                    else f"<{type(k).__name__}>"
                if not isinstance(key, str):
                    key = str(key).lower() if isinstance(key, bool) else str(key)
                if key == "<<":  # merge key: only a mapping, as YAML 1.1 had it
                    merged = self.walk(v, path + (key,), doc, depth + 1, stack)
                    for m in merged if isinstance(merged, list) else [merged]:
                        if isinstance(m, dict):
                            for mk, mv in m.items():
                                out.setdefault(mk, mv)
                    continue
                doc.key_spans[path + (key,)] = (k.start_mark.index, k.end_mark.index)
                out[key] = self.walk(v, path + (key,), doc, depth + 1, stack)
            doc.spans.pop(path + ("<key>",), None)
            return out
        finally:
            stack.discard(id(node))


def parse(text: str) -> list[YamlDoc]:
    if len(text) > MAX_BYTES:
        raise YamlError(f"YAML input over {MAX_BYTES // 1_000_000} MB: not read", 0)
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    y = YAML(typ="safe", pure=True)
    docs: list[YamlDoc] = []
    walker = _Walker()
    try:
        for node in y.compose_all(text):
            if node is None:
                continue
            if len(docs) >= MAX_DOCUMENTS:
                raise YamlError(f"more than {MAX_DOCUMENTS} YAML documents: not read", node.start_mark.index)
            d = YamlDoc(None, start=node.start_mark.index, end=node.end_mark.index)
            d.value = walker.walk(node, (), d, 0, set())
            docs.append(d)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise YamlError(str(err.problem or err.context or "invalid YAML"), mark.index if mark else 0) from None
    except YAMLError as err:
        raise YamlError(str(err)[:300] or "invalid YAML", 0) from None
    except RecursionError:
        raise YamlError("YAML nested too deeply", 0) from None
    return docs
