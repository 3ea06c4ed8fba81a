"""Skip what no check needs before parsing: the parser is the bound on a cold run.

Most resources in a real repository (buckets, VPCs, security groups) are neither IAM nor EC2
compute, and nothing we check reads their bodies: references to them become Unknown anyway; the
same holds for data sources such as ``aws_ami`` and for ``terraform``/``provider`` settings,
for the ``output`` blocks of a root configuration (nothing calls it, so nothing reads them: in
terraform-aws-modules repositories the examples' outputs are a third to two fifths of the
text), and for the ``variable`` and ``locals`` blocks nothing in their folder refers to
(``var.x`` and ``local.x`` are the one way to read them: ``prepare_folder``; a generated module
of thousands of locals and variables that only feed a skipped resource is not parsed at all).
``blank_irrelevant`` replaces such blocks by one comment of the same length and lines (``/*``,
spaces and newlines, ``*/``), which the lexer reads as a single token. Blocks that could hold
hard-coded credentials are kept. If the block structure cannot be followed (an unterminated
string, unbalanced braces) or a block has a dangling ``name =``, it is not blanked and the
parser reports the real error. The price: another syntax error inside a skipped block
(balanced, but wrong) is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

_HEADER = re.compile(
    r'(?:resource|data)\s+"(?P<kind>[^"]+)"\s+"[^"]*"\s*\{'
    r'|(?P<setting>terraform)\s*\{|(?P<provider>provider)\s+"[^"]*"\s*\{'
    r'|(?P<output>output)\s+"[^"]*"\s*\{'
    r'|variable\s+"(?P<variable>[^"]*)"\s*\{|(?P<locals>locals)\s*\{'
)
"""Blocks whose body may be skipped: resources and data sources of kinds nothing reads,
``terraform``/``provider`` settings (read only for hard-coded credentials), outputs when
:data:`OUTPUT` is not kept, and variables and locals nothing refers to."""
OUTPUT = "output"
"""What ``blank_irrelevant`` asks ``keep`` about an ``output`` block (no resource kind is
spelt so)."""
_WORD_HINTS = ("akia", "asia", "access_key")
_SECRET_KEY = re.compile(r"secret[_-]*(?:access[_-]*)?key")
CREDENTIAL_HINT = re.compile("|".join([*_WORD_HINTS, _SECRET_KEY.pattern]), re.IGNORECASE)
"""What IAM012 needs to find in a block's text before it can report it: an access key id's
prefix, or a secret key's name (``secret_key``, ``SecretAccessKey``; a bare ``secret``, as in
``codecatalyst_secrets_per_space``, is not one)."""


def hints_at_credentials(text: str) -> bool:
    """Whether ``CREDENTIAL_HINT`` occurs in ``text``. ASCII text (nearly all of it) is
    lower-cased and searched for plain words first, about fifteen times faster than the
    case-folding regex; other text takes the regex, whose Unicode case folding (``ſ`` for
    ``s``, the Kelvin sign for ``k``) ``str.lower`` does not share."""
    if text.isascii():
        lowered = text.lower()
        if any(hint in lowered for hint in _WORD_HINTS):
            return True
        return "secret" in lowered and _SECRET_KEY.search(lowered) is not None
    return CREDENTIAL_HINT.search(text) is not None


_HEREDOC = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\r?\n")
_DANGLING = re.compile(r"(^|\n)[ \t]*[\w-]+[ \t]*=[ \t]*(#[^\n]*|//[^\n]*)?(\n|$)")
"""``name =`` with nothing after it: the most common syntax error. A block with one is kept,
so that the parser reports the file as broken."""


_SCAN_STOPS = re.compile(r'["<#/{}\[\]()\n]')
"""The characters ``_scan`` acts on; it jumps over all others with one regex search."""
_BRACKET_STOPS = re.compile(r'["<#/{}\[\]()]')
"""The same but newlines, which matter only at the top level: inside a block, one search
jumps over many lines."""
_STRING_STOPS = re.compile(r'[\\"\n$%]')
"""The characters ``_skip_string`` acts on."""


class _Unbalanced(Exception):
    """The text's braces, strings or heredocs do not close."""


def top_level_blocks(text: str) -> list[tuple[int, int]]:
    """Spans [start, end) of the top-level blocks ``_HEADER`` names."""
    spans = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif ch == "#" or text.startswith("//", i):
            i = _line_end(text, i)
        elif text.startswith("/*", i):
            i = _comment_end(text, i)
        elif text.startswith(
            ("resource", "data", "terraform", "provider", OUTPUT, "variable", "locals"), i
        ) and (i == 0 or text[i - 1] == "\n"):
            match = _HEADER.match(text, i)
            if match is None:
                i = _line_end(text, i)
                continue
            end = _skip_braces(text, match.end())
            spans.append((i, end))
            i = end
        else:
            i = _skip_statement(text, i)
    return spans


