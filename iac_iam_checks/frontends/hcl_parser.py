"""The HCL parser, built once per process with its grammar cache somewhere writable.

python-hcl2 caches its compiled grammar inside its own install folder; on a read-only install
every process would pay 2-3 s to rebuild it. We build the same Lark parser from python-hcl2's
grammar with the cache in the user's cache directory instead (``XDG_CACHE_HOME``).
"""

from __future__ import annotations

import functools
from pathlib import Path

from lark import Lark, Tree

from ..cache_paths import cache_dirs


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
    """Parse HCL text into the raw Lark tree (the trailing newline is a grammar need)."""
    return parser().parse(text + "\n")
