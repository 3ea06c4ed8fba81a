"""Terraform's regular expressions (``regex``, ``regexall``, ``replace`` with ``/.../``) on
Python's ``re``, kept safe and faithful.

Terraform uses RE2, which runs in linear time; Python's ``re`` backtracks and can take
exponential time. So a pattern is translated only when it is in a subset where both agree and
``re`` stays fast; otherwise the result is unknown (never a guess):

- refused (unknown): a quantified group (``*``, ``+``, ``{m,n}``) that itself holds a
  quantifier or an alternation (``(a+)+``, ``(a|aa)*``: the catastrophic shapes), inputs over
  ``MAX_INPUT`` characters, patterns over ``MAX_PATTERN``, and RE2 syntax ``re`` lacks or reads
  differently (``\\p{..}``, ``[[:alpha:]]``, ``\\Q..\\E``, flags after the start, ``(?U)``).
  Sequences of unbounded quantifiers (``.*x.*y``) are polynomial, bounded by ``MAX_INPUT``;
- a Terraform error (``FunctionError``): what RE2 rejects and ``re`` would accept, namely
  backreferences (``\\1``) and lookaround (``(?=``, ``(?<!``), nested repetition (``a**``);
- translated: ``$`` is the end of the text (as in RE2 without ``(?m)``; ``re`` also matches
  before a final newline), ``\\z`` is ``\\Z``, ``(?<name>`` is ``(?P<name>``, ``\\d\\w\\s\\b``
  are ASCII; empty matches follow Go's rules (none right after a previous match).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ..model import limits
from .hcl_func_base import UNKNOWN, FunctionError, as_str, signature

MAX_INPUT = 4096
MAX_PATTERN = 1000

_SIMPLE_ESCAPES = set("dDsSwWbBAntrfv")
_QUANTIFIER = re.compile(r"\*|\+|\?|\{(\d+)(?:(,)(\d*))?\}")
_FLAGS = re.compile(r"\(\?([imsU]*)(?:-([imsU]*))?([:)])")


class _Refused(Exception):
    """A pattern outside the subset: the result is unknown."""


def _class_end(pattern: str, start: int) -> int:
    """The index of the ``]`` closing the character class opened at ``start``."""
    i = start + 1
    if pattern.startswith("^", i):
        i += 1
    if pattern.startswith("]", i):
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i
        i += 1
    raise FunctionError("missing closing ]")


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    """The translation of the escape at ``i`` and the index after it."""
    if i + 1 >= len(pattern):
        raise FunctionError("trailing backslash at end of expression")
    char = pattern[i + 1]
    if char in "123456789":
        raise FunctionError(f"invalid escape sequence \\{char}: RE2 has no backreferences")
    if char == "z" and not in_class:
        return r"\Z", i + 2
    if char == "x":
        braced = re.match(r"\{([0-9A-Fa-f]{1,6})\}", pattern[i + 2 :])
        if braced:
            return re.escape(chr(int(braced.group(1), 16))), i + 2 + braced.end()
        if re.match(r"[0-9A-Fa-f]{2}", pattern[i + 2 : i + 4]):
            return pattern[i : i + 4], i + 4
        raise FunctionError("invalid escape sequence \\x")
    if char in _SIMPLE_ESCAPES and not (in_class and char in "bBA"):
        return pattern[i : i + 2], i + 2
    if not char.isalnum() and char.isascii():
        return pattern[i : i + 2], i + 2
    raise _Refused(pattern)


def _class(pattern: str, i: int) -> tuple[str, int]:
    end = _class_end(pattern, i)
    body = pattern[i : end + 1]
    if any(s in body for s in ("[:", "[[", "--", "&&", "~~", "||")):
        raise _Refused(pattern)
    out, j = [], i
    while j <= end:
        if pattern[j] == "\\":
            piece, j = _escape(pattern, j, in_class=True)
            out.append(piece)
        else:
            out.append(pattern[j])
            j += 1
    return "".join(out), end + 1


class _Translator:
    """One left-to-right pass: the ``re`` pattern, and whether the pattern is safe."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.out: list[str] = []
        self.frames = [[False, False]]  # per open group: holds a repeat, holds an alternation
        self.last: Any = None  # None (nothing to repeat), "atom", "quantified" or group flags
        self.multiline = False

    def run(self) -> str:
        i = 0
        while i < len(self.pattern):
            i = self.step(i)
        if len(self.frames) > 1:
            raise FunctionError("missing closing )")
        return "".join(self.out)

    def step(self, i: int) -> int:
        char = self.pattern[i]
        if char == "\\":
            piece, i = _escape(self.pattern, i, in_class=False)
            return self.atom(piece, i)
        if char == "[":
            piece, i = _class(self.pattern, i)
            return self.atom(piece, i)
        if char == "(":
            return self.open_group(i)
        if char == ")":
            if len(self.frames) == 1:
                raise FunctionError("unexpected )")
            inner = self.frames.pop()
            self.frames[-1][0] |= inner[0]
            self.frames[-1][1] |= inner[1]
            self.out.append(")")
            self.last = inner
            return i + 1
        if char == "|":
            self.frames[-1][1] = True
            self.out.append("|")
            self.last = None
            return i + 1
        quantifier = _QUANTIFIER.match(self.pattern, i)
        if quantifier and (char != "{" or self.last is not None):
            return self.quantify(quantifier)
        if char == "$":
            return self.atom("$" if self.multiline else r"\Z", i + 1)
        return self.atom(re.escape(char) if char == "{" else char, i + 1)

    def atom(self, piece: str, after: int) -> int:
        self.out.append(piece)
        self.last = "atom"
        return after

    def open_group(self, i: int) -> int:
        rest = self.pattern[i:]
        if rest.startswith(("(?=", "(?!", "(?<=", "(?<!")):
            raise FunctionError("invalid or unsupported Perl syntax: lookaround")
        named = re.match(r"\(\?P?<(\w+)>", rest)
        if rest.startswith("(?:") or named:
            self.out.append("(?:" if not named else f"(?P<{named.group(1)}>")
            length = 3 if not named else named.end()
        elif rest.startswith("(?"):
            flags = _FLAGS.match(rest)
            if not flags or "U" in flags.group(0):
                raise _Refused(self.pattern)
            if flags.group(3) == ")":  # (?i) for the rest: only at the very start
                if i != 0 or flags.group(2) is not None:
                    raise _Refused(self.pattern)
                self.multiline = "m" in flags.group(1)
                self.out.append(flags.group(0))
                return i + flags.end()
            if "m" in flags.group(0):
                raise _Refused(self.pattern)
            self.out.append(flags.group(0))
            length = flags.end()
        else:
            self.out.append("(")
            length = 1
        self.frames.append([False, False])
        self.last = None
        return i + length

    def quantify(self, match: re.Match[str]) -> int:
        if self.last is None:
            raise FunctionError("missing argument to repetition operator")
        if self.last == "quantified":
            raise FunctionError("invalid nested repetition operator")
        text = match.group(0)
        counts = [int(n) for n in (match.group(1), match.group(3)) if n]
        if any(n > 1000 for n in counts):
            raise FunctionError("invalid repeat count")
        many = _repeats_many(match)
        if many and isinstance(self.last, list) and (self.last[0] or self.last[1]):
            raise _Refused(self.pattern)  # (a+)+ or (a|b)*: catastrophic backtracking
        if many:
            self.frames[-1][0] = True
        end = match.end()
        if self.pattern.startswith("?", end):
            text += "?"
            end += 1
        self.out.append(text)
        self.last = "quantified"
        return end


