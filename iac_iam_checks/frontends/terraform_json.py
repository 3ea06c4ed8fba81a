"""Terraform's JSON syntax (``.tf.json``, ``.tfvars.json``) as the same parse tree HCL gives.

The HCL evaluator reads python-hcl2's Lark tree; rather than a second evaluator, a JSON file is
turned into a tree of the same shape: top-level keys become blocks (``resource`` -> type ->
name -> body), values become tuples, objects and literals, and every string is parsed as an
HCL template (``"${var.x}"`` means the same in JSON). Lines come from the CloudFormation loader,
which reads JSON with marks. Which keys are nested blocks rather than map attributes is what
the provider schema would say; only the blocks our checks read are listed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..model.values import ParseError, location_of
from .hcl_eval import interpolation_spans
from .hcl_parser import parse_hcl
from .hcl_tree import Meta, Token, Tree

NESTED_BLOCKS = {
    "statement",
    "principals",
    "not_principals",
    "condition",
    "inline_policy",
    "iam_instance_profile",
    "launch_template",
    "content",
    "lifecycle",
    "provisioner",
    "connection",
}
LABELS = {"resource": 2, "data": 2, "variable": 1, "output": 1, "module": 1, "provider": 1}


def parse_json_file(text: str, rel: str, tfvars: bool = False) -> Tree | ParseError:
    """A ``.tf.json`` (or ``.tfvars.json``) file as an HCL-shaped parse tree."""
    from .cfn_yaml import TemplateLoadError, load_template

    try:
        document = load_template(text, rel)
    except TemplateLoadError as error:
        detail = error.message.removeprefix("invalid YAML: ")
        line = None if error.line is None else max(1, min(error.line, text.count("\n") + 1))
        return ParseError(rel, line, f"invalid JSON: {detail}")
    if not isinstance(document, dict):
        return ParseError(rel, 1, "invalid Terraform JSON: the top level must be an object")
    problem = None if tfvars else shape_problem(document)
    if problem is not None:
        line, message = problem
        return ParseError(rel, line, f"invalid Terraform JSON: {message}")
    if tfvars:
        items = [attribute(key, value, document) for key, value in document.items()]
    else:
        items = [b for key, value in document.items() for b in top_level(key, value, document)]
    return Tree("start", [Tree("body", items, meta(document))], meta(document))


def shape_problem(document: dict) -> tuple[int | None, str] | None:
    """Where a block is not an object (``{"resource": [1]}``): Terraform rejects the file, so
    it is an error rather than blocks silently left out. ``//`` keys are comments."""
    for kind, value in document.items():
        if kind != "//":
            depth = 0 if kind == "locals" else LABELS.get(kind, 0)
            problem = _shape(kind, kind, value, depth, document)
            if problem is not None:
                return problem
    return None


def _shape(
    path: str, key: str, value: Any, depth: int, parent: Any
) -> tuple[int | None, str] | None:
    bodies = value if depth == 0 and isinstance(value, list) else [value]
    for body in bodies:
        if not isinstance(body, dict):
            where = location_of(body) or entry_meta(parent, key) or location_of(parent)
            return (where.line if where else None), f'"{path}" must be an object'
    if depth == 0:
        return None
    for label, inner in value.items():
        if label != "//":
            problem = _shape(f"{path}.{label}", label, inner, depth - 1, value)
            if problem is not None:
                return problem
    return None


def top_level(kind: str, value: Any, parent: Any) -> list[Tree]:
    if kind == "locals":
        bodies = value if isinstance(value, list) else [value]
        return [block(kind, [], body, parent) for body in bodies if isinstance(body, dict)]
    depth = LABELS.get(kind, 0)
    return labelled(kind, [], value, depth, parent)


def labelled(kind: str, labels: list[str], value: Any, depth: int, parent: Any) -> list[Tree]:
    """Walk ``{"type": {"name": {body}}}`` down ``depth`` label levels to the bodies."""
    if depth == 0:
        bodies = value if isinstance(value, list) else [value]
        return [block(kind, labels, body, parent) for body in bodies if isinstance(body, dict)]
    if not isinstance(value, dict):
        return []
    out = []
    for label, inner in value.items():
        out.extend(labelled(kind, [*labels, str(label)], inner, depth - 1, value))
    return out


def block(kind: str, labels: list[str], body: dict, parent: Any) -> Tree:
    where = meta(body, parent)
    entries = getattr(parent, "entry_locations", None) or {}
    key = labels[-1] if labels else kind
    if key in entries and isinstance(parent, dict) and parent.get(key) is body:
        where.line = entries[key].line  # the block starts at its name, like an HCL block
    children: list[Any] = [identifier(kind)]
    children.extend(label_string(label) for label in labels)
    children.append(Tree("body", body_items(body), where))
    return Tree("block", children, where)


