"""The parse cache and parallel parsing never change what a scan sees."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import BinaryIO

import pytest

from iac_iam_checks.cache_paths import cache_dir
from iac_iam_checks.frontends import parse_cache
from iac_iam_checks.frontends.hcl_parser import PARSER_VARIABLE
from iac_iam_checks.frontends.parse_cache import ParseCache, cache_key, encode, parse_many
from iac_iam_checks.model.values import ParseError

FILES = [
    (
        f'resource "aws_iam_user" "u{i}" {{\n  name = "user-{i}"\n  tags = {{ n = {i} }}\n}}\n',
        f"f{i}.tf",
    )
    for i in range(6)
] + [('resource "aws_iam_user" "broken" {\n', "broken.tf")]


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def hcl2_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--parser hcl2``: every tree goes through the cache (tree-sitter's never do)."""
    monkeypatch.setenv(PARSER_VARIABLE, "hcl2")


def shapes(results: list) -> list:
    return [r if isinstance(r, ParseError) else encode(r) for r in results]


def cached(texts: list[str]) -> list[bool]:
    return [ParseCache().path(cache_key(text)).exists() for text in texts]


@pytest.mark.usefixtures("hcl2_only")
def test_cached_and_parallel_results_equal_a_plain_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = shapes(parse_many(FILES, jobs=1, use_cache=False))
    assert shapes(parse_many(FILES, jobs=1, use_cache=True)) == plain  # fills the cache
    assert cached([text for text, _ in FILES]) == [True] * 6 + [False]  # no entry for an error
    assert shapes(parse_many(FILES, jobs=1, use_cache=True)) == plain  # reads it
    monkeypatch.setattr(parse_cache, "PARALLEL_MIN_BYTES", 0)
    assert shapes(parse_many(FILES, jobs=2, use_cache=False)) == plain
    assert isinstance(plain[-1], ParseError)


def test_only_what_python_hcl2_parses_is_cached() -> None:
    """A tree tree-sitter built costs less to build again than to store and read back; a file
    it cannot mirror (``1e3`` before a parenthesis) is python-hcl2's, and cached."""
    fallback = 'resource "aws_iam_user" "u" {\n  tags = { a = 1e3\n(0) = 1 }\n}\n'
    files = [FILES[0], (fallback, "fallback.tf")]
    plain = shapes(parse_many(files, use_cache=False))
    assert shapes(parse_many(files, use_cache=True)) == plain
    assert cached([FILES[0][0], fallback]) == [False, True]
    assert shapes(parse_many(files, use_cache=True)) == plain


@pytest.mark.usefixtures("hcl2_only")
def test_a_corrupted_cache_entry_is_ignored() -> None:
    text, rel = FILES[0]
    parse_many([(text, rel)], use_cache=True)
    entry = ParseCache().path(cache_key(text))
    assert entry.exists()
    entry.write_bytes(gzip.compress(b'{"d": "start", "p": null, "c": [42]}'))
    assert ParseCache().get(cache_key(text)) is None
    entry.write_bytes(b"not gzip at all")
    [tree] = parse_many([(text, rel)], use_cache=True)
    assert encode(tree) == shapes(parse_many([(text, rel)], use_cache=False))[0]


@pytest.mark.usefixtures("hcl2_only")
def test_the_cache_stays_under_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse_cache, "MAX_CACHE_BYTES", 1)
    parse_many(FILES[:3], use_cache=True)
    cache = ParseCache()
    cache.prune()
    assert list(cache.folder.rglob("*.json.gz")) == []


