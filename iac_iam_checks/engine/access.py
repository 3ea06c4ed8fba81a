"""The ``access`` and ``diff`` commands' engine: load a scan's resources, build the identity
graph, compute effective permissions (``iam.access``), and compare two snapshots.

A snapshot is a folder, a plan JSON, or ``git:REF`` (the same folder read from git at REF:
``git archive`` into a temporary folder, no checkout, nothing of the repository executed). A
plan given alone is compared with itself: its prior state is the base.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..iam import actions as action_db
from ..iam.access import ALLOW, DENY, GrantGroup, PrincipalAccess, Trust, access_of
from ..model.values import ParseError
from . import discover as disc
from .loading import load, scan_base
from .options import ScanOptions

LEVELS = ("any", "write", "permissions-management", "admin")
"""``--fail-on`` thresholds, lowest first."""
RANK = {"List": 0, "Read": 0, "Unknown": 0, "Tagging": 1, "Write": 1, "Permissions management": 2}
ADMIN_RANK = 3


class SnapshotError(Exception):
    """A BASE/NEW argument that cannot be read (bad git ref, not a plan)."""


@dataclass
class AccessResult:
    principals: list[PrincipalAccess]
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def compute_access(
    paths: list[Path],
    options: ScanOptions | None = None,
    addresses: Iterable[str] = (),
    actions: Iterable[str] | None = None,
    sets: dict[frozenset[str], frozenset[str]] | None = None,
) -> AccessResult:
    """Effective permissions of the principals the paths define (or those at ``addresses``);
    with ``actions``, only principals that may perform one of them. ``sets`` interns action
    sets (:func:`~iac_iam_checks.iam.access.access_of`)."""
    from ..iam.graph import Graph

    options = options or ScanOptions()
    found = disc.discover(paths, scan_base(paths), options.excludes)
    scan_input, _ = load(paths, options, found)
    wanted = list(actions) if actions else None
    principals = access_of(Graph(scan_input.resources), addresses, wanted, sets)
    if wanted is not None:
        principals = [p for p in principals if p.groups]
    errors = sorted(scan_input.errors, key=lambda e: (e.file, e.line or 0, e.message))
    return AccessResult(principals, errors, list(dict.fromkeys(scan_input.warnings)))


# --- snapshots ------------------------------------------------------------------------------


@contextmanager
def snapshot(spec: str, folder: Path) -> Iterator[Path]:
    """The path to read for a BASE/NEW argument; ``git:REF`` reads ``folder`` at REF."""
    if not spec.startswith("git:"):
        path = Path(spec)
        if not path.exists():
            raise SnapshotError(f"{spec}: path does not exist")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="iac-iam-checks-") as temp:
        yield _archive(spec[len("git:") :], folder, Path(temp))


def _git(folder: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, check=False, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SnapshotError(f"git {args[0]}: {error}") from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SnapshotError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout


def _archive(ref: str, folder: Path, into: Path) -> Path:
    """The repository at ``ref`` (``git archive``) unpacked under ``into``, and ``folder``'s
    place in it: the whole tree, so local modules outside the folder resolve as they would
    in a checkout. Regular files and folders only: links and paths leaving ``into`` are
    skipped. An empty ``.git`` marks ``into`` as the repository boundary."""
    folder = folder if folder.is_dir() else folder.parent
    prefix = _git(folder, "rev-parse", "--show-prefix").decode().strip()
    top = Path(_git(folder, "rev-parse", "--show-toplevel").decode().strip())
    data = _git(top, "archive", "--format=tar", ref)
    root = into.resolve()
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive.getmembers():
            target = (root / member.name).resolve()
            if not (member.isfile() or member.isdir()) or root not in target.parents:
                continue
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            if source is not None:
                target.write_bytes(source.read())
    (root / ".git").mkdir(exist_ok=True)
    path = root / prefix
    path.mkdir(parents=True, exist_ok=True)
    return path


def prior_state_plan(plan: Path, into: Path) -> Path:
    """A plan whose planned values are the given plan's prior state (what exists before it is
    applied), written under ``into`` with the same name."""
    try:
        data = json.loads(plan.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SnapshotError(f"{plan}: not a readable plan JSON ({error})") from error
    if not isinstance(data, dict) or "planned_values" not in data:
        raise SnapshotError(f"{plan}: not a Terraform plan (no planned_values)")
    prior = data.get("prior_state")
    values = prior.get("values") if isinstance(prior, dict) else None
    root = values.get("root_module") if isinstance(values, dict) else None
    data["planned_values"] = {"root_module": root or {}}
    data["resource_changes"] = []
    out = into / plan.name
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


# --- diff ---------------------------------------------------------------------------------


@dataclass
class Change:
    """Access one principal gains (or loses) for a set of actions that share one row (kept as
    a set: a new administrator gains 20,000 actions, rendered as ``*``)."""

    principal: str
    actions: frozenset[str]
    decision: str
    resources: list[str]
    via: list[str]
    conditions: dict
    note: str = ""

    @property
    def access_level(self) -> str:
        """The most sensitive level among the actions: the one the gate must see."""
        return action_db.highest_level(self.actions)

    @property
    def rank(self) -> int:
        return RANK.get(self.access_level, 0)


@dataclass
class NewTrust:
    role: str
    principal: str
    conditions: dict
    decision: str
    rank: int


@dataclass
class DiffResult:
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    new_trust: list[NewTrust] = field(default_factory=list)
    new_admin: list[str] = field(default_factory=list)
    new_escalation: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    new_principals: list[str] = field(default_factory=list)
    unresolved: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def top_rank(self) -> int:
        """The highest level of new access that is certain (unknown decisions do not gate)."""
        ranks = [c.rank for c in self.added if c.decision == ALLOW]
        ranks += [t.rank for t in self.new_trust if t.decision == ALLOW]
        if self.new_admin or self.new_escalation:
            ranks.append(ADMIN_RANK)
        return max(ranks, default=-1)

    def fails(self, level: str) -> bool:
        return self.top_rank() >= LEVELS.index(level)


def _keyed(principals: list[PrincipalAccess]) -> dict[str, PrincipalAccess]:
    """Principals by address (with their scope when an address repeats across roots)."""
    counts: dict[str, int] = {}
    for p in principals:
        counts[p.address] = counts.get(p.address, 0) + 1
    return {
        (p.address if counts[p.address] == 1 else f"{p.node.scope}:{p.address}"): p
        for p in principals
    }


def _live(p: PrincipalAccess | None) -> list[GrantGroup]:
    return [g for g in p.groups if g.decision != DENY] if p is not None else []


def _change(
    address: str, group: GrantGroup, actions: frozenset[str], resources: list[str], note: str = ""
) -> Change:
    return Change(address, actions, group.decision, resources, group.via, group.conditions, note)


def _worse(new: GrantGroup, old: GrantGroup) -> tuple[list[str], str] | None:
    """What an action that moves from ``old``'s row to ``new``'s gains: resources, and why."""
    fresh = [r for r in new.resources if r not in old.resources]
    if fresh:
        return fresh, "new resources"
    if old.conditions and not new.conditions:
        return new.resources, "conditions removed"
    if old.decision != ALLOW and new.decision == ALLOW:
        return new.resources, "now certain"
    return None


def _gained(address: str, new: list[GrantGroup], old: list[GrantGroup]) -> list[Change]:
    """Per pair of groups (a principal's groups split its actions, so each action is in one
    group on each side): set algebra on the action sets, one comparison per pair."""
    out = []
    for group in new:
        rest = group.actions
        for before in old:
            common = rest if rest is before.actions else rest & before.actions
            if not common:
                continue
            rest = frozenset() if len(common) == len(rest) else rest - common
            worse = _worse(group, before)
            if worse is not None:
                out.append(_change(address, group, common, *worse))
            if not rest:
                break
        if rest:
            out.append(_change(address, group, rest, group.resources))
    return out


def _lost(address: str, old: list[GrantGroup], new: list[GrantGroup]) -> list[Change]:
    """Actions of ``old`` that no group of ``new`` keeps."""
    out = []
    for group in old:
        rest = group.actions
        for after in new:
            if not rest:
                break
            rest = frozenset() if rest is after.actions else rest - after.actions
        if rest:
            out.append(_change(address, group, rest, group.resources))
    return out


def _role_rank(p: PrincipalAccess) -> int:
    if p.admin or p.escalation:
        return ADMIN_RANK
    levels = (action_db.highest_level(g.actions) for g in p.groups if g.decision == ALLOW)
    return max((RANK.get(level, 0) for level in levels), default=0)


def _trust_gained(address: str, new: PrincipalAccess, old: list[Trust]) -> list[NewTrust]:
    before = {t.principal: t for t in old}
    out = []
    for entry in new.trust:
        prior = before.get(entry.principal)
        if prior is not None and not (prior.conditions and not entry.conditions):
            continue  # trusted before, and not newly without its conditions
        out.append(
            NewTrust(address, entry.principal, entry.conditions, entry.decision, _role_rank(new))
        )
    return out


def diff_access(base: list[PrincipalAccess], new: list[PrincipalAccess]) -> DiffResult:
    """What ``new`` grants that ``base`` does not, per principal and action; what it removes."""
    result = DiffResult()
    old_by = _keyed(base)
    new_by = _keyed(new)
    for key, principal in new_by.items():
        prior = old_by.get(key)
        if prior is None:
            result.new_principals.append(key)
        result.added += _gained(key, _live(principal), _live(prior))
        if principal.admin and not (prior and prior.admin):
            result.new_admin.append(key)
        old_paths = {(e.via, a) for e in prior.escalation for a in e.actions} if prior else set()
        for path in principal.escalation:
            gained = tuple(a for a in path.actions if (path.via, a) not in old_paths)
            if gained and not (prior and _had_escalation(prior, gained)):
                result.new_escalation.append((key, path.via, gained))
        result.new_trust += _trust_gained(key, principal, prior.trust if prior else [])
        seen = {(n.value, n.message) for n in prior.unresolved} if prior else set()
        result.unresolved += [
            (key, n.value, n.message)
            for n in principal.unresolved
            if (n.value, n.message) not in seen
        ]
    for key, principal in old_by.items():
        result.removed += _lost(key, _live(principal), _live(new_by.get(key)))
    return result


def _both(
    base: list[Path],
    new: list[Path],
    options: ScanOptions,
    sets: dict[frozenset[str], frozenset[str]],
) -> tuple[AccessResult, AccessResult]:
    """The two snapshots' access: independent, so with ``jobs`` > 1 the base one is computed
    in a forked process meanwhile (each side gets half the jobs). Its action sets are interned
    into ``sets`` on return, so equal sets of the two sides are one object again."""
    if options.jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return compute_access(base, options, sets=sets), compute_access(new, options, sets=sets)
    half = replace(options, jobs=max(1, options.jobs // 2))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        pending = pool.submit(compute_access, base, half)
        new_result = compute_access(new, half, sets=sets)
        base_result = pending.result()
    interned: dict[int, frozenset[str]] = {}
    for principal in base_result.principals:
        for group in principal.groups:
            key = id(group.actions)
            if key not in interned:
                interned[key] = sets.setdefault(group.actions, group.actions)
            group.actions = interned[key]
    return base_result, new_result


def _had_escalation(prior: PrincipalAccess, actions: tuple[str, ...]) -> bool:
    """The same escalation actions through another policy are no new path."""
    had = {a for e in prior.escalation for a in e.actions}
    return set(actions) <= had


def compute_diff(
    base_spec: str | None, new_spec: str, options: ScanOptions | None = None
) -> DiffResult:
    """``diff BASE NEW``; ``base_spec`` None compares a plan's prior state with its plan."""
    options = options or ScanOptions()
    new_path = Path(new_spec) if not new_spec.startswith("git:") else Path(".")
    sets: dict[frozenset[str], frozenset[str]] = {}  # shared: equal sets compare by identity
    with tempfile.TemporaryDirectory(prefix="iac-iam-checks-") as temp, ExitStack() as stack:
        if base_spec is None:
            if not new_path.is_file():
                raise SnapshotError(f"{new_spec}: a single argument must be a plan JSON file")
            base_paths = [prior_state_plan(new_path, Path(temp))]
        else:
            base_paths = [stack.enter_context(snapshot(base_spec, new_path))]
        new_paths = [stack.enter_context(snapshot(new_spec, Path(".")))]
        base_result, new_result = _both(base_paths, new_paths, options, sets)
    result = diff_access(base_result.principals, new_result.principals)
    result.errors = base_result.errors + new_result.errors
    result.warnings = list(dict.fromkeys(base_result.warnings + new_result.warnings))
    return result
