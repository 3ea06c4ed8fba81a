"""Check registration: one decorator, metadata read from the check module's docstring.

A check module's docstring has a fixed shape (a test enforces it)::

    Title on the first line.

    Why: why it matters.
    Fix: how to fix it.
    References: CIS AWS Foundations Benchmark v5.0.0 1.x; checkov CKV_AWS_x; trivy AVD-AWS-x

and the module defines one function decorated with ``@check(...)``, or declares the check
through a template of :mod:`.templates` (statement and credential checks). Examples live
beside the module (``<module>.tf``, ``<module>.yaml``): resources named ``bad_*``/``Bad*`` must
be flagged, ``good_*``/``Good*`` must not, and each finding's line carries an expect comment
(``# expect: IAM022``; tests/test_examples.py describes the form).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict, TypeVar

from ..iam.graph import Graph
from ..model.settings import Settings
from ..model.values import Location, Resource, Statement, Unknown

CHECKS_PACKAGE = __package__ or "iac_iam_checks.checks"
CHECK_ID = re.compile(r"^[A-Z]+[0-9]+$")


@dataclass
class Issue:
    """What a check reports: which resource, what is wrong, and where in it."""

    resource: Resource
    message: str
    location: Location | None = None
    severity: str | None = None
    """Overrides the check's default severity for this issue (IAM011 without pgp_key)."""
    statement: Statement | None = None
    """The offending statement, when there is one (for fingerprints)."""


@dataclass
class Blocked:
    """The check could not decide because ``value`` is unknown: an ``unresolved`` entry."""

    resource: Resource
    value: Unknown
    message: str
    location: Location | None = None


Result = Issue | Blocked


@dataclass
class Context:
    """What a check may consult besides the resource: the identity graph and settings."""

    graph: Graph
    settings: Settings
    shared: dict[str, Any] = field(default_factory=dict)
    """Answers checks keep for the rest of the scan (``templates.Remembered``)."""


CheckFunction = Callable[[Resource, Context], Iterable[Result]]
"""A check: ``func(resource, ctx) -> Iterable[Issue | Blocked]``."""
F = TypeVar("F", bound=CheckFunction)


class Kinds(TypedDict):
    """The resource kinds a check runs on, per framework: ``@check(id, severity, **kinds)``."""

    terraform: list[str]
    cloudformation: list[str]


@dataclass
class Check:
    id: str
    title: str
    severity: str
    why: str
    fix: str
    references: str
    kinds: dict[str, tuple[str, ...]]
    """Resource kinds the check runs on, per framework ("terraform", "cloudformation");
    ``"*"`` means every block, pseudo-blocks (variables, locals, providers, parameters) too."""
    func: CheckFunction
    needs_graph: bool = False
    """True when the verdict depends on other resources: inside checkov it needs the engine
    (the shim's in-process fallback leaves it UNKNOWN)."""
    module_file: Path = field(default_factory=Path)

    def applies_to(self, resource: Resource) -> bool:
        framework = "terraform" if resource.framework == "terraform_plan" else resource.framework
        kinds = self.kinds.get(framework, ())
        return resource.kind in kinds or "*" in kinds

    def examples(self) -> list[Path]:
        stem = self.module_file.with_suffix("")
        return [p for p in (stem.with_suffix(".tf"), stem.with_suffix(".yaml")) if p.exists()]


_REGISTRY: dict[str, Check] = {}


def check(
    id: str,
    severity: str,
    terraform: Iterable[str] = (),
    cloudformation: Iterable[str] = (),
    needs_graph: bool = False,
) -> Callable[[F], F]:
    """Register a check function ``func(resource, ctx) -> Iterable[Issue | Blocked]``."""

    def register(func: F) -> F:
        module = importlib.import_module(func.__module__)
        doc = parse_docstring(module.__doc__ or "", id)
        _REGISTRY[id] = Check(
            id=id,
            severity=severity,
            kinds={"terraform": tuple(terraform), "cloudformation": tuple(cloudformation)},
            func=func,
            needs_graph=needs_graph,
            module_file=Path(module.__file__ or ""),
            **doc,
        )
        return func

    if not CHECK_ID.match(id):
        raise ValueError(f"bad check id {id!r}")
    return register


def parse_docstring(doc: str, check_id: str) -> dict[str, str]:
    """Split a check module's docstring into title / why / fix / references."""
    lines = doc.strip().splitlines()
    if not lines:
        raise ValueError(f"{check_id}: check module has no docstring")
    sections: dict[str, list[str]] = {"why": [], "fix": [], "references": []}
    current: list[str] | None = None
    for line in lines[1:]:
        match = re.match(r"^(Why|Fix|References):\s*(.*)$", line.strip())
        if match:
            current = sections[match.group(1).lower()]
            current.append(match.group(2))
        elif current is not None:
            current.append(line.strip())
    out = {key: " ".join(part for part in value if part).strip() for key, value in sections.items()}
    missing = [key for key, value in out.items() if not value]
    if missing:
        raise ValueError(f"{check_id}: docstring lacks {', '.join(missing)}")
    return {"title": lines[0].strip().rstrip("."), **out}


def all_checks() -> dict[str, Check]:
    """Every registered check, by id (importing the check modules on first use)."""
    import_checks()
    return dict(sorted(_REGISTRY.items()))


@functools.cache
def import_checks() -> None:
    """Import every check module once (a module imported alone registers only itself)."""
    package = importlib.import_module(CHECKS_PACKAGE)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("iam"):
            importlib.import_module(f"{CHECKS_PACKAGE}.{info.name}")
