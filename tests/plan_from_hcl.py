"""Turn what the HCL front end evaluated into a plausible ``terraform show -json`` plan.

The parity test scans an example ``.tf`` file and the plan built from it, and expects the same
verdicts. The plan is built the way Terraform would show it:

- values Terraform knows while planning are rendered: literals, names and other configured
  attributes of the resources they reference, plan-time data sources (the account id of
  ``aws_caller_identity`` is ``ACCOUNT_ID``), policy documents whose every part is known;
- ``jsonencode`` objects and data policy documents become JSON text, as the provider has them;
- everything else is null in ``values``, true in ``after_unknown``, with ``configuration``
  references built from ``Unknown.ref`` (through synthetic module outputs and module-call
  inputs when the referenced resource is in another module);
- data sources that are fully known were read while planning (``prior_state``), the others
  are deferred reads in ``planned_values``.

``degraded`` collects addresses where the HCL front end knew part of a value that a plan can
only show as wholly unknown (a template or ``jsonencode`` with an unknown hole).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from iac_iam_checks.frontends.plan import instance_suffix, parse_traversal
from iac_iam_checks.model.values import PolicyDocument, Resource, Template, Unknown

ACCOUNT_ID = "123456789012"
PLAN_TIME_DATA = {
    "aws_caller_identity": {"account_id": ACCOUNT_ID, "id": ACCOUNT_ID},
    "aws_partition": {"partition": "aws", "dns_suffix": "amazonaws.com", "id": "aws"},
    "aws_region": {"name": "us-east-1", "region": "us-east-1", "id": "us-east-1"},
}
PSEUDO_KINDS = {"variable", "locals", "tfvars", "module", "provider"}
JSON_TEXT_ATTRS = {"policy", "assume_role_policy", "inline_policy", "json", "minified_json"}
JSON_TEXT_LISTS = {"source_policy_documents", "override_policy_documents"}
PROVIDER = "registry.terraform.io/hashicorp/aws"
COMPUTED = {
    "aws_iam_role": ("arn", "unique_id", "inline_policy", "managed_policy_arns"),
    "aws_iam_user": ("arn", "unique_id"),
    "aws_iam_access_key": ("secret", "ses_smtp_password_v4", "encrypted_secret"),
    "aws_iam_user_login_profile": ("password", "encrypted_password"),
    "aws_instance": ("arn", "iam_instance_profile", "private_ip"),
    "aws_spot_instance_request": ("arn", "iam_instance_profile", "spot_instance_id"),
    "aws_launch_template": ("arn", "latest_version"),
}
"""Optional+Computed and computed attributes a real plan shows as "known after apply"."""
OPTIONAL_NULLS = {
    "aws_iam_access_key": ("pgp_key",),
    "aws_iam_user_login_profile": ("pgp_key",),
    "aws_iam_user": ("permissions_boundary", "tags"),
    "aws_iam_role": ("description", "permissions_boundary"),
}
"""Optional attributes a real plan shows as null when the configuration does not set them."""

_MISSING = object()
ModulePath = tuple[tuple[str, Any], ...]


def split_address(address: str) -> tuple[ModulePath, str]:
    """``module.a["x"].aws_iam_user.u[0]`` -> ((("a", "x"),), "aws_iam_user.u[0]")."""
    steps = parse_traversal(address) or []
    path: list[tuple[str, Any]] = []
    index = 0
    while index + 1 < len(steps) and steps[index] == ("attr", "module"):
        name, key = steps[index + 1][1], None
        index += 2
        if index < len(steps) and steps[index][0] == "index":
            key = steps[index][1]
            index += 1
        path.append((name, key))
    local = ""
    for kind, value in steps[index:]:
        local += instance_suffix(value) if kind == "index" else ("." if local else "") + value
    return tuple(path), local


def module_address(path: ModulePath) -> str:
    return ".".join(f"module.{name}{instance_suffix(key)}" for name, key in path)


class _Rendered:
    """One value as a plan shows it: the value, its after_unknown mask, its references."""

    def __init__(self, value: Any, unknown: Any = False, refs: list[str] | None = None) -> None:
        self.value = value
        self.unknown = unknown
        self.refs = refs or []


class PlanBuilder:
    def __init__(self, resources: list[Resource], resolve_references: bool = True) -> None:
        self.resolve_references = resolve_references
        self.resources = [r for r in resources if r.kind not in PSEUDO_KINDS]
        self.providers = [r for r in resources if r.kind == "provider"]
        self.by_address = {r.address: r for r in self.resources}
        self.configs: dict[tuple[str, ...], dict] = {(): self.new_module()}
        self.counter = itertools.count()
        self.degraded: set[str] = set()
        self.holder: Resource | None = None

    @staticmethod
    def new_module() -> dict:
        return {"resources": [], "module_calls": {}, "outputs": {}}

    # -- the plan ---------------------------------------------------------------------------

    def plan(self) -> dict:
        planned: dict[str, dict] = {"": {"resources": []}}
        prior: dict[str, dict] = {"": {"resources": []}}
        changes = []
        config_index: dict[tuple[tuple[str, ...], str], dict] = {}
        for resource in self.resources:
            self.holder = resource
            path, local = split_address(resource.address)
            mode = "data" if local.startswith("data.") else "managed"
            values, unknown, expressions = self.block(resource.attrs)
            if mode == "managed":
                self.add_schema_attributes(resource.kind, values, unknown)
            entry: dict[str, Any] = {
                "address": resource.address,
                "mode": mode,
                "type": resource.kind,
                "name": resource.name,
            }
            if resource.instance_key is not None:
                entry["index"] = resource.instance_key
            entry.update(provider_name=PROVIDER, schema_version=0, values=values)
            read_while_planning = mode == "data" and not unknown
            target = prior if read_while_planning else planned
            self.module_entry(target, path)["resources"].append(entry)
            if not read_while_planning:
                change = {"actions": ["read" if mode == "data" else "create"], "before": None}
                change.update(after=values, after_unknown=unknown or {})
                changes.append({**{k: entry[k] for k in entry if k != "values"}, "change": change})
                if path:
                    changes[-1]["module_address"] = module_address(path)
            self.configure(config_index, path, local, mode, resource, expressions)
        return {
            "format_version": "1.2",
            "terraform_version": "1.7.5",
            "planned_values": {"root_module": self.tree(planned)},
            "resource_changes": changes,
            "prior_state": {
                "format_version": "1.0",
                "terraform_version": "1.7.5",
                "values": {"root_module": self.tree(prior)},
            },
            "configuration": {
                "provider_config": self.provider_config(),
                "root_module": self.configs[()],
            },
        }

    @staticmethod
    def add_schema_attributes(kind: str, values: dict, unknown: dict) -> None:
        """What the provider schema adds to a planned object besides the configuration."""
        for name in ("id", "tags_all", *COMPUTED.get(kind, ())):
            if name not in values:
                values[name] = None
                unknown[name] = True
        for name in OPTIONAL_NULLS.get(kind, ()):
            values.setdefault(name, None)

    @staticmethod
    def module_entry(modules: dict[str, dict], path: ModulePath) -> dict:
        for depth in range(1, len(path) + 1):
            modules.setdefault(module_address(path[:depth]), {"resources": []})
        return modules[module_address(path)]

    @staticmethod
    def tree(modules: dict[str, dict]) -> dict:
        """Flat {module address: module} -> nested root_module with child_modules."""
        nodes = {address: dict(module) for address, module in modules.items()}
        for address, node in nodes.items():
            if address:
                path, _ = split_address(address + ".x.y")
                node["address"] = address
                nodes[module_address(path[:-1])].setdefault("child_modules", []).append(node)
        return nodes[""]

    def configure(
        self,
        index: dict,
        path: ModulePath,
        local: str,
        mode: str,
        resource: Resource,
        expressions: dict,
    ) -> None:
        names = self.module_config(path)
        base = local.split("[", 1)[0]
        existing = index.get((names, base))
        if existing is None:
            entry = {
                "address": base,
                "mode": mode,
                "type": resource.kind,
                "name": resource.name,
                "provider_config_key": "aws",
                "expressions": expressions,
                "schema_version": 0,
            }
            index[(names, base)] = entry
            self.configs[names]["resources"].append(entry)
        else:
            existing["expressions"] = merge_expressions(existing["expressions"], expressions)

    def module_config(self, path: ModulePath) -> tuple[str, ...]:
        """The configuration of a module (by call names; instances share it)."""
        names: tuple[str, ...] = ()
        for name, _ in path:
            parent = self.configs[names]
            names = names + (name,)
            if names not in self.configs:
                self.configs[names] = self.new_module()
                parent["module_calls"][name] = {
                    "source": f"./{name}",
                    "expressions": {},
                    "module": self.configs[names],
                }
        return names

    def call(self, names: tuple[str, ...]) -> dict:
        return self.configs[names[:-1]]["module_calls"][names[-1]]

    def provider_config(self) -> dict:
        out = {}
        for provider in self.providers:
            path, local = split_address(provider.address)
            name = local.split(".")[1]
            alias = local.split(".")[2] if local.count(".") > 1 else ""
            key = name + (f".{alias}" if alias else "")
            key = f"{module_address(path)}:{key}" if path else key
            self.holder = provider
            _, _, expressions = self.block(provider.attrs)
            entry: dict[str, Any] = {"name": name, "full_name": PROVIDER}
            entry["expressions"] = expressions
            if alias:
                entry["alias"] = alias
            if path:
                entry["module_address"] = module_address(path)
            out[key] = entry
        return out

    # -- values -----------------------------------------------------------------------------

    def block(self, attrs: dict) -> tuple[dict, dict, dict]:
        """A resource body or nested block -> (values, after_unknown, expressions)."""
        values, unknown, expressions = {}, {}, {}
        for key, value in attrs.items():
            if is_blocks(key, value):
                rendered = [self.block(item) for item in value]
                values[key] = [r[0] for r in rendered]
                masks = [r[1] for r in rendered]
                if any(masks):
                    unknown[key] = masks
                expressions[key] = [r[2] for r in rendered]
                continue
            as_text = key in JSON_TEXT_ATTRS and isinstance(value, (dict, list, Template))
            rendered = self.json_text(value) if as_text else self.render(value, key)
            values[key] = rendered.value
            if rendered.unknown:
                unknown[key] = rendered.unknown
            if rendered.refs:
                expressions[key] = {"references": rendered.refs}
            elif rendered.unknown:
                expressions[key] = {}
            else:
                expressions[key] = {"constant_value": rendered.value}
        return values, unknown, expressions

    def render(self, value: Any, key: str = "") -> _Rendered:
        if isinstance(value, PolicyDocument):
            return self.document(value)
        if isinstance(value, Unknown):
            known = self.plan_time_value(value)
            refs = self.references(value)
            return _Rendered(None, True, refs) if known is _MISSING else _Rendered(known, refs=refs)
        if isinstance(value, Template):
            return self.json_text(value) if key in JSON_TEXT_ATTRS else self.template(value)
        if isinstance(value, list):
            if key in JSON_TEXT_LISTS:
                items = [
                    self.json_text(v) if isinstance(v, (dict, list)) else self.render(v)
                    for v in value
                ]
            else:
                items = [self.render(v) for v in value]
            masks = [i.unknown for i in items]
            refs = list(dict.fromkeys(r for i in items for r in i.refs))
            return _Rendered([i.value for i in items], masks if any(masks) else False, refs)
        if isinstance(value, dict):
            parts = {k: self.render(v) for k, v in value.items()}
            masks = {k: p.unknown for k, p in parts.items() if p.unknown}
            refs = list(dict.fromkeys(r for p in parts.values() for r in p.refs))
            return _Rendered({k: p.value for k, p in parts.items()}, masks or False, refs)
        return _Rendered(value)

    def template(self, value: Template) -> _Rendered:
        parts = [self.render(p) if isinstance(p, Unknown) else _Rendered(p) for p in value.parts]
        refs = list(dict.fromkeys(r for p in parts for r in p.refs))
        if any(p.unknown for p in parts):
            self.degrade()
            return _Rendered(None, True, refs)
        return _Rendered("".join(str(p.value) for p in parts), refs=refs)

    def json_text(self, value: Any) -> _Rendered:
        """A policy object (``jsonencode``) or text with holes -> JSON text, when all known."""
        if isinstance(value, Template):
            return self.template(value)
        rendered = self.render(value)
        if rendered.unknown:
            self.degrade()
            return _Rendered(None, True, rendered.refs)
        return _Rendered(json.dumps(rendered.value), refs=rendered.refs)

    def document(self, document: PolicyDocument) -> _Rendered:
        refs = self.origin_references(document.origin)
        if document.unknown is not None or any(s.raw is None for s in document.statements):
            return _Rendered(None, True, refs)
        body = {"Version": document.version or "2012-10-17"}
        body["Statement"] = [s.raw for s in document.statements]
        rendered = self.render(body)
        if rendered.unknown:
            self.degrade()
            return _Rendered(None, True, refs + rendered.refs)
        return _Rendered(json.dumps(rendered.value), refs=refs + rendered.refs)

    def degrade(self) -> None:
        if self.holder is not None:
            self.degraded.add(self.holder.address)

    def plan_time_value(self, value: Unknown) -> Any:
        """What Terraform knows while planning about a referenced attribute (with
        ``resolve_references`` off, only plan-time data sources: every other reference is
        "known after apply", as when names come from variables)."""
        if value.ref is None:
            return _MISSING
        address, attr = value.ref
        target = self.by_address.get(address)
        if target is None:
            return _MISSING
        table = PLAN_TIME_DATA.get(target.kind)
        if table is not None and split_address(address)[1].startswith("data."):
            return table.get(attr, _MISSING)
        if not self.resolve_references:
            return _MISSING
        known = target.attrs.get(attr, _MISSING)
        if attr == "id" and target.kind in ("aws_iam_user", "aws_iam_group", "aws_iam_role"):
            known = target.attrs.get("name", _MISSING)
        if isinstance(known, PolicyDocument):
            rendered = self.document(known)
            return _MISSING if rendered.unknown else rendered.value
        return known if isinstance(known, (str, int, float, bool)) else _MISSING

    def origin_references(self, origin: str) -> list[str]:
        if not origin:
            return []
        return self.references(Unknown(origin, ref=(origin, "json")))

    def references(self, value: Unknown) -> list[str]:
        """Configuration references, relative to the holder's module, for an Unknown."""
        if value.ref is None:
            steps = parse_traversal(value.source)
            return [value.source] if steps and steps[0][1] in ("var", "local") else []
        assert self.holder is not None
        holder_path, _ = split_address(self.holder.address)
        target_path, local = split_address(value.ref[0])
        attr = value.ref[1]
        refs = [f"{local}.{attr}", local] if attr else [local]
        if "[" in local:
            refs.append(local.split("[", 1)[0])
        return self.route(holder_path, target_path, refs)

    def route(self, holder: ModulePath, target: ModulePath, refs: list[str]) -> list[str]:
        """References valid in the target's module -> valid in the holder's, through
        synthetic module outputs (down) and module-call inputs (up)."""
        common = 0
        while common < min(len(holder), len(target)) and holder[common] == target[common]:
            common += 1
        for depth in range(len(target), common, -1):
            names = self.module_config(target[:depth])
            output = f"ref_{next(self.counter)}"
            self.configs[names]["outputs"][output] = {"expression": {"references": refs}}
            name, key = target[depth - 1]
            call = f"module.{name}{instance_suffix(key)}"
            refs = [f"{call}.{output}", call] + ([f"module.{name}"] if key is not None else [])
        for depth in range(common + 1, len(holder) + 1):
            names = self.module_config(holder[:depth])
            variable = f"ref_{next(self.counter)}"
            self.call(names)["expressions"][variable] = {"references": refs}
            refs = [f"var.{variable}"]
        return refs


