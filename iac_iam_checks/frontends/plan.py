"""Terraform plan JSON front end: ``terraform show -json plan.out`` in, Resources out.

A plan already did the evaluation the HCL front end has to do by hand: variables, locals,
modules and ``count``/``for_each`` are resolved, and most values are known. What is left is
reading it in the normalized shape:

- resources come from ``planned_values`` (root module and nested ``child_modules``); data
  sources read while planning live in ``prior_state``, so they are taken from there too;
- a value that is ``true`` in ``resource_changes[].change.after_unknown`` becomes
  ``Unknown("<address>.<attr> (known after apply)")``; when ``configuration`` shows what the
  expression references, the Unknown carries ``ref`` like the HCL front end does, so the
  identity graph can still link resources (through ``var.x`` of a module call and
  ``module.m.output`` as well);
- an Optional+Computed attribute the configuration does not write (``iam_instance_profile``
  on an instance, ``inline_policy`` on a role) is dropped, not Unknown: it is absent;
- ``data "aws_iam_policy_document"`` gets ``attrs["json"]`` = the PolicyDocument of its
  rendered JSON (or, when the read is deferred to apply, one built from its statement blocks);
- provider configurations become ``provider`` pseudo-blocks. Plan ``variables`` are not
  emitted: CI injects them, and they are not code.

Every Resource points at its object in the plan file, so every finding does too. The
function is pure (text in, resources out) and never raises on bad input.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any

from ..model import limits
from ..model.values import (
    IDENTITY,
    TERRAFORM_PLAN,
    Location,
    ParseError,
    PolicyDocument,
    Resource,
    ScanInput,
    Unknown,
    without_lone_surrogates,
)
from .references import Step, instance_suffix, parse_traversal

MAX_VALUE_DEPTH = 64
MAX_MODULE_DEPTH = 32
MAX_REFERENCE_HOPS = 16
POLICY_DOCUMENT = "aws_iam_policy_document"
DOCUMENT_ATTRS = ("json", "minified_json")
DOCUMENT_INPUTS = ("statement", "source_policy_documents", "override_policy_documents")
NOT_RESOURCES = {"var", "local", "each", "count", "path", "self", "terraform", "module", "data"}

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')


def read_plan(text: str, file: str) -> ScanInput:
    """``parse_plan`` as the engine's front-end registry calls it."""
    resources, errors = parse_plan(text, file)
    return ScanInput(resources=resources, errors=errors)


def parse_plan(text: str, file: str) -> tuple[list[Resource], list[ParseError]]:
    """Read a plan JSON text; ``file`` is its path relative to the scan base."""
    text = without_lone_surrogates(text)
    try:
        with limits.parse_deadline():
            data = json.loads(text)
    except limits.ParseTimeout as error:
        return [], [ParseError(file, None, str(error))]
    except json.JSONDecodeError as error:
        return [], [ParseError(file, error.lineno, f"invalid JSON: {error.msg}")]
    except RecursionError:
        return [], [ParseError(file, None, "invalid JSON: nested too deeply")]
    if not isinstance(data, dict) or not isinstance(data.get("planned_values"), dict):
        return [], [ParseError(file, 1, "not a Terraform plan: no planned_values object")]
    return _Plan(data, text, file).resources(), []


# --- where objects are in the text ---------------------------------------------------------


@dataclass
class _Frame:
    is_object: bool
    path: tuple[Any, ...]
    line: int
    key: Any
    expect_key: bool = True


