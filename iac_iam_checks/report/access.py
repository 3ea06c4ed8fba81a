"""Rendering ``access`` (effective permissions) and ``diff`` (new access) results.

JSON follows issue 9's schemas (``schema_version`` 1); text summarizes by service and access
level before the detail; markdown is a pull-request comment. Output is sorted, so byte-identical
run to run.

Rows: a set of actions sharing one row is written as the fewest patterns that name it exactly
(:func:`~iac_iam_checks.iam.actions.compact`): ``*``, ``s3:*``, or either with ``except``,
carrying ``expanded`` (how many concrete actions the row stands for); any other set as one
row per concrete action. ``expand=True`` (``--expand``) writes one row per concrete action
everywhere, as issue 9's schema first had it; JSON is then written principal by principal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..engine.access import AccessResult, Change, DiffResult
from ..iam import actions as action_db
from ..iam.access import GrantGroup, PrincipalAccess
from ..iam.actions import Pattern

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
TEXT_DETAIL_LIMIT = 200
"""Grant rows shown per principal in text; JSON always has them all."""
WHOLE_SERVICES_LISTED = 10
"""Services held in full that the text and markdown summaries still list one by one."""
TEXT_EXCEPT_LIMIT = 8
"""Exceptions of a wildcard row shown in text and markdown; JSON has them all."""


def patterns(actions: frozenset[str], expand: bool) -> tuple[Pattern, ...]:
    """How a set of actions is written: compact patterns, or every action with ``expand``."""
    if not expand:
        return action_db.compact(actions)
    return tuple(action_db.compact(frozenset((a,)))[0] for a in sorted(actions))


def _rows(groups: Iterable[tuple[frozenset[str], Any]], expand: bool) -> list[tuple[Pattern, Any]]:
    """(pattern, owner) for every set of actions, sorted by pattern: a principal's rows."""
    pairs = [(p, owner) for actions, owner in groups for p in patterns(actions, expand)]
    return sorted(pairs, key=lambda pair: pair[0].action)


def _pattern_json(pattern: Pattern) -> dict[str, Any]:
    out: dict[str, Any] = {"action": pattern.action, "access_level": pattern.level}
    if pattern.wildcard:
        out["expanded"] = pattern.count
    if pattern.except_:
        out["except"] = list(pattern.except_)
    return out


def _action_cell(pattern: Pattern, quote: str = "") -> str:
    """``s3:GetObject``, or ``* (20,454 actions, except s3:GetObject)``."""
    text = f"{quote}{pattern.action}{quote}"
    if not pattern.wildcard:
        return text
    shown = [f"{quote}{e}{quote}" for e in pattern.except_[:TEXT_EXCEPT_LIMIT]]
    if len(pattern.except_) > TEXT_EXCEPT_LIMIT:
        shown.append(f"{len(pattern.except_) - TEXT_EXCEPT_LIMIT} more")
    except_ = f", except {', '.join(shown)}" if shown else ""
    return f"{text} ({pattern.count:,} actions{except_})"


# --- access -------------------------------------------------------------------------------


def _grant(pattern: Pattern, group: GrantGroup) -> dict[str, Any]:
    out: dict[str, Any] = {
        **_pattern_json(pattern),
        "decision": group.decision,
        "resources": group.resources,
        "conditions": group.conditions,
        "via": group.via,
    }
    if group.not_resources:
        out["not_resources"] = group.not_resources
    if group.limited_by:
        out["limited_by"] = group.limited_by
    return out


def _grant_rows(p: PrincipalAccess, expand: bool) -> list[tuple[Pattern, GrantGroup]]:
    return _rows(((g.actions, g) for g in p.groups), expand)


def principal_json(p: PrincipalAccess, expand: bool = False) -> dict[str, Any]:
    location = p.node.resource.location
    out: dict[str, Any] = {
        "address": p.address,
        "kind": p.kind,
        "name": p.name,
        "file": location.file,
        "line": location.line,
        "admin": p.admin,
        "escalation": [{"via": e.via, "actions": list(e.actions)} for e in p.escalation],
        "grants": [_grant(pattern, g) for pattern, g in _grant_rows(p, expand)],
        "unresolved": [{"value": n.value, "message": n.message} for n in p.unresolved],
    }
    if p.boundary is not None:
        out["permissions_boundary"] = p.boundary
    if p.kind == "role":
        out["trust"] = [
            {"principal": t.principal, "conditions": t.conditions, "decision": t.decision}
            for t in p.trust
        ]
    return out


