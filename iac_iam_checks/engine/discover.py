"""Which files of a scan PATH are IaC, decided by name and a cheap look at the text.

Only files that are IaC can produce errors: a Kubernetes manifest or a workflow file is
skipped silently, a broken ``.tf`` or a CloudFormation template with a YAML error is reported.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from ..model.values import ParseError

EXCLUDED_DIRS = {".git", ".terraform", "node_modules"}
MAX_FILE_BYTES = 5 * 1024 * 1024
SNIFF_BYTES = 1024 * 1024

TERRAFORM_HCL = "tf"
TERRAFORM_JSON = "tf.json"
TFVARS = "tfvars"
TFVARS_JSON = "tfvars.json"
PLAN = "plan"
CLOUDFORMATION = "cfn"

_CFN_TYPE = re.compile(r"""["']?Type["']?\s*:\s*["']?AWS::""")
_CFN_RESOURCES = re.compile(r"""(^\ufeff?|\n)(Resources|\s*["']Resources["'])\s*:""")
"""A top-level ``Resources:`` (YAML, column 0) or a quoted ``"Resources":`` key (JSON): a
template embedded in a manifest's or workflow's block string is indented, so not a template."""
_JSON_CFN_VERSION = re.compile(r"""(?<![\\\w])["']?AWSTemplateFormatVersion["']?\s*:""")
_JSON_CFN_RESOURCES = re.compile(r"""(?<![\\\w])["']?Resources["']?\s*:\s*\{""")
_JSON_CFN_TYPE = re.compile(r"""(?<![\\\w])["']?Type["']?\s*:\s*["']?AWS::""")
"""A JSON text (or YAML flow mapping) may hold a whole template on one line: its keys are found
anywhere, but not escaped (a template embedded in a JSON string value has ``\\"Resources\\":``)
and only with an object after ``Resources`` and an ``AWS::`` type: ``package.json``, a JSON
Kubernetes manifest or an IAM policy file has neither."""
_KUBERNETES = re.compile(r"^apiVersion\s*:.*^kind\s*:|^kind\s*:.*^apiVersion\s*:", re.M | re.S)
_PLAN_KEYS = ("planned_values", "resource_changes")


@dataclass
class SourceFile:
    path: Path
    rel: str
    kind: str
    text: str
    real: Path
    """``path`` with symlinks resolved, as discovery found it (resolving again costs a system
    call per path component)."""


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    read_elsewhere: set[Path] = field(default_factory=set)
    """Files the scan read beyond these (see result_cache)."""


def kind_by_name(name: str) -> str | None:
    if name.endswith(".tf"):
        return TERRAFORM_HCL
    if name.endswith(".tf.json"):
        return TERRAFORM_JSON
    if name.endswith(".tfvars"):
        return TFVARS
    if name.endswith(".tfvars.json"):
        return TFVARS_JSON
    if name.endswith((".json", ".yaml", ".yml", ".template")):
        return "maybe"
    return None


def kind_by_content(name: str, text: str) -> str | None:
    """Plan JSON or CloudFormation, from a cheap look at the text (no parsing)."""
    head = text[:SNIFF_BYTES]
    if (
        name.endswith(".json")
        and head.lstrip().startswith("{")
        and any(f'"{key}"' in head for key in _PLAN_KEYS)
        and '"format_version"' in head
    ):
        return PLAN
    if head.lstrip().startswith("{"):
        return _json_template(head)
    if "apiVersion" in head and _KUBERNETES.search(head):
        return None
    if "AWSTemplateFormatVersion" in head:
        return CLOUDFORMATION
    if _has_resources(head) and _CFN_RESOURCES.search(head) and _CFN_TYPE.search(head):
        return CLOUDFORMATION
    return None


def _json_template(head: str) -> str | None:
    """CloudFormation, for a text that is one JSON object (minified or not)."""
    if "AWSTemplateFormatVersion" in head and _JSON_CFN_VERSION.search(head):
        return CLOUDFORMATION
    if _has_resources(head) and _JSON_CFN_RESOURCES.search(head) and _JSON_CFN_TYPE.search(head):
        return CLOUDFORMATION
    return None


def _has_resources(head: str) -> bool:
    """The words the template regexes need, found first by a plain search: a regex that
    starts with a look-behind or an optional quote is tried at every character, about 3 ms a
    megabyte (a repository's dashboards and lock files are megabytes of JSON)."""
    return "Resources" in head and "AWS::" in head


def walk(
    root: Path,
    excludes: list[str],
    errors: list[ParseError],
    base: Path,
    warnings: list[str] | None = None,
) -> list[tuple[Path, str, str]]:
    """Files under root whose names may be IaC (``kind_by_name``) as (path, real path, path
    relative to ``base``), skipping excluded dirs. Real and relative paths are built from the
    parent's, and resolved again only through a symlink: resolving each from scratch took
    most of a 300-file repository's discovery.

    Symlinked folders are walked after every real one, so a file is named where it lives. A
    folder is read once: a symlink back into its own ancestors is a loop (an error); another
    path to a folder already read (``examples -> ../modules/x/examples``) is a warning; a
    symlinked folder outside root is a warning, never walked (``/`` would be the whole disk).
    """
    walker = _Walk(os.path.realpath(root), excludes, errors, [] if warnings is None else warnings)
    walker.folder(root, walker.inside, rel_path(root, base))
    walker.linked_folders()
    return walker.found


class _Walk:
    """One ``walk``: what it found, and the symlinked folders left for the end."""

    def __init__(
        self, inside: str, excludes: list[str], errors: list[ParseError], warnings: list[str]
    ) -> None:
        self.inside = inside
        self.excludes = excludes
        self.errors = errors
        self.warnings = warnings
        self.found: list[tuple[Path, str, str]] = []
        self.read_as: dict[str, str] = {}
        """Each real folder walked, and the relative path it was read under."""
        self.linked: list[tuple[Path, str, str, str]] = []
        """Symlinked folders inside root: (path, real path, rel, the real folder holding it)."""

    def folder(self, directory: Path, real_dir: str, rel_dir: str) -> None:
        self.read_as[real_dir] = rel_dir
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            self.errors.append(ParseError(rel_dir, None, f"cannot read: {error.strerror}"))
            return
        for entry in entries:
            rel = entry.name if rel_dir == "." else f"{rel_dir}/{entry.name}"
            if any(fnmatch(rel, pattern) for pattern in self.excludes):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir and kind_by_name(entry.name) is None:
                continue  # READMEs, scripts, application code: never read
            link = entry.is_symlink()
            real = os.path.realpath(entry.path) if link else os.path.join(real_dir, entry.name)
            if not is_dir:
                if link or entry.is_file():
                    self.found.append((Path(entry.path), real, rel))
            elif link and not is_within(real, self.inside):
                self.warnings.append(
                    f"{rel}: a symlink to a folder outside the scanned folder; not read"
                )
            elif link:
                self.linked.append((Path(entry.path), real, rel, real_dir))
            elif entry.name not in EXCLUDED_DIRS:
                self.folder(Path(entry.path), real, rel)

    def linked_folders(self) -> None:
        """The symlinked folders, in the order met (those they hold join the end)."""
        while self.linked:
            path, real, rel, holder = self.linked.pop(0)
            if is_within(holder, real):
                self.errors.append(ParseError(rel, None, "symlink loop: directory already scanned"))
            elif real in self.read_as:
                self.warnings.append(
                    f"{rel}: a symlink to {self.read_as[real]}, read there; not read again"
                )
            elif path.name not in EXCLUDED_DIRS:
                self.folder(path, real, rel)


def rel_path(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()


def broken_link(path: Path, error: OSError) -> str | None:
    """What a symbolic link that cannot be followed points at (a file users create from an
    example, or a loop), or None when ``path`` is no such link."""
    if not path.is_symlink():
        return None
    why = "a loop" if error.errno == errno.ELOOP else "missing"
    return f"a symbolic link to {os.readlink(path)}, {why}"


def read_source(path: Path, rel: str) -> tuple[str | None, ParseError | None]:
    try:
        status = path.stat()
    except OSError as error:
        reason = broken_link(path, error) or error.strerror or str(error)
        return None, ParseError(rel, None, f"cannot read: {reason}")
    if not stat.S_ISREG(status.st_mode):  # a FIFO or device would block or never end
        return None, ParseError(rel, None, "not a regular file")
    size = status.st_size
    if size > MAX_FILE_BYTES:
        return None, ParseError(rel, None, f"file too large ({size} bytes, limit {MAX_FILE_BYTES})")
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, ParseError(rel, None, f"cannot read: {error.strerror or error}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, ParseError(rel, 1, "UTF-16 text (only UTF-8 is read)")
    if b"\x00" in data:
        return None, ParseError(rel, None, "binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, ParseError(rel, line, "not valid UTF-8 text")


def is_within(real: str, folder: str) -> bool:
    """Whether the real path ``real`` is ``folder`` (a real path) or lies under it."""
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)


def discover(paths: list[Path], base: Path, excludes: list[str] | None = None) -> Discovery:
    """Find and read every IaC file under the given paths."""
    result = Discovery()
    excludes = excludes or []
    seen: set[str] = set()
    for root in paths:
        inside = os.path.realpath(root)
        candidates = (
            [(root, inside, rel_path(root, base))]
            if root.is_file()
            else walk(root, excludes, result.errors, base, result.warnings)
        )
        for path, real, rel in candidates:
            if real in seen:  # overlapping PATHs (a folder and a file in it): read once
                continue
            seen.add(real)
            if path != root and not is_within(real, inside):
                if kind_by_name(path.name) is not None:
                    result.warnings.append(
                        f"{rel}: a symlink to a file outside the scanned folder; not read"
                    )
                continue
            by_name = kind_by_name(path.name)
            if by_name is None:
                continue
            if by_name == "maybe":
                text = sniff(path)
                if text is None:
                    continue
                kind = kind_by_content(path.name, text)
                if kind is None:
                    continue
            else:
                kind = by_name
            text, error = read_source(path, rel)
            if error is not None:
                result.errors.append(error)
                continue
            assert text is not None
            result.files.append(SourceFile(path, rel, kind, text, Path(real)))
    return result


def sniff(path: Path) -> str | None:
    """The start of a file as text, for deciding whether it is IaC; None when unreadable
    (a file that cannot even be sniffed is not known to be IaC, so it is skipped)."""
    if not path.is_file():  # a FIFO would block the open
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read(SNIFF_BYTES)
    except OSError:
        return None
    return data.decode("utf-8", errors="replace")
