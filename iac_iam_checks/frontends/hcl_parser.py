"""The HCL parser: tree-sitter's (C) where installed, python-hcl2's as reference and fallback.

Both give python-hcl2's tree shape in ``hcl_tree``'s classes (``hcl_treesitter`` rebuilds it
from tree-sitter's, ``hcl_tree.from_lark`` copies python-hcl2's own);
tree-sitter's is about ten times faster, and whatever it cannot mirror exactly (syntax errors
included) is parsed by python-hcl2, so errors read as before. ``IAC_IAM_CHECKS_PARSER=hcl2``
(the CLI's ``--parser hcl2``) uses python-hcl2 alone; an environment variable, so that worker
processes, forked or spawned, parse as their parent does.

python-hcl2 caches its compiled grammar inside its own install folder; on a read-only install
every process would pay 1.5-3 s to rebuild it. We build the same Lark parser from python-hcl2's
grammar and keep it in the user's cache directory instead (``XDG_CACHE_HOME``), with Lark's
``save``/``load``: Lark's own ``cache=PATH`` option keys the file by a hash that includes PATH,
so a compiled grammar copied or restored into another cache folder (a CI cache, the benchmark's
first runs) was never used and every such process compiled it again.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..cache_paths import cache_dirs, write_atomically
from .hcl_tree import Tree, from_lark

if TYPE_CHECKING:
    from lark import Lark

PARSER_VARIABLE = "IAC_IAM_CHECKS_PARSER"
PARSERS = ("treesitter", "hcl2")


def selected() -> str:
    """The parser in use: ``treesitter`` unless asked for ``hcl2`` or its wheels are missing."""
    if os.environ.get(PARSER_VARIABLE) == "hcl2":
        return "hcl2"
    from . import hcl_treesitter

    return "treesitter" if hcl_treesitter.available() else "hcl2"


def parser_id() -> str:
    """The parser and its versions, for cache keys (trees and results never cross parsers)."""
    return _parser_id(selected())


@functools.lru_cache(maxsize=2)
def _parser_id(name: str) -> str:
    """Cached per parser: the versions of the packages whose code shapes the tree."""
    packages = {"hcl2": ("python-hcl2", "hcl2")}
    if name == "treesitter":
        packages.update(
            {
                "tree-sitter": ("tree-sitter", "tree_sitter"),
                "tree-sitter-hcl": ("tree-sitter-hcl", "tree_sitter_hcl"),
            }
        )
    names = []
    for label, (distribution, module) in packages.items():
        names += [label, installed_version(distribution, module)]
    return "/".join(names)


def installed_version(distribution: str, module: str) -> str:
    """The distribution's version, ``?`` when not installed, without importing the module
    (importing python-hcl2 imports Lark). Read from the ``NAME-VERSION.dist-info`` folder
    beside the module (a wheel install's layout), since importing ``importlib.metadata``
    alone costs about 20 ms, a fifth of a small repository's scan; any other layout is asked
    of ``importlib.metadata``."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        return "?"
    folder = Path(spec.origin).parent
    if spec.submodule_search_locations is not None:  # a package: its folder's parent
        folder = folder.parent
    prefix = distribution.replace("-", "_").lower() + "-"
    try:
        found = [
            entry[len(prefix) : -len(".dist-info")]
            for entry in os.listdir(folder)
            if entry.lower().startswith(prefix) and entry.endswith(".dist-info")
        ]
    except OSError:
        found = []
    if len(found) == 1:
        return found[0]
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "?"


@functools.lru_cache(maxsize=1)
def parser() -> Lark:
    """python-hcl2's Lark parser: loaded from the cache folder, else compiled and stored there."""
    import hashlib
    import io
    import sys

    import hcl2
    import lark
    from hcl2.postlexer import PostLexer

    grammar = Path(hcl2.__file__).parent / "hcl2.lark"
    key = hashlib.sha256(grammar.read_bytes())
    key.update(f"{lark.__version__} {sys.version_info[:2]}".encode())
    name = f"hcl2-{getattr(hcl2, '__version__', 'unknown')}-{key.hexdigest()[:16]}.lark.bin"
    path = _grammar_folder() / name
    try:
        with open(path, "rb") as stored:
            return lark.Lark.load(stored)
    except Exception:  # missing, unreadable or from another Lark: compiled again
        pass
    built = lark.Lark.open(
        str(grammar), parser="lalr", propagate_positions=True, postlex=PostLexer()
    )
    data = io.BytesIO()
    built.save(data)
    with contextlib.suppress(OSError):
        write_atomically(path, data.getvalue())
    return built


def _grammar_folder() -> Path:
    """The first cache folder that exists or can be made: the temporary one is read only when
    the user's cannot be used (the file is a pickle, like Lark's own cache)."""
    folders = cache_dirs()
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return folder
        except OSError:
            continue
    return folders[0]


class InvalidHcl(Exception):
    """python-hcl2 rejected the text: the line to report (or None) and a sentence saying why."""

    def __init__(self, line: int | None, detail: str) -> None:
        super().__init__(detail)
        self.line = line
        self.detail = detail


_HEREDOC_OPENER = re.compile(r"<<-?([a-zA-Z][a-zA-Z0-9._-]*)\r?\n")


def heredoc_ends_trimmed(text: str) -> str:
    """The text with blanks after each heredoc's closing marker moved past its newline.

    HCL ends a heredoc at the first line that reads as its marker once blanks are trimmed
    (``EOF `` included: Terraform accepts it), but both parsers here want the newline right
    after the marker, and python-hcl2 would run the heredoc on to a later ``EOF``, losing the
    blocks between. Moving the blanks keeps every line number, and the offset of every token
    outside the closing line itself. A heredoc whose marker never closes is left to the
    parsers' error report."""
    if "<<" not in text:
        return text
    pieces: list[str] = []
    copied = at = 0
    unclosed: set[str] = set()
    while (opener := _HEREDOC_OPENER.search(text, at)) is not None:
        marker = opener[1]
        closing = None
        if marker not in unclosed:
            line = rf"^[ \t]*{re.escape(marker)}([ \t]*)(\r?\n|\Z)"
            closing = re.compile(line, re.MULTILINE).search(text, opener.end())
        if closing is None:
            unclosed.add(marker)  # nor after any later opener
            at = opener.end()
            continue
        blanks, newline = closing.span(1), closing[2]
        if blanks[0] < blanks[1]:
            pieces += [text[copied : blanks[0]], newline, closing[1] if newline else ""]
            copied = closing.end()
        at = closing.end()
    return "".join(pieces) + text[copied:] if pieces else text


def parse_hcl(text: str) -> Tree:
    """Parse HCL text into python-hcl2's raw tree (the trailing newline is a grammar need);
    raises :class:`InvalidHcl` on a syntax error (``RecursionError`` on absurd nesting)."""
    tree = parse_mirrored(text)
    return tree if tree is not None else parse_with_hcl2(text)


def parse_mirrored(text: str) -> Tree | None:
    """tree-sitter's tree when it is the parser in use and mirrors python-hcl2's on this text;
    None where python-hcl2 must parse (its errors are the ones reported)."""
    if selected() != "treesitter":
        return None
    from .hcl_treesitter import Unsupported, parse

    try:
        return parse(heredoc_ends_trimmed(text) + "\n")
    except (Unsupported, RecursionError):
        return None


def parse_with_hcl2(text: str) -> Tree:
    """python-hcl2's parse, copied into our tree classes; Lark is imported only here."""
    from lark.exceptions import LarkError, UnexpectedInput

    from .hcl_errors import describe

    text = heredoc_ends_trimmed(text)  # the text the error's positions are in
    try:
        tree = parser().parse(text + "\n")
    except UnexpectedInput as error:
        raise InvalidHcl(*describe(error, text)) from None
    except LarkError as error:
        raise InvalidHcl(None, type(error).__name__) from None
    return from_lark(tree)
