"""Each check's documentation page (``docs/checks/IAM003.md``), generated from its module.

A check module holds, besides its docstring (title, Why, Fix, References), one ``PAGE``: what
the check looks at, the fix guidance that differs per framework, the names of the example
blocks the page shows, and the reference links. The snippets are cut from the module's own
examples (``<module>.tf``, ``<module>.yaml``) by block name, so the page shows exactly what the
example tests run; expect comments become ``# <- IAM003`` marks. ``python -m
iac_iam_checks.docs`` writes the pages, and a test regenerates them in memory and compares.
SARIF rules carry the same text (``help.markdown``) and ``explain`` prints the links.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .registry import Check

CIS_URL = "https://www.cisecurity.org/benchmark/amazon_web_services"
"""The CIS AWS Foundations Benchmark (v5.0.0 is downloaded from there after registration)."""
USER_GUIDE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
PAGES_DIR = "docs/checks"
"""Where the pages live, relative to the repository root."""

FRAMEWORKS = {"terraform": "Terraform", "cloudformation": "CloudFormation"}
LANGUAGE = {"terraform": "hcl", "cloudformation": "yaml"}
EXAMPLE_SUFFIX = {"terraform": ".tf", "cloudformation": ".yaml"}


STATEMENT_FIX_TERRAFORM = (
    "Whatever writes the policy (`jsonencode`, a heredoc, a local, `data "
    '"aws_iam_policy_document"`), the fix goes into its statements; a finding on a data '
    "source's statement is reported on the resource that uses it, its line in the data source."
)
STATEMENT_FIX_CLOUDFORMATION = (
    "The fix goes into the statements of `PolicyDocument`, `Policies`, "
    "`AssumeRolePolicyDocument` or SAM `Policies`, in YAML or JSON templates alike."
)
NO_PASSWORD_POLICY_IN_CLOUDFORMATION = (
    "CloudFormation has no resource for the account password policy: set it once per account "
    "with Terraform (above), `aws iam update-account-password-policy` or the console. IAM008 "
    "reports templates that create console users."
)


@dataclass(frozen=True)
class Link:
    """A reference: its title and an absolute https URL."""

    title: str
    url: str


def cis(item: str, title: str) -> Link:
    """A CIS AWS Foundations Benchmark v5.0.0 item (``cis("1.9", "MFA for console users")``)."""
    return Link(f"CIS AWS Foundations Benchmark v5.0.0, {item}: {title}", CIS_URL)


def guide(page: str, title: str) -> Link:
    """A page of the AWS IAM User Guide (``guide("id_credentials_mfa.html", "...")``)."""
    return Link(f"AWS IAM User Guide: {title}", USER_GUIDE + page)


PASSWORD_POLICY_GUIDE = guide(
    "id_credentials_passwords_account-policy.html", "Set an account password policy for IAM users"
)
SERVICE_AUTHORIZATION_REFERENCE = Link(
    "AWS Service Authorization Reference: actions, resources and condition keys",
    "https://docs.aws.amazon.com/service-authorization/latest/reference/"
    "reference_policies_actions-resources-contextkeys.html",
)


@dataclass(frozen=True)
class Framework:
    """What the page says for one framework: fix guidance particular to it (may be empty)
    and the example blocks to show, by name: the first of ``bad`` is a ``bad_*``/``Bad*``
    block, the first of ``good`` a ``good_*``/``Good*`` one; the others are blocks they need."""

    fix: str = ""
    bad: tuple[str, ...] = ()
    good: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page:
    """A check module's ``PAGE``: the parts of its documentation page the docstring lacks."""

    checks: str
    """What the check looks at and what fails, in a paragraph."""
    links: tuple[Link, ...]
    terraform: Framework = field(default_factory=Framework)
    cloudformation: Framework = field(default_factory=Framework)

    def framework(self, name: str) -> Framework:
        return self.terraform if name == "terraform" else self.cloudformation


def page_of(check: Check) -> Page | None:
    """The ``PAGE`` of the check's module (None for checks made up in tests)."""
    import sys

    module = sys.modules.get(getattr(check.func, "__module__", ""))
    page = getattr(module, "PAGE", None)
    return page if isinstance(page, Page) else None


def page_path(check_id: str) -> str:
    """The page's path in the repository: ``docs/checks/IAM003.md``."""
    return f"{PAGES_DIR}/{check_id}.md"


PAGES_URL_LABEL = "Check pages"
"""The project URL (``[project.urls]`` in pyproject.toml) naming where the pages are served,
e.g. ``"Check pages" = "https://github.com/<owner>/iac-iam-checks/blob/main/docs/checks"``."""


@functools.cache
def pages_base_url() -> str | None:
    """The installed distribution's "Check pages" URL (https only), else None."""
    from importlib import metadata

    try:
        entries = metadata.metadata("iac-iam-checks").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in entries:
        label, _, url = (part.strip() for part in entry.partition(","))
        if label == PAGES_URL_LABEL and url.startswith("https://"):
            return url.rstrip("/")
    return None


def page_url(check_id: str) -> str | None:
    """The page's absolute URL when the distribution says where pages are served."""
    base = pages_base_url()
    return f"{base}/{check_id}.md" if base else None


# --- snippets ----------------------------------------------------------------------------------

_EXPECT = re.compile(r"\s*(?:#|//)\s*expect(?:@(?P<offset>[+-]\d+))?:\s*(?P<items>.*)$")
_TF_BLOCK = re.compile(
    r'^(?:resource|data)\s+"(?P<type>[^"]+)"\s+"(?P<a>[^"]+)"|^\w+\s+"(?P<b>[^"]+)"\s*\{'
)


