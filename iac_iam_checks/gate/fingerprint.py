"""Stable finding fingerprints, shared by the baseline and SARIF ``partialFingerprints``.

A fingerprint hashes what a finding is about (check id, resource address, and the offending
statement or, without one, the message), never where it is: line numbers and file paths change
with unrelated edits, and a baseline must survive them.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""Made once: ``json.dumps`` with options builds an encoder per call (a scan hashes thousands)."""


def fingerprint(check_id: str, address: str, content: Any) -> str:
    """sha256 (hex) of ``check_id``, ``address`` and ``content`` normalized.

    ``content`` is a statement's ``raw`` value (any JSON-able value; ``Unknown``/``Template``
    parts count by their source text) or the finding's message.
    """
    payload = _CANONICAL.encode([check_id, address, normalize(content)])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def normalize(value: Any) -> Any:
    """Reduce a policy value to what it means, so formatting choices do not change the hash.

    Key order and list order do not matter in IAM, and a one-item list means the same as its
    item (``"Action": "s3:*"`` == ``"Action": ["s3:*"]``). Anything that is not plain JSON
    (``Unknown``, ``Template``) becomes its text.
    """
    if isinstance(value, dict):
        return {str(key): normalize(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = sorted((normalize(item) for item in value), key=_canonical)
        return items[0] if len(items) == 1 else items
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _canonical(value: Any) -> str:
    return _CANONICAL.encode(value)
