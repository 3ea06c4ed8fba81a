"""A repeated scan of an unchanged repository reuses its result; any change is seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from iac_iam_checks.engine import ScanOptions, scan

POLICY = '{"Statement": [{"Effect": "Allow", "Action": "%s", "Resource": "*"}]}\n'


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def repo(root: Path) -> Path:
    (root / ".git").mkdir(parents=True)
    (root / "env").mkdir()
    (root / "policies").mkdir()
    (root / "modules" / "user").mkdir(parents=True)
    (root / "env" / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n  policy = file("../policies/p.json")\n}\n'
        'module "u" {\n  source = "../modules/user"\n}\n',
        encoding="utf-8",
    )
    (root / "policies" / "p.json").write_text(POLICY % "s3:GetObject", encoding="utf-8")
    (root / "modules" / "user" / "main.tf").write_text(
        'resource "aws_iam_user" "this" {\n  name = "a"\n}\n', encoding="utf-8"
    )
    return root / "env"


def ids(path: Path) -> list[tuple[str, str]]:
    return sorted((f.check_id, f.resource) for f in scan([path], ScanOptions()).findings)


def test_unchanged_input_gives_the_same_result(tmp_path: Path) -> None:
    env = repo(tmp_path / "r")
    first = scan([env], ScanOptions())
    assert scan([env], ScanOptions()) == first
    assert scan([env], ScanOptions(use_cache=False)) == first


def test_files_read_outside_the_scanned_path_invalidate_the_result(tmp_path: Path) -> None:
    env = repo(tmp_path / "r")
    assert ("IAM022", "aws_iam_policy.p") not in ids(env)
    (tmp_path / "r" / "policies" / "p.json").write_text(POLICY % "s3:*", encoding="utf-8")
    assert ("IAM022", "aws_iam_policy.p") in ids(env)
    (tmp_path / "r" / "modules" / "user" / "key.tf").write_text(
        'resource "aws_iam_access_key" "k" {\n  user = "a"\n}\n', encoding="utf-8"
    )
    assert ("IAM011", "module.u.aws_iam_access_key.k") in ids(env)


def test_options_are_part_of_the_key(tmp_path: Path) -> None:
    env = repo(tmp_path / "r")
    assert [f.check_id for f in scan([env], ScanOptions()).findings] == ["IAM003"]
    assert scan([env], ScanOptions(skip_checks=["IAM003"])).findings == []


def test_jobs_do_not_split_the_cache(tmp_path: Path) -> None:
    """--jobs never changes a result (test_determinism), so one entry serves every value."""
    env = repo(tmp_path / "r")
    scan([env], ScanOptions(jobs=1))
    entries = sorted((tmp_path / "cache").rglob("results/*.json"))
    scan([env], ScanOptions(jobs=4))
    assert sorted((tmp_path / "cache").rglob("results/*.json")) == entries
    assert len(entries) == 1


def test_a_stored_result_reads_back_field_for_field(tmp_path: Path) -> None:
    """Rows of field values come back as the same findings (a suppression included),
    unresolved entries and errors."""
    from iac_iam_checks.engine import result_cache
    from iac_iam_checks.model.findings import Finding, ScanResult, Suppression, UnresolvedEntry
    from iac_iam_checks.model.values import ParseError

    finding = Finding("IAM001", "t", "HIGH", "a.tf", 2, 4, "r.x", "m", "terraform", "f" * 64)
    suppressed = Finding(
        "IAM020", "t", "LOW", "b.tf", 1, 1, "r.y", "m2", "terraform", "0" * 64,
        suppressed=Suppression("legacy", "comment"), scope="env", plan_file="p.json", plan_line=7,
    )  # fmt: skip
    result = ScanResult(
        findings=[finding, suppressed],
        unresolved=[UnresolvedEntry(["IAM020", "IAM021"], "r.z", "c.tf", 3, "var.a", "m3", "env")],
        errors=[ParseError("bad.tf", None, "invalid HCL"), ParseError("x.yaml", 4, "no")],
        warnings=["w"],
        files_scanned=3,
        resources_scanned=5,
    )
    result_cache.store_result("k" * 64, result, {tmp_path})

    assert result_cache.load_result("k" * 64) == result
