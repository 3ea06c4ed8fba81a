"""iac-iam-checks inside checkov: every registered check becomes checkov check objects.

checkov execs this file (under its bare name) from the ``--external-checks-dir`` directory,
once per registry that loads external checks, inside the runner of one framework.

Where verdicts come from. checkov hands a check one block at a time, but IAM003, IAM008-IAM010,
IAM013, IAM014 and every policy reached through ``data.aws_iam_policy_document.x.json`` or
``file()`` need the whole scan. So the shim asks the engine itself: the interpreter recorded
in ``engine.txt`` at export time runs ``iac_iam_checks.integrations.checkov.verdicts`` as a
subprocess (its environment holds python-hcl2, which checkov's cannot) over exactly what the
runner scans, started as soon as checkov loads this file so it overlaps checkov's own parsing,
and once per checkov run: the framework runners checkov forks share one engine process through
an answer file named after the checkov process and the scan (the first runner starts the
engine, which holds a lock on that file until it exits; the others wait for the lock). Each
checkov record then takes the CLI's verdict of the resource with the same file and address
(dictionary look-ups per record, nothing rebuilt from checkov's ``conf``): FAILED with the
CLI's messages in ``details``, SKIPPED where our own ignore comment, Metadata or configuration
suppressed it, UNKNOWN where the CLI's result is unresolved or the CLI did not judge that
block, else PASSED.

When the engine cannot be reached (the directory was copied where iac-iam-checks is not
installed, the recorded interpreter is gone or fails), the shim says so once on stderr and
runs the checks in-process from ``core.zip`` beside this file (the standard-library-only core,
importable as ``iac_iam_checks_core`` so it never clashes with an installed
``iac_iam_checks``): per-resource checks only, graph checks UNKNOWN.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from checkov.cloudformation.checks.resource.base_resource_check import (
    BaseResourceCheck as CloudFormationResourceCheck,
)
from checkov.cloudformation.checks.resource.registry import cfn_registry
from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.data.base_check import BaseDataCheck
from checkov.terraform.checks.data.registry import data_registry
from checkov.terraform.checks.provider.base_check import BaseProviderCheck
from checkov.terraform.checks.provider.registry import provider_registry
from checkov.terraform.checks.resource.base_resource_check import (
    BaseResourceCheck as TerraformResourceCheck,
)
from checkov.terraform.checks.resource.registry import resource_registry

CORE = "iac_iam_checks_core"
ARCHIVE = Path(__file__).with_name("core.zip")
ENGINE_FILE = Path(__file__).with_name("engine.txt")
ENGINE_MODULE = "iac_iam_checks.integrations.checkov.verdicts"
ENGINE_TIMEOUT = 1800
FRAMEWORKS = ("terraform", "terraform_plan", "cloudformation")
_INSTANCE_KEYS = re.compile(r"\[[^\]]*\]")


def _core(module: str) -> Any:
    if str(ARCHIVE) not in sys.path:
        sys.path.append(str(ARCHIVE))
    return importlib.import_module(f"{CORE}.{module}")


if TYPE_CHECKING:
    # core.zip holds these very modules under another name: type-check against the package
    from iac_iam_checks.checks import registry
    from iac_iam_checks.frontends import checkov_conf as conf_to_resources
    from iac_iam_checks.iam.graph import Graph
    from iac_iam_checks.model.settings import Settings
    from iac_iam_checks.model.values import Resource
else:
    registry = _core("checks.registry")
    conf_to_resources = _core("frontends.checkov_conf")
    Graph = _core("iam.graph").Graph
    Settings = _core("model.settings").Settings


class _EngineState:
    """Per checkov process, shared by every exec of this file (kept in ``sys.modules``)."""

    def __init__(self) -> None:
        self.running: dict[Any, _Engine] = {}
        self.done: dict[Any, _Verdicts | None] = {}
        self.warned = False
        self.run: str | None = None
        self.run_code: dict[Any, bool] = {}
        self.last_scan: tuple[types.FrameType, Any, Any, _Scan] | None = None
        """The last runner frame read, its root_folder and files, and what it scans."""


_Verdict = tuple[CheckResult, list[str], str | None]
"""One check's verdict on one checkov record: result, details, suppression comment."""


