"""Parse many HCL files fast: tree-sitter first, then a content-addressed cache and parallel
workers for what python-hcl2 must parse.

python-hcl2's parse is the bound on a cold run with ``--parser hcl2`` (4-5 ms per KB), so a
file whose content it parsed before is not parsed again: its tree is stored as plain JSON
(never pickle, so a damaged or foreign cache file can only be ignored, not executed) under the
user's cache directory, keyed by the content hash, the versions of this tool and the parser in
use (``parser_id``). Misses are parsed in worker processes forked after the parser is built, so
no worker rebuilds it. tree-sitter's trees skip all of this: building one is cheaper than
storing or loading it."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..cache_paths import cache_dir, code_fingerprint, write_atomically
from ..model.values import ParseError
from .hcl_parser import parser, parser_id, selected
from .hcl_tree import Meta, Token, Tree
from .terraform_parse import parse_file_mirrored, parse_file_with_hcl2

MAX_CACHE_BYTES = 200 * 1024 * 1024
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
"""Below this, shipping trees back from workers costs more than parsing them here
(measured on 2 cores: 573 KB took 2.8 s on one process, 3.7 s on two)."""
PRUNE_AFTER_MISSES = 50


def cache_key(text: str) -> str:
    """The key of a text's tree: the text as parsed (after ``hcl_blocks``' pre-pass, so what
    was skipped is part of it), this package's code and the parser's versions."""
    from .. import __version__

    versions = f"{__version__}/{parser_id()}/{code_fingerprint()}"
    return hashlib.sha256("\0".join((versions, text)).encode("utf-8")).hexdigest()


def encode(node: Tree | Token) -> Any:
    """A tree as nested lists (layout nodes dropped: the evaluator never reads them)."""
    if isinstance(node, Token):
        return [node.type, node.value, node.line, node.end_line, node.start_pos, node.end_pos]
    meta = node.meta
    position = [meta.line, meta.end_line, meta.start_pos, meta.end_pos] if not meta.empty else None
    children = [
        encode(child)
        for child in node.children
        if not (isinstance(child, Tree) and child.data == "new_line_or_comment")
    ]
    return {"d": str(node.data), "p": position, "c": children}


def decode(data: Any) -> Tree | Token:
    if isinstance(data, list):
        kind, value, line, end_line, start, end = data
        return Token(kind, value, start, line, None, end_line, None, end)
    return decode_tree(data)


def decode_tree(data: dict[str, Any]) -> Tree:
    """A tree ``encode`` wrote (a dict; a token is a list)."""
    meta = Meta()
    if data["p"] is not None:
        meta.line, meta.end_line, meta.start_pos, meta.end_pos = data["p"]
        meta.column = meta.end_column = 0
        meta.empty = False
    return Tree(data["d"], [decode(child) for child in data["c"]], meta)


class ParseCache:
    """Cache entries are gzip'd JSON files named by key; writes are atomic renames."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or cache_dir() / "parse"

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json.gz"

    def get(self, key: str) -> Tree | None:
        try:
            with gzip.open(self.path(key), "rt", encoding="utf-8") as handle:
                tree = decode(json.load(handle))
        except (OSError, ValueError, KeyError, TypeError, EOFError, RecursionError):
            return None
        return tree if isinstance(tree, Tree) else None

    def put(self, key: str, encoded: Any) -> None:
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(encoded, separators=(",", ":"))
            write_atomically(target, gzip.compress(text.encode("utf-8")))
        except OSError:
            return

    def prune(self) -> None:
        """Keep the cache under its size bound, dropping the least recently written."""
        try:
            entries = [
                (p.stat().st_mtime, p.stat().st_size, p) for p in self.folder.rglob("*.json.gz")
            ]
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= MAX_CACHE_BYTES:
                break
            try:
                path.unlink()
                total -= size
            except OSError:
                pass


def _parse_encoded(item: tuple[str, str]) -> Any:
    tree = parse_file_with_hcl2(*item)
    return tree if isinstance(tree, ParseError) else encode(tree)


def parse_many(
    items: list[tuple[str, str]],
    jobs: int = 1,
    use_cache: bool = True,
) -> list[Tree | ParseError]:
    """Parse ``(text, rel)`` pairs; results in the same order.

    tree-sitter's trees are built here and never cached: writing one to the cache costs more
    than building it, and reading it back about as much (``benchmarks/README.md``). What
    python-hcl2 must parse (every file with ``--parser hcl2``, else the few that tree-sitter
    cannot mirror) goes through the cache, and through worker processes when large."""
    mirrored = selected() == "treesitter"  # else no file is worth a try (nor its time limit)
    results: list[Tree | ParseError | None] = [
        parse_file_mirrored(*item) if mirrored else None for item in items
    ]
    slow = [index for index, result in enumerate(results) if result is None]
    cache = ParseCache() if use_cache and slow else None
    keys = {index: cache_key(items[index][0]) for index in slow} if cache else {}
    misses = []
    for index in slow:
        results[index] = cache.get(keys[index]) if cache else None
        if results[index] is None:
            misses.append(index)
    work = [items[i] for i in misses]
    size = sum(len(item[0]) for item in work)
    if jobs > 1 and len(work) > 1 and size >= PARALLEL_MIN_BYTES:
        parser()  # built (and its grammar cache warm) before the workers fork
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork") if os.name == "posix" else None
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            encoded = list(
                pool.map(_parse_encoded, work, chunksize=max(1, len(work) // (jobs * 4)))
            )
        for index, value in zip(misses, encoded, strict=False):
            if cache and not isinstance(value, ParseError):
                cache.put(keys[index], value)
            results[index] = value if isinstance(value, ParseError) else decode_tree(value)
    else:
        for index, item in zip(misses, work, strict=False):
            tree = parse_file_with_hcl2(*item)
            if cache and not isinstance(tree, ParseError):
                cache.put(keys[index], encode(tree))
            results[index] = tree
    if cache and len(misses) >= PRUNE_AFTER_MISSES:
        cache.prune()
    return [r for r in results if r is not None]
