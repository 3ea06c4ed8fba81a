"""Terraform's collection and number functions.

Sets are lists here. Like Terraform, a set of strings (or of numbers) comes out sorted and
without repeats, and ``toset(["a", 1])`` is a set of strings; a set whose elements are not all
known keeps its elements in order (a statement's resources may hold ``Template``s whose known
parts still count).
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..model.values import Template, Unknown
from .hcl_func_base import (
    UNKNOWN,
    FunctionError,
    any_value,
    as_bool,
    as_int,
    as_list,
    as_map,
    as_num,
    as_str,
    known,
    same,
    signature,
    text,
)

MAX_RANGE = 1024
"""Terraform's own limit: ``range`` fails rather than build more than 1024 numbers."""
MAX_PRODUCT = 10_000
"""Elements ``setproduct`` may build before the result is left unknown."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _unify(items: list[Any]) -> list[Any]:
    """Elements converted to one type, as Terraform does for a set or a list of strings."""
    primitive = [i for i in items if isinstance(i, (str, bool, int, float))]
    if len(primitive) != len(items) or not items:
        return items
    if any(isinstance(i, str) for i in items):
        return [text(i) for i in items]
    if any(isinstance(i, bool) for i in items) and any(_is_number(i) for i in items):
        raise FunctionError("all set elements must have the same type")
    return items


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if not any(same(item, seen) for seen in out):
            out.append(item)
    return out


def as_set(items: Any) -> list[Any]:
    """A list as the set Terraform would make of it."""
    values = as_list(items)
    if not known(values):
        out: list[Any] = []
        for item in values:
            if item not in out or not known(item):
                out.append(item)
        return out
    unique = _distinct(_unify(values))
    if all(isinstance(i, str) for i in unique) or all(_is_number(i) for i in unique):
        return sorted(unique)
    return unique


def _null_or(convert: Any) -> Any:
    """``tolist(null)`` and friends are null, not an error."""

    def wrapper(value: Any) -> Any:
        if isinstance(value, (Unknown, Template)):
            return UNKNOWN
        return None if value is None else convert(value)

    return wrapper


def _members(items: list[Any], others: list[list[Any]]) -> list[Any]:
    return [i for i in items if all(any(same(i, o) for o in other) for other in others)]


@signature(as_set, rest=as_set)
def setintersection(first: list[Any], *others: list[Any]) -> list[Any]:
    return _members(first, list(others))


@signature(as_set, as_set)
def setsubtract(left: list[Any], right: list[Any]) -> list[Any]:
    return [i for i in left if not any(same(i, r) for r in right)]


def setunion(*sets: Any) -> Any:
    if not sets or any(isinstance(s, (Unknown, Template)) for s in sets):
        return UNKNOWN
    merged: list[Any] = []
    for item in sets:
        merged.extend(as_list(item))
    return as_set(merged)


@signature(rest=as_set)
def setproduct(*sets: list[Any]) -> Any:
    if len(sets) < 2:
        raise FunctionError("at least two arguments are required")
    if math.prod(len(s) for s in sets) > MAX_PRODUCT:
        return UNKNOWN
    rows: list[list[Any]] = [[]]
    for values in sets:
        rows = [row + [v] for row in rows for v in values]
    return rows


@signature(as_list)
def sort(items: list[Any]) -> list[str]:
    if any(i is None for i in items):
        raise FunctionError("given list element is null; a null string cannot be sorted")
    return sorted(as_str(i) for i in items)


def _truth(items: Any, stop: bool) -> Any:
    """``alltrue`` (stop at false) and ``anytrue`` (stop at true), element by element as
    Terraform goes: an unknown element before the deciding one makes the result unknown for
    ``alltrue``; ``anytrue`` looks at every element first."""
    if isinstance(items, (Unknown, Template)):
        return UNKNOWN
    unknown = False
    for item in as_list(items):
        if isinstance(item, (Unknown, Template)):
            if stop is False:
                return UNKNOWN
            unknown = True
            continue
        if item is None:
            if stop is False:
                return False
            continue
        if as_bool(item) is stop:
            return stop
    return UNKNOWN if unknown else not stop


def one(items: Any) -> Any:
    if isinstance(items, (Unknown, Template)):
        return UNKNOWN
    if items is None:
        return None
    values = as_list(items)
    if len(values) > 1:
        raise FunctionError("must be a list, set, or tuple value with either zero or one elements")
    return values[0] if values else None


def reverse(items: Any) -> Any:
    if isinstance(items, (Unknown, Template)):
        return UNKNOWN
    return as_list(items)[::-1]


def chunklist(items: Any, size: Any) -> Any:
    if isinstance(items, (Unknown, Template)) or not known(size):
        return UNKNOWN
    values, count = as_list(items), as_int(size)
    if count < 0:
        raise FunctionError("the size argument must be positive")
    if count == 0:
        return [values]
    return [values[i : i + count] for i in range(0, len(values), count)]


@signature(as_map)
def transpose(mapping: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key in sorted(mapping):
        values = mapping[key]
        if values is None:
            raise FunctionError("input must be a map of lists of strings")
        for value in as_list(values):
            if value is None or not isinstance(value, (str, int, float)):
                raise FunctionError("input must be a map of lists of strings")
            out.setdefault(as_str(value), []).append(key)
    return {k: out[k] for k in sorted(out)}


def matchkeys(values: Any, keys: Any, searchset: Any) -> Any:
    if isinstance(values, (Unknown, Template)) or not known(keys) or not known(searchset):
        return UNKNOWN
    values, keys, searchset = as_list(values), as_list(keys), as_list(searchset)
    if len(values) != len(keys):
        raise FunctionError("length of keys and values should be equal")
    return [v for v, k in zip(values, keys, strict=True) if any(same(k, s) for s in searchset)]


@signature(as_list, any_value)
def index(items: list[Any], value: Any) -> int:
    for position, item in enumerate(items):
        if same(item, value):
            return position
    raise FunctionError("item not found")


def contains(items: Any, value: Any) -> Any:
    """True once a known element equals the value; unknown while an unknown one might."""
    if isinstance(items, (Unknown, Template)) or not known(value):
        return UNKNOWN
    values = as_list(items)
    if any(known(i) and same(i, value) for i in values):
        return True
    return UNKNOWN if not known(values) else False


@signature(as_list)
def sum_(items: list[Any]) -> int | float:
    if not items:
        raise FunctionError("cannot sum an empty list")
    if any(i is None for i in items):
        raise FunctionError("argument must be list, set, or tuple of number values")
    return sum(as_num(i) for i in items)


@signature(rest=as_num)
def range_(*numbers: int | float) -> list[int | float]:
    """Terraform's ``range``: the step defaults to -1 when the limit is below the start, and
    more than ``MAX_RANGE`` numbers is an error."""
    start: int | float
    limit: int | float
    step: int | float
    if len(numbers) == 1:
        start, limit, step = 0, numbers[0], (-1 if numbers[0] < 0 else 1)
    elif len(numbers) == 2:
        start, limit = numbers
        step = -1 if limit < start else 1
    elif len(numbers) == 3:
        start, limit, step = numbers
    else:
        raise FunctionError("must have one, two, or three arguments")
    if step == 0:
        raise FunctionError("step must not be zero")
    if (step < 0 and limit > start) or (step > 0 and limit < start):
        raise FunctionError("end must be on the side of start that step moves towards")
    out: list[int | float] = []
    value = start
    while (value > limit) if step < 0 else (value < limit):
        if len(out) >= MAX_RANGE:
            raise FunctionError(f"more than {MAX_RANGE} values were generated")
        out.append(value)
        value += step
    return out


def _numbers(func: Any) -> Any:
    def wrapper(*numbers: int | float) -> Any:
        if not numbers:
            raise FunctionError("must pass at least one number")
        return func(numbers)

    return signature(rest=as_num)(wrapper)


def _signum(number: int | float) -> int:
    return (number > 0) - (number < 0)


def _log(number: int | float, base: int | float) -> float:
    try:
        return math.log(number, base)
    except (ValueError, ZeroDivisionError):
        raise FunctionError("log of a number that is not positive, or to base 1") from None


def _parseint(value: str, base: int) -> Any:
    if not 2 <= base <= 62:
        raise FunctionError("base must be a whole number between 2 and 62 inclusive")
    if base > 36:
        return UNKNOWN  # Go's digits above base 36 are case-sensitive; not worth modelling
    digits = value.lstrip("+-")
    prefixed = digits[:2].lower() in ("0x", "0o", "0b")  # Python reads these, Go does not
    try:
        if re.fullmatch(r"[-+]?[0-9A-Za-z]+", value) and not prefixed:
            return int(value, base)
    except ValueError:
        pass
    raise FunctionError(f"cannot parse {value!r} as a base {base} integer")


def _pow(base: int | float, exponent: int | float) -> Any:
    try:
        result = base**exponent
    except (OverflowError, ZeroDivisionError):
        return UNKNOWN
    return UNKNOWN if isinstance(result, complex) else result


def _slice(items: Any, start: Any, end: Any) -> Any:
    if isinstance(items, (Unknown, Template)) or not known(start) or not known(end):
        return UNKNOWN
    values, first, last = as_list(items), as_int(start), as_int(end)
    if first < 0 or last > len(values) or first > last:
        raise FunctionError("start index and end index must be within the list, start first")
    return values[first:last]


COLLECTIONS: dict[str, Any] = {
    "toset": _null_or(as_set),
    "setunion": setunion,
    "setintersection": setintersection,
    "setsubtract": setsubtract,
    "setproduct": setproduct,
    "sort": sort,
    "alltrue": lambda items: _truth(items, stop=False),
    "anytrue": lambda items: _truth(items, stop=True),
    "one": one,
    "reverse": reverse,
    "chunklist": chunklist,
    "transpose": transpose,
    "matchkeys": matchkeys,
    "index": index,
    "contains": contains,
    "sum": sum_,
    "range": range_,
    "slice": _slice,
    "abs": signature(as_num)(abs),
    "ceil": signature(as_num)(lambda n: n if isinstance(n, int) else math.ceil(n)),
    "floor": signature(as_num)(lambda n: n if isinstance(n, int) else math.floor(n)),
    "signum": signature(as_num)(_signum),
    "pow": signature(as_num, as_num)(_pow),
    "log": signature(as_num, as_num)(_log),
    "parseint": signature(as_str, as_int)(_parseint),
    "max": _numbers(max),
    "min": _numbers(min),
}