def _errors(result: AccessResult | DiffResult) -> list[dict[str, Any]]:
    return [{"file": e.file, "line": e.line, "message": e.message} for e in result.errors]


def _nested(value: Any, indent: int) -> str:
    return json.dumps(value, indent=2).replace("\n", "\n" + " " * indent)


def stream_json(data: dict[str, Any]) -> Iterator[str]:
    """``json.dumps(data, indent=2) + "\\n"`` in pieces, a value that is an iterator one item
    at a time: ``--expand`` writes 20,000 rows per administrator, never all in memory."""
    yield "{"
    for i, (key, value) in enumerate(data.items()):
        yield f"{',' if i else ''}\n  {json.dumps(key)}: "
        if not isinstance(value, Iterator):
            yield _nested(value, 2)
            continue
        empty = True
        for item in value:
            yield f"{'[' if empty else ','}\n    {_nested(item, 4)}"
            empty = False
        yield "[]" if empty else "\n  ]"
    yield "\n}\n"


def access_json(result: AccessResult, expand: bool = False) -> Iterator[str]:
    data = {
        "schema_version": 1,
        "principals": (principal_json(p, expand) for p in result.principals),
        "errors": _errors(result),
    }
    return stream_json(data)


def _summary(groups: Iterable[GrantGroup]) -> tuple[int, list[tuple[str, dict[str, int]]]]:
    """How many services, and allowed (or unknown) actions per service and access level;
    past :data:`WHOLE_SERVICES_LISTED`, services held in full are one line (an administrator
    holds all 400 of them)."""
    by_service: dict[str, dict[str, int]] = {}
    for group in groups:
        if group.decision == "deny":
            continue
        for (service, level), count in action_db.level_counts(group.actions).items():
            levels = by_service.setdefault(service, {})
            levels[level] = levels.get(level, 0) + count
    total = len(by_service)
    whole = [s for s, lv in by_service.items() if sum(lv.values()) == action_db.service_size(s)]
    if len(whole) <= WHOLE_SERVICES_LISTED:
        return total, sorted(by_service.items())
    merged: dict[str, int] = {}
    for service in whole:
        for level, count in by_service.pop(service).items():
            merged[level] = merged.get(level, 0) + count
    return total, [(f"{len(whole)} services in full", merged), *sorted(by_service.items())]


def _level_cells(levels: dict[str, int]) -> str:
    return ", ".join(f"{levels[level]} {level}" for level in ACCESS_LEVELS if level in levels)


def _resources(row: GrantGroup | Change) -> str:
    parts = list(row.resources)
    parts += [f"NOT {r}" for r in getattr(row, "not_resources", [])]
    return ", ".join(parts) or "-"


def _conditions(conditions: dict[str, dict[str, list[str]]]) -> str:
    return "; ".join(
        f"{op} {key}={','.join(values)}"
        for op, keys in sorted(conditions.items())
        for key, values in sorted(keys.items())
    )


def _headline(p: PrincipalAccess) -> str:
    location = p.node.resource.location
    flags = []
    if p.admin:
        flags.append("ADMINISTRATOR-EQUIVALENT")
    if p.escalation:
        flags.append("can escalate privileges")
    if p.boundary:
        flags.append(f"boundary {p.boundary}")
    tail = f"  [{'; '.join(flags)}]" if flags else ""
    return f"{p.kind} {p.address} ({location.file}:{location.line}){tail}"


def access_text(result: AccessResult, expand: bool = False) -> Iterator[str]:
    for p in result.principals:
        yield "\n".join(_principal_text(p, expand)) + "\n"
    lines = [f"error: {e.file}:{e.line or ''}: {e.message}" for e in result.errors]
    lines.append(
        f"{len(result.principals)} principals, "
        f"{sum(p.admin for p in result.principals)} administrator-equivalent, "
        f"{sum(bool(p.escalation) for p in result.principals)} with escalation paths"
    )
    yield "\n".join(lines) + "\n"


