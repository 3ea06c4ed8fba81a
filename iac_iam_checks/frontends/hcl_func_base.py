"""What every Terraform function implementation shares: the unknown marker, the error a
Terraform function raises, and Terraform's conversions of arguments to parameter types.

A function that Terraform would fail raises ``FunctionError``: the evaluator records it as an
error, which ``try()`` moves past and ``can()`` answers false to. A function whose arguments
are not known returns ``UNKNOWN`` and never raises: an unknown argument is not an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..model.values import Template, Unknown

UNKNOWN = object()


class FunctionError(Exception):
    """A call Terraform rejects (wrong type, out of range, bad input); the message says why."""


def known(value: Any) -> bool:
    if isinstance(value, (Unknown, Template)):
        return False
    if isinstance(value, dict):  # a policy Condition may keep a key that is not known
        return all(known(k) and known(v) for k, v in value.items())
    if isinstance(value, list):
        return all(known(v) for v in value)
    return True


def number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def text(value: Any) -> str | None:
    """A primitive as Terraform converts it to a string; None for null and collections."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, str):
        return value
    return None


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def to_number(value: Any) -> float | int | None:
    """A number, or a string Terraform would convert to one (decimal only, no spaces, no
    ``inf``); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**63 else number
    return None


def plain(value: Any) -> Any:
    """Containers without location subclasses, for equality and JSON."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def same(left: Any, right: Any) -> bool:
    """Terraform's equality on known values: ``true`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, (dict, list)) or isinstance(right, (dict, list)):
        return False
    if isinstance(left, str) or isinstance(right, str):
        return isinstance(left, str) and isinstance(right, str) and str(left) == str(right)
    return bool(left == right)


# -- conversions to a parameter's type: Terraform's rules, FunctionError where they fail -------


def _not_null(value: Any) -> Any:
    if value is None:
        raise FunctionError("argument must not be null")
    return value


def as_str(value: Any) -> str:
    converted = text(_not_null(value))
    if converted is None:
        raise FunctionError("string required")
    return converted


def as_num(value: Any) -> int | float:
    number = to_number(_not_null(value))
    if number is None:
        raise FunctionError("number required")
    return number


def as_int(value: Any) -> int:
    number = as_num(value)
    if isinstance(number, float) and not number.is_integer():
        raise FunctionError("must be a whole number")
    return int(number)


def as_bool(value: Any) -> bool:
    if isinstance(_not_null(value), bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise FunctionError("bool required")


def as_list(value: Any) -> list[Any]:
    if not isinstance(_not_null(value), list):
        raise FunctionError("list, set or tuple required")
    return value


def as_map(value: Any) -> dict[str, Any]:
    if not isinstance(_not_null(value), dict):
        raise FunctionError("map or object required")
    return value


def any_value(value: Any) -> Any:
    return value


def signature(
    *params: Callable[[Any], Any], rest: Callable[[Any], Any] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Check and convert arguments as Terraform does before the function runs: unknown
    anywhere gives ``UNKNOWN``; a wrong count gives ``UNKNOWN`` too (a static error, not one
    ``try()`` sees); a value of the wrong type raises ``FunctionError``."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            if not all(known(a) for a in args):
                return UNKNOWN
            if len(args) < len(params) or (rest is None and len(args) > len(params)):
                return UNKNOWN
            converters = list(params) + [rest or any_value] * (len(args) - len(params))
            return func(*(convert(a) for convert, a in zip(converters, args, strict=True)))

        wrapper.__doc__ = func.__doc__
        return wrapper

    return decorate