class _Verdicts:
    """The engine's answer for one scan: (absolute block file, address) -> check results."""

    def __init__(self, resources: list[dict[str, Any]]) -> None:
        self.exact: dict[tuple[str, str], dict[str, Any]] = {}
        self.blocks: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for entry in resources:
            key = (entry["file"], entry["address"])
            self.exact[key] = entry["results"]
            block = (entry["file"], _INSTANCE_KEYS.sub("", entry["address"]))
            self.blocks.setdefault(block, []).append(entry["results"])
        self.files = frozenset(file for file, _ in self.exact)
        self.merged: dict[tuple[str, str], dict[str, _Verdict] | None] = {}

    def lookup(self, file: str, address: str) -> list[dict[str, Any]] | None:
        """The results of our resource(s) for checkov's block; instance keys are compared
        when both sides have them, else every instance of the block counts."""
        if (file, address) in self.exact:
            return [self.exact[(file, address)]]
        return self.blocks.get((file, _INSTANCE_KEYS.sub("", address)))

    def verdicts(self, file: str, address: str) -> dict[str, _Verdict] | None:
        """Check id -> verdict for checkov's block (None: the engine did not judge it); a
        check missing from the dict passed. Computed once per block."""
        key = (file, address)
        if key not in self.merged:
            found = self.lookup(file, address)
            self.merged[key] = None if found is None else _merge(found)
        return self.merged[key]


def _merge(found: list[dict[str, Any]]) -> dict[str, _Verdict]:
    """Several of our resources on one checkov block: FAILED (all messages), else UNKNOWN,
    else SKIPPED (the first reason), else PASSED."""
    out: dict[str, _Verdict] = {}
    for check_id in {check_id for results in found for check_id in results}:
        results = [r[check_id] for r in found if check_id in r]
        failed = [r for r in results if r["result"] == "FAILED"]
        if failed:
            details = sorted({m for r in failed for m in r["details"]})
            out[check_id] = (CheckResult.FAILED, details, None)
        elif any(r["result"] == "UNKNOWN" for r in results):
            out[check_id] = (CheckResult.UNKNOWN, [], None)
        else:
            skipped = next(r for r in results if r["result"] == "SKIPPED")
            out[check_id] = (CheckResult.SKIPPED, [], skipped["suppress_comment"])
    return out


_PASSED: _Verdict = (CheckResult.PASSED, [], None)
_UNKNOWN: _Verdict = (CheckResult.UNKNOWN, [], None)


_STATE: _EngineState = sys.modules.setdefault(
    "_iac_iam_checks_shim_state", types.ModuleType("_iac_iam_checks_shim_state")
).__dict__.setdefault("state", _EngineState())