def object_spans(text: str) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Line spans of the resource objects (items of a ``resources`` list) and provider
    configurations of a JSON text that ``json.loads`` accepted, keyed by their JSON path."""
    spans: dict[tuple[Any, ...], tuple[int, int]] = {}
    stack: list[_Frame] = []
    line, last = 1, 0
    for match in _TOKEN.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        token = match.group()
        top = stack[-1] if stack else None
        if token in ("{", "["):
            path = top.path + (top.key,) if top else ()
            stack.append(_Frame(token == "{", path, line, None if token == "{" else 0))
        elif token in ("}", "]"):
            if not stack:
                break
            frame = stack.pop()
            if frame.is_object and _wanted(frame.path):
                spans[frame.path] = (frame.line, line)
        elif top is None or token == ":":
            if top is not None:
                top.expect_key = False
        elif token == ",":
            if top.is_object:
                top.expect_key = True
            else:
                top.key += 1
        elif top.is_object and top.expect_key:
            top.key = json.loads(token)
    return spans


def _wanted(path: tuple[Any, ...]) -> bool:
    if len(path) >= 2 and path[-2] == "resources" and isinstance(path[-1], int):
        return True
    return len(path) == 3 and path[:2] == ("configuration", "provider_config")


# --- references ----------------------------------------------------------------------------

ModulePath = tuple[tuple[str, Any], ...]
"""A module instance as (call name, instance key) pairs: ``module.a["x"].module.b``."""


def module_address(path: ModulePath) -> str:
    return ".".join(f"module.{name}{instance_suffix(key)}" for name, key in path)


def parse_module_address(address: str) -> ModulePath:
    """``module.a["x"].module.b`` -> (("a", "x"), ("b", None))."""
    steps = parse_traversal(address) if address else []
    out: list[tuple[str, Any]] = []
    index = 0
    while steps and index + 1 < len(steps) and steps[index] == ("attr", "module"):
        name = steps[index + 1][1]
        index += 2
        key = None
        if index < len(steps) and steps[index][0] == "index":
            key = steps[index][1]
            index += 1
        out.append((str(name), key))
    return tuple(out)


def _steps_address(steps: list[Step]) -> tuple[str, list[Step]] | None:
    """``type.name[key]`` (first steps of a reference) -> ("type.name[key]", rest)."""
    if len(steps) < 2 or steps[0][0] != "attr" or steps[1][0] != "attr":
        return None
    address = f"{steps[0][1]}.{steps[1][1]}"
    rest = steps[2:]
    if rest and rest[0][0] == "index":
        address += instance_suffix(rest[0][1])
        rest = rest[1:]
    return address, rest


def _first_attr(steps: list[Step]) -> str:
    return next((str(value) for kind, value in steps if kind == "attr"), "")


# --- the plan ------------------------------------------------------------------------------


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    """A list where the plan format has one; anything else a hostile or broken plan puts
    there (``"resource_changes": true``) counts as none."""
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _is_expression(value: Any) -> bool:
    """An expression object (``constant_value``/``references``), not a nested block's body."""
    return isinstance(value, dict) and set(value) <= {"constant_value", "references"}


def _is_empty(value: Any) -> bool:
    return isinstance(value, (str, list, dict)) and not value


