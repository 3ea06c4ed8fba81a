"""``Fn::ForEach`` of the ``AWS::LanguageExtensions`` transform, expanded before evaluation.

``"Fn::ForEach::Name": [Identifier, Collection, {OutputKey: OutputValue}]`` stands, in a mapping,
for one copy of the fragment per item of the collection, with ``${Identifier}`` and
``&{Identifier}`` (the item without its non-alphanumeric characters) replaced in every key and
string, and ``Ref Identifier`` replaced by the item. Loops nest, and appear in Resources and
in the mappings inside resources (Properties). The copies keep the fragment's lines, so a
finding in a copy points at the line that made it.

A collection only the deployment knows (a parameter without default, an import) cannot be
expanded: in a section, the loop is left out and recorded (its resources are not checked,
which the scan reports as unresolved); inside a resource, the mapping holding the loop becomes
``Unknown``, which the checks report as unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..model.values import (
    LocatedDict,
    LocatedStr,
    Location,
    MarkedDict,
    Unknown,
    located,
    location_of,
)

LOOP_PREFIX = "Fn::ForEach::"

MAX_COPIES = 2000
"""Copies one template may make in all (nested loops multiply); beyond, loops stay unknown."""

_NON_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")

Collection = Callable[[Any], "list[str] | Unknown"]
"""Evaluates a loop's collection: its items as strings, or why they are not known."""


@dataclass
class Unexpanded:
    """A loop of a section whose collection is not known."""

    name: str
    location: Location | None
    value: Unknown


class Expander:
    """Expands the loops of one template; ``unexpanded`` lists the section loops it could not."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.unexpanded: list[Unexpanded] = []
        self.copies = 0

    def section(self, mapping: dict) -> dict:
        """A section (``Resources``) with its loops expanded, in its entries and their bodies."""
        out = self._mapping(mapping, in_section=True)
        assert isinstance(out, dict)  # a section loop that cannot be expanded is left out
        return out

    def value(self, raw: Any) -> Any:
        if isinstance(raw, dict):
            return self._mapping(raw, in_section=False)
        if isinstance(raw, list):
            return located([self.value(item) for item in raw], location_of(raw))
        return raw

    def _mapping(self, raw: dict, in_section: bool) -> dict | Unknown:
        out, entries = _like(raw)
        old_entries = getattr(raw, "entry_locations", {})
        for key, item in raw.items():
            where = old_entries.get(key)
            if not (isinstance(key, str) and key.startswith(LOOP_PREFIX)):
                out[key] = self.value(item)
                if where is not None:
                    entries[key] = where
                continue
            copies = self._loop(key, item)
            if isinstance(copies, Unknown):
                if not in_section:
                    return copies
                self.unexpanded.append(Unexpanded(key, where or location_of(raw), copies))
                continue
            out.update(copies)
            entries.update(getattr(copies, "entry_locations", {}))
        return out

    def _loop(self, name: str, raw: Any) -> dict | Unknown:
        if not (
            isinstance(raw, list)
            and len(raw) == 3
            and isinstance(raw[0], str)
            and isinstance(raw[2], dict)
        ):
            return Unknown(f"{name}: not [Identifier, Collection, {{OutputKey: OutputValue}}]")
        identifier, collection, fragment = raw
        items = self.collection(collection)
        if isinstance(items, Unknown):
            return items
        self.copies += len(items) * len(fragment)
        if self.copies > MAX_COPIES:
            return Unknown(f"{name}: more than {MAX_COPIES} copies")
        out, entries = _like(fragment)
        for item in items:
            copy = _substitute(fragment, identifier, item)
            # Loops inside the copy (nested, or in its bodies) see the item already; a nested
            # loop's key repeats in every copy, so each copy is expanded on its own.
            expanded = self._mapping(copy, in_section=False)
            if isinstance(expanded, Unknown):
                return expanded
            out.update(expanded)
            entries.update(getattr(expanded, "entry_locations", {}))
        return out


def _substitute(raw: Any, identifier: str, item: str) -> Any:
    """``raw`` with the loop's identifier replaced by ``item``, locations kept."""
    if isinstance(raw, str):
        text = raw.replace("${" + identifier + "}", item)
        text = text.replace("&{" + identifier + "}", _NON_ALPHANUMERIC.sub("", item))
        return located(text, raw.location) if isinstance(raw, LocatedStr) else text
    if isinstance(raw, list):
        return located([_substitute(x, identifier, item) for x in raw], location_of(raw))
    if not isinstance(raw, dict):
        return raw
    if len(raw) == 1 and raw.get("Ref") == identifier:
        return located(item, location_of(raw))
    out, entries = _like(raw)
    old_entries = getattr(raw, "entry_locations", {})
    for key, value in raw.items():
        new_key = _substitute(key, identifier, item) if isinstance(key, str) else key
        out[new_key] = _substitute(value, identifier, item)
        if key in old_entries:
            entries[new_key] = old_entries[key]
    return out


def _like(raw: dict) -> tuple[dict, dict[Any, Location]]:
    """An empty mapping of ``raw``'s kind and place, and its entry locations to fill (kept on
    it when ``raw`` has them: a template's mappings do, hand-built ones need not)."""
    out = type(raw)()
    entries: dict[Any, Location] = {}
    if isinstance(out, LocatedDict):
        out.location = location_of(raw)
    if isinstance(out, MarkedDict):
        out.entry_locations = entries
    return out, entries
