"""checkov's ``conf`` dicts -> our ``Resource``, so checks run unchanged inside checkov.

checkov hands each check a differently shaped copy of the same block (measured on 3.3.30):

- Terraform HCL: every attribute is wrapped in a one-item list (``{"name": ["x"]}``); nested
  blocks are lists of dicts with wrapped values; ``__start_line__``/``__end_line__``/
  ``__address__`` markers; ``jsonencode`` and JSON heredocs arrive already decoded (dicts);
  ``"true"``/``"false"`` become bools. What checkov could not evaluate stays as text with the
  ``${}`` stripped: ``"arn:aws:s3:::var.b/*"``, ``"upper(var.x)"``,
  ``"data.aws_iam_policy_document.d.json"``, ``'${file("...")}'``. Such text becomes
  ``Unknown``/``Template`` here, never a silent literal. ``dynamic`` blocks of data sources
  stay unexpanded.
- Terraform plan: the same wrapping, markers ``__startline__``/``__endline__``/``__file__``
  (list-wrapped) plus ``start_line``/``end_line``, a top-level JSON policy string decoded,
  nested ones left as text; values known only after apply are simply absent.
- CloudFormation: the resource as written (``Type``, ``Properties``, ``Metadata``), every dict
  marked with ``__file__``/``__startline__``/``__endline__`` and ``Properties`` given an extra
  ``resource_type``; short tags are long form; keys resolved like values (``Null:`` is None,
  ``true:`` a bool); checkov substitutes parameter defaults (``Ref``, ``${Param}`` in
  ``Fn::Sub``, a list parameter as its comma-separated text) but leaves ``Ref``/``Fn::GetAtt``
  to resources, pseudo parameters, ``Fn::If``, ``Fn::Join``, ``Fn::Select`` and
  ``Fn::FindInMap`` (``Mappings`` are not in ``conf``: Unknown) as dicts. Once the markers
  and keys are undone, the CloudFormation front end evaluates the resource.

The ``aws_iam_policy_document`` data source and CloudFormation intrinsics are evaluated by the
same code as in the CLI (``iam.document_blocks``, ``frontends.cloudformation``), references and
``dynamic`` collections by the shared Terraform helpers (``frontends.references``); this module
only reshapes checkov's data into ``Resource``s of the ordinary frameworks, so the entities
checks read come from the same per-format tables (``model.entity_tables``) as in the CLI.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..iam.document_blocks import build_policy_document
from ..iam.sources import POLICY_DOCUMENT_DATA_SOURCE, TERRAFORM_SOURCES
from ..model.values import (
    PSEUDO_KINDS,
    TERRAFORM,
    TERRAFORM_PLAN,
    LocatedDict,
    Location,
    Resource,
    Unknown,
    location_of,
    make_string,
)
from .cloudformation import resources_from_document
from .references import dynamic_items, parse_traversal, reference

_MARKER = re.compile(r"^__\w+__$")
_PLAN_MARKERS = {"start_line", "end_line"}
_META_ARGUMENTS = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner"}
_BLOCK_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")
_REFERENCE = re.compile(
    r"(?<![\w.\-])(?:"
    r"(?:var|local|module|data|each|count|path|self|terraform)\.[A-Za-z_][\w\-]*"
    r"|[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w\-]*(?:\[[^\]]*\])?\.[A-Za-z_][\w\-]*"
    r")(?:\.[A-Za-z_*][\w\-]*|\[[^\]]*\])*"
)
_NOT_RESOURCES = {"var", "local", "module", "each", "count", "path", "self", "terraform"}
_CALL = re.compile(r"^[a-z][a-z0-9_]*\(.*\)$", re.DOTALL)
_INSTANCE_KEY = re.compile(r"\[([^\]]*)\]$")

# --- which checkov registries a check goes into ------------------------------------------

# PSEUDO_KINDS (model.values): checkov shows only providers, as provider entities.


@dataclass(frozen=True)
class CheckovKinds:
    resources: list[str]
    data: list[str]
    provider: bool


def checkov_kinds(kinds: Iterable[str]) -> CheckovKinds:
    """Our kinds for one framework -> checkov entity types (``*`` is checkov's wildcard too).

    A Terraform kind is both a resource and a data source type, as in our front end, except
    ``aws_iam_policy_document`` (only a data source)."""
    real = [kind for kind in kinds if kind not in PSEUDO_KINDS]
    return CheckovKinds(
        resources=[kind for kind in real if kind != POLICY_DOCUMENT_DATA_SOURCE],
        data=real,
        provider=bool({"provider", "*"} & set(kinds)),
    )


# --- Terraform and plan -------------------------------------------------------------------


def terraform_resource(
    conf: dict[str, Any], entity_type: str, entity_path: str, block_type: str
) -> Resource:
    """One checkov Terraform/plan entity (``block_type`` "resource" or "data") as a Resource."""
    plan = "__startline__" in conf
    file = scanned_file(entity_path, entity_type)
    module, local_address, address = _address_parts(conf, entity_type, entity_path, block_type)
    key_match = _INSTANCE_KEY.search(local_address)
    start = _unwrap(conf.get("__startline__" if plan else "__start_line__", 1))
    end = _unwrap(conf.get("__endline__" if plan else "__end_line__", start))
    location = Location(file, int(start), int(end))
    skip = _META_ARGUMENTS | (_PLAN_MARKERS if plan else set())
    attrs = {
        key: _attribute(value)
        for key, value in conf.items()
        if key not in skip and not _MARKER.match(key) and key != "dynamic"
    }
    _expand_dynamic(conf.get("dynamic"), attrs)
    if block_type == "data" and entity_type == POLICY_DOCUMENT_DATA_SOURCE:
        attrs["json"] = build_policy_document(_provider_strings(attrs), location, address)
    if plan:
        attrs = {key: _after_apply(value, f"{address}.{key}") for key, value in attrs.items()}
        for source in TERRAFORM_SOURCES.get(entity_type, ()):
            if "[" not in source.path and source.path not in attrs:
                attrs[source.path] = Unknown(f"{address}.{source.path} (known after apply)")
    return Resource(
        kind=entity_type,
        address=address,
        framework=TERRAFORM_PLAN if plan else TERRAFORM,
        location=location,
        attrs=attrs,
        scope=file.rpartition("/")[0],
        name=local_address.split("[", 1)[0],
        module=module,
        instance_key=_instance_key(key_match.group(1)) if key_match else None,
        metadata={"used": False} if block_type == "data" else {},
    )


def terraform_address(
    conf: dict[str, Any], entity_type: str, entity_path: str, block_type: str
) -> str:
    """Our address of a checkov Terraform/plan entity (``data.`` for data sources)."""
    return _address_parts(conf, entity_type, entity_path, block_type)[2]


def _address_parts(
    conf: dict[str, Any], entity_type: str, entity_path: str, block_type: str
) -> tuple[str, str, str]:
    """(module path, local address, our address) from checkov's ``__address__``."""
    address = str(conf.get("__address__") or entity_path.rsplit(":", 1)[-1])
    module, separator, local_address = address.rpartition(f".{entity_type}.")
    if not separator:
        module, local_address = "", address.removeprefix(f"{entity_type}.")
    if block_type == "data":
        address = f"{module}.data.{entity_type}.{local_address}".lstrip(".")
    return module, local_address, address


def _after_apply(value: Any, source: str) -> Any:
    """A plan writes a list item known only after apply as null: make it Unknown."""
    if isinstance(value, list):
        unknown = Unknown(f"{source} (known after apply)")
        return [unknown if item is None else _after_apply(item, source) for item in value]
    if isinstance(value, dict):
        return {key: _after_apply(item, f"{source}.{key}") for key, item in value.items()}
    return value


def provider_resource(conf: dict[str, Any], entity_path: str) -> Resource:
    """``provider "aws" {...}`` as our ``provider`` pseudo-resource."""
    resource = terraform_resource(conf, "aws", entity_path, "provider")
    resource.kind = "provider"
    resource.address = provider_address(conf)
    resource.name = "aws"
    return resource


def provider_address(conf: dict[str, Any]) -> str:
    """Our address of ``provider "aws" {...}``: ``provider.aws[.alias]``."""
    alias = _attribute(conf["alias"]) if "alias" in conf else None
    return f"provider.aws.{alias}" if isinstance(alias, str) else "provider.aws"


def _provider_strings(value: Any) -> Any:
    """checkov turns the text ``"true"``/``"5"`` into a bool/number; every argument of
    ``aws_iam_policy_document`` is a string in the provider's schema, so turn them back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        return {key: _provider_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_provider_strings(item) for item in value]
    return value


def scanned_file(entity_path: str, entity_type: str) -> str:
    """checkov's ``entity_path`` is ``<scanned file>:<type>:<name>``, the file starting with /."""
    return entity_path.partition(f":{entity_type}:")[0].lstrip("/")


def _instance_key(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _unwrap(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _attribute(wrapped: Any) -> Any:
    """An attribute's conf value: a one-item wrapper, or a list of nested blocks."""
    if isinstance(wrapped, list) and wrapped and all(_is_block(item) for item in wrapped):
        return [_block(item) for item in wrapped]
    if isinstance(wrapped, list) and len(wrapped) == 1:
        return _plain(wrapped[0])
    return _plain(wrapped)


def _is_block(item: Any) -> bool:
    """A nested block has snake_case keys and wrapped values; ``jsonencode`` objects do not.
    (``x = {}`` and an empty ``x {}`` block look alike; both become ``[{}]``.)"""
    if not isinstance(item, dict):
        return False
    return all(
        _MARKER.match(key) or key in _PLAN_MARKERS or (_BLOCK_KEY.match(key) and _wrapped(value))
        for key, value in item.items()
    )


def _wrapped(value: Any) -> bool:
    return isinstance(value, list) or (isinstance(value, dict) and not value)


def _block(item: dict[str, Any]) -> dict[str, Any]:
    out = {
        key: _attribute(value)
        for key, value in item.items()
        if not _MARKER.match(key) and key not in _PLAN_MARKERS and key != "dynamic"
    }
    _expand_dynamic(item.get("dynamic"), out)
    return out


def _expand_dynamic(dynamic: Any, out: dict[str, Any]) -> None:
    """``dynamic "x" { for_each = [literal list or map] content {...} }`` -> ``x`` blocks;
    anything else is one Unknown block, so a check never passes what it could not see."""
    for entry in dynamic if isinstance(dynamic, list) else []:
        for name, spec in entry.items() if isinstance(entry, dict) else ():
            blocks = out.setdefault(name, [])
            spec = spec if isinstance(spec, dict) else {}
            pairs = dynamic_items(_unwrap(spec.get("for_each")))
            contents = spec.get("content")
            iterator = _unwrap(spec.get("iterator", name))
            if pairs is None:
                blocks.append(Unknown(f'dynamic "{name}"'))
                continue
            if not isinstance(contents, list) or not all(isinstance(c, dict) for c in contents):
                blocks.append(Unknown(f'dynamic "{name}"'))
                continue
            for key, value in pairs:
                for content in contents:
                    bound = _bind(content, str(iterator), key, value)
                    blocks.append(_block(bound) if bound is not None else Unknown(name))


def _bind(value: Any, iterator: str, key: Any, item: Any) -> Any:
    """Substitute ``${it.key}``/``${it.value}`` in a dynamic block's content (scalars only)."""
    if isinstance(value, dict):
        return {k: _bind(v, iterator, key, item) for k, v in value.items()}
    if isinstance(value, list):
        return [_bind(v, iterator, key, item) for v in value]
    if not isinstance(value, str) or not isinstance(item, (str, int, float, bool)):
        return value
    for name, replacement in ((f"{iterator}.key", key), (f"{iterator}.value", item)):
        if value == name or value == "${" + name + "}":
            return replacement
        value = value.replace("${" + name + "}", str(replacement))
    return value


def _plain(value: Any) -> Any:
    """A rendered value: unevaluated expression text becomes Unknown or a Template."""
    if isinstance(value, str):
        return _terraform_string(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if not _MARKER.match(str(key))}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _terraform_string(text: str) -> Any:
    stripped = text.strip()
    if stripped.startswith("${") and stripped.endswith("}"):
        return Unknown(stripped[2:-1])
    if _CALL.match(stripped):
        return Unknown(stripped)
    parts: list[str | Unknown] = []
    position = 0
    for match in _REFERENCE.finditer(text):
        parts.append(text[position : match.start()])
        parts.append(_reference(match.group(0)))
        position = match.end()
    if not parts:
        return text
    parts.append(text[position:])
    return make_string(parts)


def _reference(source: str) -> Unknown:
    """``aws_iam_user.a.name`` keeps ``ref`` so messages and graphs can name the target."""
    steps = parse_traversal(source) or []
    if len(steps) < 2 or steps[0][1] in _NOT_RESOURCES:
        return Unknown(source)
    if steps[0][1] == "data":
        return reference(f"data.{steps[1][1]}", steps[2:], source)
    return reference(str(steps[0][1]), steps[1:], source)


# --- CloudFormation -----------------------------------------------------------------------


def cloudformation_resources(
    conf: dict[str, Any], entity_type: str, entity_path: str
) -> list[Resource]:
    """One CloudFormation resource as our front end evaluates it: once per combination of the
    ``Fn::If`` conditions it chooses between outside lists (a check fails when any fails)."""
    file = scanned_file(entity_path, entity_type)
    logical_id = entity_path.rpartition(f":{entity_type}:")[2]
    body = _cfn_value(conf, file)
    body.setdefault("Type", entity_type)
    properties = body.get("Properties")
    if isinstance(properties, dict) and properties.get("resource_type") == entity_type:
        del properties["resource_type"]  # checkov's own addition
    body.location = body.location or location_of(properties) or Location(file, 1, 1)
    resources, _ = resources_from_document({"Resources": {logical_id: body}}, file)
    return resources


def _cfn_value(raw: Any, file: str) -> Any:
    """checkov's template data as the CloudFormation front end reads it: line markers become
    locations, keys become the names they were written as."""
    if isinstance(raw, dict):
        out = LocatedDict(
            (_cfn_key(key), _cfn_value(item, file))
            for key, item in raw.items()
            if not (isinstance(key, str) and _MARKER.match(key))
        )
        if "__startline__" in raw:
            start = int(raw["__startline__"])
            out.location = Location(file, start, int(raw.get("__endline__", start)))
        return out
    if isinstance(raw, list):
        return [_cfn_value(item, file) for item in raw]
    return raw


def _cfn_key(key: Any) -> str:
    """checkov's YAML loader resolves keys like values: the condition operator ``Null:``
    arrives as None, ``true:`` as a bool."""
    if key is None:
        return "Null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)