def _repeats_many(match: re.Match[str]) -> bool:
    """Whether a quantifier may repeat its operand more than once."""
    text, (low, comma, high) = match.group(0), match.groups()
    if text in ("*", "+", "?"):
        return text != "?"
    if not comma:
        return int(low) > 1
    return high == "" or int(high) > 1


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str] | None:
    """The ``re`` pattern for an RE2 one, None when refused; FunctionError where RE2 fails."""
    if len(pattern) > MAX_PATTERN:
        return None
    try:
        compiled = re.compile(_Translator(pattern).run(), re.ASCII)
    except (_Refused, re.error):
        return None
    if compiled.groupindex and len(compiled.groupindex) != compiled.groups:
        raise FunctionError("pattern cannot mix both named and unnamed capture groups")
    return compiled


def _matches(pattern: re.Pattern[str], string: str) -> list[re.Match[str]]:
    """Every match, as Go's FindAll finds them: after an empty match, move one character on;
    an empty match right where the previous match ended does not count."""
    out: list[re.Match[str]] = []
    pos, previous_end = 0, -1
    while pos <= len(string):
        match = pattern.search(string, pos)
        if match is None:
            break
        accept = True
        if match.end() == pos:
            accept = match.start() != previous_end
            pos += 1
        else:
            pos = match.end()
        previous_end = match.end()
        if accept:
            out.append(match)
    return out


