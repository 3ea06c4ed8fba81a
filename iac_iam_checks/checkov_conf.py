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
  ``resource_type``; short tags are long form; checkov substitutes parameter defaults (``Ref``,
  ``${Param}`` in ``Fn::Sub``, a list parameter as its comma-separated text) but leaves
  ``Ref``/``Fn::GetAtt`` to resources, pseudo parameters, ``Fn::If``, ``Fn::Join``,
  ``Fn::Select`` and ``Fn::FindInMap`` (``Mappings`` are not in ``conf``: Unknown) as dicts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .model import (
    CLOUDFORMATION,
    IDENTITY,
    TERRAFORM,
    TERRAFORM_PLAN,
    LocatedDict,
    LocatedList,
    Location,
    PolicyDocument,
    Resource,
    Template,
    Unknown,
    make_string,
)
from .policy import document_from_value
from .policy_sources import POLICY_DOCUMENT_DATA_SOURCE, TERRAFORM_SOURCES

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
_RESOURCE_REF = re.compile(r"^((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w\-]*)\.(\w+)")
_CALL = re.compile(r"^[a-z][a-z0-9_]*\(.*\)$", re.DOTALL)
_INSTANCE_KEY = re.compile(r"\[([^\]]*)\]$")

# --- which checkov registries a check goes into ------------------------------------------

PSEUDO_KINDS = {"variable", "locals", "tfvars", "provider", "Parameter"}
"""Pseudo-blocks of our front ends; checkov only shows providers, as provider entities."""


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
    file = _scanned_file(entity_path, entity_type)
    address = str(conf.get("__address__") or entity_path.rsplit(":", 1)[-1])
    module, separator, local_address = address.rpartition(f".{entity_type}.")
    if not separator:
        module, local_address = "", address.removeprefix(f"{entity_type}.")
    if block_type == "data":
        address = f"{module}.data.{entity_type}.{local_address}".lstrip(".")
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
        attrs["json"] = _data_document(attrs, location, address)
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
    alias = resource.attrs.get("alias")
    resource.kind = "provider"
    resource.address = f"provider.aws.{alias}" if isinstance(alias, str) else "provider.aws"
    resource.name = "aws"
    return resource


def _data_document(attrs: dict[str, Any], location: Location, address: str) -> PolicyDocument:
    """Render ``data "aws_iam_policy_document"`` to policy JSON the way the provider merges it
    (source documents, then own statements, then overrides; the same Sid replaces) and
    normalize that. A source that checkov left as a reference is an Unknown statement."""
    statements: list[Any] = []

    def merge(new: list[Any]) -> None:
        for statement in new:
            sid = statement.get("Sid") if isinstance(statement, dict) else None
            same = [i for i, s in enumerate(statements) if sid and isinstance(s, dict)]
            same = [i for i in same if statements[i].get("Sid") == sid]
            if same:
                statements[same[0]] = statement
            else:
                statements.append(statement)

    for key in ("source_policy_documents", "source_json"):
        merge(_document_statements(attrs.get(key)))
    merge([_statement_json(block) for block in _as_list(attrs.get("statement"))])
    for key in ("override_policy_documents", "override_json"):
        merge(_document_statements(attrs.get(key)))
    document = LocatedDict(Version=attrs.get("version", "2012-10-17"), Statement=statements)
    document.location = location
    return document_from_value(document, IDENTITY, location, origin=address)


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def _document_statements(value: Any) -> list[Any]:
    out: list[Any] = []
    for document in _as_list(value):
        if isinstance(document, str):
            try:
                document = json.loads(document)
            except ValueError:
                document = Unknown(document)
        if isinstance(document, dict) and isinstance(document.get("Statement"), (list, dict)):
            out.extend(_as_list(document["Statement"]))
        else:
            out.append(
                document if isinstance(document, (Unknown, Template)) else Unknown(str(document))
            )
    return out


def _statement_json(block: Any) -> Any:
    """One ``statement {}`` block as a policy statement object."""
    if not isinstance(block, dict):
        return block
    fields = {
        "Sid": block.get("sid"),
        "Effect": block.get("effect", "Allow"),
        "Action": block.get("actions"),
        "NotAction": block.get("not_actions"),
        "Resource": block.get("resources"),
        "NotResource": block.get("not_resources"),
        "Principal": _principals_json(block.get("principals")),
        "NotPrincipal": _principals_json(block.get("not_principals")),
        "Condition": _conditions_json(block.get("condition")),
    }
    return {key: value for key, value in fields.items() if value not in (None, "")}