def _principal_text(p: PrincipalAccess, expand: bool) -> list[str]:
    lines = [_headline(p)]
    total, summary = _summary(p.groups)
    if summary:
        lines.append(f"  summary ({total} services):")
        width = max(len(service) for service, _ in summary)
        lines += [f"    {s:<{width}}  {_level_cells(levels)}" for s, levels in summary]
    else:
        lines.append("  no actions allowed")
    for e in p.escalation:
        lines.append(f"  escalation via {e.via}: {', '.join(e.actions)}")
    for t in p.trust:
        when = f" when {_conditions(t.conditions)}" if t.conditions else ""
        lines.append(f"  assumable by {t.principal}{when} ({t.decision})")
    rows = _grant_rows(p, expand)
    if rows:
        lines.append("  grants:")
    for pattern, g in rows[:TEXT_DETAIL_LIMIT]:
        when = f" when {_conditions(g.conditions)}" if g.conditions else ""
        limited = f" (limited by Deny in {', '.join(g.limited_by)})" if g.limited_by else ""
        lines.append(
            f"    {g.decision:<7} {_action_cell(pattern)} on {_resources(g)}{when}{limited}"
            f"  <- {', '.join(g.via)}"
        )
    if len(rows) > TEXT_DETAIL_LIMIT:
        lines.append(f"    ... {len(rows) - TEXT_DETAIL_LIMIT} more (--format json, or --action)")
    lines += [f"  unresolved: {n.value}: {n.message}" for n in p.unresolved]
    lines.append("")
    return lines


def access_markdown(result: AccessResult, expand: bool = False) -> str:
    lines = ["## Effective IAM permissions", ""]
    lines += [
        "| principal | kind | admin | escalation | services | unresolved |",
        "|---|---|---|---|---|---|",
    ]
    for p in result.principals:
        services = "<br>".join(f"`{s}`: {_level_cells(lv)}" for s, lv in _summary(p.groups)[1])
        escalation = ", ".join(a for e in p.escalation for a in e.actions[:3]) or "-"
        lines.append(
            f"| `{p.address}` | {p.kind} | {'**yes**' if p.admin else 'no'} | {escalation} "
            f"| {services or '-'} | {len(p.unresolved)} |"
        )
    return "\n".join(lines) + "\n"


# --- diff ---------------------------------------------------------------------------------


def _change_rows(changes: list[Change], expand: bool) -> list[tuple[Pattern, Change]]:
    """Rows of each principal's changes, principals in order, rows sorted by action."""
    by_principal: dict[str, list[Change]] = {}
    for c in changes:
        by_principal.setdefault(c.principal, []).append(c)
    return [
        row
        for group in by_principal.values()
        for row in _rows(((c.actions, c) for c in group), expand)
    ]


def _change(pattern: Pattern, c: Change) -> dict[str, Any]:
    out: dict[str, Any] = {
        "principal": c.principal,
        **_pattern_json(pattern),
        "decision": c.decision,
        "resources": c.resources,
        "conditions": c.conditions,
        "via": c.via,
    }
    if c.note:
        out["note"] = c.note
    return out


def diff_json(result: DiffResult, fail_on: str, expand: bool = False) -> Iterator[str]:
    data = {
        "schema_version": 1,
        "added": (_change(*row) for row in _change_rows(result.added, expand)),
        "removed": (_change(*row) for row in _change_rows(result.removed, expand)),
        "new_trust": [
            {
                "role": t.role,
                "principal": t.principal,
                "conditions": t.conditions,
                "decision": t.decision,
            }
            for t in result.new_trust
        ],
        "new_admin": result.new_admin,
        "new_escalation": [
            {"principal": p, "via": via, "actions": list(actions)}
            for p, via, actions in result.new_escalation
        ],
        "new_principals": result.new_principals,
        "unresolved": [{"principal": p, "value": v, "message": m} for p, v, m in result.unresolved],
        "errors": _errors(result),
        "fail_on": fail_on,
        "failed": result.fails(fail_on),
    }
    return stream_json(data)


def _verdict(result: DiffResult, fail_on: str) -> str:
    if result.errors:
        return "error: some files could not be read"
    if result.fails(fail_on):
        return f"new access at or above '{fail_on}'"
    if result.added or result.new_trust:
        return f"new access, all below '{fail_on}'"
    return "no new access"


def _by_principal(
    changes: list[Change], expand: bool
) -> list[tuple[str, list[tuple[Pattern, Change]]]]:
    grouped: dict[str, list[tuple[Pattern, Change]]] = {}
    for pattern, c in _change_rows(changes, expand):
        grouped.setdefault(c.principal, []).append((pattern, c))
    return sorted(grouped.items())


