"""A pinned checkov in its own virtual environment, built once and reused.

checkov and python-hcl2 both install the import name ``hcl2``, so checkov can never live in the
project's environment: the tests run it as a subprocess from this one. Nothing of ours (and no
python-hcl2) is ever installed here.

Location, first match wins: ``$IAC_IAM_CHECKS_CHECKOV_VENV``;
``$XDG_CACHE_HOME/iac-iam-checks/checkov-venv``; ``<repo>/.cache/checkov-venv``.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

CHECKOV_VERSION = "3.3.30"
REPO = Path(__file__).resolve().parent.parent
MARKER = "iac-iam-checks-ready"
HEALTH_PROBE = (
    "import sys, hcl2; from checkov.version import version;"
    "assert hasattr(hcl2, 'START_LINE'), 'hcl2 is not checkov fork';"
    "sys.stdout.write(version)"
)

CHECKOV_ENV = {
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
    "BC_SKIP_MAPPING": "TRUE",
    "LOG_LEVEL": "WARNING",
}
"""Environment for every checkov run: no update check, no mapping download, no API key."""


def venv_dir() -> Path:
    if os.environ.get("IAC_IAM_CHECKS_CHECKOV_VENV"):
        return Path(os.environ["IAC_IAM_CHECKS_CHECKOV_VENV"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "iac-iam-checks" / "checkov-venv"
    return REPO / ".cache" / "checkov-venv"


def _python(env_dir: Path) -> Path:
    return env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def checkov_executable() -> Path:
    """The ``checkov`` script of the pinned environment, building the environment if needed."""
    env_dir = venv_dir()
    env_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(env_dir.parent / f".{env_dir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _healthy(env_dir):
            _build(env_dir)
            if not _healthy(env_dir):
                raise RuntimeError(
                    f"checkov environment at {env_dir} is broken after a fresh build"
                )
    return env_dir / "bin" / "checkov"


def _healthy(env_dir: Path) -> bool:
    marker = env_dir / MARKER
    if not marker.exists() or marker.read_text() != CHECKOV_VERSION:
        return False
    probe = subprocess.run(
        [str(_python(env_dir)), "-c", HEALTH_PROBE], capture_output=True, text=True, check=False
    )
    return probe.returncode == 0 and probe.stdout == CHECKOV_VERSION


def _build(env_dir: Path) -> None:
    shutil.rmtree(env_dir, ignore_errors=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    subprocess.run(
        [
            str(_python(env_dir)),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"checkov=={CHECKOV_VERSION}",
        ],
        check=True,
        stdout=sys.stderr,
    )
    (env_dir / MARKER).write_text(CHECKOV_VERSION)
