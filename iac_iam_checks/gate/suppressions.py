"""Suppressions: inline comments, CloudFormation Metadata and configuration rules.

Inline forms, looked for on the resource's first line, inside its block, and in the comment
block directly above it (contiguous comment lines, no blank line between)::

    # iac-iam-checks:ignore IAM001 the reason, required
    // iac-iam-checks:ignore IAM001,IAM002: reasons may follow a colon too
    /* checkov:skip=IAM001,IAM002:reason optional, honoured inside the block only */

An ``iac-iam-checks:ignore`` without a reason or naming an unknown check is ignored with a
warning, so a typo never silently hides (or fails to hide) a finding. ``checkov:skip`` ids that
are not ours (``CKV_AWS_40``) belong to checkov and are passed over quietly.

Markers are recognised anywhere on a line, not only after a comment opener (as checkov does):
telling comments from strings would need a tokenizer per syntax, and the marker text inside a
string is as deliberate as in a comment.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..model.findings import Suppression

COMMENT = "comment"
CHECKOV_SKIP = "checkov:skip"
METADATA = "metadata"
CONFIG = "config"

_IGNORE = re.compile(r"iac-iam-checks:ignore\b(?P<rest>.*)")
_IDS_THEN_REASON = re.compile(
    r"^\s*[=:]?\s*(?P<ids>[A-Za-z]+[0-9]+(?:\s*,\s*[A-Za-z]+[0-9]+)*)\b(?P<reason>.*)$"
)
_CHECKOV_SKIP = re.compile(
    r"checkov:skip=\s*(?P<ids>\w+(?:\s*,\s*\w+)*)(?:\s*:(?P<reason>.*))?", re.ASCII
)
_COMMENT_OPENERS = ("#", "//", "/*", "*")


def inline_suppressions(
    file_text: str | Sequence[str],
    start_line: int,
    end_line: int,
    known_ids: Collection[str],
    file: str = "",
) -> tuple[dict[str, Suppression], list[str]]:
    """Suppressions written in comments for the resource spanning ``start_line..end_line``.

    ``file_text`` may be given already split into lines (callers with many resources in one
    file split it once). Returns ``{check id: Suppression}`` and warnings (``file:line: ...``)
    for ignored markers.
    """
    lines = file_text.splitlines() if isinstance(file_text, str) else file_text
    first = max(start_line, 1)
    last = min(max(end_line, first), len(lines))
    above = first
    while above > 1 and _is_comment_line(lines[above - 2]):
        above -= 1

    found: dict[str, Suppression] = {}
    skips: dict[str, Suppression] = {}
    warnings: list[str] = []
    for number in range(above, last + 1):
        line = lines[number - 1]
        where = f"{file}:{number}" if file else f"line {number}"
        for match in _IGNORE.finditer(line):
            suppressions, problems = _parse_ignore(match.group("rest"), known_ids)
            warnings.extend(f"{where}: {problem}" for problem in problems)
            for check_id, suppression in suppressions.items():
                found.setdefault(check_id, suppression)
        if number < first:
            continue  # checkov honours checkov:skip inside the block only
        for match in _CHECKOV_SKIP.finditer(line):
            reason = _clean_reason(match.group("reason") or "")
            for check_id in _split_ids(match.group("ids")):
                if check_id in known_ids:
                    skips.setdefault(check_id, Suppression(reason, CHECKOV_SKIP))
    return {**skips, **found}, warnings


def metadata_suppressions(
    metadata: Any, known_ids: Collection[str], where: str = ""
) -> tuple[dict[str, Suppression], list[str]]:
    """Suppressions in a CloudFormation resource's ``Metadata``.

    ``iac-iam-checks: {ignore: [{id, reason}]}`` (reason required) and checkov's
    ``checkov: {skip: [{id, comment}]}`` (comment optional, foreign ids passed over).
    ``where`` prefixes warnings (e.g. ``template.yaml: UserA``).
    """
    if not isinstance(metadata, Mapping):
        return {}, []
    prefix = f"{where}: " if where else ""
    found: dict[str, Suppression] = {}
    warnings: list[str] = []
    for entry in _entries(metadata.get("iac-iam-checks"), "ignore", warnings, prefix):
        check_id = _text(entry.get("id")).strip().upper()
        reason = _clean_reason(_text(entry.get("reason")))
        problem = _ignore_problem(check_id, reason, known_ids)
        if problem:
            warnings.append(f"{prefix}Metadata iac-iam-checks {problem}")
        else:
            found.setdefault(check_id, Suppression(reason, METADATA))
    for entry in _entries(metadata.get("checkov"), "skip", warnings, prefix):
        check_id = _text(entry.get("id")).strip().upper()
        if check_id in known_ids:
            found.setdefault(
                check_id, Suppression(_clean_reason(_text(entry.get("comment"))), METADATA)
            )
    return found, warnings


# --- configuration rules ----------------------------------------------------------------------


@dataclass(frozen=True)
class SuppressRule:
    """One ``[[suppress]]`` entry of the configuration."""

    check_id: str
    resource: str
    """Address glob: ``*`` and ``?`` are wildcards, everything else (``[``, ``"``) is literal."""
    reason: str
    expires: datetime.date | None = None
    """Last day the rule applies; from the next day on it is ignored with a warning."""
    origin: str = ""
    """The configuration file, for warnings."""

    def matches(self, check_id: str, address: str) -> bool:
        """True for this check on an address the glob matches, with or without instance keys
        (``aws_iam_user.x`` also covers ``aws_iam_user.x["alice"]``)."""
        if check_id != self.check_id:
            return False
        pattern = _glob(self.resource)
        return bool(pattern.fullmatch(address) or pattern.fullmatch(_without_keys(address)))


def live_rules(
    rules: Iterable[SuppressRule], today: datetime.date | None = None
) -> tuple[list[SuppressRule], list[str]]:
    """The rules still in force today, and one warning per expired rule."""
    today = today or datetime.date.today()
    live: list[SuppressRule] = []
    warnings: list[str] = []
    for rule in rules:
        if rule.expires is not None and today > rule.expires:
            origin = f"{rule.origin}: " if rule.origin else ""
            warnings.append(
                f"{origin}suppression of {rule.check_id} on {rule.resource!r} expired on "
                f"{rule.expires.isoformat()}; its findings are reported again"
            )
        else:
            live.append(rule)
    return live, warnings


def config_suppression(
    rules: Iterable[SuppressRule], check_id: str, address: str
) -> Suppression | None:
    """The suppression the first matching rule gives a finding, if any."""
    for rule in rules:
        if rule.matches(check_id, address):
            return Suppression(rule.reason, CONFIG)
    return None


# --- helpers ---------------------------------------------------------------------------------


def _is_comment_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(_COMMENT_OPENERS) or stripped.endswith("*/")


def _parse_ignore(
    rest: str, known_ids: Collection[str]
) -> tuple[dict[str, Suppression], list[str]]:
    match = _IDS_THEN_REASON.match(rest)
    if not match:
        return {}, ["iac-iam-checks:ignore names no check id; it is ignored"]
    reason = _clean_reason(match.group("reason"))
    found: dict[str, Suppression] = {}
    problems: list[str] = []
    for check_id in _split_ids(match.group("ids")):
        problem = _ignore_problem(check_id, reason, known_ids)
        if problem:
            problems.append(f"iac-iam-checks:ignore {problem}")
        else:
            found[check_id] = Suppression(reason, COMMENT)
    return found, problems


def _ignore_problem(check_id: str, reason: str, known_ids: Collection[str]) -> str:
    if not check_id:
        return "names no check id; it is ignored"
    if check_id not in known_ids:
        return f"names unknown check id {check_id!r}; it is ignored"
    if not reason:
        return f"{check_id} gives no reason; it is ignored (a reason is required)"
    return ""


def _entries(block: Any, key: str, warnings: list[str], prefix: str) -> list[Mapping]:
    if block is None:
        return []
    items = block.get(key) if isinstance(block, Mapping) else None
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        warnings.append(f"{prefix}Metadata: expected a list of mappings under {key!r}; ignored")
        return []
    return items


def _split_ids(text: str) -> list[str]:
    return [part.strip().upper() for part in text.split(",") if part.strip()]


def _clean_reason(text: str) -> str:
    text = text.strip()
    if text.endswith("*/"):
        text = text[:-2].rstrip()
    return text.lstrip(":-=—– \t").strip()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _glob(pattern: str) -> re.Pattern[str]:
    wildcards = {"*": ".*", "?": "."}
    return re.compile("".join(wildcards.get(c) or re.escape(c) for c in pattern), re.DOTALL)


def _without_keys(address: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", address)
