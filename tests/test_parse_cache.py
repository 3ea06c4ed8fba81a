"""The parse cache and parallel parsing never change what a scan sees."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from iac_iam_checks.frontends import parse_cache
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


def shapes(results: list) -> list:
    return [r if isinstance(r, ParseError) else encode(r) for r in results]


def test_cached_and_parallel_results_equal_a_plain_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = shapes(parse_many(FILES, jobs=1, use_cache=False))
    assert shapes(parse_many(FILES, jobs=1, use_cache=True)) == plain  # fills the cache
    assert shapes(parse_many(FILES, jobs=1, use_cache=True)) == plain  # reads it
    monkeypatch.setattr(parse_cache, "PARALLEL_MIN_BYTES", 0)
    assert shapes(parse_many(FILES, jobs=2, use_cache=False)) == plain
    assert isinstance(plain[-1], ParseError)


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
