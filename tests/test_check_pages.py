"""Every check's documentation page: generated from its module and examples, committed
up to date, of the fixed shape, with well-formed https links; SARIF and explain use them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from click.testing import CliRunner

from iac_iam_checks import cli
from iac_iam_checks.checks import pages
from iac_iam_checks.checks.registry import all_checks
from iac_iam_checks.docs import check_pages
from iac_iam_checks.model.findings import ScanResult
from iac_iam_checks.report import render

ROOT = Path(__file__).resolve().parent.parent
CHECKS = all_checks()
IDS = list(CHECKS)
SECTIONS = [
    "## What it checks",
    "## Why it matters",
    "## How to fix",
    "### Terraform",
    "### CloudFormation",
    "## References",
]
NO_PASSING_EXAMPLE = {"IAM008"}
"""Reported once per root on its first login profile: the other profiles pass only because
the first is reported, so the page shows no passing snippet."""
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def test_committed_pages_are_current() -> None:
    wanted = check_pages()
    committed = {
        f"{pages.PAGES_DIR}/{p.name}": p.read_text(encoding="utf-8")
        for p in (ROOT / pages.PAGES_DIR).glob("*.md")
    }
    assert sorted(committed) == sorted(wanted), "run: python -m iac_iam_checks.docs"
    stale = [path for path, text in wanted.items() if committed[path] != text]
    assert not stale, f"run: python -m iac_iam_checks.docs ({', '.join(stale)})"


@pytest.mark.parametrize("check_id", IDS)
def test_page_has_the_fixed_shape(check_id: str) -> None:
    check = CHECKS[check_id]
    page = pages.page_of(check)
    assert page is not None, f"{check.module_file.name} defines no PAGE"
    text = pages.render(check)
    assert text.startswith(f"# {check_id}: {check.title}\n")
    positions = [text.find(section + "\n") for section in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), positions
    assert page.checks and page.links
    for framework, kinds in check.kinds.items():
        part = page.framework(framework)
        if not kinds:
            assert part.fix, f"say what {framework} users do instead"
            continue
        assert part.bad and part.bad[0].startswith(("bad_", "Bad")), part.bad
        if check_id not in NO_PASSING_EXAMPLE:
            assert part.good and part.good[0].startswith(("good_", "Good")), part.good
        example = check.module_file.with_suffix(pages.EXAMPLE_SUFFIX[framework])
        assert check_id in pages.snippet(example, framework, part.bad), "the flagged line is marked"
        if part.good:
            assert "expect" not in pages.snippet(example, framework, part.good)


@pytest.mark.parametrize("check_id", IDS)
def test_links_are_absolute_https(check_id: str) -> None:
    page = pages.page_of(CHECKS[check_id])
    assert page is not None
    for link in page.links:
        parts = urlsplit(link.url)
        assert parts.scheme == "https" and parts.netloc and parts.path, link
        assert not re.search(r"\s", link.url) and link.title.strip() == link.title, link


@pytest.mark.parametrize("check_id", IDS)
def test_cis_items_named_in_references_are_linked(check_id: str) -> None:
    check = CHECKS[check_id]
    page = pages.page_of(check)
    assert page is not None
    named = re.search(r"v5\.0\.0 (1\.\d+(?: and 1\.\d+)*)", check.references)
    items = set(re.findall(r"1\.\d+", named.group(1))) if named else set()
    linked = {
        link.title.split(", ")[1].split(":")[0] for link in page.links if link.url == pages.CIS_URL
    }
    assert items <= linked, items - linked


def test_snippet_marks_expect_comments() -> None:
    example = CHECKS["IAM012"].module_file.with_suffix(".tf")
    text = pages.snippet(example, "terraform", ("bad_user_data", "good_region"))
    assert "# IAM012 reports the next line" in text and "expect" not in text
    assert 'variable "good_region" {' in text


def sarif_rules(monkeypatch: pytest.MonkeyPatch, base: str | None) -> list[dict]:
    monkeypatch.setattr(pages, "pages_base_url", lambda: base)
    document = json.loads(render(ScanResult(), "sarif", CHECKS))
    jsonschema.Draft7Validator(SCHEMA).validate(document)
    return document["runs"][0]["tool"]["driver"]["rules"]


def test_sarif_rules_carry_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = {rule["id"]: rule for rule in sarif_rules(monkeypatch, None)}
    for check_id, check in CHECKS.items():
        rule = rules[check_id]
        assert rule["help"]["markdown"] == pages.help_markdown(check)
        assert rule["help"]["markdown"].startswith("Severity: ")
        assert rule["helpUri"] == pages.user_guide_url(check)
        assert rule["helpUri"].startswith(pages.USER_GUIDE)


def test_sarif_help_uri_is_the_page_when_the_distribution_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = "https://github.com/example/iac-iam-checks/blob/main/docs/checks"
    rules = sarif_rules(monkeypatch, base)
    assert {rule["helpUri"] for rule in rules} == {f"{base}/{c}.md" for c in IDS}


def test_explain_prints_the_links_and_the_page() -> None:
    result = CliRunner().invoke(cli.main, ["explain", "IAM003"])
    assert result.exit_code == 0
    assert (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html" in result.output
    )
    assert "docs/checks/IAM003.md" in result.output
