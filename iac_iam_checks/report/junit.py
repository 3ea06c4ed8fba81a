"""``--format junit``: JUnit XML for CI test reports.

One ``<testsuite>`` per check (every check passed in, so one that ran and found nothing
shows as a passing case), one ``<testcase>`` per (check id, resource of one template or root;
its name carries the template or root when the address recurs): a ``<failure>`` when
it has an unsuppressed finding (all its findings listed in the body, ``file:line`` each),
else ``<skipped>`` when it only has suppressed findings or unresolved entries. File errors
form one more suite of ``<error>`` cases. Counts on ``<testsuite>`` and ``<testsuites>``
add up.

Written with ``xml.etree`` from the standard library: the usual helper package, ``junit-xml``,
has been unmaintained for years, and the format is a few elements.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..checks.registry import Check
from ..model.findings import Finding, Suppression, UnresolvedEntry
from . import Ordered, rank

SUITES_NAME = "iac-iam-checks"
ERRORS_SUITE = "file errors"
NO_FINDINGS = "no findings"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class _Case:
    findings: list[Finding] = field(default_factory=list)
    unresolved: list[UnresolvedEntry] = field(default_factory=list)


def render(data: Ordered, checks: dict[str, Check]) -> str:
    # A case is one resource of one template or root: the same address elsewhere is another.
    cases: dict[str, dict[tuple[str, str], _Case]] = defaultdict(dict)
    for finding in data.findings:
        key = (finding.resource, finding.scope)
        cases[finding.check_id].setdefault(key, _Case()).findings.append(finding)
    for entry in data.unresolved:
        for check_id in sorted(set(entry.check_ids)):
            cases[check_id].setdefault((entry.resource, entry.scope), _Case()).unresolved.append(
                entry
            )

    root = ET.Element("testsuites", name=SUITES_NAME)
    for check_id in sorted(set(checks) | set(cases)):
        suite = _suite(root, f"{check_id} {_title(check_id, checks, cases.get(check_id, {}))}")
        by_resource = cases.get(check_id, {})
        if not by_resource:
            _testcase(suite, check_id, NO_FINDINGS)
        shared = Counter(resource for resource, _ in by_resource)
        for resource, scope in sorted(by_resource):
            name = f"{resource} ({scope})" if shared[resource] > 1 else resource
            _add_case(suite, check_id, name, by_resource[(resource, scope)])
    if data.errors:
        suite = _suite(root, ERRORS_SUITE)
        for error in data.errors:
            where = f"{error.file}:{error.line}" if error.line else error.file
            case = _testcase(suite, "errors", error.file, error.file, error.line)
            _child(case, "error", f"{where}: {error.message}", message=error.message, type="error")
    _count(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _add_case(suite: ET.Element, check_id: str, resource: str, case: _Case) -> None:
    first = case.findings[0] if case.findings else case.unresolved[0]
    element = _testcase(suite, check_id, resource, first.file, first.line)
    active = [f for f in case.findings if f.suppressed is None]
    lines = [_describe(f) for f in case.findings] + [
        _describe_unresolved(u) for u in case.unresolved
    ]
    if active:
        worst = min(active, key=lambda f: rank(f.severity))
        _child(element, "failure", "\n".join(lines), message=active[0].message, type=worst.severity)
    else:
        reasons = [_skip_reason(f.suppressed) for f in case.findings if f.suppressed]
        reasons += [f"unresolved: unknown {u.value}" for u in case.unresolved]
        _child(element, "skipped", "\n".join(lines), message="; ".join(reasons))


def _describe(finding: Finding) -> str:
    note = f" ({_skip_reason(finding.suppressed)})" if finding.suppressed else ""
    return f"{finding.file}:{finding.line}: [{finding.severity}] {finding.message}{note}"


def _describe_unresolved(entry: UnresolvedEntry) -> str:
    return f"{entry.file}:{entry.line}: unresolved: {entry.message} (unknown: {entry.value})"


def _skip_reason(suppression: Suppression) -> str:
    reason = f": {suppression.reason}" if suppression.reason else ""
    return f"suppressed by {suppression.source}{reason}"


def _title(check_id: str, checks: dict[str, Check], cases: dict[Any, _Case]) -> str:
    if check_id in checks:
        return checks[check_id].title
    titles = [c.findings[0].title for c in cases.values() if c.findings]
    return titles[0] if titles else ""


def _suite(root: ET.Element, name: str) -> ET.Element:
    return ET.SubElement(root, "testsuite", name=_xml(name.strip()))


def _testcase(
    suite: ET.Element, classname: str, name: str, file: str = "", line: int | None = None
) -> ET.Element:
    element = ET.SubElement(suite, "testcase", classname=_xml(classname), name=_xml(name))
    if file:
        element.set("file", _xml(file))
    if line:
        element.set("line", str(line))
    element.set("time", "0")
    return element


def _child(parent: ET.Element, tag: str, text: str, **attrs: str) -> None:
    element = ET.SubElement(parent, tag, {k: _xml(v) for k, v in attrs.items()})
    element.text = _xml(text)


def _count(root: ET.Element) -> None:
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(c.find("failure") is not None for c in cases),
            "errors": sum(c.find("error") is not None for c in cases),
            "skipped": sum(c.find("skipped") is not None for c in cases),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")


def _xml(text: str) -> str:
    """Characters XML 1.0 cannot carry (control codes from hostile files) become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)