def blank_irrelevant(text: str, keep: Callable[[str], bool]) -> str:
    """The text with every resource or data block whose type ``keep`` rejects, every
    ``terraform``/``provider`` block, and every ``output`` block unless ``keep(OUTPUT)``,
    turned into a comment (unless it may hold credentials). Variables and locals are left
    alone: whether one is read depends on its whole folder (:func:`prepare_folder`)."""
    return _blanked(text, _skippable(text, keep).skipped)


def prepare_folder(texts: list[str], keep: Callable[[str], bool], others: list[str]) -> list[str]:
    """One folder's HCL ``texts`` as :func:`blank_irrelevant` turns them, and with every
    ``locals`` and ``variable`` block nothing refers to turned into a comment as well.

    A ``locals`` block is read when ``local.NAME`` names one of its locals outside the skipped
    blocks and the unread ``locals`` blocks; a ``variable`` block when ``var.NAME`` names it
    outside the skipped blocks, the unread ``locals`` blocks and the variable blocks
    themselves (a validation is never evaluated). Comments and strings count, and so do
    ``others`` (the folder's ``.tf.json`` texts); any other use of the word ``local`` or
    ``var`` keeps every block of that sort."""
    plans = [_skippable(text, keep) for text in texts]
    unread_locals = _unread_locals(texts, plans, others)
    hidden = [
        plan.skipped + dead + [(start, end) for start, end, _ in plan.variables]
        for plan, dead in zip(plans, unread_locals, strict=True)
    ]
    names, every = _read_names(_VAR, texts, hidden, others)
    out = []
    for text, plan, dead in zip(texts, plans, unread_locals, strict=True):
        unread = [] if every else [(s, e) for s, e, name in plan.variables if name not in names]
        out.append(_blanked(text, sorted(plan.skipped + dead + unread)))
    return out


def _unread_locals(
    texts: list[str], plans: list[_Plan], others: list[str]
) -> list[list[tuple[int, int]]]:
    """For each text, the spans of its ``locals`` blocks nothing reads: a block is read when
    the rest of the folder, or a block read already, names one of its locals."""
    hidden = [plan.skipped + [(start, end) for start, end, _ in plan.locals] for plan in plans]
    names, every = _read_names(_LOCAL, texts, hidden, others)
    waiting = [
        (i, start, end, defined) for i, p in enumerate(plans) for start, end, defined in p.locals
    ]
    found = True
    while found and not every:
        found = False
        for block in [b for b in waiting if b[3] & names]:
            waiting.remove(block)
            found = True
            i, start, end, _ = block
            every |= _references(_LOCAL, texts[i][start:end], names)
    unread: list[list[tuple[int, int]]] = [[] for _ in texts]
    for i, start, end, _ in [] if every else waiting:
        unread[i].append((start, end))
    return unread


_VAR = re.compile(r"var(?![\w-])(\s*\.\s*([A-Za-z_][\w-]*))?")
"""The word ``var``, with the name it reads when it is ``var.NAME``."""
_LOCAL = re.compile(r"local(?![\w-])(\s*\.\s*([A-Za-z_][\w-]*))?")
"""The word ``local``, with the name it reads when it is ``local.NAME``."""
_DEFINED = re.compile(r"([A-Za-z_][\w-]*)[ \t]*=(?![=>])")
"""``NAME =`` anywhere in a ``locals`` block: its locals, and keys of the objects they hold
(a name too many only keeps the block)."""


def word_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of ``pattern`` that start a word, as if it began with ``\\b``. The start is
    checked here: a pattern that starts with ``\\b`` is tried at every position of the text,
    one that starts with a literal word is searched for (about 25 times faster). A match
    inside a longer word is passed over by one character only, so that it hides no match
    that starts within it (``my_var.`` followed by ``var.x``)."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        start = match.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            position = start + 1
            continue
        yield match
        position = match.end()


def _read_names(
    pattern: re.Pattern[str],
    texts: list[str],
    hidden: list[list[tuple[int, int]]],
    others: list[str],
) -> tuple[set[str], bool]:
    """The names ``pattern`` reads in ``texts`` outside their ``hidden`` spans and in
    ``others``, and whether the word is used otherwise somewhere (see :func:`_references`)."""
    names: set[str] = set()
    every = False
    for text, spans in zip(texts, hidden, strict=True):
        every |= _references(pattern, _outside(text, sorted(spans)), names)
    for text in others:
        every |= _references(pattern, text, names)
    return names, every


def _references(pattern: re.Pattern[str], text: str, names: set[str]) -> bool:
    """Adds the names ``text`` reads as ``var.NAME`` (or ``local.NAME``, as ``pattern``
    says); True when it uses the word otherwise."""
    other = False
    for match in word_matches(pattern, text):
        if match.group(2) is None:
            other = True
        else:
            names.add(match.group(2))
    return other


