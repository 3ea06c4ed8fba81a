"""Findings that say the same thing about one source line, grouped for people to read.

One module line evaluated for 19 instances gives 19 findings (json, sarif and junit keep them
all); ``text`` and ``markdown`` show them as one line naming the instances. Findings group when
they share check, severity, file, line span, suppression and message once the instance's own
address and instance keys are taken out. When one file's findings or unresolved entries come
from several Terraform roots (a module that several roots call), each name carries its root.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from ..model.findings import Finding, UnresolvedEntry

NAMED = 2
"""Instances named before the rest are counted (``a, b and 17 more``)."""

_INSTANCE_KEY = re.compile(r'(?<=[\w-])\[(?:"(?:[^"\\]|\\.)*"|\d+)\]')
"""An instance key right after a name (``module.a["x"]``, ``aws_iam_user.u[0]``), not a list."""


@dataclass
class Group:
    """Findings (or unresolved entries) shown as one; ``first`` speaks for all of them."""

    items: list[Any]
    names: list[str]

    @property
    def first(self) -> Any:
        return self.items[0]

    @property
    def message(self) -> str:
        """The first item's message standing for all: when the instances differ only by
        their keys, the keys in it (its own address, its data sources) are written ``[*]``."""
        text = self.first.message
        addresses = {item.resource for item in self.items}
        if len(addresses) > 1 and len({_INSTANCE_KEY.sub("[*]", a) for a in addresses}) == 1:
            return _INSTANCE_KEY.sub("[*]", text)
        return text

    def label(self, show: Callable[[str], str] = str) -> str:
        """``a``, ``a and b``, ``a, b and c``, or ``a, b and 17 more``; ``show`` formats a name."""
        names = [show(n) for n in self.names]
        if len(names) <= NAMED + 1:
            return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"{', '.join(names[:NAMED])} and {len(names) - NAMED} more"


def finding_groups(
    findings: Iterable[Finding], shared_files: AbstractSet[str] = frozenset()
) -> list[Group]:
    """Groups in the order of their first finding (``findings`` come in report order)."""

    def key(f: Finding) -> tuple:
        return (
            f.check_id,
            f.severity,
            f.file,
            f.line,
            f.end_line,
            f.suppressed,
            _shape(f.message, f.resource),
        )

    return _grouped(findings, key, shared_files)


def unresolved_groups(
    entries: Iterable[UnresolvedEntry], shared_files: AbstractSet[str] = frozenset()
) -> list[Group]:
    def key(u: UnresolvedEntry) -> tuple:
        return (
            u.file,
            u.line,
            tuple(sorted(u.check_ids)),
            _shape(u.value, u.resource),
            _shape(u.message, u.resource),
        )

    return _grouped(entries, key, shared_files)


def files_of_several_roots(items: Iterable[Finding | UnresolvedEntry]) -> set[str]:
    """Files whose findings or entries come from more than one scope (root)."""
    scopes: dict[str, set[str]] = {}
    for item in items:
        scopes.setdefault(item.file, set()).add(item.scope)
    return {file for file, seen in scopes.items() if len(seen) > 1}


def name(item: Finding | UnresolvedEntry, shared_files: AbstractSet[str] = frozenset()) -> str:
    """The resource address, with its root when the file is evaluated from several."""
    if item.file in shared_files and item.scope:
        return f"{item.resource} (root {item.scope})"
    return item.resource


def _grouped(items: Iterable[Any], key: Any, shared_files: AbstractSet[str]) -> list[Group]:
    groups: dict[tuple, Group] = {}
    for item in items:
        group = groups.setdefault(key(item), Group([], []))
        group.items.append(item)
        label = name(item, shared_files)
        if label not in group.names:
            group.names.append(label)
    return list(groups.values())


def _shape(text: str, address: str) -> str:
    """``text`` without what differs between instances: the own address, instance keys."""
    return _INSTANCE_KEY.sub("[*]", text.replace(address, "\0"))