def is_blocks(key: str, value: Any) -> bool:
    """Nested blocks: a list of objects that is not a JSON policy value."""
    if key in JSON_TEXT_ATTRS and key != "inline_policy":
        return False
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def merge_expressions(first: Any, second: Any) -> Any:
    """Several instances share one configuration block: equal constants stay, anything
    else becomes the union of references (instance keys dropped when they disagree)."""
    if isinstance(first, dict) and isinstance(second, dict) and not is_expression(first):
        merged = dict(first)
        for key, value in second.items():
            merged[key] = merge_expressions(first[key], value) if key in first else value
        return merged
    if isinstance(first, list) and isinstance(second, list):
        if len(first) != len(second):
            return first
        return [merge_expressions(a, b) for a, b in zip(first, second, strict=True)]
    if first == second:
        return first
    refs = list(dict.fromkeys(first.get("references", []) + second.get("references", [])))
    bases = list(dict.fromkeys(r.split("[", 1)[0] for r in refs if "[" in r))
    if bases:
        refs = [r for r in refs if "[" not in r and r not in bases] + bases
    return {"references": refs} if refs else {}


def is_expression(value: Any) -> bool:
    return isinstance(value, dict) and set(value) <= {"constant_value", "references"}


def plan_from_resources(
    resources: list[Resource], resolve_references: bool = True
) -> tuple[dict, set[str]]:
    """The plan JSON object and the degraded addresses."""
    builder = PlanBuilder(resources, resolve_references)
    return builder.plan(), builder.degraded
