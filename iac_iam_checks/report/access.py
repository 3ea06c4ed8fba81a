"""Rendering ``access`` (effective permissions) and ``diff`` (new access) results.

JSON follows issue 9's schemas (``schema_version`` 1); text summarizes by service and access
level before the detail; markdown is a pull-request comment. Output is sorted, so byte-identical
run to run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..engine.access import AccessResult, Change, DiffResult
from ..iam.access import GrantRow, PrincipalAccess

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
TEXT_DETAIL_LIMIT = 200
"""Grant rows shown per principal in text; JSON always has them all."""


# --- access -------------------------------------------------------------------------------


def _grant(row: GrantRow) -> dict[str, Any]:
    out: dict[str, Any] = {
        "action": row.action,
        "access_level": row.access_level,
        "decision": row.decision,
        "resources": row.resources,
        "conditions": row.conditions,
        "via": row.via,
    }
    if row.not_resources:
        out["not_resources"] = row.not_resources
    if row.limited_by:
        out["limited_by"] = row.limited_by
    return out


def principal_json(p: PrincipalAccess) -> dict[str, Any]:
    location = p.node.resource.location
    out: dict[str, Any] = {
        "address": p.address,
        "kind": p.kind,
        "name": p.name,
        "file": location.file,
        "line": location.line,
        "admin": p.admin,
        "escalation": [{"via": e.via, "actions": list(e.actions)} for e in p.escalation],
        "grants": [_grant(g) for g in p.grants],
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


def access_json(result: AccessResult) -> str:
    data = {
        "schema_version": 1,
        "principals": [principal_json(p) for p in result.principals],
        "errors": _errors(result),
    }
    return json.dumps(data, indent=2) + "\n"


def _summary(grants: Iterable[GrantRow]) -> list[tuple[str, dict[str, int]]]:
    """Allowed (or unknown) actions per service and access level."""
    by_service: dict[str, dict[str, int]] = {}
    for row in grants:
        if row.decision == "deny":
            continue
        service = row.action.split(":", 1)[0]
        levels = by_service.setdefault(service, {})
        levels[row.access_level] = levels.get(row.access_level, 0) + 1
    return sorted(by_service.items())


def _level_cells(levels: dict[str, int]) -> str:
    return ", ".join(f"{levels[level]} {level}" for level in ACCESS_LEVELS if level in levels)


def _resources(row: GrantRow | Change) -> str:
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


def access_text(result: AccessResult) -> str:
    lines: list[str] = []
    for p in result.principals:
        lines.append(_headline(p))
        summary = _summary(p.grants)
        if summary:
            lines.append(f"  summary ({len(summary)} services):")
            width = max(len(service) for service, _ in summary)
            lines += [f"    {s:<{width}}  {_level_cells(levels)}" for s, levels in summary]
        else:
            lines.append("  no actions allowed")
        for e in p.escalation:
            lines.append(f"  escalation via {e.via}: {', '.join(e.actions)}")
        for t in p.trust:
            when = f" when {_conditions(t.conditions)}" if t.conditions else ""
            lines.append(f"  assumable by {t.principal}{when} ({t.decision})")
        if p.grants:
            lines.append("  grants:")
        for row in p.grants[:TEXT_DETAIL_LIMIT]:
            when = f" when {_conditions(row.conditions)}" if row.conditions else ""
            limited = f" (limited by Deny in {', '.join(row.limited_by)})" if row.limited_by else ""
            lines.append(
                f"    {row.decision:<7} {row.action} on {_resources(row)}{when}{limited}"
                f"  <- {', '.join(row.via)}"
            )
        if len(p.grants) > TEXT_DETAIL_LIMIT:
            lines.append(
                f"    ... {len(p.grants) - TEXT_DETAIL_LIMIT} more (--format json, or --action)"
            )
        lines += [f"  unresolved: {n.value}: {n.message}" for n in p.unresolved]
        lines.append("")
    lines += [f"error: {e.file}:{e.line or ''}: {e.message}" for e in result.errors]
    lines.append(
        f"{len(result.principals)} principals, "
        f"{sum(p.admin for p in result.principals)} administrator-equivalent, "
        f"{sum(bool(p.escalation) for p in result.principals)} with escalation paths"
    )
    return "\n".join(lines) + "\n"


def access_markdown(result: AccessResult) -> str:
    lines = ["## Effective IAM permissions", ""]
    lines += [
        "| principal | kind | admin | escalation | services | unresolved |",
        "|---|---|---|---|---|---|",
    ]
    for p in result.principals:
        services = "<br>".join(f"`{s}`: {_level_cells(lv)}" for s, lv in _summary(p.grants))
        escalation = ", ".join(a for e in p.escalation for a in e.actions[:3]) or "-"
        lines.append(
            f"| `{p.address}` | {p.kind} | {'**yes**' if p.admin else 'no'} | {escalation} "
            f"| {services or '-'} | {len(p.unresolved)} |"
        )
    return "\n".join(lines) + "\n"


# --- diff ---------------------------------------------------------------------------------


def _change(c: Change) -> dict[str, Any]:
    out: dict[str, Any] = {
        "principal": c.principal,
        "action": c.action,
        "access_level": c.access_level,
        "decision": c.decision,
        "resources": c.resources,
        "conditions": c.conditions,
        "via": c.via,
    }
    if c.note:
        out["note"] = c.note
    return out


def diff_json(result: DiffResult, fail_on: str) -> str:
    data = {
        "schema_version": 1,
        "added": [_change(c) for c in result.added],
        "removed": [_change(c) for c in result.removed],
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
    return json.dumps(data, indent=2) + "\n"


def _verdict(result: DiffResult, fail_on: str) -> str:
    if result.errors:
        return "error: some files could not be read"
    if result.fails(fail_on):
        return f"new access at or above '{fail_on}'"
    if result.added or result.new_trust:
        return f"new access, all below '{fail_on}'"
    return "no new access"


def _by_principal(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    grouped: dict[str, list[Change]] = {}
    for c in changes:
        grouped.setdefault(c.principal, []).append(c)
    return sorted(grouped.items())


def diff_text(result: DiffResult, fail_on: str) -> str:
    lines = [f"verdict: {_verdict(result, fail_on)}", ""]
    lines += [f"NEW ADMINISTRATOR-EQUIVALENT: {p}" for p in result.new_admin]
    lines += [
        f"new escalation path: {p} via {via}: {', '.join(a)}" for p, via, a in result.new_escalation
    ]
    for title, changes in (("added", result.added), ("removed", result.removed)):
        for principal, rows in _by_principal(changes):
            new = (
                " (new principal)"
                if principal in result.new_principals and title == "added"
                else ""
            )
            lines.append(f"{title}: {principal}{new}")
            lines += [
                f"  {'+' if title == 'added' else '-'} {c.action} [{c.access_level}] on "
                f"{_resources(c)}{' (' + c.note + ')' if c.note else ''}"
                f"{'' if c.decision == 'allow' else ' (' + c.decision + ')'}  <- {', '.join(c.via)}"
                for c in rows
            ]
    for t in result.new_trust:
        when = f" when {_conditions(t.conditions)}" if t.conditions else ""
        lines.append(f"new trust: {t.principal} can assume {t.role}{when}")
    lines += [f"unresolved: {p}: {v}: {m}" for p, v, m in result.unresolved]
    lines += [f"error: {e.file}:{e.line or ''}: {e.message}" for e in result.errors]
    lines.append(
        f"{len(result.added)} added, {len(result.removed)} removed, "
        f"{len(result.new_trust)} new trust"
    )
    return "\n".join(lines) + "\n"


def diff_markdown(result: DiffResult, fail_on: str) -> str:
    icon = ":x:" if result.fails(fail_on) or result.errors else ":white_check_mark:"
    lines = [f"## IAM access diff: {icon} {_verdict(result, fail_on)}", ""]
    lines += [f"- :warning: **{p}** becomes administrator-equivalent" for p in result.new_admin]
    lines += [
        f"- :warning: **{p}** gains an escalation path via `{via}`: {', '.join(a)}"
        for p, via, a in result.new_escalation
    ]
    if result.new_admin or result.new_escalation:
        lines.append("")
    for principal, rows in _by_principal(result.added):
        new = " (new)" if principal in result.new_principals else ""
        lines += [
            f"### `{principal}`{new}",
            "",
            "| action | level | resources | via |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| `{c.action}`{'' if c.decision == 'allow' else ' (' + c.decision + ')'} "
            f"| {c.access_level} | {_resources(c)} | {', '.join(c.via)} |"
            for c in rows
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
        lines += [f"- `{c.principal}`: `{c.action}`" for c in result.removed]
        lines += ["", "</details>", ""]
    if result.unresolved:
        lines.append(f"{len(result.unresolved)} new unresolved values (see `--format json`).")
    return "\n".join(lines) + "\n"


def render_access(result: AccessResult, fmt: str) -> str:
    return {"json": access_json, "markdown": access_markdown}.get(fmt, access_text)(result)


def render_diff(result: DiffResult, fmt: str, fail_on: str) -> str:
    renderer = {"json": diff_json, "markdown": diff_markdown}.get(fmt, diff_text)
    return renderer(result, fail_on)
