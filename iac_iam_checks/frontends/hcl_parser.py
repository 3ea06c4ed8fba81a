"""The HCL parser: tree-sitter's (C) where installed, python-hcl2's as reference and fallback.

Both give the same Lark tree (``hcl_treesitter`` rebuilds python-hcl2's from tree-sitter's);
tree-sitter's is about ten times faster, and whatever it cannot mirror exactly (syntax errors
included) is parsed by python-hcl2, so errors read as before. ``IAC_IAM_CHECKS_PARSER=hcl2``
(the CLI's ``--parser hcl2``) uses python-hcl2 alone; an environment variable, so that worker
processes, forked or spawned, parse as their parent does.

python-hcl2 caches its compiled grammar inside its own install folder; on a read-only install
every process would pay 2-3 s to rebuild it. We build the same Lark parser from python-hcl2's
grammar with the cache in the user's cache directory instead (``XDG_CACHE_HOME``).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from lark import Lark, Tree

from ..cache_paths import cache_dirs

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
    """Cached per parser: reading package metadata costs about 1 ms, once per file otherwise."""
    from importlib import metadata

    import hcl2

    names = ["hcl2", getattr(hcl2, "__version__", "?")]
    if name == "treesitter":
        for package in ("tree-sitter", "tree-sitter-hcl"):
            try:
                names += [package, metadata.version(package)]
            except metadata.PackageNotFoundError:
                names += [package, "?"]
    return "/".join(names)


@functools.lru_cache(maxsize=1)
def parser() -> Lark:
    import hcl2
    from hcl2.postlexer import PostLexer

    grammar_dir = Path(hcl2.__file__).parent
    version = getattr(hcl2, "__version__", "unknown")
    cache: str | bool = False
    for folder in cache_dirs():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            cache = str(folder / f"hcl2-{version}.lark.bin")
            break
        except OSError:
            continue
    return Lark.open(
        str(grammar_dir / "hcl2.lark"),
        parser="lalr",
        cache=cache,
        propagate_positions=True,
        postlex=PostLexer(),
    )


def parse_hcl(text: str) -> Tree:
    """Parse HCL text into python-hcl2's raw Lark tree (the trailing newline is a grammar
    need); raises python-hcl2's errors."""
    if selected() == "treesitter":
        from .hcl_treesitter import Unsupported, parse

        try:
            return parse(text + "\n")
        except (Unsupported, RecursionError):
            pass
    return parser().parse(text + "\n")
