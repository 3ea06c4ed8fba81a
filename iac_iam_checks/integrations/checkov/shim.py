"""iac-iam-checks inside checkov: every registered check becomes checkov check objects.

checkov execs this file (under its bare name) from the ``--external-checks-dir`` directory,
once per registry that loads external checks, inside the runner of one framework.

Where verdicts come from. checkov hands a check one block at a time, but IAM003, IAM008-IAM010,
IAM013, IAM014 and every policy reached through ``data.aws_iam_policy_document.x.json`` or
``file()`` need the whole scan. So the shim asks the engine itself: the interpreter recorded
in ``engine.txt`` at export time runs ``iac_iam_checks.integrations.checkov.verdicts`` as a
subprocess (its environment holds python-hcl2, which checkov's cannot) over exactly what the
runner scans, once per runner and checkov process, started as soon as checkov loads this file
so it overlaps checkov's own parsing. Each checkov record then takes the CLI's verdict of the
resource with the same file and address: FAILED with the CLI's messages in ``details``,
SKIPPED where our own ignore comment, Metadata or configuration suppressed it, UNKNOWN where the
CLI's result is unresolved or the CLI did not judge that block, else PASSED.

When the engine cannot be reached (the directory was copied where iac-iam-checks is not
installed, the recorded interpreter is gone or fails), the shim says so once on stderr and
runs the checks in-process from ``core.zip`` beside this file (the standard-library-only core,
importable as ``iac_iam_checks_core`` so it never clashes with an installed
``iac_iam_checks``): per-resource checks only, graph checks UNKNOWN.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import types
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
        self.running: dict[Any, tuple[Any, Any, Any]] = {}
        self.done: dict[Any, _Verdicts | None] = {}
        self.warned = False


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

    def lookup(self, file: str, address: str) -> list[dict[str, Any]] | None:
        """The results of our resource(s) for checkov's block; instance keys are compared
        when both sides have them, else every instance of the block counts."""
        if (file, address) in self.exact:
            return [self.exact[(file, address)]]
        return self.blocks.get((file, _INSTANCE_KEYS.sub("", address)))


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


def _runner_scan() -> _Scan | None:
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "run" and {"root_folder", "files"} <= set(code.co_varnames):
            local = frame.f_locals
            framework = getattr(local.get("self"), "check_type", None)
            if framework in FRAMEWORKS and (local.get("root_folder") or local.get("files")):
                return _Scan(local, framework)
        frame = frame.f_back
    return None


def _first_warning() -> bool:
    """True once per checkov run: checkov forks one process per framework, so the processes
    agree through a marker file named after the checkov process (pid and start time)."""
    if _STATE.warned:
        return False
    _STATE.warned = True
    import multiprocessing

    parent = multiprocessing.parent_process()
    pid = parent.pid if parent is not None and parent.pid else os.getpid()
    try:
        started = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        started = ""
    marker = Path(tempfile.gettempdir()) / f"iac-iam-checks-checkov-{pid}-{started}.warned"
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


def _start(scan: _Scan) -> None:
    """Start the engine for one runner's scan, unless it is running or done."""
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
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    # Files, not pipes: the engine must never block on a full pipe while checkov parses.
    out = tempfile.TemporaryFile()  # noqa: SIM115 - read and closed in _verdicts
    err = tempfile.TemporaryFile()  # noqa: SIM115 - likewise
    frameworks = [arg for framework in scan.frameworks for arg in ("--framework", framework)]
    command = [interpreter, "-m", ENGINE_MODULE, *frameworks, *scan.paths]
    try:
        process = subprocess.Popen(
            command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env
        )
    except OSError as error:
        _STATE.done[key] = None
        _warn(f"cannot start {interpreter}: {error}")
        return
    _STATE.running[key] = (process, out, err)


def _verdicts(scan: _Scan) -> _Verdicts | None:
    """The engine's verdicts for a scan (waiting for it), or None in the fallback."""
    key = scan.key
    if key not in _STATE.done:
        _start(scan)
    if key in _STATE.running:
        process, out, err = _STATE.running.pop(key)
        try:
            process.wait(timeout=ENGINE_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        out.seek(0)
        err.seek(0)
        text, errors = out.read(), err.read().decode("utf-8", "replace").strip()
        out.close()
        err.close()
        try:
            answer = json.loads(text) if process.returncode == 0 else None
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or answer.get("schema") != 1:
            last = errors.splitlines()[-1] if errors else f"exit code {process.returncode}"
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
        found = verdicts.lookup(_absolute(scan.base, file, verdicts.files), address)
        if found is None:
            return CheckResult.UNKNOWN
        results = [r[self.spec.id] for r in found if self.spec.id in r]
        failed = [r for r in results if r["result"] == "FAILED"]
        if failed:
            self.details = sorted({m for r in failed for m in r["details"]})
            return CheckResult.FAILED
        if any(r["result"] == "UNKNOWN" for r in results):
            return CheckResult.UNKNOWN
        skipped = [r for r in results if r["result"] == "SKIPPED"]
        if skipped:
            self.skip_comment = skipped[0]["suppress_comment"]
            return CheckResult.SKIPPED
        return CheckResult.PASSED

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
        resource = conf_to_resources.provider_resource(conf, self.entity_path)
        return self._judge(resource.location.file, resource.address, lambda: [resource])


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
