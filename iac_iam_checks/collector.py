"""How often the cyclic garbage collector runs while we scan.

A scan allocates millions of small objects (trees, values, locations), nearly all of them
alive until the scan ends, so the default thresholds make the collector walk them again and
again for little: with the default 700 it ran about 900 times and took a quarter of a cold scan
(repos-300: 0.8 s of 3.2 s); at 10,000 it still took 8-12% (about 90 collections). Peak memory
is the same at ``SCAN_THRESHOLDS`` (measured at 5,000 flat files and on benchmarks/limits.py's
inputs). The graph's resources and entities refer to each other, so a finished scan leaves
about 120,000 objects (repos-300) for the collector; the command line never collects them: it
keeps these thresholds to the end and leaves with ``os._exit``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

SCAN_THRESHOLDS = (50_000, 50, 1_000)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage less often while the block runs; the old thresholds after."""
    before = gc.get_threshold()
    gc.set_threshold(*SCAN_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
