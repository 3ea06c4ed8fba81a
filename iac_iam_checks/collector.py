"""The cyclic garbage collector is paused while we scan.

A scan allocates millions of small objects (trees, values, locations), nearly all of them
alive until the scan ends and free of reference cycles (module instances hold their helpers
weakly), so each collection walks them again for nothing. At the default thresholds the
collector took a quarter of a cold scan (repos-300: 0.8 s of 3.2 s); at (50,000, 50, 1,000)
it still ran 4-6 times per process on terraform-aws-eks and repos-300, 60-115 ms each time in
all, about a tenth of the scan. Paused, a scan of repos-300 leaves the same 122,000 cyclic
objects for the collector as with it running (the graph's resources and entities refer to
each other: that is all there is). Peak memory grows a little where a scan does make
short-lived cycles (5,000 flat files: 205/208 MB with 1/2 jobs, against 196/205 MB), and
``benchmarks/limits.py``'s hostile inputs stay under 60 MB. The command line never collects
that rest: it keeps the collector paused to the end and leaves with ``os._exit``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection while the block runs; the collector as it was after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
