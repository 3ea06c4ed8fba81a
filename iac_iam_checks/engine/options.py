"""What a scan was asked to do: the options every layer of the engine reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checks.registry import Check, all_checks
from ..model.limits import Limits
from ..model.settings import Settings


@dataclass
class ScanOptions:
    checks: list[str] | None = None
    skip_checks: list[str] = field(default_factory=list)
    var_files: list[Path] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    frameworks: list[str] | None = None
    settings: Settings = field(default_factory=Settings)
    inline_suppressions: bool = True
    config_suppressions: list[Any] = field(default_factory=list)
    jobs: int = 1
    use_cache: bool = True
    limits: Limits = field(default_factory=Limits)
    """Bounds on parse time and evaluation (``model.limits``)."""
    source_root: Path | None = None
    """Where the Terraform configuration of scanned plans is (``--source-root``); see
    ``plan_anchor``."""


def selected_checks(options: ScanOptions) -> list[Check]:
    checks = all_checks()
    chosen = [c for c in checks.values() if not options.checks or c.id in options.checks]
    return [c for c in chosen if c.id not in options.skip_checks]
