"""Apply a variable's ``type`` constraint to its value, as Terraform does before a module sees it.

Real modules declare object types with ``optional()`` attributes
(``map(object({ sid = optional(string), effect = optional(string, "Allow") }))``) and read
``statement.value.not_actions`` on every element: Terraform fills the missing attributes with
null (or the given default, which also replaces an attribute given as null), so the module
works. Without that, each such read is an error and
the policy document built from it is garbage. Primitive conversions (``"20"`` for a number,
``"true"`` for a bool) follow Terraform's rules; a value that does not convert is left alone,
since the front end only reads values, it does not validate them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..model.values import Template, Unknown, located, location_of
from .hcl_eval import rule, significant
from .hcl_functions import to_number
from .hcl_tree import Token, Tree
from .terraform_parse import unwrapped

PRIMITIVES = ("string", "number", "bool", "any")


@dataclass(frozen=True)
class Attribute:
    """One attribute of an object type: its type, whether optional, and its default's node."""

    type: Any
    optional: bool
    default: Tree | Token | None


def declared_type(node: Tree | Token) -> Any:
    """:func:`parse_type` of a variable's ``type``, read once per tree: every instance of a
    module converts its inputs again, and module types can be large ``object({...})``s. The
    result is shared: never modify it."""
    if not isinstance(node, Tree):
        return parse_type(node)
    known = getattr(node, "type_spec", None)
    if known is None:
        known = node.type_spec = (parse_type(node),)
    return known[0]


def parse_type(node: Tree | Token) -> Any:
    """A type expression as ``"string"``, ``("list", T)``, ``("object", {name: Attribute})``...,
    or None when it is not a form we know (the value is then left as it is)."""
    inner = unwrapped(node)
    if isinstance(inner, Tree) and inner.data in ("identifier", "keyword"):
        name = str(inner.children[0])
        return name if name in PRIMITIVES else None
    if not isinstance(inner, Tree) or inner.data != "function_call":
        return None
    kids = significant(inner)
    name = str(rule(kids[0]).children[0])
    args = _arguments(kids)
    if name in ("list", "set", "map") and len(args) == 1:
        element = parse_type(args[0])
        return (name, element) if element is not None else None
    if name == "object" and len(args) == 1:
        return _object_type(args[0])
    if name == "tuple" and len(args) == 1:
        items = unwrapped(args[0])
        if not isinstance(items, Tree) or items.data != "tuple":
            return None
        types = [parse_type(item) for item in significant(items) if isinstance(item, Tree)]
        return ("tuple", types) if None not in types else None
    return None


def convert(type_: Any, value: Any, evaluate: Callable[[Tree | Token], Any]) -> Any:
    """``value`` converted to ``type_``; ``evaluate`` computes ``optional()`` defaults."""
    if type_ is None or type_ == "any" or value is None:
        return value
    if isinstance(value, (Unknown, Template)):
        return value
    if isinstance(type_, str):
        return _primitive(type_, value)
    kind, element = type_
    if kind in ("list", "set") and isinstance(value, list):
        return located([convert(element, item, evaluate) for item in value], location_of(value))
    if kind == "map" and isinstance(value, dict):
        out = {key: convert(element, item, evaluate) for key, item in value.items()}
        return located(out, location_of(value))
    if kind == "tuple" and isinstance(value, list) and len(value) == len(element):
        out_items = [convert(t, item, evaluate) for t, item in zip(element, value, strict=True)]
        return located(out_items, location_of(value))
    if kind == "object" and isinstance(value, dict):
        return located(_object_value(element, value, evaluate), location_of(value))
    return value


def _object_value(
    attributes: dict[str, Attribute], value: dict, evaluate: Callable[[Tree | Token], Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, attribute in attributes.items():
        # A default replaces a null as well as a missing attribute (HCL's ``Defaults.apply``).
        if name in value and (value[name] is not None or attribute.default is None):
            out[name] = convert(attribute.type, value[name], evaluate)
        elif attribute.optional:
            default = evaluate(attribute.default) if attribute.default is not None else None
            out[name] = convert(attribute.type, default, evaluate)
    return out  # attributes the type does not declare are dropped, as in Terraform


def _primitive(type_: str, value: Any) -> Any:
    if type_ == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if type_ == "string" and isinstance(value, (int, float)):
        return str(value)
    if type_ == "bool" and isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    if type_ == "number" and isinstance(value, str):
        number = to_number(value)
        return value if number is None else number
    return value


def _object_type(node: Tree | Token) -> Any:
    body = unwrapped(node)
    if not isinstance(body, Tree) or body.data != "object":
        return None
    attributes: dict[str, Attribute] = {}
    for elem in significant(body):
        if not isinstance(elem, Tree) or elem.data != "object_elem":
            continue
        key_node, type_node = significant(elem)
        key = unwrapped(significant(rule(key_node))[0])
        if not isinstance(key, Tree) or key.data not in ("identifier", "keyword"):
            return None
        attribute = _attribute(type_node)
        if attribute is None:
            return None
        attributes[str(key.children[0])] = attribute
    return ("object", attributes)


def _attribute(node: Tree | Token) -> Attribute | None:
    inner = unwrapped(node)
    if isinstance(inner, Tree) and inner.data == "function_call":
        kids = significant(inner)
        if str(rule(kids[0]).children[0]) == "optional":
            args = _arguments(kids)
            if not 1 <= len(args) <= 2:
                return None
            type_ = parse_type(args[0])
            if type_ is None:
                return None
            return Attribute(type_, True, args[1] if len(args) == 2 else None)
    type_ = parse_type(node)
    return Attribute(type_, False, None) if type_ is not None else None


def _arguments(kids: list[Tree | Token]) -> list[Tree | Token]:
    args = next((k for k in kids[1:] if isinstance(k, Tree) and k.data == "arguments"), None)
    return [a for a in significant(args) if isinstance(a, Tree)] if args is not None else []
