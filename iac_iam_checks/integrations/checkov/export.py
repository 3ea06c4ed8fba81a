"""The directory checkov loads with ``--external-checks-dir``: ``iac-iam-checks checkov-dir``.

checkov execs every ``.py`` in that directory (and its subdirectories) under its bare file name
and loads every ``.yaml``/``.yml``/``.json`` there as a graph policy, so the directory holds
exactly four files: ``__init__.py``, ``iac_iam_checks_shim.py``, ``core.zip`` and
``engine.txt``, the interpreter iac-iam-checks runs in (``sys.executable`` of the exporting
process), which the shim starts to get the CLI's own verdicts. The archive
is the standard-library-only core (model, policy evaluation, graph, checks, the action table)
under the top folder ``iac_iam_checks_core``, so it never clashes with an installed
``iac_iam_checks``; the sources go in unchanged (the core imports itself relatively only).
Which modules go in is found by following imports from the checks; a module that would drag
in a third-party package (python-hcl2, PyYAML, click) stops the export with an error.
"""

from __future__ import annotations

import ast
import hashlib
import io
import os
import sys
import tempfile
import zipfile
from pathlib import Path

from ... import __version__
from ...cache_paths import cache_dirs

PACKAGE = "iac_iam_checks"
CORE = "iac_iam_checks_core"
SHIM_NAME = "iac_iam_checks_shim.py"
ARCHIVE_NAME = "core.zip"
ENGINE_NAME = "engine.txt"
SHIM_DIR = Path(__file__).resolve().parent
ROOT = SHIM_DIR.parent.parent
ENTRY_MODULES = ("checks.registry", "frontends.checkov_conf", "iam.graph", "model.settings")
"""What the shim imports; every check module under ``checks/`` is added to these."""
LEFT_OUT = ("frontends.cfn_yaml",)
"""Modules the core imports only inside CLI-only functions and that need a third-party package:
``cfn_yaml`` (PyYAML) reads template text, while checkov hands over loaded templates."""
DATA_DIRS = ("iam/data",)
"""Data files the core reads with ``pkgutil.get_data`` (the IAM action table)."""
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class ExportError(Exception):
    """The core cannot be packed for checkov (a core module imports a third-party package)."""


def main_dir() -> Path:
    """A ready external-checks directory for this installation, built once per content hash
    under the user cache (``$XDG_CACHE_HOME`` or ``~/.cache``, else the temp directory)."""
    files = directory_files()
    digest = hashlib.sha256(b"".join(name.encode() + data for name, data in files.items()))
    name = f"checkov-{__version__}-{digest.hexdigest()[:16]}"
    for parent in cache_dirs():
        target = parent / name
        if _holds(target, files):
            return target
        try:
            parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=parent))
            staging.chmod(0o755)  # checkov may run as another user (a container)
            _write(staging, files)
            try:
                staging.rename(target)
            except OSError:  # another process won the race, or a damaged copy is in the way
                if _holds(target, files):
                    _remove(staging)
                    return target
                try:
                    _remove(target)
                    staging.rename(target)
                except OSError:
                    return staging  # a copy of our own, under its staging name
            return target
        except OSError:
            continue
    raise ExportError("no writable cache directory for the checkov external-checks directory")


def export(target: str | os.PathLike[str]) -> Path:
    """Write a self-contained external-checks directory to ``target`` (created if needed);
    it works where iac-iam-checks is not installed (a checkov container, a repo's .checkov/).
    Other files already in ``target`` (your own checkov checks) are left alone."""
    path = Path(target)
    path.mkdir(parents=True, exist_ok=True)
    _write(path, directory_files())
    return path


def _holds(folder: Path, files: dict[str, bytes]) -> bool:
    """Whether ``folder`` holds these files with these contents: a copy damaged or changed
    since it was written is never handed to checkov, which runs its Python."""
    try:
        return all((folder / name).read_bytes() == data for name, data in files.items())
    except OSError:
        return False


def directory_files() -> dict[str, bytes]:
    """File name -> content of the external-checks directory."""
    return {
        "__init__.py": (SHIM_DIR / "__init__.py").read_bytes(),
        SHIM_NAME: (SHIM_DIR / "shim.py").read_bytes(),
        ARCHIVE_NAME: core_archive(),
        ENGINE_NAME: f"{sys.executable}\n".encode(),
    }


def core_archive() -> bytes:
    """``core.zip``: the core modules under ``iac_iam_checks_core/``, built reproducibly."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative, data in sorted(core_files().items()):
            info = zipfile.ZipInfo(f"{CORE}/{relative}", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def core_files() -> dict[str, bytes]:
    """Path inside the package -> content, for every module the checks need and the data
    files of those modules' packages."""
    pending = [*ENTRY_MODULES, *sorted(f"checks.{p.stem}" for p in ROOT.glob("checks/iam*.py"))]
    seen: set[str] = set()
    out: dict[str, bytes] = {}
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _module_path(module)
        source = path.read_text(encoding="utf-8")
        pending.extend(m for m in _own_imports(module, path, source) if m not in LEFT_OUT)
        out[path.relative_to(ROOT).as_posix()] = source.encode()
    folders = {ROOT} | {_module_path(m).parent for m in seen} | {ROOT / d for d in DATA_DIRS}
    for folder in folders:
        for file in folder.iterdir():
            data_file = folder.relative_to(ROOT).as_posix() in DATA_DIRS and file.suffix != ".py"
            if file.is_file() and (data_file or file.name == "__init__.py"):
                out.setdefault(file.relative_to(ROOT).as_posix(), file.read_bytes())
    return out


def _module_path(module: str) -> Path:
    base = ROOT.joinpath(*module.split(".")) if module else ROOT
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _own_imports(module: str, path: Path, source: str) -> list[str]:
    """Modules of our package that ``source`` imports relatively (anywhere, lazily too); a
    third-party import, or one of our package by its installed name, raises ExportError."""
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    where = path.relative_to(ROOT.parent)
    found: list[str] = []
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1] + ([node.module] if node.module else [])
            for alias in node.names:
                candidates = [".".join([*base, alias.name]), ".".join(base)]
                found.append(next(c for c in candidates if _module_exists(c)))
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for top in (name.split(".")[0] for name in names):
            if top == PACKAGE:
                raise ExportError(
                    f"{where} imports {PACKAGE} by name: the core runs inside checkov as "
                    f"{CORE}, so it must import itself relatively"
                )
            if top not in sys.stdlib_module_names and top != "__future__":
                raise ExportError(
                    f"{where} imports {top}: the core loaded inside checkov must use the "
                    "standard library only"
                )
    return found


def _module_exists(module: str) -> bool:
    base = ROOT.joinpath(*module.split(".")) if module else ROOT
    return (base / "__init__.py").is_file() or base.with_suffix(".py").is_file()


def _write(directory: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (directory / name).write_bytes(data)


def _remove(directory: Path) -> None:
    for file in directory.iterdir():
        file.unlink()
    directory.rmdir()
