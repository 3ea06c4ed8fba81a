"""iac-iam-checks inside checkov: every registered check becomes checkov check objects.

checkov execs this file (under its bare name) from the ``--external-checks-dir`` directory,
once per registry that loads external checks. The checks themselves come from ``core.zip``
beside this file: the standard-library-only core of iac-iam-checks, importable as
``iac_iam_checks_core`` so it can never clash with an installed ``iac_iam_checks`` (whose
environment holds python-hcl2, which checkov cannot live with).

Verdicts: an ``Issue`` -> FAILED (messages in the record's ``details``); a ``Blocked``
(unresolved) -> UNKNOWN, which checkov leaves out of its report; nothing -> PASSED. Checks that
need the whole identity graph (``needs_graph``) are not registered: they are CLI-only.
"""

from __future__ import annotations

import importlib
import sys
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


class _Adapter:
    """What every checkov check object of ours shares: metadata and the verdict."""

    spec: registry.Check
    """The iac-iam-checks check this checkov check runs."""
    entity_type: str
    entity_path: str
    """Both set by checkov's base classes before a scan."""

    def _init(self, spec: registry.Check) -> dict[str, Any]:
        self.spec = spec
        return {
            "name": spec.title,
            "id": spec.id,
            "categories": [CheckCategories.IAM],
            "guideline": f"{spec.why} Fix: {spec.fix}",
        }

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
        if conf.get("count") == [0]:
            return CheckResult.UNKNOWN
        resource = conf_to_resources.terraform_resource(
            conf, entity_type, self.entity_path, block_type
        )
        return self._verdict([resource])


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
        return self._verdict([conf_to_resources.provider_resource(conf, self.entity_path)])


class CloudFormationCheck(_Adapter, CloudFormationResourceCheck):
    def __init__(self, spec: registry.Check, kinds: list[str]) -> None:
        super().__init__(**self._init(spec), supported_resources=kinds)
        self.severity = Severities[spec.severity]

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        variants = conf_to_resources.cloudformation_resources(
            conf, self.entity_type, self.entity_path
        )
        return self._verdict(variants)


def register_all() -> None:
    """Create the checkov check objects once per process (checkov execs this file per
    registry; its registries also ignore a second check with the same id)."""
    for spec in registry.all_checks().values():
        if spec.needs_graph:
            continue
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
