"""Where every cache of iac-iam-checks lives, and the code hash that keys them.

The lowest layer: nothing here imports the rest of the package, so the parse cache (front
ends), the result cache (engine) and the checkov export (integrations) share one answer.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """The user cache folder: ``$XDG_CACHE_HOME/iac-iam-checks``, else ``~/.cache/...``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "iac-iam-checks"


def cache_dirs() -> tuple[Path, Path]:
    """The user cache folder, then a fallback in the temp directory (read-only homes)."""
    import tempfile  # with shutil, bz2 and lzma: about 3 ms that a scan without caches saves

    return cache_dir(), Path(tempfile.gettempdir()) / "iac-iam-checks"


def write_atomically(target: Path, data: bytes) -> None:
    """Write a cache entry through a new sibling file and a rename: a reader never sees half an
    entry, and two scans writing one key at once both succeed. A name of our own rather than
    ``tempfile.mkstemp``: importing ``tempfile`` (with ``shutil`` and ``random``) costs about
    4 ms, a few percent of a small repository's scan. Raises ``OSError``."""
    temp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    try:
        with open(temp, "xb") as out:
            out.write(data)
        os.replace(temp, target)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of this package's own code and data: a result (or a parse tree) computed by other
    code is never reused, even when the version number did not change (development installs).
    Listed by ``os.walk``: ``Path.rglob`` took longer than reading and hashing the files."""
    files = []
    for folder, subfolders, names in os.walk(PACKAGE_ROOT):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        relative = Path(folder).relative_to(PACKAGE_ROOT)
        files += [relative / name for name in names if name.endswith((".py", ".tsv"))]
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.as_posix().encode("utf-8"))
        digest.update((PACKAGE_ROOT / path).read_bytes())
    return digest.hexdigest()