def _unless_allow(decision: str) -> str:
    return "" if decision == "allow" else f" ({decision})"


def _count(changes: list[Change]) -> int:
    """Concrete actions in ``changes``: a row per action was the unit before grouping."""
    return sum(len(c.actions) for c in changes)


def diff_text(result: DiffResult, fail_on: str, expand: bool = False) -> str:
    lines = [f"verdict: {_verdict(result, fail_on)}", ""]
    lines += [f"NEW ADMINISTRATOR-EQUIVALENT: {p}" for p in result.new_admin]
    lines += [
        f"new escalation path: {p} via {via}: {', '.join(a)}" for p, via, a in result.new_escalation
    ]
    for title, changes in (("added", result.added), ("removed", result.removed)):
        for principal, rows in _by_principal(changes, expand):
            new = (
                " (new principal)"
                if principal in result.new_principals and title == "added"
                else ""
            )
            lines.append(f"{title}: {principal}{new}")
            lines += [
                f"  {'+' if title == 'added' else '-'} {_action_cell(pattern)} [{pattern.level}] "
                f"on {_resources(c)}{' (' + c.note + ')' if c.note else ''}"
                f"{_unless_allow(c.decision)}  <- {', '.join(c.via)}"
                for pattern, c in rows
            ]
    for t in result.new_trust:
        when = f" when {_conditions(t.conditions)}" if t.conditions else ""
        lines.append(f"new trust: {t.principal} can assume {t.role}{when}")
    lines += [f"unresolved: {p}: {v}: {m}" for p, v, m in result.unresolved]
    lines += [f"error: {e.file}:{e.line or ''}: {e.message}" for e in result.errors]
    lines.append(
        f"{_count(result.added)} actions added, {_count(result.removed)} removed, "
        f"{len(result.new_trust)} new trust"
    )
    return "\n".join(lines) + "\n"


def diff_markdown(result: DiffResult, fail_on: str, expand: bool = False) -> str:
    icon = ":x:" if result.fails(fail_on) or result.errors else ":white_check_mark:"
    lines = [f"## IAM access diff: {icon} {_verdict(result, fail_on)}", ""]
    lines += [f"- :warning: **{p}** becomes administrator-equivalent" for p in result.new_admin]
    lines += [
        f"- :warning: **{p}** gains an escalation path via `{via}`: {', '.join(a)}"
        for p, via, a in result.new_escalation
    ]
    if result.new_admin or result.new_escalation:
        lines.append("")
    for principal, rows in _by_principal(result.added, expand):
        new = " (new)" if principal in result.new_principals else ""
        lines += [
            f"### `{principal}`{new}",
            "",
            "| action | level | resources | via |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {_action_cell(pattern, '`')}{_unless_allow(c.decision)} "
            f"| {pattern.level} | {_resources(c)} | {', '.join(c.via)} |"
            for pattern, c in rows
        ]
        lines.append("")
    if result.new_trust:
        lines += ["### New trust", "", "| role | can be assumed by | conditions |", "|---|---|---|"]
        lines += [
            f"| `{t.role}` | `{t.principal}` | {_conditions(t.conditions) or '-'} |"
            for t in result.new_trust
        ]
        lines.append("")
    if result.removed:
        lines += ["<details><summary>Removed access</summary>", ""]
        lines += [
            f"- `{c.principal}`: {_action_cell(pattern, '`')}"
            for pattern, c in _change_rows(result.removed, expand)
        ]
        lines += ["", "</details>", ""]
    if result.unresolved:
        lines.append(f"{len(result.unresolved)} new unresolved values (see `--format json`).")
    return "\n".join(lines) + "\n"


def render_access(result: AccessResult, fmt: str, expand: bool = False) -> Iterator[str]:
    """The output in pieces (JSON is written principal by principal)."""
    if fmt == "json":
        return access_json(result, expand)
    if fmt == "markdown":
        return iter([access_markdown(result, expand)])
    return access_text(result, expand)


def render_diff(result: DiffResult, fmt: str, fail_on: str, expand: bool = False) -> Iterator[str]:
    """The output in pieces (JSON is written row by row)."""
    if fmt == "json":
        return diff_json(result, fail_on, expand)
    renderer = diff_markdown if fmt == "markdown" else diff_text
    return iter([renderer(result, fail_on, expand)])