class _Scan:
    """What one checkov runner scans, read from its ``run(root_folder, ..., files,
    runner_filter)`` frame on the call stack (checkov hands a check only the path relative to
    the runner's base)."""

    def __init__(self, local: dict[str, Any], framework: str) -> None:
        root: str = local.get("root_folder") or ""
        files: list[str] = local.get("files") or []
        self.paths = tuple(os.path.abspath(f) for f in files) if files else (os.path.abspath(root),)
        self.base = os.path.abspath(root) if root else os.getcwd()
        chosen = getattr(local.get("runner_filter"), "framework", None) or ["all"]
        self.frameworks = tuple(f for f in FRAMEWORKS if f in chosen or "all" in chosen)
        if framework not in self.frameworks:
            self.frameworks = (framework,)

    @property
    def key(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.frameworks, self.paths


def _is_run(code: types.CodeType) -> bool:
    """A runner's ``run(root_folder, ..., files, ...)`` (answer kept per code object)."""
    known = _STATE.run_code.get(code)
    if known is None:
        known = code.co_name == "run" and {"root_folder", "files"} <= set(code.co_varnames)
        _STATE.run_code[code] = known
    return known


def _runner_scan() -> _Scan | None:
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        if _is_run(frame.f_code):
            local = frame.f_locals
            root, files = local.get("root_folder"), local.get("files")
            last = _STATE.last_scan
            if last is not None and last[0] is frame and last[1] == root and last[2] is files:
                return last[3]  # the runner's ``run`` may set root_folder itself: compared
            framework = getattr(local.get("self"), "check_type", None)
            if framework in FRAMEWORKS and (root or files):
                scan = _Scan(local, framework)
                _STATE.last_scan = (frame, root, files, scan)
                return scan
        frame = frame.f_back
    return None


def _checkov_run() -> str | None:
    """This checkov run, as the pid and start time of the checkov process (the runners are
    its forked children); None where the start time cannot be read (no ``/proc``)."""
    if _STATE.run is None:
        import multiprocessing

        parent = multiprocessing.parent_process()
        pid = parent.pid if parent is not None and parent.pid else os.getpid()
        try:
            started = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
        except (OSError, IndexError):
            started = ""
        _STATE.run = f"{pid}-{started}" if started else ""
    return _STATE.run or None


def _first_warning() -> bool:
    """True once per checkov run: checkov forks one process per framework, so the processes
    agree through a marker file named after the checkov process (pid and start time)."""
    if _STATE.warned:
        return False
    _STATE.warned = True
    run = _checkov_run() or f"{os.getpid()}-"
    marker = Path(tempfile.gettempdir()) / f"iac-iam-checks-checkov-{run}.warned"
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    except OSError:
        return True
    return True


def _warn(reason: str) -> None:
    if _first_warning():
        print(
            f"iac-iam-checks: {reason}; running only the per-resource checks in-process "
            "(cross-resource checks and policies in data sources or files stay UNKNOWN)",
            file=sys.stderr,
        )


class _Engine:
    """One engine run's answer file: ``process`` is set in the runner that started it; a
    runner that waits for another's engine holds the answer open from the start (``reader``),
    since the starter removes the file once it has read it."""

    def __init__(
        self,
        answer: Path,
        errors: Path,
        process: subprocess.Popen[bytes] | None,
        reader: BinaryIO | None = None,
    ):
        self.answer = answer
        self.errors = errors
        self.process = process
        self.reader = reader

    def result(self) -> tuple[bytes, str]:
        """(stdout, last line of stderr or the exit code), once the engine has exited."""
        if self.process is not None:
            try:
                self.process.wait(timeout=ENGINE_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            code = f"exit code {self.process.returncode}"
        else:
            code = "no answer"
        try:
            with self.reader or open(self.answer, "rb") as handle:
                _wait_for_lock(handle.fileno())
                text = handle.read()
        except OSError as error:
            text, code = b"", str(error)
        try:
            errors = self.errors.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            errors = ""
        if self.process is not None:
            for path in (self.answer, self.errors):
                with _suppressed():
                    path.unlink()
        return text, errors.splitlines()[-1] if errors else code


class _suppressed:
    """``contextlib.suppress(OSError)`` without the import cost."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> bool:
        return kind is not None and issubclass(kind, OSError)


def _wait_for_lock(fd: int) -> None:
    """Block until the engine holding ``fd``'s lock has exited (at most ENGINE_TIMEOUT)."""
    try:
        import fcntl
    except ImportError:
        return
    deadline = time.monotonic() + ENGINE_TIMEOUT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)
        except OSError:
            return


def _answer_path(scan: _Scan) -> Path:
    """Where this checkov run's engine answer for ``scan`` goes: shared by the forked runners
    when the run can be named, private to this process otherwise."""
    run = _checkov_run() or f"{os.getpid()}-{id(_STATE)}-{time.time_ns()}"
    digest = hashlib.sha256(repr((run, ENGINE_FILE.as_posix(), scan.key)).encode()).hexdigest()
    return Path(tempfile.gettempdir()) / f"iac-iam-checks-checkov-{digest[:24]}.answer"


def _start(scan: _Scan) -> None:
    """Start the engine for one runner's scan, unless it is running or done (here, or in
    another runner of the same checkov run)."""
    key = scan.key
    if key in _STATE.running or key in _STATE.done:
        return
    try:
        interpreter = ENGINE_FILE.read_text(encoding="utf-8").strip()
    except OSError:
        interpreter = ""
    if not interpreter or not os.access(interpreter, os.X_OK):
        _STATE.done[key] = None
        _warn(f"the interpreter recorded in {ENGINE_FILE} ({interpreter or 'none'}) is missing")
        return
    answer = _answer_path(scan)
    errors = answer.with_suffix(".errors")
    try:
        import fcntl

        handle, staging = tempfile.mkstemp(dir=answer.parent, prefix=".iac-iam-checks-")
    except (ImportError, OSError):
        fcntl, handle, staging = None, -1, ""  # type: ignore[assignment]
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)  # the engine inherits the lock with the file
            waiting = _linked_or_waiting(staging, answer, errors)
            if waiting is not None:  # another runner started it: wait for its answer
                _STATE.running[key] = waiting
                return
        else:
            answer = Path(tempfile.mkstemp(prefix="iac-iam-checks-")[1])
            handle = os.open(answer, os.O_WRONLY)
        _STATE.running[key] = _spawn(interpreter, scan, answer, errors, handle)
    finally:
        if staging:
            with _suppressed():
                os.unlink(staging)
        if handle >= 0:
            os.close(handle)


