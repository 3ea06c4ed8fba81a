"""Terraform built-in functions and operators, on known values only.

Each function gets already-evaluated arguments. A function not modelled here, or whose
arguments are not known, gives ``UNKNOWN`` and the caller turns it into an ``Unknown`` that
quotes the source. A call Terraform itself would fail (``tostring({})``, ``one([1, 2])``,
``base64decode("%")``) raises ``FunctionError`` inside the function; ``call`` records it as
an evaluation error, which ``try()`` moves past and ``can()`` answers false to, and gives
``UNKNOWN``. The implementations live in ``hcl_func_*``; ``FUNCTIONS`` is the whole table
(and, for benchmarks/realworld.md, the list of functions the evaluator implements).

``yamlencode`` is deliberately absent: an IAM policy document is JSON (IAM rejects other text
as a malformed policy document), so a policy from ``yamlencode(...)`` is a configuration that
cannot be applied rather than a policy, and reproducing its exact text to report that as
IAM027 is not worth it. It stays Unknown, quoting ``yamlencode(...)``: an ``unresolved``
entry, never a pass.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from ..model import limits
from ..model.values import (
    LocatedDict,
    LocatedList,
    Template,
    Unknown,
    location_of,
    without_lone_surrogates,
)
from . import hcl_func_collections, hcl_func_net, hcl_func_regex, hcl_func_text
from .hcl_func_base import (
    UNKNOWN,
    FunctionError,
    as_bool,
    as_list,
    as_map,
    as_num,
    as_str,
    known,
    number_text,
    plain,
    same,
    text,
    to_number,
)

__all__ = ["FUNCTIONS", "UNKNOWN", "binary", "call", "known", "number_text", "plain", "to_number"]


def _error(message: str) -> Any:
    """Record a Terraform error for ``try()``/``can()``; the value is unknown."""
    from .hcl_eval import note_error

    note_error(message)
    return UNKNOWN


def _never_null(value: Any) -> bool:
    """A known value, or an Unknown its front end knows to be a non-empty string (an id or ARN
    the cloud assigns), is not null."""
    return not isinstance(value, Unknown) or value.never_wildcard


def _kinds_differ(left: Any, right: Any) -> bool:
    """Terraform's ``==`` compares types first: a list or map (whatever unknown elements it
    holds) never equals a bool, number or string (``statement.value == true``)."""
    for one, other in ((left, right), (right, left)):
        if isinstance(one, (list, dict)) and isinstance(other, (bool, int, float, str, Template)):
            return True
    return False


def binary(op: str, left: Any, right: Any) -> Any:
    if op in ("==", "!="):
        other = right if left is None else left
        if (left is None or right is None) and _never_null(other):
            # a map, list or string is never null, whatever unknown values it holds
            return (left is right) if op == "==" else (left is not right)
        if _kinds_differ(left, right):
            return op == "!="
        if not known(left) or not known(right):
            return UNKNOWN
        equal = same(plain(left), plain(right))
        return equal if op == "==" else not equal
    if op in ("&&", "||"):
        if not known(left) or not known(right):
            # A known false decides ``&&`` and a known true ``||``, the other side unknown (cty).
            decisive = op == "||"
            return decisive if left is decisive or right is decisive else UNKNOWN
        if not isinstance(left, bool) or not isinstance(right, bool):
            return _error(f"a bool is required for {op}")
        return (left and right) if op == "&&" else (left or right)
    if not known(left) or not known(right):
        return UNKNOWN
    a, b = to_number(left), to_number(right)
    if a is None or b is None:
        return _error(f"a number is required for {op}")
    if op in ("/", "%") and b == 0:
        return _error("can't divide by zero")
    try:
        result = {
            "+": lambda: a + b,
            "-": lambda: a - b,
            "*": lambda: a * b,
            "/": lambda: a / b,
            "%": lambda: _modulo(a, b),
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


def _modulo(a: int | float, b: int | float) -> int | float:
    """Terraform's ``%`` keeps the dividend's sign (``-7 % 3`` is -1), unlike Python's."""
    if isinstance(a, float) or isinstance(b, float):
        return math.fmod(a, b)
    return abs(a) % abs(b) * (1 if a >= 0 else -1)


def _opaque(value: Any) -> bool:
    return isinstance(value, (Unknown, Template))


def _jsonencode(value: Any) -> Any:
    # The value itself, not its text: the policy normalizer reads objects with their lines.
    return value


def _jsondecode(value: Any) -> Any:
    if _opaque(value):
        return UNKNOWN
    try:
        return json.loads(without_lone_surrogates(as_str(value)))
    except ValueError as error:
        raise FunctionError(f"invalid JSON: {error}") from None


def _concat(*lists: Any) -> Any:
    out = LocatedList()
    for item in lists:
        if _opaque(item):
            return UNKNOWN
        out.extend(as_list(item))
    out.location = location_of(lists[0]) if lists else None
    return out