def _principals_json(blocks: Any) -> Any:
    if blocks is None:
        return None
    out: dict[str, Any] = {}
    for block in _as_list(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            return block if isinstance(block, Unknown) else Unknown("principals")
        identifiers = block.get("identifiers")
        if isinstance(identifiers, list) and isinstance(out.get(block["type"]), list):
            out[block["type"]] = out[block["type"]] + identifiers
        else:
            out[block["type"]] = identifiers
    return out


def _conditions_json(blocks: Any) -> Any:
    if blocks is None:
        return None
    out: dict[str, Any] = {}
    for block in _as_list(blocks):
        if not isinstance(block, dict):
            return block if isinstance(block, Unknown) else Unknown("condition")
        test, variable, values = block.get("test"), block.get("variable"), block.get("values")
        if not isinstance(test, str) or not isinstance(variable, str):
            return Unknown("condition")
        known = out.setdefault(test, {}).get(variable)
        both_lists = isinstance(known, list) and isinstance(values, list)
        out[test][variable] = known + values if both_lists else values
    return out


def _scanned_file(entity_path: str, entity_type: str) -> str:
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
            items = _unwrap(spec.get("for_each")) if isinstance(spec, dict) else None
            contents = spec.get("content") if isinstance(spec, dict) else None
            iterator = _unwrap(spec.get("iterator", name)) if isinstance(spec, dict) else name
            if isinstance(items, list):
                pairs = list(enumerate(items))
            elif isinstance(items, dict):
                pairs = list(items.items())
            else:
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
    match = _RESOURCE_REF.match(source)
    if match and not source.startswith(("var.", "local.", "module.")):
        return Unknown(source, ref=(match.group(1), match.group(2)))
    return Unknown(source)


# --- CloudFormation -----------------------------------------------------------------------

MAX_VARIANTS = 16
_VARYING_CONDITIONS = 4
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_NO_VALUE: Any = object()


def cloudformation_resources(
    conf: dict[str, Any], entity_type: str, entity_path: str
) -> list[Resource]:
    """One CloudFormation resource, once per combination of the ``Fn::If`` conditions it
    chooses between outside lists (a check fails when any variant fails)."""
    file = _scanned_file(entity_path, entity_type)
    logical_id = entity_path.rpartition(f":{entity_type}:")[2]
    location = Location(file, int(conf.get("__startline__", 1)), int(conf.get("__endline__", 1)))
    names: list[str] = []
    _conditions_in(conf.get("Properties"), names, in_list=False)
    out: list[Resource] = []
    for choices in _choices(names):
        attrs = _cfn_value(conf.get("Properties") or {}, choices, file)
        if isinstance(attrs, dict) and attrs.get("resource_type") == entity_type:
            del attrs["resource_type"]  # checkov's own addition
        metadata = _cfn_value(conf.get("Metadata") or {}, choices, file)
        out.append(
            Resource(
                kind=entity_type,
                address=logical_id,
                framework=CLOUDFORMATION,
                location=location,
                attrs=attrs if isinstance(attrs, dict) else {},
                scope=file,
                name=logical_id,
                metadata={
                    "Metadata": metadata if isinstance(metadata, dict) else {},
                    "Condition": conf.get("Condition"),
                },
            )
        )
    return out


def _function(raw: Any) -> tuple[str, Any] | None:
    keys = [k for k in raw if not _MARKER.match(k)] if isinstance(raw, dict) else []
    if len(keys) == 1 and (keys[0] == "Ref" or keys[0].startswith("Fn::")):
        return keys[0], raw[keys[0]]
    return None


def _conditions_in(raw: Any, names: list[str], in_list: bool) -> None:
    """Condition names of ``Fn::If`` outside lists (inside lists both branches are kept)."""
    function = _function(raw)
    if function and function[0] == "Fn::If" and isinstance(function[1], list):
        name = function[1][0] if function[1] else None
        if not in_list and isinstance(name, str) and name not in names:
            names.append(name)
        for branch in function[1][1:]:
            _conditions_in(branch, names, in_list=False)
    elif isinstance(raw, dict):
        for item in raw.values():
            _conditions_in(item, names, in_list=False)
    elif isinstance(raw, list):
        for item in raw:
            _conditions_in(item, names, in_list=True)


def _choices(names: list[str]) -> list[dict[str, bool]]:
    count = min(2 ** len(names), MAX_VARIANTS)
    return [
        {name: not ((variant >> (i % _VARYING_CONDITIONS)) & 1) for i, name in enumerate(names)}
        for variant in range(count)
    ]


def _cfn_value(raw: Any, choices: dict[str, bool], file: str) -> Any:
    function = _function(raw)
    if function is not None:
        return _intrinsic(*function, choices, file)
    if isinstance(raw, dict):
        out = LocatedDict()
        if "__startline__" in raw:
            out.location = Location(file, int(raw["__startline__"]), int(raw["__endline__"]))
        for key, item in raw.items():
            value = _cfn_value(item, choices, file) if not _MARKER.match(key) else _NO_VALUE
            if value is not _NO_VALUE:
                out[key] = value
        return out
    if isinstance(raw, list):
        items = LocatedList()
        for item in raw:
            branches = _function(item)
            if branches and branches[0] == "Fn::If" and _is_if(branches[1]):
                candidates = [_cfn_value(b, choices, file) for b in branches[1][1:]]
            else:
                candidates = [_cfn_value(item, choices, file)]
            items.extend(c for c in candidates if c is not _NO_VALUE)
        return items
    return raw


def _is_if(argument: Any) -> bool:
    return isinstance(argument, list) and len(argument) == 3


def _intrinsic(name: str, argument: Any, choices: dict[str, bool], file: str) -> Any:
    if name == "Ref" and isinstance(argument, str):
        return _ref(argument)
    if name == "Fn::GetAtt":
        parts = argument.split(".", 1) if isinstance(argument, str) else argument
        if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
            return Unknown(f"{parts[0]}.{parts[1]}", ref=(parts[0], parts[1]))
    if name == "Fn::If" and _is_if(argument):
        chosen = choices.get(argument[0], True) if isinstance(argument[0], str) else True
        return _cfn_value(argument[1] if chosen else argument[2], choices, file)
    if name == "Fn::Sub":
        return _sub(argument, choices, file)
    if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        delimiter, items = argument[0], _cfn_value(argument[1], choices, file)
        if isinstance(delimiter, str) and isinstance(items, list):
            parts: list[str | Unknown] = []
            for index, item in enumerate(items):
                parts.extend(([delimiter] if index else []) + _string_parts(item))
            return make_string(parts)
    if name == "Fn::Base64":
        return _cfn_value(argument, choices, file)
    if name in ("Fn::Select", "Fn::Split") and isinstance(argument, list) and len(argument) == 2:
        first, second = (_cfn_value(a, choices, file) for a in argument)
        if name == "Fn::Split" and isinstance(first, str) and first and isinstance(second, str):
            return second.split(first)
        index = int(first) if isinstance(first, str) and first.isdigit() else first
        if isinstance(index, int) and isinstance(second, list) and 0 <= index < len(second):
            return second[index]
    return Unknown(f"{name} {json.dumps(_strip(argument), default=str)[:200]}")


def _ref(name: str) -> Any:
    if name == "AWS::NoValue":
        return _NO_VALUE
    if name.startswith("AWS::"):
        return Unknown(name)
    return Unknown(f"Ref {name}", ref=(name, "Ref"))


def _sub(argument: Any, choices: dict[str, bool], file: str) -> Any:
    variables: Any = {}
    if isinstance(argument, list) and len(argument) == 2:
        argument, variables = argument
    if not isinstance(argument, str) or not isinstance(variables, dict):
        return Unknown(f"Fn::Sub {json.dumps(_strip(argument), default=str)[:200]}")
    parts: list[str | Unknown] = []
    position = 0
    for match in _SUB_VARIABLE.finditer(argument):
        parts.append(argument[position : match.start()])
        name = match.group(1).strip()
        if name.startswith("!"):
            parts.append("${" + name[1:] + "}")
        elif name in variables:
            parts.extend(_string_parts(_cfn_value(variables[name], choices, file)))
        elif "." in name and not name.startswith("AWS::"):
            logical_id, attribute = name.split(".", 1)
            parts.append(Unknown(name, ref=(logical_id, attribute)))
        else:
            value = _ref(name)
            parts.extend([] if value is _NO_VALUE else [value])
        position = match.end()
    parts.append(argument[position:])
    return make_string(parts)


def _string_parts(value: Any) -> list[str | Unknown]:
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (str, int, float)):
        return [str(value)]
    if isinstance(value, Unknown):
        return [value]
    if isinstance(value, Template):
        return list(value.parts)
    return [Unknown(json.dumps(_strip(value), default=str)[:200])]


def _strip(raw: Any) -> Any:
    """A conf value without checkov's line markers (for Unknown source text)."""
    if isinstance(raw, dict):
        return {k: _strip(v) for k, v in raw.items() if not _MARKER.match(str(k))}
    if isinstance(raw, list):
        return [_strip(v) for v in raw]
    return raw