class _Plan:
    def __init__(self, data: dict, text: str, file: str) -> None:
        self.data = data
        self.file = file
        self.spans = object_spans(text)
        self.changes: dict[str, dict] = {}
        for change in _list(data.get("resource_changes")):
            if isinstance(change, dict) and isinstance(change.get("address"), str):
                self.changes[change["address"]] = _dict(change.get("change"))
        configuration = _dict(data.get("configuration"))
        self.root_config = configuration.get("root_module")
        self.provider_config = _dict(configuration.get("provider_config"))
        self.documents: dict[str, PolicyDocument] = {}
        self.rendered: dict[str, str] = {}
        self.undecided: set[str] = set()

    # -- output -----------------------------------------------------------------------------

    def resources(self) -> list[Resource]:
        out: list[Resource] = []
        seen: set[str] = set()
        planned = _dict(self.data["planned_values"]).get("root_module")
        for path, module, entry in self.walk(planned, ("planned_values", "root_module"), ""):
            resource = self.resource(entry, path, module)
            if resource is not None and resource.address not in seen:
                seen.add(resource.address)
                out.append(resource)
        prior = _dict(_dict(self.data.get("prior_state")).get("values")).get("root_module")
        for path, module, entry in self.walk(prior, ("prior_state", "values", "root_module"), ""):
            if entry.get("mode") != "data" or entry.get("address") in seen:
                continue
            resource = self.resource(entry, path, module)
            if resource is not None:
                seen.add(resource.address)
                out.append(resource)
        self.link_documents(out)
        out.extend(self.providers())
        return out

    def walk(self, module: Any, path: tuple[Any, ...], address: str, depth: int = 0):
        """(JSON path, module address, resource object) of a module and its children."""
        if not isinstance(module, dict) or depth > MAX_MODULE_DEPTH:
            return
        resources = module.get("resources")
        for index, entry in enumerate(resources if isinstance(resources, list) else []):
            if isinstance(entry, dict):
                yield path + ("resources", index), address, entry
        children = module.get("child_modules")
        for index, child in enumerate(children if isinstance(children, list) else []):
            if isinstance(child, dict):
                child_address = child.get("address")
                yield from self.walk(
                    child,
                    path + ("child_modules", index),
                    child_address if isinstance(child_address, str) else address,
                    depth + 1,
                )

    def location(self, path: tuple[Any, ...]) -> Location:
        line, end = self.spans.get(path, (1, 1))
        return Location(self.file, line, end)

    def resource(self, entry: dict, path: tuple[Any, ...], module: str) -> Resource | None:
        address, kind, name = (_text(entry.get(key)) for key in ("address", "type", "name"))
        if not (address and kind and name):
            return None
        mode = "data" if entry.get("mode") == "data" else "managed"
        module_path = parse_module_address(module)
        config = self.resource_config(module_path, mode, kind, name)
        expressions = config.get("expressions") if config is not None else None
        unknown = self.changes.get(address, {}).get("after_unknown")
        converter = _Converter(self, address, module_path)
        attrs = converter.block(
            _dict(entry.get("values")),
            unknown,
            expressions if isinstance(expressions, dict) else None,
            "",
            nested=False,
        )
        where = self.location(path)
        metadata: dict[str, Any] = {}
        if mode == "data" and kind == POLICY_DOCUMENT:
            if isinstance(attrs.get("json"), str):
                self.rendered[address] = attrs["json"]
            document = self.policy_document(attrs, where, address)
            if document is not None:
                attrs["json"] = document
            if isinstance(document, PolicyDocument):
                self.documents[address] = document
            used = self.referenced(module_path, f"data.{kind}.{name}")
            metadata["used"] = bool(used)
            if used is None:
                self.undecided.add(address)
        index = entry.get("index")
        return Resource(
            kind=kind,
            address=address,
            framework=TERRAFORM_PLAN,
            location=where,
            attrs=attrs,
            scope=self.file,
            name=name,
            module=module,
            instance_key=index if isinstance(index, (str, int)) else None,
            metadata=metadata,
        )

    def policy_document(self, attrs: dict, where: Location, address: str) -> Any:
        """The rendered JSON when the data source was read while planning; else a document
        built from its (partly unknown) statement blocks, as the HCL front end would."""
        from ..iam.documents import document_from_value

        rendered = attrs.get("json")
        if isinstance(rendered, str):
            return document_from_value(rendered, IDENTITY, where, origin=address)
        if not any(
            k in attrs
            for k in ("statement", "source_policy_documents", "override_policy_documents")
        ):
            return rendered
        from ..iam.document_blocks import build_policy_document

        return build_policy_document(attrs, where, address)

    def link_documents(self, resources: list[Resource]) -> None:
        """Where a value is an unknown reference to a policy document built here, use the
        document itself (as the HCL front end does). When the configuration cannot tell
        whether a document is used (a local may carry it), a resource carrying its rendered
        text verbatim uses it."""
        texts: set[str] = set()
        used: set[str] = set()
        for resource in resources:
            if resource.kind == POLICY_DOCUMENT and resource.address in self.documents:
                continue
            self.substitute(resource.attrs, resource.location, used, texts, 0)
        for resource in resources:
            if resource.address not in self.documents:
                continue
            carried = resource.address in self.undecided and (
                self.rendered.get(resource.address) in texts
            )
            if resource.address in used or carried:
                resource.metadata["used"] = True

    def substitute(
        self, value: Any, where: Location, used: set[str], texts: set[str], depth: int
    ) -> Any:
        """Replace references to built documents in place (findings on the resource that
        uses a document point at that resource: ``where``)."""
        if depth > MAX_VALUE_DEPTH:
            return value
        if isinstance(value, Unknown) and value.ref and value.ref[1] in DOCUMENT_ATTRS:
            document = self.documents.get(value.ref[0])
            if document is None:
                return value
            used.add(value.ref[0])
            return dataclasses.replace(
                document,
                location=where,
                statements=[dataclasses.replace(s, location=where) for s in document.statements],
            )
        if isinstance(value, str):
            texts.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                value[key] = self.substitute(item, where, used, texts, depth + 1)
        elif isinstance(value, list):
            value[:] = [self.substitute(item, where, used, texts, depth + 1) for item in value]
        return value

    def providers(self) -> list[Resource]:
        out = []
        for key, entry in self.provider_config.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                continue
            name, alias = entry["name"], entry.get("alias")
            module = entry.get("module_address")
            module = module if isinstance(module, str) else ""
            address = f"provider.{name}" + (f".{alias}" if isinstance(alias, str) and alias else "")
            if module:
                address = f"{module}.{address}"
            expressions = _dict(entry.get("expressions"))
            out.append(
                Resource(
                    kind="provider",
                    address=address,
                    framework=TERRAFORM_PLAN,
                    location=self.location(("configuration", "provider_config", key)),
                    attrs=_expression_values(expressions, address, 0),
                    scope=self.file,
                    name=alias if isinstance(alias, str) and alias else name,
                    module=module,
                    metadata={},
                )
            )
        return out

    # -- configuration ----------------------------------------------------------------------

    def module_config(self, path: ModulePath) -> dict | None:
        config = self.root_config
        for name, _ in path:
            call = _dict(_dict(_dict(config).get("module_calls")).get(name))
            config = call.get("module")
        return config if isinstance(config, dict) else None

    def call_config(self, path: ModulePath) -> dict:
        parent = self.module_config(path[:-1]) if path else None
        return _dict(_dict(_dict(parent).get("module_calls")).get(path[-1][0])) if path else {}

    def resource_config(self, path: ModulePath, mode: str, kind: str, name: str) -> dict | None:
        config = self.module_config(path)
        if config is None:
            return None
        for entry in _list(config.get("resources")):
            if (
                isinstance(entry, dict)
                and entry.get("type") == kind
                and entry.get("name") == name
                and (entry.get("mode") or "managed") == mode
            ):
                return entry
        return None

    def referenced(self, path: ModulePath, address: str) -> bool | None:
        """Whether anything in the module's configuration (besides the block itself)
        references ``address``; None when that cannot be told (no configuration, or
        references to locals, which the configuration does not show)."""
        config = self.module_config(path)
        if config is None:
            return None
        holders: list[Any] = []
        for entry in _list(config.get("resources")):
            if isinstance(entry, dict) and entry.get("address") != address:
                holders.append(entry.get("expressions"))
                holders.append(entry.get("count_expression"))
                holders.append(entry.get("for_each_expression"))
        for call in _dict(config.get("module_calls")).values():
            holders.append(_dict(call).get("expressions"))
        references = list(_references_in(holders, 0))
        if any(r == address or r.startswith((address + ".", address + "[")) for r in references):
            return True
        return None if any(r.startswith("local.") for r in references) else False

    def targets(self, references: Any, path: ModulePath, hops: int) -> list[tuple[str, str]]:
        """The distinct resources (address, attribute) an expression's references name."""
        out: list[tuple[str, str]] = []
        for text in references if isinstance(references, list) else []:
            if not isinstance(text, str):
                continue
            steps = parse_traversal(text)
            for target in self.target(steps, path, hops) if steps else []:
                base = target[0].split("[", 1)[0]
                if not any(t[0] == target[0] or t[0].split("[", 1)[0] == base for t in out):
                    out.append(target)
        return out

    def target(self, steps: list[Step], path: ModulePath, hops: int) -> list[tuple[str, str]]:
        root = steps[0][1]
        prefix = module_address(path) + "." if path else ""
        if root == "var" and len(steps) > 1 and path and hops < MAX_REFERENCE_HOPS:
            expression = _dict(_dict(self.call_config(path).get("expressions")).get(steps[1][1]))
            return self.targets(expression.get("references"), path[:-1], hops + 1)
        if root == "module" and len(steps) > 2 and hops < MAX_REFERENCE_HOPS:
            return self.module_output(steps[1:], path, hops)
        if root == "data":
            found = _steps_address(steps[1:])
            if found is None:
                return []
            return [(f"{prefix}data.{found[0]}", _first_attr(found[1]))]
        if root in NOT_RESOURCES:
            return []
        found = _steps_address(steps)
        return [(prefix + found[0], _first_attr(found[1]))] if found else []

    def module_output(self, steps: list[Step], path: ModulePath, hops: int) -> list:
        """``module.m["k"].out`` -> what the output's expression references, in the module."""
        name, rest = steps[0][1], steps[1:]
        key = None
        if rest and rest[0][0] == "index":
            key, rest = rest[0][1], rest[1:]
        if not rest or rest[0][0] != "attr":
            return []
        child = path + ((str(name), key),)
        outputs = _dict(_dict(self.module_config(child)).get("outputs"))
        expression = _dict(_dict(outputs.get(rest[0][1])).get("expression"))
        return self.targets(expression.get("references"), child, hops + 1)