def _mark(line: str) -> str | None:
    """An example line with its expect comment turned into a mark (None: drop the line)."""
    match = _EXPECT.search(line)
    if match is None:
        return line
    ids = ", ".join(item.strip().split()[0] for item in match["items"].split(",") if item.strip())
    code = line[: match.start()].rstrip()
    if code:
        return f"{code}  # <- {ids}"
    offset = int(match["offset"] or 0)
    if offset <= 0:
        return None
    below = "the next line" if offset == 1 else f"the line {offset} below"
    return f"{line[: len(line) - len(line.lstrip())]}# {ids} reports {below}"


def _terraform_block(lines: list[str], name: str) -> list[str]:
    """The block labelled ``name`` (``type.name`` when two blocks share the name)."""
    kind, _, label = name.rpartition(".")
    for start, line in enumerate(lines):
        match = _TF_BLOCK.match(line)
        if match and label in (match["a"], match["b"]) and kind in ("", match["type"]):
            end = next(i for i in range(start, len(lines)) if lines[i].rstrip() == "}")
            return lines[start : end + 1]
    raise LookupError(f"no Terraform block named {name}")


def _cloudformation_block(lines: list[str], name: str) -> tuple[str, list[str]]:
    """(section, the block's lines) for a logical id or parameter name."""
    section = ""
    for start, line in enumerate(lines):
        if re.match(r"^[A-Za-z]", line):
            section = line.split(":", 1)[0]
        elif re.match(rf"^  {re.escape(name)}:(\s|$)", line):
            end = start + 1
            while end < len(lines) and (not lines[end].strip() or lines[end].startswith("   ")):
                end += 1
            block = lines[start:end]
            while block and not block[-1].strip():
                block.pop()
            return section, block
    raise LookupError(f"no CloudFormation block named {name}")


def snippet(example: Path, framework: str, names: tuple[str, ...]) -> str:
    """The named blocks of an example file, in the order given, expect comments as marks."""
    lines = example.read_text(encoding="utf-8").splitlines()
    if framework == "terraform":
        blocks = ["\n".join(_terraform_block(lines, name)) for name in names]
        text = "\n\n".join(blocks)
    else:
        sections: dict[str, list[str]] = {}
        for name in names:
            section, block = _cloudformation_block(lines, name)
            sections.setdefault(section, []).extend([*block, ""])
        text = "\n".join(
            f"{section}:\n" + "\n".join(body).rstrip() for section, body in sections.items()
        )
    marked = (_mark(line) for line in text.splitlines())
    return "\n".join(line for line in marked if line is not None)


# --- the page ----------------------------------------------------------------------------------


def _kinds(kinds: tuple[str, ...]) -> str:
    return "every block" if "*" in kinds else ", ".join(f"`{k}`" for k in kinds)


def _framework_section(check: Check, page: Page, name: str) -> list[str]:
    part = page.framework(name)
    kinds = check.kinds.get(name, ())
    out = [f"### {FRAMEWORKS[name]}", ""]
    if part.fix:
        out += [part.fix, ""]
    if not kinds:
        return out if part.fix else [*out, f"{FRAMEWORKS[name]} is not checked.", ""]
    example = check.module_file.with_suffix(EXAMPLE_SUFFIX[name])
    fence = LANGUAGE[name]
    for label, names in (("Reported:", part.bad), ("Passes:", part.good)):
        if names:
            out += [label, "", f"```{fence}", snippet(example, name, names), "```", ""]
    return out


def checkov_cell(check: Check) -> str:
    """What the check does inside checkov: every check reports with the CLI's verdict (the
    shim asks the engine); only the in-process fallback, where the engine cannot be reached,
    lacks the checks that need other resources."""
    if check.needs_graph:
        return "same verdict (UNKNOWN in the fallback without the engine)"
    return "same verdict"


def render(check: Check) -> str:
    """The check's page, Markdown."""
    page = page_of(check)
    if page is None:
        raise LookupError(f"{check.id}: its module has no PAGE")
    checkov = checkov_cell(check)
    source = check.module_file.name
    covered = [f"{FRAMEWORKS[fw]}: {_kinds(k)}" for fw, k in check.kinds.items() if k]
    out = [
        f"# {check.id}: {check.title}",
        "",
        f"<!-- Generated by `python -m iac_iam_checks.docs` from "
        f"iac_iam_checks/checks/{source} and its examples: edit those, not this page. -->",
        "",
        f"Severity: **{check.severity}**. Inside checkov: {checkov}.",
        "",
        "## What it checks",
        "",
        page.checks,
        "",
        "Resource kinds: " + "; ".join(covered) + ".",
        "",
        "## Why it matters",
        "",
        check.why,
        "",
        "## How to fix",
        "",
        check.fix,
        "",
    ]
    for name in FRAMEWORKS:
        out += _framework_section(check, page, name)
    out += ["## References", ""]
    out += [f"- [{link.title}]({link.url})" for link in page.links]
    out += [f"- In short: {check.references}", ""]
    return "\n".join(out)


def help_markdown(check: Check) -> str | None:
    """The page without its title and generator comment: SARIF's ``help.markdown``."""
    if page_of(check) is None:
        return None
    body = render(check).split("\n", 4)[4]
    return body.lstrip("\n")


def user_guide_url(check: Check) -> str | None:
    """The first AWS IAM User Guide link of the check's page, if any."""
    page = page_of(check)
    links = page.links if page else ()
    return next((link.url for link in links if link.url.startswith(USER_GUIDE)), None)