def test_roots_evaluated_in_workers_give_the_same_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iac_iam_checks.engine import ScanOptions, scan
    from iac_iam_checks.frontends import terraform

    (tmp_path / "modules" / "user").mkdir(parents=True)
    (tmp_path / "modules" / "user" / "main.tf").write_text(
        'variable "name" {}\nresource "aws_iam_user" "this" {\n  name = var.name\n}\n'
        'resource "aws_iam_access_key" "k" {\n  user = aws_iam_user.this.name\n}\n',
        encoding="utf-8",
    )
    for n in range(6):
        root = tmp_path / "envs" / f"e{n}"
        root.mkdir(parents=True)
        (root / "main.tf").write_text(
            f'module "u" {{\n  source = "../../modules/user"\n  name   = "u{n}"\n}}\n'
            f'resource "aws_iam_user_policy" "p" {{\n  user   = "u{n}"\n'
            '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", '
            'Resource = "*" }] })\n}\n',
            encoding="utf-8",
        )
    (tmp_path / "envs" / "e5" / "broken.tf").write_text("resource {\n", encoding="utf-8")
    monkeypatch.setattr(terraform, "PARALLEL_MIN_ROOTS", 2)
    monkeypatch.setattr(terraform, "PARALLEL_MIN_BYTES", 0)
    one = scan([tmp_path], ScanOptions(jobs=1, use_cache=False))
    two = scan([tmp_path], ScanOptions(jobs=2, use_cache=False))
    assert two == one
    assert len(one.findings) > 12 and [e.file for e in one.errors] == ["envs/e5/broken.tf"]


def test_parser_versions_are_the_installed_distributions() -> None:
    """Read from dist-info folder names (importing importlib.metadata costs 20 ms a scan)."""
    from importlib import metadata

    from iac_iam_checks.frontends.hcl_parser import installed_version

    for distribution, module in [
        ("python-hcl2", "hcl2"),
        ("tree-sitter", "tree_sitter"),
        ("tree-sitter-hcl", "tree_sitter_hcl"),
        ("PyYAML", "yaml"),
    ]:
        assert installed_version(distribution, module) == metadata.version(distribution)
    assert installed_version("no-such-distribution", "no_such_module") == "?"


def test_the_compiled_grammar_is_used_from_any_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lark's own ``cache=PATH`` keyed the file by PATH: a compiled grammar restored into
    another cache folder (a CI cache, the benchmark's first runs) was compiled again, 1.5 s a
    process. Ours is found by the grammar's and Lark's versions alone."""
    import lark

    from iac_iam_checks.frontends import hcl_parser

    text = 'a = f(\n  1, # one\n)\nb = x ? "${y}" : 2\n'
    monkeypatch.setattr(hcl_parser, "cache_dirs", lambda: (cache_dir(),))  # not the temp one
    hcl_parser.parser.cache_clear()
    compiled = hcl_parser.parser()
    [stored] = (tmp_path / "cache" / "iac-iam-checks").glob("hcl2-*.lark.bin")
    elsewhere = tmp_path / "elsewhere" / "iac-iam-checks"
    elsewhere.mkdir(parents=True)
    (elsewhere / stored.name).write_bytes(stored.read_bytes())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))

    def compile_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("the stored grammar was not used")

    monkeypatch.setattr(lark.Lark, "open", compile_again)
    hcl_parser.parser.cache_clear()
    loaded = hcl_parser.parser()
    assert loaded is not compiled and loaded.parse(text) == compiled.parse(text)


def test_a_damaged_stored_grammar_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lark

    from iac_iam_checks.frontends import hcl_parser

    class Compiled:
        def save(self, out: BinaryIO) -> None:
            out.write(b"compiled")

    monkeypatch.setattr(hcl_parser, "cache_dirs", lambda: (cache_dir(),))
    monkeypatch.setattr(lark.Lark, "open", lambda *args, **kwargs: Compiled())
    hcl_parser.parser.cache_clear()
    first = hcl_parser.parser()  # nothing stored yet: compiled, and stored
    [stored] = cache_dir().glob("hcl2-*.lark.bin")
    stored.write_bytes(b"\x80\x05 not a pickle")
    hcl_parser.parser.cache_clear()
    try:
        again = hcl_parser.parser()
    finally:
        hcl_parser.parser.cache_clear()  # the next user compiles or loads the real one
    assert isinstance(first, Compiled) and isinstance(again, Compiled)
    assert stored.read_bytes() == b"compiled"