def _references_in(value: Any, depth: int):
    if depth > MAX_VALUE_DEPTH:
        return
    if isinstance(value, dict):
        references = value.get("references")
        if _is_expression(value) and isinstance(references, list):
            yield from (r for r in references if isinstance(r, str))
            return
        for item in value.values():
            yield from _references_in(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _references_in(item, depth + 1)


def _expression_values(expressions: dict, address: str, depth: int) -> dict[str, Any]:
    """A configuration block's expressions as values: constants as written, anything else
    Unknown (providers are only in the configuration)."""
    out: dict[str, Any] = {}
    for key, expression in expressions.items():
        if depth > MAX_VALUE_DEPTH:
            break
        if isinstance(expression, list):
            out[key] = [
                _expression_values(item, address, depth + 1)
                for item in expression
                if isinstance(item, dict)
            ]
        elif _is_expression(expression):
            if "constant_value" in expression:
                if expression["constant_value"] is not None:
                    out[key] = expression["constant_value"]
            else:
                references = _list(expression.get("references"))
                source = references[0] if references and isinstance(references[0], str) else ""
                out[key] = Unknown(source or f"{address}.{key}")
        elif isinstance(expression, dict):
            out[key] = [_expression_values(expression, address, depth + 1)]
    return out


class _Converter:
    """Planned values of one resource -> attrs, with after_unknown and configuration."""

    def __init__(self, plan: _Plan, address: str, module_path: ModulePath) -> None:
        self.plan = plan
        self.address = address
        self.module_path = module_path

    def block(
        self, values: dict, unknown: Any, expressions: dict | None, prefix: str, nested: bool
    ) -> dict[str, Any]:
        """A resource body or nested block. With ``expressions`` (the configuration of this
        block), attributes it does not write are dropped when unknown or empty; without, a
        nested block's empty attributes are dropped (the schema lists them all)."""
        masks = unknown if isinstance(unknown, dict) else {}
        out: dict[str, Any] = {}
        for key in list(values) + [k for k in masks if k not in values]:
            path = f"{prefix}.{key}" if prefix else str(key)
            expression = expressions.get(key) if expressions is not None else None
            value = self.value(values.get(key), masks.get(key), expression, path, 1)
            if value is None:
                continue
            if expressions is not None and key not in expressions:
                if isinstance(value, Unknown) or _is_empty(value):
                    continue
            elif expressions is None and nested and _is_empty(value):
                continue
            out[key] = value
        return out

    def value(self, value: Any, mask: Any, expression: Any, path: str, depth: int) -> Any:
        if depth > MAX_VALUE_DEPTH:
            return Unknown(f"{self.address}.{path} (nested too deeply)")
        if mask is True:
            return self.unknown(path, expression)
        if isinstance(value, list):
            return self.items(value, mask, expression, path, depth)
        if isinstance(value, dict):
            if isinstance(expression, dict) and not _is_expression(expression):
                return self.block(value, mask, expression, path, nested=True)
            masks = mask if isinstance(mask, dict) else {}
            out = {}
            for key, item in value.items():
                converted = self.value(item, masks.get(key), expression, f"{path}.{key}", depth + 1)
                if converted is not None:
                    out[key] = converted
            return out
        return value

    def items(self, values: list, mask: Any, expression: Any, path: str, depth: int) -> list:
        masks = mask if isinstance(mask, list) else []
        blocks = expression if isinstance(expression, list) else None
        if blocks is not None and len(blocks) != len(values):
            blocks = None  # dynamic blocks are not in the configuration
        out = []
        for index, item in enumerate(values):
            item_mask = masks[index] if index < len(masks) else None
            item_path = f"{path}[{index}]"
            if isinstance(item, dict) and (blocks is not None or not _is_expression(expression)):
                block_expression = _dict(blocks[index]) if blocks is not None else None
                out.append(self.block(item, item_mask, block_expression, item_path, nested=True))
            elif item_mask is True:
                out.append(self.unknown(item_path, expression, index, len(values)))
            else:
                out.append(self.value(item, item_mask, expression, item_path, depth + 1))
        return out

    def unknown(self, path: str, expression: Any, index: int | None = None, count: int = 1):
        """An unknown value; ``ref`` when the expression names one resource (or, for the
        ``index``-th of ``count`` list items, when it names ``count`` resources in order)."""
        ref = None
        if _is_expression(expression):
            targets = self.plan.targets(expression.get("references"), self.module_path, 0)
            if len(targets) == 1:
                ref = targets[0]
            elif index is not None and len(targets) == count:
                ref = targets[index]
        return Unknown(f"{self.address}.{path} (known after apply)", ref)
