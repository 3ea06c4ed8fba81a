"""The ``access`` and ``diff`` commands' engine: load a scan's resources, build the identity
graph, compute effective permissions (``iam.access``), and compare two snapshots.

A snapshot is a folder, a plan JSON, or ``git:REF`` (the same folder read from git at REF:
``git archive`` into a temporary folder, no checkout, nothing of the repository executed). A
plan given alone is compared with itself: its prior state is the base.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..iam.access import ALLOW, DENY, GrantRow, PrincipalAccess, Trust, access_of
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
) -> AccessResult:
    """Effective permissions of the principals the paths define (or those at ``addresses``);
    with ``actions``, only principals that may perform one of them."""
    from ..iam.graph import Graph

    options = options or ScanOptions()
    found = disc.discover(paths, scan_base(paths), options.excludes)
    scan_input, _ = load(paths, options, found)
    wanted = list(actions) if actions else None
    principals = access_of(Graph(scan_input.resources), addresses, wanted)
    if wanted is not None:
        principals = [p for p in principals if p.grants]
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
    """Access one principal gains (or loses) for one action."""

    principal: str
    action: str
    access_level: str
    decision: str
    resources: list[str]
    via: list[str]
    conditions: dict
    note: str = ""

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


def _live(p: PrincipalAccess) -> dict[str, GrantRow]:
    return {g.action: g for g in p.grants if g.decision != DENY}


def _change(address: str, row: GrantRow, resources: list[str], note: str = "") -> Change:
    return Change(
        address,
        row.action,
        row.access_level,
        row.decision,
        resources,
        row.via,
        row.conditions,
        note,
    )


def _gained(address: str, new: dict[str, GrantRow], old: dict[str, GrantRow]) -> list[Change]:
    out = []
    for action, row in new.items():
        before = old.get(action)
        if before is None:
            out.append(_change(address, row, row.resources))
            continue
        fresh = [r for r in row.resources if r not in before.resources]
        if fresh:
            out.append(_change(address, row, fresh, "new resources"))
        elif before.conditions and not row.conditions:
            out.append(_change(address, row, row.resources, "conditions removed"))
        elif before.decision != ALLOW and row.decision == ALLOW:
            out.append(_change(address, row, row.resources, "now certain"))
    return out


def _role_rank(p: PrincipalAccess) -> int:
    if p.admin or p.escalation:
        return ADMIN_RANK
    return max((RANK.get(g.access_level, 0) for g in p.grants if g.decision == ALLOW), default=0)


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
        old_rows = _live(prior) if prior else {}
        result.added += _gained(key, _live(principal), old_rows)
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
        after = new_by.get(key)
        new_rows = _live(after) if after else {}
        for action, row in _live(principal).items():
            if action not in new_rows:
                result.removed.append(_change(key, row, row.resources))
    return result


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
    with tempfile.TemporaryDirectory(prefix="iac-iam-checks-") as temp:
        if base_spec is None:
            if not new_path.is_file():
                raise SnapshotError(f"{new_spec}: a single argument must be a plan JSON file")
            base_result = compute_access([prior_state_plan(new_path, Path(temp))], options)
        else:
            with snapshot(base_spec, new_path) as base_path:
                base_result = compute_access([base_path], options)
        with snapshot(new_spec, Path(".")) as path:
            new_result = compute_access([path], options)
    result = diff_access(base_result.principals, new_result.principals)
    result.errors = base_result.errors + new_result.errors
    result.warnings = list(dict.fromkeys(base_result.warnings + new_result.warnings))
    return result