def _merge(*maps: Any) -> Any:
    out = LocatedDict()
    for item in maps:
        if item is None:
            continue
        if _opaque(item):
            return UNKNOWN
        out.update(as_map(item))
    return out


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if _opaque(mapping) or not known(key) or len(default) > 1:
        return UNKNOWN
    name = as_str(key)
    if name in as_map(mapping):
        return mapping[name]
    if not default:
        raise FunctionError(f"the given key {name!r} does not exist in the map")
    return default[0]


def _element(items: Any, index: Any) -> Any:
    if _opaque(items) or not known(index):
        return UNKNOWN
    values, number = as_list(items), as_num(index)
    if not values:
        raise FunctionError("cannot use element function with an empty list")
    if number < 0:
        raise FunctionError("cannot use element function with a negative index")
    return values[int(number) % len(values)]


def _flatten(items: Any) -> Any:
    """An unknown element is taken for a scalar: resource references (ARNs, documents) are,
    and they keep their links to the graph."""
    if _opaque(items):
        return UNKNOWN
    out: list[Any] = []
    for item in as_list(items):
        if isinstance(item, list):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def _distinct(items: Any) -> Any:
    if _opaque(items):
        return UNKNOWN
    out: list[Any] = []
    for item in as_list(items):
        if not any(same(item, seen) if known(item) else item == seen for seen in out):
            out.append(item)
    return out


def _coalesce(*values: Any) -> Any:
    for value in values:
        if _opaque(value):
            return UNKNOWN
        if value is not None and value != "":
            return value
    raise FunctionError("no non-null, non-empty-string arguments")


def _coalescelist(*lists: Any) -> Any:
    for items in lists:
        if _opaque(items):
            return UNKNOWN
        if items is not None and as_list(items):
            return items
    raise FunctionError("no non-null arguments")


def _converter(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``tostring`` and friends: null stays null, an unknown stays itself (keeping what it
    refers to), a value that does not convert is an error."""

    def wrapper(value: Any) -> Any:
        if value is None or _opaque(value):
            return value
        return convert(value)

    return wrapper


def _tostring(value: Any) -> Any:
    converted = text(value)
    if converted is None:
        raise FunctionError("cannot convert a collection to a string")
    return converted


def _tonumber(value: Any) -> Any:
    number = to_number(value)
    if number is None:
        raise FunctionError(f"cannot convert {value!r} to a number")
    return number


def _tolist(value: Any) -> Any:
    if not isinstance(value, list):
        raise FunctionError("cannot convert a map or a primitive to a list")
    return value


def _tomap(value: Any) -> Any:
    if not isinstance(value, dict):
        raise FunctionError("cannot convert a list or a primitive to a map")
    return value


def _length(value: Any) -> Any:
    if _opaque(value):
        return UNKNOWN
    if isinstance(value, (list, dict, str)):
        return len(value)
    raise FunctionError("argument must be a string, a collection type, or a structural type")


def _keys(value: Any) -> Any:
    return UNKNOWN if _opaque(value) else sorted(as_map(value))


def _values(value: Any) -> Any:
    return UNKNOWN if _opaque(value) else [value[k] for k in sorted(as_map(value))]


def _zipmap(keys: Any, values: Any) -> Any:
    if not known(keys) or _opaque(values):
        return UNKNOWN
    names, items = [as_str(k) for k in as_list(keys)], as_list(values)
    if len(names) != len(items):
        raise FunctionError(
            f"number of keys ({len(names)}) does not match number of values ({len(items)})"
        )
    return dict(zip(names, items, strict=True))


def _compact(items: Any) -> Any:
    if _opaque(items):
        return UNKNOWN
    return [i for i in as_list(items) if i is not None and i != ""]


def _split(separator: Any, value: Any) -> Any:
    if not known(separator) or not known(value):
        return UNKNOWN
    sep, string = as_str(separator), as_str(value)
    if not sep:
        return list(string)
    return string.split(sep)


def _identity(value: Any) -> Any:
    return value


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "concat": _concat,
    "merge": _merge,
    "lookup": _lookup,
    "element": _element,
    "flatten": _flatten,
    "distinct": _distinct,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "tostring": _converter(_tostring),
    "tonumber": _converter(_tonumber),
    "tobool": _converter(as_bool),
    "tolist": _converter(_tolist),
    "tomap": _converter(_tomap),
    "length": _length,
    "keys": _keys,
    "values": _values,
    "zipmap": _zipmap,
    "compact": _compact,
    "split": _split,
    "sensitive": _identity,
    "nonsensitive": _identity,
    **hcl_func_text.STRINGS,
    **hcl_func_text.FORMATTING,
    **hcl_func_text.ENCODINGS,
    **hcl_func_collections.COLLECTIONS,
    **hcl_func_net.FUNCTIONS,
    **hcl_func_regex.FUNCTIONS,
}


def call(name: str, args: list[Any]) -> Any:
    func = FUNCTIONS.get(name)
    if func is None:
        return UNKNOWN
    try:
        result = func(*args)
    except FunctionError as error:
        return _error(f"{name}(): {error}")
    except (TypeError, ValueError, IndexError, AttributeError, RecursionError, OverflowError):
        return UNKNOWN
    if isinstance(result, str):
        # Each call's growth is bounded (a few times its input), so chains stop here.
        limits.check_length(len(result), f"{name}() result")
    return result