class _Plan(NamedTuple):
    """What may be skipped in one text: spans, and variable and locals blocks (start, end,
    the names they define) that are skipped when nothing reads them."""

    skipped: list[tuple[int, int]]
    variables: list[tuple[int, int, str]]
    locals: list[tuple[int, int, set[str]]]


def _skippable(text: str, keep: Callable[[str], bool]) -> _Plan:
    """The spans ``blank_irrelevant`` skips, and the variable and locals blocks that may be
    skipped; none when the block structure cannot be followed."""
    plan = _Plan([], [], [])
    try:
        spans = top_level_blocks(text)
    except _Unbalanced:
        return plan
    for start, end in spans:
        block = text[start:end]
        header = _HEADER.match(block)
        if header is None or hints_at_credentials(block):
            continue
        kind = header.group("kind") or header.group("output")
        if kind is not None and keep(kind):
            continue
        if _DANGLING.search(block):
            continue
        name = header.group("variable")
        if header.group("locals"):
            defined = set(_DEFINED.findall(block, header.end()))
            plan.locals.append((start, end, defined))
        elif name is None:
            plan.skipped.append((start, end))
        else:
            plan.variables.append((start, end, name))
    return plan


def _outside(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` without the (sorted, disjoint) ``spans``."""
    return _replaced(text, spans, lambda _: "")


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each of the (sorted, disjoint) ``spans`` turned into a comment."""
    return _replaced(text, spans, _as_comment)


def _replaced(text: str, spans: list[tuple[int, int]], by: Callable[[str], str]) -> str:
    """``text`` with each of the (sorted, disjoint) ``spans`` replaced by ``by`` of it."""
    if not spans:
        return text
    pieces = []
    last = 0
    for start, end in spans:
        pieces.append(text[last:start])
        pieces.append(by(text[start:end]))
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _as_comment(block: str) -> str:
    """A ``/* */`` comment as long as ``block`` and with as many newlines (where they stand in
    it does not matter: lines after it keep their numbers)."""
    newlines = block.count("\n")
    return "/*" + " " * (len(block) - 4 - newlines) + "\n" * newlines + "*/"


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end + 1


def _comment_end(text: str, i: int) -> int:
    end = text.find("*/", i + 2)
    if end < 0:
        raise _Unbalanced
    return end + 2


def _skip_statement(text: str, i: int) -> int:
    """Skip a top-level statement (another block or an attribute) to the end of its line."""
    return _scan(text, i, depth=0, to_line_end=True)


def _skip_braces(text: str, i: int) -> int:
    """From just after an opening brace to just after its closing brace."""
    return _scan(text, i, depth=1, to_line_end=False)


def _scan(text: str, i: int, depth: int, to_line_end: bool) -> int:
    """Walk brackets, strings, heredocs and comments; stop when the brackets close (or, with
    ``to_line_end``, at a newline outside brackets)."""
    n = len(text)
    while i < n:
        special = (_BRACKET_STOPS if depth else _SCAN_STOPS).search(text, i)
        if special is None:
            break
        i = special.start()
        ch = text[i]
        if ch == '"':
            i = _skip_string(text, i + 1)
            continue
        if ch == "<" and text.startswith("<<", i):
            heredoc = _HEREDOC.match(text, i)
            if heredoc:
                i = _skip_heredoc(text, heredoc)
                continue
        if ch == "#" or text.startswith("//", i):
            i = _line_end(text, i)
            if to_line_end and depth == 0:
                return i
            continue
        if text.startswith("/*", i):
            i = _comment_end(text, i)
            continue
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
            if depth < 0:
                raise _Unbalanced
            if depth == 0 and not to_line_end:
                return i + 1
        elif ch == "\n" and depth == 0 and to_line_end:
            return i + 1
        i += 1
    if depth or not to_line_end:
        raise _Unbalanced
    return n


def _skip_string(text: str, i: int) -> int:
    """From just after an opening quote to just after the closing one (``${...}`` nested)."""
    n = len(text)
    while i < n:
        special = _STRING_STOPS.search(text, i)
        if special is None:
            break
        i = special.start()
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == '"':
            return i + 1
        if ch == "\n":
            raise _Unbalanced
        if ch in "$%" and text.startswith("{", i + 1) and not text.startswith(ch * 2, i - 1):
            i = _skip_braces(text, i + 2)
            continue
        i += 1
    raise _Unbalanced


def _skip_heredoc(text: str, match: re.Match[str]) -> int:
    marker = match.group(1)
    i = match.end()
    while i < len(text):
        end = _line_end(text, i)
        if text[i:end].strip() == marker:
            return end
        i = end
    raise _Unbalanced
