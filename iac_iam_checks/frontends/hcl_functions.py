"""Terraform built-in functions and operators, on known values only.

Each function gets already-evaluated arguments; if any argument it needs is unknown, or the
function is not one we model, the result is ``UNKNOWN`` and the caller turns it into an
``Unknown`` that quotes the source. Only functions that shape policies, names and counts are
worth modelling; the rest are honestly unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ..model import LocatedDict, LocatedList, Template, Unknown, location_of, make_string

UNKNOWN = object()


def known(value: Any) -> bool:
    if isinstance(value, (Unknown, Template)):
        return False
    if isinstance(value, dict):
        return all(known(v) for v in value.values())
    if isinstance(value, list):
        return all(known(v) for v in value)
    return True


def number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, str):
        return value
    return None


def to_number(value: Any) -> float | int | None:
    """A number, or a string Terraform would convert to one; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def binary(op: str, left: Any, right: Any) -> Any:
    if op in ("==", "!="):
        if not known(left) or not known(right):
            return UNKNOWN
        equal = plain(left) == plain(right)
        return equal if op == "==" else not equal
    if op in ("&&", "||"):
        if not isinstance(left, bool) or not isinstance(right, bool):
            return UNKNOWN
        return (left and right) if op == "&&" else (left or right)
    a, b = to_number(left), to_number(right)
    if a is None or b is None:
        return UNKNOWN
    try:
        result = {
            "+": lambda: a + b,
            "-": lambda: a - b,
            "*": lambda: a * b,
            "/": lambda: a / b,
            "%": lambda: a % b,
            "<": lambda: a < b,
            ">": lambda: a > b,
            "<=": lambda: a <= b,
            ">=": lambda: a >= b,
        }[op]()
    except (KeyError, ZeroDivisionError):
        return UNKNOWN
    if isinstance(result, float) and result.is_integer() and op != "/":
        return int(result)
    return result


