"""HCL syntax errors in words a person reads: ``block opened at line 3 is not closed``.

Lark reports what its LALR parser saw (``Unexpected token Token('$END', '')``); a Terraform
author wants to know which brace, string or heredoc is open, or which character is out of
place. ``describe`` turns the parser's exception into a line and such a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark.exceptions import UnexpectedInput, UnexpectedToken

_CLOSERS = {"{": "}", "[": "]", "(": ")"}
_OPENER_NAMES = {"{": "block or object", "[": "list", "(": "parenthesis"}
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_TOKEN_NAMES = {
    "RBRACE": '"}"',
    "LBRACE": '"{"',
    "RSQB": '"]"',
    "LSQB": '"["',
    "RPAR": '")"',
    "LPAR": '"("',
    "EQ": '"="',
    "COLON": '":"',
    "COMMA": '","',
    "NL_OR_COMMENT": "end of line",
    "DBLQUOTE": "a quote",
}
_VALUE_STARTS = {"DBLQUOTE", "INT_LITERAL", "NAME", "LBRACE", "LSQB", "HEREDOC_TEMPLATE"}
_WORD = re.compile(r"[^ \t\r\n]+")
"""A word as HCL separates them: ``str.split`` would also split at control characters such as
``\x1d``, which are then the word to name (a text of nothing else has no word at all)."""


@dataclass(frozen=True)
class _Open:
    """Something opened and not yet closed: its text and where it starts."""

    token: str
    line: int


def describe(error: UnexpectedInput, text: str) -> tuple[int | None, str]:
    """The line to report and the sentence for a Lark error raised on ``text`` (only ever
    called once python-hcl2, and so Lark, has run)."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    line = getattr(error, "line", None)
    line = line if isinstance(line, int) and line > 0 else None
    unclosed = first_unclosed(text)
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        if unclosed is not None:
            return unclosed.line, _not_closed(unclosed)
        return line, "unexpected end of file"
    if unclosed is not None and unclosed.token.startswith(('"', "<<")):
        return unclosed.line, _not_closed(unclosed)
    if isinstance(error, UnexpectedToken):
        return line, _unexpected(error)
    if isinstance(error, UnexpectedCharacters):
        return line, f"unexpected character {_quoted(error.char)}"
    return line, "syntax error"


def _not_closed(opened: _Open) -> str:
    if opened.token == '"':
        return f"string opened at line {opened.line} is not closed"
    if opened.token.startswith("<<"):
        return f"heredoc {opened.token} opened at line {opened.line} is not closed"
    name = _OPENER_NAMES[opened.token]
    return f'{name} "{opened.token}" opened at line {opened.line} is not closed'


def _unexpected(error: UnexpectedToken) -> str:
    kind, value = error.token.type, str(error.token)
    if kind in _TOKEN_NAMES and kind != "STRING_CHARS":
        return f"unexpected {_TOKEN_NAMES[kind]}"
    # What the lexer could not match comes as free text: name its first word.
    word = _WORD.match(value.lstrip(" \t"))
    if word:
        return f"unexpected {_quoted(word.group()[:20])}"
    if _VALUE_STARTS & set(error.expected):
        return "a value is missing before the end of the line"
    return "unexpected end of line"


def _quoted(value: str) -> str:
    return '"' + value.replace("\n", "\\n")[:40] + '"'


def first_unclosed(text: str) -> _Open | None:
    """The innermost opener (brace, bracket, parenthesis, string, heredoc) left open at the
    end of ``text``, or the first string or heredoc that runs past its end; comments are
    skipped. A cheap scan, independent of the grammar, so it also works on broken input."""
    stack: list[_Open] = []
    line, i, size = 1, 0, len(text)
    while i < size:
        char = text[i]
        pair = text[i : i + 2]
        if char == "\n":
            line += 1
        elif char == "#" or pair == "//":
            i = _line_end(text, i)
            continue
        elif pair == "/*":
            end = text.find("*/", i + 2)
            end = size if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
            continue
        elif pair == "<<" and (heredoc := _HEREDOC.match(text, i)):
            closing = re.compile(rf"^[ \t]*{re.escape(heredoc.group(1))}[ \t]*\r?$", re.M)
            found = closing.search(text, heredoc.end())
            if found is None:
                return _Open("<<" + heredoc.group(1), line)
            line += text.count("\n", i, found.end())
            i = found.end()
            continue
        elif char == '"':
            quote_end = _string_end(text, i + 1)
            if quote_end is None:
                return _Open('"', line)
            line += text.count("\n", i, quote_end)
            i = quote_end
            continue
        elif char in _CLOSERS:
            stack.append(_Open(char, line))
        elif stack and char == _CLOSERS.get(stack[-1].token, ""):
            stack.pop()
        i += 1
    return stack[-1] if stack else None


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _string_end(text: str, start: int) -> int | None:
    """The index after the quote closing a string that starts at ``start``; interpolations
    (``${ ... }``) may hold quotes and braces of their own. None when a line ends first."""
    depth, i = 0, start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if text.startswith("${", i) or text.startswith("%{", i):
            depth += 1
            i += 2
            continue
        if depth and char == "}":
            depth -= 1
        elif depth and char == '"':
            inner = _string_end(text, i + 1)
            if inner is None:
                return None
            i = inner
            continue
        elif not depth and char == '"':
            return i + 1
        elif char == "\n" and not depth:
            return None
        i += 1
    return None