def body_items(body: dict) -> list[Tree]:
    items = []
    for key, value in body.items():
        if key == "dynamic" and isinstance(value, dict):
            for label, inner in value.items():
                for part in inner if isinstance(inner, list) else [inner]:
                    if isinstance(part, dict):
                        items.append(block("dynamic", [str(label)], part, value))
        elif key in NESTED_BLOCKS and isinstance(value, (dict, list)):
            parts = value if isinstance(value, list) else [value]
            items.extend(block(key, [], part, body) for part in parts if isinstance(part, dict))
        else:
            items.append(attribute(key, value, body))
    return items


def attribute(name: str, value: Any, parent: Any) -> Tree:
    where = entry_meta(parent, name) or meta(value, parent)
    value_tree = expression(value, parent, where)
    return Tree("attribute", [identifier(name), Token("EQ", "="), value_tree], where)


def expression(value: Any, parent: Any, scalar_meta: Meta | None = None) -> Tree:
    """``scalar_meta``: where a scalar stands (its entry), better than its parent's span."""
    where = meta(value, parent)
    if scalar_meta is not None and location_of(value) is None:
        where = scalar_meta
    if isinstance(value, bool) or value is None:
        literal = "null" if value is None else ("true" if value else "false")
        return Tree("expr_term", [Tree("literal_value", [Token("NULL", literal)])], where)
    if isinstance(value, int):
        return Tree("expr_term", [Tree("int_lit", [Token("INT_LITERAL", str(value))])], where)
    if isinstance(value, float):
        return Tree("expr_term", [Tree("float_lit", [Token("FLOAT_LITERAL", repr(value))])], where)
    if isinstance(value, list):
        return Tree("tuple", [expression(item, value) for item in value], where)
    if isinstance(value, dict):
        elements = [
            Tree(
                "object_elem",
                [
                    Tree("object_elem_key", [Tree("expr_term", [identifier(str(key))])]),
                    Token("EQ", "="),
                    expression(item, value, entry_meta(value, key)),
                ],
                meta(item, value),
            )
            for key, item in value.items()
        ]
        return Tree("object", elements, where)
    return string_expression(str(value), where)


def string_expression(text: str, where: Meta) -> Tree:
    """A JSON string is an HCL template: parse it as one, keeping its own text for quoting."""
    snippet = f"x = {quoted_template(text)}\n"
    try:
        tree = parse_hcl(snippet)
        expr = tree.children[0].children[0].children[-1]
    except Exception:  # noqa: BLE001 - not a valid template: keep the text literally
        return Tree("expr_term", [label_string(text)], where)
    if not where.empty:
        shift_lines(expr, where.line - 1)
    return Tree("json_string", [Token("SNIPPET", snippet), expr], where)


_BLANKS = re.compile(r"([\n\r\t])")


def quoted_template(text: str) -> str:
    """The decoded JSON string as an HCL quoted string. Terraform reads it as a template, so
    a line break or tab inside ``${ }`` or ``%{ }`` is a blank between tokens there
    (``"${merge(\\n  a,\\n  b)}"`` in the JSON file): it stays as it is, since escaped it would
    be a syntax error; everywhere else the text is escaped as JSON escapes it."""
    if not _BLANKS.search(text) or "{" not in text:
        return json.dumps(text)
    pieces, copied = ['"'], 0
    for start, end in interpolation_spans(text):
        pieces.append(json.dumps(text[copied:start])[1:-1])
        for part in _BLANKS.split(text[start:end]):
            pieces.append(part if _BLANKS.fullmatch(part) else json.dumps(part)[1:-1])
        copied = end
    pieces += [json.dumps(text[copied:])[1:-1], '"']
    return "".join(pieces)


def shift_lines(node: Tree, offset: int) -> None:
    """Move a snippet's lines to where its string stands in the JSON file (the whole string is
    on one line there, so everything inside lands on that line)."""
    pending = [node]
    while pending:
        sub = pending.pop()
        if not sub.meta.empty:
            sub.meta.line = offset + 1
            sub.meta.end_line = offset + 1
        pending.extend(child for child in sub.children if isinstance(child, Tree))


def entry_meta(parent: Any, key: Any) -> Meta | None:
    entries = getattr(parent, "entry_locations", None) or {}
    if key not in entries:
        return None
    out = Meta()
    out.line, out.end_line = entries[key].line, entries[key].end_line
    out.column = out.end_column = 0
    out.empty = False
    return out


def identifier(name: str) -> Tree:
    return Tree("identifier", [Token("NAME", name)])


def label_string(text: str) -> Tree:
    return Tree(
        "string",
        [
            Token("DBLQUOTE", '"'),
            Tree("string_part", [Token("STRING_CHARS", text)]),
            Token("DBLQUOTE", '"'),
        ],
    )


def meta(value: Any, parent: Any = None) -> Meta:
    """Line marks from the located value (or its parent, for scalars)."""
    location = location_of(value) or location_of(parent)
    out = Meta()
    if location is not None:
        out.line, out.end_line = location.line, location.end_line
        out.column = out.end_column = 0
        out.empty = False
    return out
