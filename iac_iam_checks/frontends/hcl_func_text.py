"""Terraform's string, path, encoding and hash functions.

Strings are counted in code points where Terraform counts grapheme clusters (``substr``,
``strrev``): the two differ only for combining characters and emoji sequences, which names and
ARNs do not hold. ``format``, ``formatlist`` and ``join`` keep the known parts of a string
with unknown holes (a ``Template``): ``format("%s:sub", var.issuer)`` is still a condition key
that ends in ``:sub``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import posixpath
import re
import urllib.parse
import uuid
from typing import Any

from ..model import limits
from ..model.values import PolicyDocument, Template, Unknown, make_string
from .hcl_func_base import (
    UNKNOWN,
    FunctionError,
    as_bool,
    as_int,
    as_list,
    as_num,
    as_str,
    known,
    plain,
    signature,
    text,
)

# -- paths (Go's path/filepath on a Unix host) ----------------------------------------------


@signature(as_str)
def basename(path: str) -> str:
    stripped = path.rstrip("/")
    if not stripped:
        return "/" if path else "."
    return stripped.rsplit("/", 1)[-1]


@signature(as_str)
def dirname(path: str) -> str:
    head = path[: path.rfind("/") + 1]
    cleaned = posixpath.normpath(head) if head else "."
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


# -- strings --------------------------------------------------------------------------------


def _title(value: str) -> str:
    """Go's ``strings.Title``: the first letter of each word upper-cased, the rest untouched
    (``"hELLO wORLD"`` stays ``"HELLO WORLD"``, unlike Python's ``str.title``)."""
    out, previous = [], " "
    for char in value:
        if _separator(previous):
            titled = char.title()
            out.append(titled if len(titled) == 1 else char)
        else:
            out.append(char)
        previous = char
    return "".join(out)


def _separator(char: str) -> bool:
    if char.isascii():
        return not (char.isalnum() or char == "_")
    return not char.isalnum() and char.isspace()


@signature(as_str, as_int, as_int)
def substr(value: str, offset: int, length: int) -> str:
    if offset < 0:
        offset = max(len(value) + offset, 0)
    rest = value[offset:]
    return rest if length < 0 else rest[:length]


@signature(as_num, as_str)
def indent(spaces: int | float, value: str) -> str:
    pad = max(int(spaces), 0)
    limits.check_length(len(value) + value.count("\n") * pad, "indent() result")
    return value.replace("\n", "\n" + " " * pad)


STRINGS: dict[str, Any] = {
    "lower": signature(as_str)(str.lower),
    "upper": signature(as_str)(str.upper),
    "title": signature(as_str)(_title),
    "trimspace": signature(as_str)(str.strip),
    "trim": signature(as_str, as_str)(lambda s, cutset: s.strip(cutset)),
    "trimprefix": signature(as_str, as_str)(lambda s, p: s[len(p) :] if s.startswith(p) else s),
    "trimsuffix": signature(as_str, as_str)(
        lambda s, p: s[: -len(p)] if p and s.endswith(p) else s
    ),
    "chomp": signature(as_str)(lambda s: s.rstrip("\r\n")),
    "startswith": signature(as_str, as_str)(str.startswith),
    "endswith": signature(as_str, as_str)(str.endswith),
    "strcontains": signature(as_str, as_str)(lambda s, sub: sub in s),
    "strrev": signature(as_str)(lambda s: s[::-1]),
    "substr": substr,
    "indent": indent,
    "basename": basename,
    "dirname": dirname,
}

# -- format, formatlist, join ---------------------------------------------------------------

_VERB = re.compile(
    r"%(?P<flags>[-+ #0]*)(?:\[(?P<index>\d+)\])?(?P<width>\d+)?(?:\.(?P<precision>\d*))?"
    r"(?P<verb>.)?",
    re.DOTALL,
)


def _hole(value: Any) -> list[str | Unknown]:
    """The parts a value that is not known puts in a string."""
    if isinstance(value, Template):
        return list(value.parts)
    if isinstance(value, Unknown):
        return [value]
    raise ValueError("a collection with unknown parts")


def _number(value: Any, verb: str) -> int | float:
    number = as_num(value)
    if verb in "bdoxX" and isinstance(number, float):
        if not number.is_integer():
            raise FunctionError(f"%{verb} requires a whole number")
        number = int(number)
    return number


def _shortest_g(number: float) -> str:
    """Go's ``%g`` without a precision: the shortest digits that read back as the number, in
    exponent form below 1e-4 and from 1e6 on."""
    if not math.isfinite(number):
        return {math.inf: "+Inf", -math.inf: "-Inf"}.get(number, "NaN")
    if number == 0:
        return "0"
    import decimal  # here: about 1.5 ms of start-up for a rare format verb

    exact = decimal.Decimal(repr(number)).normalize()
    digits = "".join(str(d) for d in exact.as_tuple().digits)
    exponent = exact.adjusted()
    if -4 <= exponent < 6:
        return format(exact, "f")
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{'-' if number < 0 else ''}{mantissa}e{exponent:+03d}"


def _verb(verb: str, flags: str, precision: str | None, value: Any) -> str:
    """One formatted value, without its width."""
    if verb == "v":
        if "#" in flags:
            return json.dumps(plain(value), separators=(",", ":"))
        if value is None:
            return "null"
        converted = text(value)
        if converted is not None:
            return converted
        return json.dumps(plain(value), separators=(",", ":"))
    if value is None:
        raise FunctionError(f"unsupported value for %{verb}: null")
    if verb in "sq":
        string = as_str(value)
        string = string[: int(precision or 0)] if precision is not None else string
        return json.dumps(string, ensure_ascii=False) if verb == "q" else string
    if verb == "t":
        return "true" if as_bool(value) else "false"
    if verb not in "bdoxXeEfFgG":
        raise FunctionError(f"unrecognized format character {verb!r}")
    number = _number(value, verb)
    sign = "+" if "+" in flags else (" " if " " in flags else "")
    if verb in "gG" and precision is None:
        rendered = _shortest_g(float(number))
        rendered = (sign if number >= 0 else "") + rendered
        return rendered.upper() if verb == "G" else rendered
    alt = "#" if "#" in flags and verb in "xX" else ""
    places = f".{precision or 0}" if precision is not None else ""
    kind = "f" if verb == "F" else verb
    return format(float(number) if kind in "eEfgG" else number, f"{sign}{alt}{places}{kind}")


def _pad(rendered: str, flags: str, width: str | None, numeric: bool) -> str:
    if width:
        limits.check_length(int(width), "format() width")
    if not width or len(rendered) >= int(width):
        return rendered
    size = int(width)
    if "-" in flags:
        return rendered.ljust(size)
    if "0" in flags and numeric:
        sign = rendered[0] if rendered[:1] in "+- " else ""
        return sign + rendered[len(sign) :].rjust(size - len(sign), "0")
    return rendered.rjust(size)


def format_parts(spec: str, args: list[Any]) -> list[str | Unknown]:
    """``format``'s result as parts: a value not known is a hole (its own parts for a
    ``%s``/``%v`` of a ``Template``)."""
    parts: list[str | Unknown] = []
    position = 0
    used = 0
    pieces = spec.split("%")
    parts.append(pieces[0])
    i = len(pieces[0])
    while i < len(spec):
        match = _VERB.match(spec, i)
        assert match is not None
        verb = match.group("verb")
        if verb is None:
            raise FunctionError("format string ends with an incomplete verb")
        i = match.end()
        if verb == "%" and match.end() - match.start() == 2:
            parts.append("%")
        else:
            if match.group("index"):
                position = int(match.group("index")) - 1
            if not 0 <= position < len(args):
                raise FunctionError("not enough arguments for the format string")
            value = args[position]
            position += 1
            used = max(used, position)
            parts.extend(_one_verb(match, value))
        following = spec.find("%", i)
        end = len(spec) if following < 0 else following
        parts.append(spec[i:end])
        i = end
    if used < len(args):
        raise FunctionError(f"too many arguments; only {used} used by format string")
    return parts


def _one_verb(match: re.Match[str], value: Any) -> list[str | Unknown]:
    flags, width, precision = match.group("flags"), match.group("width"), match.group("precision")
    verb = match.group("verb")
    if not known(value):
        if isinstance(value, (Template, Unknown)):
            plain_hole = verb in "sv" and not width and precision is None and "#" not in flags
            hole = value if isinstance(value, Unknown) else value.unknowns[0]
            return _hole(value) if plain_hole else [hole]
        raise ValueError("a collection with unknown parts")
    if precision:
        limits.check_length(int(precision), "format() precision")
    rendered = _verb(verb, flags, precision, value)
    return [_pad(rendered, flags, width, numeric=verb not in "sqtv")]


def _format(spec: Any, *args: Any) -> Any:
    if not isinstance(spec, str):
        return UNKNOWN if not known(spec) else _format(as_str(spec), *args)
    try:
        return make_string(format_parts(spec, list(args)))
    except ValueError:
        return UNKNOWN


def _formatlist(spec: Any, *args: Any) -> Any:
    if not known(spec) or any(isinstance(a, Unknown) for a in args):
        return UNKNOWN
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise FunctionError("all list arguments must have the same length")
    if any(a is None for a in args):
        raise FunctionError("argument must not be null")
    count = lengths.pop() if lengths else 1
    out = []
    for n in range(count):
        row = [a[n] if isinstance(a, list) else a for a in args]
        result = _format(spec, *row)
        if result is UNKNOWN:
            return UNKNOWN
        out.append(result)
    return out


def _join(separator: Any, *lists: Any) -> Any:
    """Unknown items keep their place; ``join("", aws_iam_user.u.*.name)`` over instances nobody
    can count is that reference, so it still links to the user."""
    if len(lists) == 1 and isinstance(lists[0], Unknown) and lists[0].ref is not None:
        return lists[0]
    if not isinstance(separator, str) or not lists:
        return UNKNOWN if not known(separator) or not lists else _join(as_str(separator), *lists)
    if any(isinstance(items, (Unknown, Template)) for items in lists):
        return UNKNOWN
    every = [item for items in lists for item in as_list(items)]
    documents = [item for item in every if isinstance(item, (dict, PolicyDocument))]
    others_empty = all(item == "" for item in every if item not in documents)
    if len(documents) == 1 and others_empty and (len(every) == 1 or separator == ""):
        # ``join("", data.aws_iam_policy_document.d[*].json)``: the one JSON text, which the
        # evaluator keeps as its value (``jsonencode``) or as the document it builds
        return documents[0]
    parts: list[str | Unknown] = []
    for items in lists:
        for item in as_list(items):
            if parts:
                parts.append(separator)
            if item is None:
                raise FunctionError("cannot join a null element")
            parts.extend(_hole(item) if isinstance(item, (Unknown, Template)) else [as_str(item)])
    return make_string(parts)


FORMATTING: dict[str, Any] = {"format": _format, "formatlist": _formatlist, "join": _join}

# -- encodings and hashes -------------------------------------------------------------------


@signature(as_str)
def base64decode(value: str) -> str:
    try:
        raw = base64.b64decode(value.replace("\r", "").replace("\n", ""), validate=True)
    except binascii.Error:
        raise FunctionError("failed to decode base64 data") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        message = "the result of decoding the provided string is not valid UTF-8"
        raise FunctionError(message) from None


def _hash(name: str, encode: bool = False) -> Any:
    def digest(value: str) -> str:
        hashed = hashlib.new(name, value.encode("utf-8"))
        return base64.b64encode(hashed.digest()).decode() if encode else hashed.hexdigest()

    return signature(as_str)(digest)


_NAMESPACES = {
    "dns": uuid.NAMESPACE_DNS,
    "url": uuid.NAMESPACE_URL,
    "oid": uuid.NAMESPACE_OID,
    "x500": uuid.NAMESPACE_X500,
}


@signature(as_str, as_str)
def uuidv5(namespace: str, name: str) -> str:
    space = _NAMESPACES.get(namespace)
    if space is None:
        try:
            space = uuid.UUID(namespace)
        except ValueError:
            raise FunctionError(f"uuidv5() doesn't support namespace {namespace}") from None
    return str(uuid.uuid5(space, name))


def _changes_every_run(*args: Any) -> Any:
    """A value Terraform computes anew on each run (a random id, the clock): unknown."""
    return UNKNOWN


ENCODINGS: dict[str, Any] = {
    "base64encode": signature(as_str)(lambda s: base64.b64encode(s.encode()).decode()),
    "base64decode": base64decode,
    "urlencode": signature(as_str)(lambda s: urllib.parse.quote_plus(s, safe="")),
    "md5": _hash("md5"),
    "sha1": _hash("sha1"),
    "sha256": _hash("sha256"),
    "sha512": _hash("sha512"),
    "base64sha256": _hash("sha256", encode=True),
    "base64sha512": _hash("sha512", encode=True),
    "uuidv5": uuidv5,
    "uuid": _changes_every_run,
    "timestamp": _changes_every_run,
    "plantimestamp": _changes_every_run,
    "bcrypt": _changes_every_run,
}
