"""``--format markdown``: a summary fit for a pull-request comment.

A heading with the verdict, a counts table, the most severe findings as a table with
``file:line``, and collapsible ``<details>`` for every finding, unresolved entries, file
errors and warnings. Findings repeated for several instances of one source line are one row
naming them (``groups``); the counts are per finding. Long tables are cut (code-hosting
comments have size limits; the SARIF/JSON reports hold everything). Text from scanned files
is escaped so that it cannot break the table or inject markup.
"""

from __future__ import annotations

import re

from ..model.findings import Finding
from . import SEVERITY_ORDER, Ordered, rank
from .groups import Group, files_of_several_roots, finding_groups, unresolved_groups

TOP_FINDINGS = 10
MAX_DETAIL_ROWS = 200
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]<>|~&])")


def render(data: Ordered) -> str:
    summary = data.summary
    shared = files_of_several_roots([*data.findings, *data.unresolved])
    active = finding_groups([f for f in data.findings if f.suppressed is None], shared)
    count = summary["findings"]
    verdict = f"{count} finding{'s' if count != 1 else ''}" if count else "no findings"
    out = [f"### iac-iam-checks: {verdict}", ""]
    out += ["| | Count |", "| --- | ---: |"]
    out += [f"| {level} | {summary['by_severity'][level]} |" for level in SEVERITY_ORDER]
    out += [
        f"| Suppressed | {summary['suppressed']} |",
        *([f"| In baseline | {summary['baselined']} |"] if summary["baselined"] else []),
        f"| Unresolved | {summary['unresolved']} |",
        f"| File errors | {summary['errors']} |",
        "",
        f"{_count(summary['resources_scanned'], 'resource')} in "
        f"{_count(summary['files_scanned'], 'file')} scanned.",
        "",
        *([f"**{_cell(data.verdict.line())}**", ""] if data.verdict else []),
    ]
    if active:
        top = sorted(active, key=lambda g: (rank(g.first.severity), g.first.sort_key()))
        top = top[:TOP_FINDINGS]
        heading = "Top findings" if len(active) > len(top) else "Findings"
        out += [f"#### {heading}", ""]
        out += _findings_table(top, with_status=False)
        out.append("")
    if data.findings:
        suppressed = summary["suppressed"]
        label = f"All findings ({len(data.findings)}, {suppressed} suppressed)"
        table = _findings_table(finding_groups(data.findings, shared), with_status=True)
        out += _details(label, table)
    if data.unresolved:
        rows = [
            _row(
                ", ".join(sorted(g.first.check_ids)),
                g.label(_code),
                _code(f"{g.first.file}:{g.first.line}"),
                _code(g.first.value),
                _cell(g.message),
            )
            for g in unresolved_groups(data.unresolved, shared)
        ]
        header = ["| Checks | Resource | Location | Unknown value | Message |"]
        out += _details(f"Unresolved ({len(data.unresolved)})", header + _cut(rows, 5))
    if data.errors:
        rows = [
            _row(_code(f"{e.file}:{e.line}" if e.line else e.file), _cell(e.message))
            for e in data.errors
        ]
        out += _details(f"File errors ({len(data.errors)})", ["| File | Error |"] + _cut(rows, 2))
    if data.warnings:
        lines = [f"- {_cell(w)}" for w in data.warnings[:MAX_DETAIL_ROWS]]
        if len(data.warnings) > MAX_DETAIL_ROWS:
            lines.append(f"- ... and {len(data.warnings) - MAX_DETAIL_ROWS} more")
        out += _details(f"Warnings ({len(data.warnings)})", lines)
    return "\n".join(out).rstrip("\n") + "\n"


def _findings_table(groups: list[Group], with_status: bool) -> list[str]:
    header = "| Severity | Check | Resource | Location | Message |"
    rows = []
    for group in groups:
        f = group.first
        cells = [
            f.severity,
            f"{f.check_id} {_cell(f.title)}",
            group.label(_code),
            _code(f"{f.file}:{f.line}"),
            _cell(group.message),
        ]
        if with_status:
            cells.append(_status(f))
        rows.append(_row(*cells))
    if with_status:
        header += " Status |"
    return [header] + _cut(rows, 6 if with_status else 5)


def _status(finding: Finding) -> str:
    if finding.suppressed is None:
        return "open"
    reason = f": {finding.suppressed.reason}" if finding.suppressed.reason else ""
    return _cell(f"suppressed ({finding.suppressed.source}){reason}")


def _cut(rows: list[str], columns: int) -> list[str]:
    """The separator row, then at most MAX_DETAIL_ROWS rows and a note of how many were cut."""
    out = ["|" + " --- |" * columns] + rows[:MAX_DETAIL_ROWS]
    if len(rows) > MAX_DETAIL_ROWS:
        out.append(_row(f"... and {len(rows) - MAX_DETAIL_ROWS} more", *[""] * (columns - 1)))
    return out


def _details(summary: str, body: list[str]) -> list[str]:
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>", ""]


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _cell(text: str) -> str:
    """Plain text in a table cell: markdown punctuation escaped, one line."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", _one_line(text))


def _code(text: str) -> str:
    """Inline code that survives backticks and pipes in the text."""
    text = _one_line(text).replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