def _linked_or_waiting(staging: str, answer: Path, errors: Path) -> _Engine | None:
    """Claim ``answer`` for an engine this runner starts (None), or, when another runner of
    the same checkov run has claimed it, its engine, with the answer already held open. An
    answer gone between the two steps was read and removed by its runner: claim it again."""
    for _ in range(3):
        try:
            os.link(staging, answer)
            return None
        except FileExistsError:
            try:
                return _Engine(answer, errors, None, open(answer, "rb"))  # noqa: SIM115
            except FileNotFoundError:
                continue
    return _Engine(answer, errors, None)  # still contended: report what reading finds


def _spawn(interpreter: str, scan: _Scan, answer: Path, errors: Path, out: int) -> _Engine:
    """Run the engine with its stdout on ``out`` (files, not pipes: the engine must never
    block on a full pipe while checkov parses)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    frameworks = [arg for framework in scan.frameworks for arg in ("--framework", framework)]
    command = [interpreter, "-m", ENGINE_MODULE, *frameworks, *scan.paths]
    with open(errors, "wb") as err:
        try:
            process = subprocess.Popen(
                command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env
            )
        except OSError as error:
            err.write(f"cannot start {interpreter}: {error}".encode())
            return _Engine(answer, errors, None)
    _reap_at_exit(process)
    return _Engine(answer, errors, process)


def _reap_at_exit(process: subprocess.Popen[bytes]) -> None:
    """Wait for the engine when this runner ends, even if it never needed the answer (a
    forked runner skips ``atexit`` but runs multiprocessing's finalizers)."""
    from multiprocessing import util

    util.Finalize(None, process.wait, kwargs={"timeout": ENGINE_TIMEOUT}, exitpriority=1)


def _verdicts(scan: _Scan) -> _Verdicts | None:
    """The engine's verdicts for a scan (waiting for it), or None in the fallback."""
    key = scan.key
    if key not in _STATE.done:
        _start(scan)
    engine = _STATE.running.pop(key, None)
    if engine is not None:
        text, last = engine.result()
        try:
            answer = json.loads(text)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or answer.get("schema") != 1:
            _STATE.done[key] = None
            _warn(f"the iac-iam-checks engine failed ({last})")
        else:
            _STATE.done[key] = _Verdicts(answer["resources"])
    return _STATE.done[key]


@functools.lru_cache(maxsize=4096)
def _absolute(base: str, file: str, known: frozenset[str]) -> str:
    """The engine's name (real path) of a file checkov names relative to the runner's base,
    or, for a CloudFormation ``-f`` run, to the working directory."""
    candidates = [os.path.realpath(os.path.join(folder, file)) for folder in (base, os.getcwd())]
    return next((c for c in candidates if c in known), candidates[0])


def prefetch() -> None:
    """Start the engine as soon as checkov loads this file, inside a runner's ``run``."""
    scan = _runner_scan()
    if scan is not None:
        _start(scan)


class _Adapter:
    """What every checkov check object of ours shares: metadata and the verdict."""

    spec: registry.Check
    """The iac-iam-checks check this checkov check runs."""
    entity_type: str
    entity_path: str
    """Both set by checkov's base classes before a scan."""
    skip_comment: str | None = None

    def _init(self, spec: registry.Check) -> dict[str, Any]:
        self.spec = spec
        return {
            "name": spec.title,
            "id": spec.id,
            "categories": [CheckCategories.IAM],
            "guideline": f"{spec.why} Fix: {spec.fix}",
        }

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """checkov's ``run``, plus the reason when the CLI's suppression gave SKIPPED."""
        self.skip_comment = None
        result = super().run(*args, **kwargs)  # type: ignore[misc]
        if result.get("result") == CheckResult.SKIPPED and self.skip_comment is not None:
            result["suppress_comment"] = self.skip_comment
        return result

    def _judge(
        self, file: str, address: str, in_process: Callable[[], list[Resource]]
    ) -> CheckResult:
        """The engine's verdict for the block at ``file`` (relative to the runner's base)
        and ``address``; the in-process core when the engine cannot be reached."""
        self.details = []
        scan = _runner_scan()
        if scan is None:
            _warn("cannot tell which folder checkov is scanning")
        verdicts = _verdicts(scan) if scan is not None else None
        if scan is None or verdicts is None:
            return CheckResult.UNKNOWN if self.spec.needs_graph else self._verdict(in_process())
        found = verdicts.verdicts(_absolute(scan.base, file, verdicts.files), address)
        result, details, comment = _UNKNOWN if found is None else found.get(self.spec.id, _PASSED)
        self.details = list(details)
        self.skip_comment = comment
        return result

    def _verdict(self, resources: list[Resource]) -> CheckResult:
        context = registry.Context(graph=Graph(resources), settings=Settings())
        results = [r for resource in resources for r in self.spec.func(resource, context)]
        issues = [r for r in results if isinstance(r, registry.Issue)]
        self.details = sorted({issue.message for issue in issues})
        if issues:
            return CheckResult.FAILED
        if any(isinstance(r, registry.Blocked) for r in results):
            return CheckResult.UNKNOWN
        return CheckResult.PASSED

    def _terraform(self, conf: dict[str, Any], entity_type: str, block_type: str) -> CheckResult:
        self.entity_type = entity_type
        file = conf_to_resources.scanned_file(self.entity_path, entity_type)
        address = conf_to_resources.terraform_address(
            conf, entity_type, self.entity_path, block_type
        )
        if conf.get("count") == [0]:  # creates nothing, so nothing to judge
            return CheckResult.UNKNOWN
        return self._judge(
            file,
            address,
            lambda: [
                conf_to_resources.terraform_resource(
                    conf, entity_type, self.entity_path, block_type
                )
            ],
        )


class ResourceCheck(_Adapter, TerraformResourceCheck):
    """Terraform resources (HCL and plan: checkov's plan runner uses this registry too)."""

    def __init__(self, spec: registry.Check, kinds: list[str]) -> None:
        super().__init__(**self._init(spec), supported_resources=kinds)
        self.severity = Severities[spec.severity]

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:
        # Not checkov's own dynamic-block merging: checkov_conf expands them itself.
        return self._terraform(conf, entity_type, "resource")

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self._terraform(conf, self.entity_type, "resource")


class DataCheck(_Adapter, BaseDataCheck):
    """Terraform data sources (``aws_iam_policy_document`` above all)."""

    def __init__(self, spec: registry.Check, kinds: list[str]) -> None:
        super().__init__(**self._init(spec), supported_data=kinds)
        self.severity = Severities[spec.severity]

    def scan_data_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self._terraform(conf, self.entity_type, "data")


class ProviderCheck(_Adapter, BaseProviderCheck):
    """``provider "aws"`` blocks (checks whose kinds include ``provider`` or ``*``)."""

    def __init__(self, spec: registry.Check) -> None:
        super().__init__(**self._init(spec), supported_provider=["aws"])
        self.severity = Severities[spec.severity]

    def scan_provider_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self._judge(
            conf_to_resources.scanned_file(self.entity_path, "aws"),
            conf_to_resources.provider_address(conf),
            lambda: [conf_to_resources.provider_resource(conf, self.entity_path)],
        )


class CloudFormationCheck(_Adapter, CloudFormationResourceCheck):
    def __init__(self, spec: registry.Check, kinds: list[str]) -> None:
        super().__init__(**self._init(spec), supported_resources=kinds)
        self.severity = Severities[spec.severity]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        file = conf_to_resources.scanned_file(self.entity_path, self.entity_type)
        logical_id = self.entity_path.rpartition(f":{self.entity_type}:")[2]
        return self._judge(
            file,
            logical_id,
            lambda: conf_to_resources.cloudformation_resources(
                conf, self.entity_type, self.entity_path
            ),
        )


def register_all() -> None:
    """Create the checkov check objects once per process (checkov execs this file per
    registry; its registries also ignore a second check with the same id)."""
    for spec in registry.all_checks().values():
        terraform = conf_to_resources.checkov_kinds(spec.kinds.get("terraform", ()))
        cloudformation = conf_to_resources.checkov_kinds(spec.kinds.get("cloudformation", ()))
        if terraform.resources and not resource_registry.get_check_by_id(spec.id):
            ResourceCheck(spec, terraform.resources)
        if terraform.data and not data_registry.get_check_by_id(spec.id):
            DataCheck(spec, terraform.data)
        if terraform.provider and not provider_registry.get_check_by_id(spec.id):
            ProviderCheck(spec)
        if cloudformation.resources and not cfn_registry.get_check_by_id(spec.id):
            CloudFormationCheck(spec, cloudformation.resources)


register_all()
prefetch()
