"""Bounds on the work one file may cause: hostile or generated input must not hang a scan or
exhaust memory, and the rest of the scan must go on.

The engine activates a scan's ``Limits`` before the front ends run (forked workers inherit
them); front ends read :func:`active`. A value beyond a budget raises ``LimitExceeded``
where it would be built; the front end catches it where it knows the file and line, records a
note (:func:`note`) and goes on with an unknown value. Standard library only.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import FrameType


@dataclass(frozen=True)
class Limits:
    """Each bound is configurable (``[tool.iac-iam-checks.limits]``, ``--limit NAME=VALUE``)."""

    parse_seconds: float = 10.0
    """Wall-clock time to parse one file (HCL, JSON, YAML); 0 turns the limit off."""
    instances: int = 1000
    """Instances one ``count``/``for_each`` block, or blocks one ``dynamic`` block, expands to."""
    string_length: int = 1_000_000
    """Characters one string built by a function or a template may hold."""
    loop_steps: int = 100_000
    """Iterations of ``for`` expressions (nested ones included) one evaluation may run."""


NAMES = ("parse_seconds", "instances", "string_length", "loop_steps")

_active = Limits()


def active() -> Limits:
    return _active


@contextmanager
def activated(limits: Limits) -> Iterator[None]:
    """Make ``limits`` the scan's for the duration (restored after, for tests and the API)."""
    global _active
    previous, _active = _active, limits
    try:
        yield
    finally:
        _active = previous


class LimitExceeded(Exception):
    """A value, loop or expansion beyond a budget; the message names the limit."""


def check_length(size: int, what: str = "string") -> None:
    """Raise before building a string of ``size`` characters beyond the budget."""
    limit = _active.string_length
    if size > limit:
        raise LimitExceeded(f"{what} longer than {limit} characters (limit string_length)")


_notes: ContextVar[list[str] | None] = ContextVar("limit_notes", default=None)


def note(message: str) -> None:
    """Record that a limit was hit (``file:line: what``); the collector turns it into a
    warning. Outside a collector the note is dropped (the value is unknown either way)."""
    sink = _notes.get()
    if sink is not None and message not in sink:
        sink.append(message)


@contextmanager
def collecting() -> Iterator[list[str]]:
    """The notes recorded while the block runs, each once, in order."""
    sink: list[str] = []
    token = _notes.set(sink)
    try:
        yield sink
    finally:
        _notes.reset(token)


PARSE_TIMEOUT_MARK = "(limit parse_seconds)"


class ParseTimeout(BaseException):
    """Parsing one file took longer than ``parse_seconds``. A BaseException so that no
    ``except Exception`` inside a parser swallows it on its way to :func:`parse_deadline`."""


_deadline_armed = False


@contextmanager
def parse_deadline() -> Iterator[None]:
    """Raise ``ParseTimeout`` in the block once ``parse_seconds`` have passed.

    A timer signal interrupts pure-Python parsing wherever it is, which a check between steps
    cannot (one Lark or PyYAML call is the step). Signals reach the main thread only: elsewhere
    (a progress bar's worker thread, Windows) the block runs without the limit. Not nested."""
    global _deadline_armed
    seconds = _active.parse_seconds
    usable = (
        seconds > 0
        and not _deadline_armed
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise ParseTimeout(f"parsing took longer than {seconds:g} s {PARSE_TIMEOUT_MARK}")

    outer_delay = signal.getitimer(signal.ITIMER_REAL)[0]
    if outer_delay and outer_delay <= seconds:  # a caller's own timer comes first: keep it
        yield
        return
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    _deadline_armed = True
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _deadline_armed = False
        if outer_delay:  # a caller's timer (a test's watchdog) goes on where it was
            left = outer_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