def _shape(pattern: re.Pattern[str], match: re.Match[str]) -> Any:
    """The whole match without groups, a map of named groups, or a list of the groups;
    a group that took no part is null."""
    if not pattern.groups:
        return match.group(0)
    if pattern.groupindex:
        return {name: match.group(name) for name in pattern.groupindex}
    return list(match.groups())


def _prepared(pattern: str, string: str) -> re.Pattern[str] | None:
    compiled = _compile(pattern)
    return compiled if compiled is not None and len(string) <= MAX_INPUT else None


@signature(as_str, as_str)
def regex(pattern: str, string: str) -> Any:
    compiled = _prepared(pattern, string)
    if compiled is None:
        return UNKNOWN
    found = _matches(compiled, string)
    if not found:
        raise FunctionError("pattern did not match any part of the given string")
    return _shape(compiled, found[0])


@signature(as_str, as_str)
def regexall(pattern: str, string: str) -> Any:
    compiled = _prepared(pattern, string)
    if compiled is None:
        return UNKNOWN
    return [_shape(compiled, m) for m in _matches(compiled, string)]


_EXPANSION = re.compile(r"\$(?:(\$)|\{(\w+)\}|(\w+))?")


def _template_pieces(template: str) -> list[tuple[bool, str]]:
    """Go's ``Regexp.Expand`` template, read once: (is a group name, text) pieces. ``$1``,
    ``${1}``, ``$name``, ``${name}`` name groups, ``$$`` is ``$``, a malformed ``$`` is
    literal."""
    pieces: list[tuple[bool, str]] = []
    position = 0
    for ref in _EXPANSION.finditer(template):
        pieces.append((False, template[position : ref.start()]))
        name = ref.group(2) or ref.group(3)
        pieces.append((True, name) if name else (False, "$"))
        position = ref.end()
    pieces.append((False, template[position:]))
    return [piece for piece in pieces if piece[0] or piece[1]]


def _expand(pieces: list[tuple[bool, str]], match: re.Match[str]) -> str:
    """One replacement: a group that does not exist or took no part is empty."""
    return "".join(_group(match, text) if is_group else text for is_group, text in pieces)


def _group(match: re.Match[str], name: str) -> str:
    pattern = match.re
    if name.isdigit() and not (name.startswith("0") and len(name) > 1):
        index = int(name)
        value = match.group(index) if index <= pattern.groups else None
    else:
        value = match.group(name) if name in pattern.groupindex else None
    return value or ""


def _replace_all(pattern: re.Pattern[str], string: str, template: str) -> str:
    """Go's ``ReplaceAllString``: no second replacement for an empty match right after a
    match."""
    out: list[str] = []
    pieces = _template_pieces(template)
    size = 0
    last_end = search = 0
    while search <= len(string):
        match = pattern.search(string, search)
        if match is None:
            break
        out.append(string[last_end : match.start()])
        if match.end() > last_end or match.start() == 0:
            # Work as well as size: an expansion costs its pieces even when they are empty.
            limits.check_length(size + len(pieces), "replace() result")
            out.append(_expand(pieces, match))
            size += len(out[-1]) + len(out[-2]) + len(pieces)
        last_end = match.end()
        width = 1 if search < len(string) else 0
        if search + width > match.end():
            search += width
        elif search + 1 > match.end():
            search += 1
        else:
            search = match.end()
    out.append(string[last_end:])
    return "".join(out)


@signature(as_str, as_str, as_str)
def replace(string: str, substring: str, replacement: str) -> Any:
    """A ``/.../`` substring is a regular expression (bounded as above), else plain text."""
    if len(substring) > 1 and substring.startswith("/") and substring.endswith("/"):
        compiled = _prepared(substring[1:-1], string)
        if compiled is None:
            return UNKNOWN
        return _replace_all(compiled, string, replacement)
    matches = string.count(substring) if substring else len(string) + 1
    limits.check_length(len(string) + matches * len(replacement), "replace() result")
    return string.replace(substring, replacement)


FUNCTIONS: dict[str, Any] = {"regex": regex, "regexall": regexall, "replace": replace}
