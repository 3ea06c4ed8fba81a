"""Project configuration: `[tool.iac-iam-checks]` in pyproject.toml or .iac-iam-checks.toml.

Looked for from the scanned path upward to the filesystem root; in each directory a
``.iac-iam-checks.toml`` wins over ``pyproject.toml``, and a ``pyproject.toml`` without the
table is passed over. ``.iac-iam-checks.toml`` holds the keys at top level (or, for
copy-paste from a pyproject, under ``[tool.iac-iam-checks]``). Example::

    [tool.iac-iam-checks]
    skip_checks = ["IAM007"]
    severity = { IAM001 = "LOW" }
    severity_threshold = "MEDIUM"
    own_account_ids = ["111122223333"]
    exclude = ["examples/**"]
    limits = { parse_seconds = 30, instances = 5000 }

    [[tool.iac-iam-checks.suppress]]
    id = "IAM020"
    resource = "module.breakglass.*"
    reason = "break-glass role, reviewed by security (SEC-123)"
    expires = 2025-12-31

Anything unexpected (unknown key, wrong type, unknown check id, bad severity) is a
``ConfigError`` naming the file: a misspelt key silently doing nothing is worse than a stop.
CLI flags win over the file; the CLI does that merge.
"""

from __future__ import annotations

import datetime
import re
import sys
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..model import limits as limits_mod
from ..model.settings import Settings
from ..model.values import SEVERITIES
from ..real_paths import real_path
from .suppressions import SuppressRule

DEDICATED_FILE = ".iac-iam-checks.toml"
PYPROJECT = "pyproject.toml"
TABLE = "iac-iam-checks"

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_SUPPRESS_KEYS = {"id", "resource", "reason", "expires"}


class ConfigError(ValueError):
    """Invalid configuration (the CLI prints it and exits 2)."""


@dataclass
class Config:
    """The configuration file's content; ``None`` means "not set" (the default applies)."""

    path: Path | None = None
    checks: tuple[str, ...] | None = None
    skip_checks: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    severity_threshold: str | None = None
    min_password_length: int | None = None
    password_reuse_prevention: int | None = None
    max_password_age: int | None = None
    own_account_ids: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    suppress: tuple[SuppressRule, ...] = ()
    limits: dict[str, float] = field(default_factory=dict)
    """Bounds by name (``model.limits.NAMES``); unset ones keep their defaults."""

    def to_settings(self) -> Settings:
        defaults = Settings()
        return Settings(
            min_password_length=_or(self.min_password_length, defaults.min_password_length),
            password_reuse_prevention=_or(
                self.password_reuse_prevention, defaults.password_reuse_prevention
            ),
            max_password_age=_or(self.max_password_age, defaults.max_password_age),
            own_account_ids=self.own_account_ids,
            severity_overrides=dict(self.severity),
        )


def find_config(start: Path) -> Path | None:
    """The nearest configuration file at or above ``start`` (a file or a directory)."""
    start = real_path(Path(start))
    directory = start if start.is_dir() else start.parent
    for folder in (directory, *directory.parents):
        dedicated = folder / DEDICATED_FILE
        if dedicated.is_file():
            return dedicated
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
    return None


def discover_config(start: Path, known_ids: Collection[str]) -> Config:
    """Load the configuration that applies to ``start``, or an empty one."""
    path = find_config(start)
    return load_config(path, known_ids) if path else Config()


def load_config(path: Path, known_ids: Collection[str]) -> Config:
    """Read and validate one configuration file (``--config FILE`` or a discovered one)."""
    path = Path(path)
    data = _read_toml(path)
    if path.name == PYPROJECT:
        table = data.get("tool", {}).get(TABLE) if isinstance(data.get("tool"), dict) else None
        if table is None:
            raise ConfigError(f"{path}: no [tool.{TABLE}] table")
    elif set(data) == {"tool"} and isinstance(data["tool"], dict) and TABLE in data["tool"]:
        table = data["tool"][TABLE]
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TABLE}] must be a table")
    return _Parser(path, known_ids).parse(table)


