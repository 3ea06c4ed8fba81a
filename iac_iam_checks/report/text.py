"""``--format text``: what a person wants in a terminal.

Findings grouped by file, one line each (line, severity, check id, resource, message),
suppressed ones kept but marked; findings repeated for several instances of one source line
share a line naming them (``groups``); then unresolved entries, errors and warnings; then one
summary line (counting every finding). ANSI colors only when the caller asks
(``color=True``): the CLI decides from ``--no-color`` and whether stdout is a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import groupby

from ..gate.verdict import at_or_above
from ..model.findings import Finding
from . import SEVERITY_ORDER, Ordered
from .groups import Group, files_of_several_roots, finding_groups, unresolved_groups

_SEVERITY_COLORS = {"CRITICAL": "1;35", "HIGH": "1;31", "MEDIUM": "33", "LOW": "36"}
_BOLD, _DIM, _RED, _YELLOW = "1", "2", "31", "33"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Paint = Callable[[str, str], str]


def render(data: Ordered, color: bool = False) -> str:
    paint = _painter(color)
    shared = files_of_several_roots([*data.findings, *data.unresolved])
    out: list[str] = []
    threshold = data.verdict.threshold if data.verdict else None
    width = max((len(str(f.line)) for f in data.findings), default=1)
    for file, found in groupby(data.findings, key=lambda f: f.file):
        out.extend(_file_block(file, finding_groups(found, shared), paint, width, threshold))
    if data.unresolved:
        out.append(paint(f"Unresolved ({len(data.unresolved)}):", _YELLOW))
        for group in unresolved_groups(data.unresolved, shared):
            u = group.first
            checks = ", ".join(sorted(u.check_ids))
            out.append(
                _safe(
                    f"  {u.file}:{u.line}  {group.label()}  {checks}  {group.message}"
                    f" (unknown: {u.value})"
                )
            )
        out.append("")
    if data.errors:
        out.append(paint(f"Errors ({len(data.errors)}):", _RED))
        out.extend(
            _safe(f"  {e.file}:{e.line}  {e.message}" if e.line else f"  {e.file}  {e.message}")
            for e in data.errors
        )
        out.append("")
    if data.warnings:
        out.append(paint(f"Warnings ({len(data.warnings)}):", _YELLOW))
        out.extend(_safe(f"  {w}") for w in data.warnings)
        out.append("")
    out.append(summary_line(data.summary, paint))
    if data.verdict is not None:
        out.append(paint(data.verdict.line(), _RED if data.verdict.failed else ""))
    return "\n".join(out) + "\n"


def _file_block(
    file: str, groups: list[Group], paint: Paint, line_width: int, threshold: str | None
) -> list[str]:
    """One file's findings; line numbers share one width across files, so columns align."""
    id_width = max(len(g.first.check_id) for g in groups)
    lines = [paint(_safe(file), _BOLD)]
    for group in groups:
        f: Finding = group.first
        severity = f"{f.severity:<8}"
        head = f"  {f.line:>{line_width}}  {{severity}}  {f.check_id:<{id_width}}  "
        body = _safe(f"{group.label()}: {group.message}")
        if f.suppressed:
            reason = f": {f.suppressed.reason}" if f.suppressed.reason else ""
            note = _safe(f" [suppressed by {f.suppressed.source}{reason}]")
            lines.append(paint(head.format(severity=severity) + body + note, _DIM))
        elif threshold and not at_or_above(f.severity, threshold):
            note = f" [below the {threshold} threshold]"
            lines.append(paint(head.format(severity=severity) + body + note, _DIM))
        else:
            colored = paint(severity, _SEVERITY_COLORS.get(f.severity, ""))
            lines.append(head.format(severity=colored) + body)
    lines.append("")
    return lines


def summary_line(summary: dict, paint: Paint) -> str:
    """``3 findings (1 CRITICAL, 1 HIGH, 1 MEDIUM, 0 LOW), 1 suppressed, ...``."""
    by_severity = ", ".join(
        paint(f"{summary['by_severity'][level]} {level}", _SEVERITY_COLORS[level])
        if summary["by_severity"][level]
        else f"0 {level}"
        for level in SEVERITY_ORDER
    )
    return (
        f"{_plural(summary['findings'], 'finding')} ({by_severity}), "
        f"{summary['suppressed']} suppressed, "
        + (f"{summary['baselined']} in baseline, " if summary["baselined"] else "")
        + f"{summary['unresolved']} unresolved, "
        f"{_plural(summary['errors'], 'error')}; "
        f"{_plural(summary['resources_scanned'], 'resource')} in "
        f"{_plural(summary['files_scanned'], 'file')}"
    )


def _painter(color: bool) -> Paint:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color and code else text

    return paint


def _safe(text: object) -> str:
    """Control characters from scanned files are shown escaped, never sent to the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
