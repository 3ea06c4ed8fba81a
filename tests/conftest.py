"""Hypothesis profiles for the fuzz tests (``tests/test_fuzz.py``).

``default`` keeps the normal suite short and reproducible: few examples, derandomized (the
same examples on every machine and run), no per-example deadline (a busy CI machine must not
fail at random; hangs are caught by the fuzz tests' own watchdog instead).
``long`` searches for as long as it is given: ``--hypothesis-profile=long``, with
``IAC_IAM_CHECKS_FUZZ_EXAMPLES`` examples per target (default 5000), random and remembered in
the example database, so a crash found once is replayed first next time.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("IAC_IAM_CHECKS_FUZZ_EXAMPLES", "5000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("default")