class _Parser:
    """Validates one table; every error names the file and the key."""

    def __init__(self, path: Path, known_ids: Collection[str]) -> None:
        self.path = path
        self.known_ids = known_ids

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: {key}: {problem}")

    def parse(self, table: dict[str, Any]) -> Config:
        handlers = {
            "checks": lambda k, v: tuple(self.check_ids(k, v)),
            "skip_checks": lambda k, v: tuple(self.check_ids(k, v)),
            "severity": self.severity_map,
            "severity_threshold": self.severity,
            "min_password_length": self.count,
            "password_reuse_prevention": self.count,
            "max_password_age": self.count,
            "own_account_ids": self.account_ids,
            "exclude": lambda k, v: tuple(self.strings(k, v)),
            "suppress": self.suppress_rules,
            "limits": self.limits,
        }
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in handlers:
                known = ", ".join(sorted(handlers))
                raise self.fail(key, f"unknown key (known keys: {known})")
            values[key] = handlers[key](key, value)
        return Config(path=self.path, **values)

    def strings(self, key: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, f"expected a list of strings, got {_shown(value)}")
        return value

    def check_id(self, key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"expected a check id string, got {_shown(value)}")
        if value.strip().upper() not in self.known_ids:
            raise self.fail(key, f"unknown check id {value!r}")
        return value.strip().upper()  # as on the command line: iam001 is IAM001

    def check_ids(self, key: str, value: Any) -> list[str]:
        return [self.check_id(key, item) for item in self.strings(key, value)]

    def severity(self, key: str, value: Any) -> str:
        if not isinstance(value, str) or value.upper() not in SEVERITIES:
            raise self.fail(key, f"expected one of {', '.join(SEVERITIES)}, got {_shown(value)}")
        return value.upper()

    def severity_map(self, key: str, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table of check id = severity, got {_shown(value)}")
        return {
            self.check_id(f"{key}.{check_id}", check_id): self.severity(f"{key}.{check_id}", level)
            for check_id, level in value.items()
        }

    def count(self, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(key, f"expected a non-negative integer, got {_shown(value)}")
        return value

    def limits(self, key: str, value: Any) -> dict[str, float]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table of limit = number, got {_shown(value)}")
        out: dict[str, float] = {}
        for name, number in value.items():
            problem = limit_problem(name, number)
            if problem:
                raise self.fail(f"{key}.{name}", problem)
            out[name] = number
        return out

    def account_ids(self, key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, list) and any(isinstance(v, int) for v in value):
            raise self.fail(key, 'account ids must be quoted strings ("012345678901")')
        ids = self.strings(key, value)
        bad = [v for v in ids if not _ACCOUNT_ID.match(v)]
        if bad:
            raise self.fail(key, f"not a 12-digit account id: {bad[0]!r}")
        return tuple(ids)

    def suppress_rules(self, key: str, value: Any) -> tuple[SuppressRule, ...]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, "expected [[suppress]] tables")
        return tuple(self.suppress_rule(f"{key}[{i}]", entry) for i, entry in enumerate(value))

    def suppress_rule(self, key: str, entry: dict[str, Any]) -> SuppressRule:
        unknown = sorted(set(entry) - _SUPPRESS_KEYS)
        if unknown:
            raise self.fail(
                f"{key}.{unknown[0]}", "unknown key (known keys: expires, id, reason, resource)"
            )
        missing = sorted(k for k in ("id", "resource", "reason") if k not in entry)
        if missing:
            raise self.fail(key, f"missing {', '.join(missing)}")
        for name in ("resource", "reason"):
            if not isinstance(entry[name], str) or not entry[name].strip():
                raise self.fail(
                    f"{key}.{name}", f"expected a non-empty string, got {_shown(entry[name])}"
                )
        return SuppressRule(
            check_id=self.check_id(f"{key}.id", entry["id"]),
            resource=entry["resource"],
            reason=entry["reason"].strip(),
            expires=self.date(f"{key}.expires", entry.get("expires")),
            origin=str(self.path),
        )

    def date(self, key: str, value: Any) -> datetime.date | None:
        if value is None or (
            isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
        ):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(key, f"expected a date (2025-12-31), got {_shown(value)}")


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's tables; the parser is imported here, as most scans find no configuration."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def _has_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml configures us (one that does not is passed over)."""
    data = _read_toml(pyproject)
    tool = data.get("tool")
    return isinstance(tool, dict) and TABLE in tool


def _shown(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def limit_problem(name: str, value: Any) -> str | None:
    """Why ``name = value`` is not a valid limit (None when it is): a known name and a positive
    number (``parse_seconds`` may be 0, which turns the time limit off)."""
    if name not in limits_mod.NAMES:
        return f"unknown limit (known limits: {', '.join(limits_mod.NAMES)})"
    whole = name != "parse_seconds"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return f"expected a non-negative number, got {_shown(value)}"
    if whole and (not isinstance(value, int) or value < 1):
        return f"expected a positive integer, got {_shown(value)}"
    return None


def limits_from(values: dict[str, float]) -> limits_mod.Limits:
    """A ``Limits`` with the given bounds, defaults elsewhere (names already validated)."""
    return replace(limits_mod.Limits(), **values)  # type: ignore[arg-type]
