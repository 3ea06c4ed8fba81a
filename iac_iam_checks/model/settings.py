"""Tunable thresholds and scan options (filled from configuration files and CLI flags)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Settings:
    min_password_length: int = 14
    password_reuse_prevention: int = 24
    max_password_age: int = 90
    own_account_ids: tuple[str, ...] = ()
    severity_overrides: dict[str, str] = field(default_factory=dict)
