"""Real paths that never raise: ``Path.resolve`` raises ``RuntimeError`` on a symbolic link
loop, and a loop is input like any other (a scan target, a module source, a ``file()`` path);
``os.path.realpath`` leaves it as far as it resolves, and reading it then fails like reading a
missing file."""

from __future__ import annotations

import os
from pathlib import Path


def real_path(path: Path) -> Path:
    """``path.resolve()``, but a symbolic link loop is returned unresolved, not raised."""
    return Path(os.path.realpath(path))


class RealPaths:
    """``os.path.realpath`` remembered per folder. A module called from 500 roots is reached
    through 500 different paths (``root123/../modules/x``); each was resolved one system call
    per component, now only the components not seen before are looked at."""

    def __init__(self) -> None:
        self._real: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        found = self._real.get(path)
        if found is None:
            found = self._real[path] = self._resolve(path)
        return found

    def _resolve(self, path: str) -> str:
        head, name = os.path.split(path)
        if not os.path.isabs(path) or not name or head == path:
            return os.path.realpath(path)
        real_head = self(head)
        if name == os.curdir:
            return real_head
        if name == os.pardir:
            return os.path.dirname(real_head)  # a real folder's parent is its parent folder
        candidate = os.path.join(real_head, name)
        return os.path.realpath(candidate) if os.path.islink(candidate) else candidate