def plain(value: Any) -> Any:
    """Containers without location subclasses, for equality and JSON."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _all_known(func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any) -> Any:
        if not all(known(a) for a in args):
            return UNKNOWN
        return func(*args)

    return wrapper


def _jsonencode(value: Any) -> Any:
    # The value itself, not its text: the policy normalizer reads objects with their lines.
    return value


def _jsondecode(text: Any) -> Any:
    if not isinstance(text, str):
        return UNKNOWN
    try:
        return json.loads(text)
    except ValueError:
        return UNKNOWN


def _concat(*lists: Any) -> Any:
    out = LocatedList()
    for item in lists:
        if not isinstance(item, list):
            return UNKNOWN
        out.extend(item)
    out.location = location_of(lists[0]) if lists else None
    return out


def _merge(*maps: Any) -> Any:
    out = LocatedDict()
    for item in maps:
        if item is None:
            continue
        if not isinstance(item, dict):
            return UNKNOWN
        out.update(item)
    return out


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if not isinstance(mapping, dict) or not isinstance(key, str):
        return UNKNOWN
    if key in mapping:
        return mapping[key]
    return default[0] if default else UNKNOWN


def _element(items: Any, index: Any) -> Any:
    if not isinstance(items, list) or not items or to_number(index) is None:
        return UNKNOWN
    return items[int(to_number(index) or 0) % len(items)]


def _join(sep: Any, *lists: Any) -> Any:
    """``join(sep, list...)``; unknown items keep their place, so ``join("", [ref])`` is that
    reference (``join("", aws_iam_user.u.*.name)`` still links to the user)."""
    if not isinstance(sep, str):
        return UNKNOWN
    if len(lists) == 1 and isinstance(lists[0], Unknown) and lists[0].ref is not None:
        return lists[0]  # the names of a block's instances, however many there are
    parts: list[str | Unknown] = []
    for items in lists:
        if not isinstance(items, list):
            return UNKNOWN
        for item in items:
            text = _text(item)
            if text is None and not isinstance(item, (Unknown, Template)):
                return UNKNOWN
            if parts:
                parts.append(sep)
            parts.extend(item.parts if isinstance(item, Template) else [text or item])
    if any(isinstance(p, Unknown) for p in parts):
        return make_string(parts)
    return "".join(str(p) for p in parts)


def _format(fmt: Any, *args: Any) -> Any:
    if not isinstance(fmt, str):
        return UNKNOWN
    values = iter(args)

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        text = _text(next(values, None))
        if text is None:
            raise ValueError
        return text

    try:
        return re.sub(r"%%|%[-+ #0]*\d*(?:\.\d+)?[sdvqfgt]", replace, fmt)
    except ValueError:
        return UNKNOWN


def _flatten(items: Any) -> Any:
    if not isinstance(items, list):
        return UNKNOWN
    out: list[Any] = []
    for item in items:
        if isinstance(item, list):
            flat = _flatten(item)
            if flat is UNKNOWN:
                return UNKNOWN
            out.extend(flat)
        else:
            out.append(item)
    return out


def _distinct(items: Any) -> Any:
    if not isinstance(items, list):
        return UNKNOWN
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _coalesce(*values: Any) -> Any:
    for value in values:
        if isinstance(value, (Unknown, Template)):
            return UNKNOWN
        if value is not None and value != "":
            return value
    return UNKNOWN


def _toset(items: Any) -> Any:
    return _distinct(items)


def _tomap(value: Any) -> Any:
    return value if isinstance(value, dict) else UNKNOWN


def _tolist(value: Any) -> Any:
    return value if isinstance(value, list) else UNKNOWN


def _length(value: Any) -> Any:
    if isinstance(value, (list, dict, str)):
        return len(value)
    return UNKNOWN


def _keys(value: Any) -> Any:
    return sorted(value) if isinstance(value, dict) else UNKNOWN


def _values(value: Any) -> Any:
    return [value[k] for k in sorted(value)] if isinstance(value, dict) else UNKNOWN


def _range(*args: Any) -> Any:
    numbers = [to_number(a) for a in args]
    if any(n is None for n in numbers) or not 1 <= len(numbers) <= 3:
        return UNKNOWN
    ints = [int(n or 0) for n in numbers]
    values = list(range(*ints))
    return values if len(values) <= 10_000 else UNKNOWN


def _zipmap(keys: Any, values: Any) -> Any:
    if not isinstance(keys, list) or not isinstance(values, list):
        return UNKNOWN
    return dict(zip([str(k) for k in keys], values, strict=False))


def _contains(items: Any, value: Any) -> Any:
    return value in items if isinstance(items, list) else UNKNOWN


def _compact(items: Any) -> Any:
    if not isinstance(items, list):
        return UNKNOWN
    return [i for i in items if i not in (None, "")]


def _replace(text: Any, old: Any, new: Any) -> Any:
    if not all(isinstance(v, str) for v in (text, old, new)):
        return UNKNOWN
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        try:
            return re.sub(old[1:-1], re.sub(r"\$\{?(\d+)\}?", r"\\\1", new), text)
        except re.error:
            return UNKNOWN
    return text.replace(old, new)


def _split(sep: Any, text: Any) -> Any:
    if isinstance(sep, str) and isinstance(text, str) and sep:
        return text.split(sep)
    return UNKNOWN


def _str_func(func: Callable[[str], Any]) -> Callable[..., Any]:
    def wrapper(text: Any, *rest: Any) -> Any:
        if not isinstance(text, str) or not all(known(r) for r in rest):
            return UNKNOWN
        return func(text, *rest)

    return wrapper


def _one(items: Any) -> Any:
    if isinstance(items, list) and len(items) <= 1:
        return items[0] if items else None
    return UNKNOWN


def _setunion(*sets: Any) -> Any:
    return _distinct(_concat(*sets)) if all(isinstance(s, list) for s in sets) else UNKNOWN


def _slice(items: Any, start: Any, end: Any) -> Any:
    if isinstance(items, list) and to_number(start) is not None and to_number(end) is not None:
        return items[int(to_number(start) or 0) : int(to_number(end) or 0)]
    return UNKNOWN


def _on_numbers(func: Callable[[list[Any]], Any]) -> Callable[..., Any]:
    def wrapper(*values: Any) -> Any:
        numbers = [to_number(v) for v in values]
        return UNKNOWN if any(n is None for n in numbers) else func(numbers)

    return wrapper


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode,
    "yamlencode": lambda v: UNKNOWN,
    "jsondecode": _jsondecode,
    "concat": _concat,
    "merge": _merge,
    "lookup": _lookup,
    "element": _element,
    "join": _join,
    "format": _all_known(_format),
    "flatten": _flatten,
    "distinct": _distinct,
    "coalesce": _coalesce,
    "coalescelist": lambda *ls: next((x for x in ls if isinstance(x, list) and x), UNKNOWN),
    "toset": _toset,
    "tomap": _tomap,
    "tolist": _tolist,
    "tostring": lambda v: _text(v) if _text(v) is not None else UNKNOWN,
    "tonumber": lambda v: to_number(v) if to_number(v) is not None else UNKNOWN,
    "tobool": lambda v: v if isinstance(v, bool) else UNKNOWN,
    "length": _length,
    "keys": _keys,
    "values": _values,
    "range": _range,
    "zipmap": _zipmap,
    "contains": _contains,
    "compact": _compact,
    "replace": _replace,
    "split": _split,
    "one": _one,
    "setunion": _setunion,
    "slice": _slice,
    "lower": _str_func(str.lower),
    "upper": _str_func(str.upper),
    "trimspace": _str_func(str.strip),
    "trimprefix": _str_func(
        lambda s, p: s[len(p) :] if isinstance(p, str) and s.startswith(p) else s
    ),
    "trimsuffix": _str_func(lambda s, p: s[: -len(p)] if p and s.endswith(p) else s),
    "trim": _str_func(lambda s, chars: s.strip(chars)),
    "title": _str_func(str.title),
    "chomp": _str_func(lambda s: s.rstrip("\r\n")),
    "abs": _on_numbers(lambda numbers: abs(*numbers)),
    "max": _on_numbers(max),
    "min": _on_numbers(min),
}


def call(name: str, args: list[Any]) -> Any:
    func = FUNCTIONS.get(name)
    if func is None:
        return UNKNOWN
    try:
        return func(*args)
    except (TypeError, ValueError, IndexError, AttributeError, RecursionError):
        return UNKNOWN
