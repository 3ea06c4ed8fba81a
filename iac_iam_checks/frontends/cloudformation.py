"""CloudFormation front end: a template's text in, normalized Resources out.

Intrinsic functions are evaluated as far as the template alone allows: parameter defaults,
``Mappings``, ``Fn::Sub``/``Fn::Join`` strings (with ``Unknown`` holes), ``Fn::Select``,
``Fn::Split``. ``Ref``/``Fn::GetAtt`` to resources become ``Unknown`` values carrying ``ref`` so
the identity graph can link resources; pseudo parameters stay ``Unknown`` (``AWS::AccountId``
marks the own account). ``Fn::If`` inside a list keeps both branches' items; anywhere else each
resource is emitted once per combination of the conditions it uses, so a check fails when any
branch fails. ``Fn::ForEach`` loops are expanded first (``cfn_foreach``). Bad input becomes
``ParseError``s, never exceptions; a valid template the scan cannot read in full (a loop over
an unknown collection, a resource whose ``Type`` a preprocessor such as Rain fills in) gives
unresolved entries and warnings, never errors.

Only ``parse_template`` needs PyYAML (through ``cfn_yaml``, imported there):
``resources_from_document`` works on a template that is already loaded, so the checkov shim,
whose core must run without PyYAML, evaluates checkov's templates with the same code.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..model import limits
from ..model.values import (
    CLOUDFORMATION,
    LocatedDict,
    LocatedList,
    LocatedStr,
    Location,
    ParseError,
    Resource,
    ScanInput,
    Template,
    Unknown,
    located,
    location_of,
    make_string,
)
from .cfn_conditions import given_parameters
from .cfn_foreach import LOOP_PREFIX, Expander
from .cfn_values import SSM_VALUE_TYPE, parameter_value, resource_reference

MAX_VARIANTS = 16
"""Resources using many conditions are not multiplied without bound; each branch of each
condition still appears in at least one variant."""

_VARYING_CONDITIONS = 4  # 2**4 == MAX_VARIANTS

_TYPE_AWS = re.compile(r"""\bType["']?\s*:\s*["']?AWS::""")
_RESOURCES = re.compile(r"""\bResources["']?\s*:""")
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_LIST_PARAMETER = re.compile(r"CommaDelimitedList|List<")
_TEXT_TEMPLATE = re.compile(r"\{%-?\s|\{\{-?\s*[A-Za-z_][\w.]*\s*-?\}\}")
"""A Jinja/cookiecutter tag (``{% if %}``, ``{{ cookiecutter.runtime }}``); CloudFormation's
own ``{{resolve:...}}`` references do not match. Such a file is IaC only once rendered, so
when it does not parse it is a warning, not an error."""

_NO_VALUE: Any = object()
"""``Ref AWS::NoValue``: the key or list item it stands for is removed."""


def looks_like_template(text: str) -> bool:
    """Cheap test before parsing: Kubernetes manifests and workflow files say no."""
    if "AWSTemplateFormatVersion" in text:
        return True
    return bool(_RESOURCES.search(text) and _TYPE_AWS.search(text))


def read_template(text: str, file: str) -> ScanInput:
    """Every resource and parameter of one template, with its errors, warnings and unresolved
    notes; ``file`` is relative to the scan base."""
    from .cfn_yaml import TemplateLoadError, load_template

    try:
        with limits.parse_deadline():
            document = load_template(text, file)
    except limits.ParseTimeout as error:
        return ScanInput(errors=[ParseError(file, None, str(error))])
    except TemplateLoadError as error:
        if _TEXT_TEMPLATE.search(text):
            note = (
                f"{file}:{error.line}: not checked: a text template (Jinja or cookiecutter "
                f"placeholders) that must be rendered first ({error.message})"
            )
            return ScanInput(warnings=[note])
        return ScanInput(errors=[ParseError(file, within_text(error.line, text), error.message)])
    if not isinstance(document, dict):
        message = "not a CloudFormation template: no top-level mapping"
        return ScanInput(errors=[ParseError(file, 1, message)])
    if _other_format(document):
        return ScanInput()
    found = document_input(document, file)
    for problem in found.errors:
        problem.line = within_text(problem.line, text)
    return found


def within_text(line: int | None, text: str) -> int | None:
    """A line PyYAML reports, inside the file as an editor counts lines: PyYAML also breaks
    lines at U+0085/U+2028/U+2029 and puts an error at the end after a last line break."""
    return line if line is None else max(1, min(line, text.count("\n") + 1))


def _other_format(document: dict) -> bool:
    """A file the cheap look took for a template that is not one: a CodeDeploy AppSpec names
    ``Type: AWS::...`` under a ``Resources`` list. Not IaC, so skipped without an error."""
    return "AWSTemplateFormatVersion" not in document and isinstance(
        document.get("Resources"), list
    )


def parse_template(text: str, file: str) -> tuple[list[Resource], list[ParseError]]:
    """``read_template``'s resources and errors."""
    found = read_template(text, file)
    return found.resources, found.errors


def document_input(document: dict, file: str) -> ScanInput:
    """Everything ``read_template`` gives, from a loaded template: string keys, dicts and lists
    (located ones give lines; a mapping's ``entry_locations``, when it has them, give entry
    spans)."""
    template = _Template(document, file)
    resources = template.parameter_resources() + template.resources()
    return ScanInput(
        resources=resources,
        errors=template.errors,
        warnings=template.warnings,
        unresolved_notes=template.notes,
    )


def resources_from_document(document: dict, file: str) -> tuple[list[Resource], list[ParseError]]:
    """``document_input``'s resources and errors."""
    found = document_input(document, file)
    return found.resources, found.errors


class _Template:
    """One template's sections, and the errors found while reading them."""

    def __init__(self, document: dict, file: str) -> None:
        self.document = document
        self.file = file
        self.errors: list[ParseError] = []
        self.warnings: list[str] = []
        self.notes: list[tuple[Resource, Unknown, str]] = []
        self.parameters = self._section("Parameters")
        self.mappings = self._section("Mappings")
        self.conditions = self._section("Conditions")
        self.resource_types: dict[str, Any] = {}
        """Logical id -> Type of every resource (after loops), for what a Ref can be."""

    def _section(self, name: str) -> dict:
        value = self.document.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._error(self.document, name, f"{name} is not a mapping")
            return {}
        return value

    def _error(self, mapping: Any, key: Any, message: str) -> None:
        location = _entry_location(mapping, key)
        self.errors.append(ParseError(self.file, location.line if location else None, message))

    def parameter_resources(self) -> list[Resource]:
        """Parameters as pseudo-resources, so hard-coded credentials in defaults are found."""
        out = []
        for name, declaration in self.parameters.items():
            if not isinstance(declaration, dict):
                self._error(self.parameters, name, f"parameter {name} is not a mapping")
                continue
            out.append(
                Resource(
                    kind="Parameter",
                    address=f"Parameters.{name}",
                    framework=CLOUDFORMATION,
                    location=_entry_location(self.parameters, name) or _file_start(self.file),
                    attrs=_Evaluator(self, {}).value(declaration),
                    scope=self.file,
                    name=str(name),
                    metadata={"Metadata": {}, "Condition": None},
                    attr_locations=dict(getattr(declaration, "entry_locations", {})),
                )
            )
        return out

    def resources(self) -> list[Resource]:
        section = self.document.get("Resources")
        if section is None:
            return []
        if not isinstance(section, dict):
            self._error(self.document, "Resources", "Resources is not a mapping")
            return []
        if self._uses_loops(section):
            section = self._expand_loops(section)
        self.resource_types = {
            str(k): b.get("Type") if isinstance(b, dict) else None for k, b in section.items()
        }
        out: list[Resource] = []
        for logical_id, body in section.items():
            location = _entry_location(section, logical_id) or _file_start(self.file)
            kind = body.get("Type") if isinstance(body, dict) else None
            if isinstance(body, Unknown):
                self._note(str(logical_id), location, body, "the resource is not known")
            elif not isinstance(body, dict):
                self._error(section, logical_id, f"resource {logical_id} is not a mapping")
            elif kind is None:
                self._error(section, logical_id, f"resource {logical_id} has no string Type")
            elif not isinstance(kind, str):
                self.warnings.append(
                    f"{self.file}:{location.line}: resource {logical_id} is not checked: its "
                    f"Type {source_text(kind)} is not a resource type name (a preprocessor, "
                    "such as a Rain module, must expand it first)"
                )
            else:
                out.extend(self._variants(str(logical_id), body, location))
        return out

    def _uses_loops(self, section: dict) -> bool:
        """Only templates with the transform (or a loop in Resources) pay for the expansion."""
        transform = self.document.get("Transform")
        transforms = transform if isinstance(transform, list) else [transform]
        return "AWS::LanguageExtensions" in transforms or any(
            isinstance(key, str) and key.startswith(LOOP_PREFIX) for key in section
        )

    def _expand_loops(self, section: dict) -> dict:
        expander = Expander(self._collection)
        expanded = expander.section(section)
        for loop in expander.unexpanded:
            self._note(
                loop.name,
                loop.location or _file_start(self.file),
                loop.value,
                "the loop's collection is not known: the resources it makes are not checked",
            )
        return expanded

    def _collection(self, raw: Any) -> list[str] | Unknown:
        """A loop's collection as strings (a list, a list parameter's default, Fn::Split...)."""
        items = _Evaluator(self, {}).argument(raw)
        if isinstance(items, list) and all(
            isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in items
        ):
            return [str(item) for item in items]
        return items if isinstance(items, Unknown) else Unknown(source_text(raw))

    def _note(self, name: str, location: Location, value: Unknown, message: str) -> None:
        """An unresolved entry for a part of the template no check could look at (the entry
        names a placeholder, which is not scanned)."""
        placeholder = Resource(
            kind="unknown",
            address=name,
            framework=CLOUDFORMATION,
            location=location,
            attrs={},
            scope=self.file,
            name=name,
        )
        self.notes.append((placeholder, value, message))

    def _variants(self, logical_id: str, body: dict, location: Location) -> list[Resource]:
        properties = body.get("Properties")
        names: list[str] = []
        _collect_conditions(properties, names, data=True)
        _collect_conditions(body.get("Metadata"), names, data=True)
        out: list[Resource] = []
        for choices in _condition_choices(names):
            evaluator = _Evaluator(self, choices)
            attrs = evaluator.value(properties) if properties is not None else {}
            extra = {}
            if attrs is _NO_VALUE:
                attrs = {}
            elif isinstance(attrs, (Unknown, Template)):
                # Nothing reads an unknown Properties mapping: say so once, never guess.
                if not out:
                    unknown = attrs if isinstance(attrs, Unknown) else attrs.unknowns[0]
                    self._note(logical_id, location, unknown, "its Properties are not known")
                attrs, extra = {}, {"properties_unknown": attrs}
            elif not isinstance(attrs, dict):
                self._error(body, "Properties", f"Properties of {logical_id} is not a mapping")
                return []
            metadata = evaluator.value(body.get("Metadata"))
            condition = body.get("Condition")
            resource = Resource(
                kind=body["Type"],
                address=logical_id,
                framework=CLOUDFORMATION,
                location=location,
                attrs=attrs,
                scope=self.file,
                name=logical_id,
                metadata={
                    "Metadata": metadata if isinstance(metadata, dict) else {},
                    "Condition": condition if isinstance(condition, str) else None,
                    **extra,
                },
                attr_locations={
                    key: loc
                    for key, loc in getattr(properties, "entry_locations", {}).items()
                    if key in attrs
                },
            )
            if not any(r.attrs == resource.attrs and r.metadata == resource.metadata for r in out):
                out.append(resource)
        return out

    def ref(self, name: str, given: frozenset[str] = frozenset()) -> Any:
        """What ``Ref name`` (or ``${name}`` in Fn::Sub) evaluates to; a parameter in
        ``given`` was given a value other than its default (``cfn_conditions``)."""
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name.startswith("AWS::"):
            return Unknown(name)
        declaration = self.parameters.get(name)
        if declaration is None:
            return self.attribute(name, "Ref")
        if not isinstance(declaration, dict):
            return Unknown(f"Ref {name}")
        kind = declaration.get("Type")
        if (
            "Default" not in declaration
            or name in given
            or (isinstance(kind, str) and kind.startswith(SSM_VALUE_TYPE))
        ):
            # An SSM parameter's Default is the parameter's name, not its value.
            return parameter_value(name, declaration)
        default = declaration["Default"]
        if isinstance(kind, str) and _LIST_PARAMETER.match(kind) and isinstance(default, str):
            items = [item.strip() for item in default.split(",")] if default else []
            return located(items, _entry_location(declaration, "Default"))
        return default

    def attribute(self, logical_id: str, attribute: str) -> Unknown:
        """``Ref``/``Fn::GetAtt`` of a resource (``attribute`` ``Ref`` for a Ref)."""
        return resource_reference(logical_id, attribute, self.resource_types.get(logical_id))


class _Evaluator:
    """Evaluates intrinsic functions with one fixed branch per ``Fn::If`` condition name.

    ``data`` is false inside function arguments: there a list is an argument (``Fn::Join``'s
    parts), not data whose ``Fn::If`` items are all kept.
    """

    def __init__(self, template: _Template, choices: dict[str, bool]) -> None:
        self.template = template
        self.choices = choices
        self.given = given_parameters(template.conditions, template.parameters, choices)

    def over_limit(self, raw: Any, message: str) -> Unknown:
        """A function whose result would exceed a budget: a warning and an unknown value."""
        location = location_of(raw)
        line = location.line if location else None
        warning = f"{self.template.file}:{line}: {message}; the value is treated as unknown"
        if warning not in self.template.warnings:
            self.template.warnings.append(warning)
        return Unknown(source_text(raw))

    def value(self, raw: Any, data: bool = True) -> Any:
        if isinstance(raw, dict):
            function = _function(raw)
            if function is not None:
                name, argument = function
                handler = _FUNCTIONS.get(name)
                if handler is None:
                    return Unknown(source_text(raw))
                try:
                    result = handler(self, argument, raw, data)
                except limits.LimitExceeded as error:
                    return self.over_limit(raw, str(error))
                return _at_call_site(result, location_of(raw))
            out = LocatedDict()
            out.location = location_of(raw)
            for key, item in raw.items():
                evaluated = self.value(item, data)
                if evaluated is not _NO_VALUE:
                    out[key] = evaluated
            return out
        if isinstance(raw, list):
            items = LocatedList()
            items.location = location_of(raw)
            for item in raw:
                self._add_item(items, item, data)
            return items
        return raw

    def _add_item(self, items: list, raw: Any, data: bool) -> None:
        branches = _if_branches(raw) if data else None
        if branches is not None:
            for branch in branches:
                self._add_item(items, branch, data)
            return
        evaluated = self.value(raw, data)
        if evaluated is not _NO_VALUE:
            items.append(evaluated)

    def argument(self, raw: Any) -> Any:
        """A function argument, evaluated; ``AWS::NoValue`` there is just unknown."""
        evaluated = self.value(raw, data=False)
        return Unknown("AWS::NoValue") if evaluated is _NO_VALUE else evaluated

    def fn_if(self, argument: Any, raw: Any, data: bool) -> Any:
        if not (isinstance(argument, list) and len(argument) == 3):
            return Unknown(source_text(raw))
        name, when_true, when_false = argument
        chosen = self.choices.get(name, True) if isinstance(name, str) else True
        return self.value(when_true if chosen else when_false, data)

    def ref(self, argument: Any, raw: Any, data: bool) -> Any:
        name = self.argument(argument)
        if not isinstance(name, str):
            return Unknown(source_text(raw))
        return self.template.ref(name, self.given)

    def get_att(self, argument: Any, raw: Any, data: bool) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if isinstance(argument, list) and len(argument) == 2:
            logical_id, attribute = argument[0], self.argument(argument[1])
            if isinstance(logical_id, str) and isinstance(attribute, str):
                return self.template.attribute(logical_id, attribute)
        return Unknown(source_text(raw))

    def sub(self, argument: Any, raw: Any, data: bool) -> Any:
        variables: Any = {}
        if isinstance(argument, list) and len(argument) == 2:
            argument, variables = argument
        text = self.argument(argument)
        if not isinstance(text, str) or not isinstance(variables, dict):
            return Unknown(source_text(raw))
        parts: list[str | Unknown] = []
        position = 0
        for match in _SUB_VARIABLE.finditer(text):
            parts.append(text[position : match.start()])
            name = match.group(1).strip()
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
            else:
                parts.extend(self._sub_variable(name, variables))
            position = match.end()
        parts.append(text[position:])
        result = make_string(parts)
        if isinstance(text, LocatedStr):
            # Policy JSON in a block scalar starts on the line after the tag, not at the call.
            return _at_call_site(result, text.location)
        return result

    def _sub_variable(self, name: str, variables: dict) -> list[str | Unknown]:
        if name in variables:
            value = self.argument(variables[name])
        elif "." in name and not name.startswith("AWS::"):
            logical_id, attribute = name.split(".", 1)
            value = self.template.attribute(logical_id, attribute)
        else:
            value = self.template.ref(name, self.given)
            if value is _NO_VALUE:
                value = ""
            elif isinstance(value, list):
                value = Unknown(f"Ref {name}")
        return _string_parts(value, name)

    def join(self, argument: Any, raw: Any, data: bool) -> Any:
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown(source_text(raw))
        delimiter, items = self.argument(argument[0]), self.argument(argument[1])
        if not isinstance(delimiter, str) or not isinstance(items, list):
            return Unknown(source_text(raw))
        parts: list[str | Unknown] = []
        for index, item in enumerate(items):
            if index:
                parts.append(delimiter)
            parts.extend(_string_parts(item, raw))
        return make_string(parts)

    def select(self, argument: Any, raw: Any, data: bool) -> Any:
        if isinstance(argument, list) and len(argument) == 2:
            index, items = self.argument(argument[0]), self.argument(argument[1])
            if isinstance(index, str) and index.isascii() and index.isdigit():
                index = int(index)
            if (
                isinstance(index, int)
                and not isinstance(index, bool)
                and isinstance(items, list)
                and 0 <= index < len(items)
            ):
                return items[index]
        return Unknown(source_text(raw))

    def split(self, argument: Any, raw: Any, data: bool) -> Any:
        if isinstance(argument, list) and len(argument) == 2:
            delimiter, text = self.argument(argument[0]), self.argument(argument[1])
            if isinstance(delimiter, str) and delimiter and isinstance(text, str):
                return text.split(delimiter)
        return Unknown(source_text(raw))

    def find_in_map(self, argument: Any, raw: Any, data: bool) -> Any:
        if isinstance(argument, list) and len(argument) in (3, 4):
            keys = [self.argument(key) for key in argument[:3]]
            if all(isinstance(key, str) for key in keys):
                found = self.template.mappings.get(keys[0])
                for key in keys[1:]:
                    found = found.get(key) if isinstance(found, dict) else None
                if found is not None:
                    return self.value(found, data)
                default = argument[3] if len(argument) == 4 else None
                if isinstance(default, dict) and "DefaultValue" in default:
                    return self.value(default["DefaultValue"], data)
        return Unknown(source_text(raw))

    def base64(self, argument: Any, raw: Any, data: bool) -> Any:
        return self.argument(argument)

    def to_json_string(self, argument: Any, raw: Any, data: bool) -> Any:
        """``Fn::ToJsonString`` (AWS::LanguageExtensions): the object itself, as Terraform's
        ``jsonencode`` is kept, so a policy written this way keeps its statements' lines."""
        value = self.argument(argument)
        return value if isinstance(value, (dict, list)) else Unknown(source_text(raw))

    def length(self, argument: Any, raw: Any, data: bool) -> Any:
        """``Fn::Length`` (AWS::LanguageExtensions) of a list."""
        value = self.argument(argument)
        return len(value) if isinstance(value, list) else Unknown(source_text(raw))

    def import_value(self, argument: Any, raw: Any, data: bool) -> Any:
        name = self.argument(argument)
        return Unknown(f"ImportValue {name if isinstance(name, str) else source_text(argument)}")


_FUNCTIONS = {
    "Ref": _Evaluator.ref,
    "Fn::If": _Evaluator.fn_if,
    "Fn::GetAtt": _Evaluator.get_att,
    "Fn::Sub": _Evaluator.sub,
    "Fn::Join": _Evaluator.join,
    "Fn::Select": _Evaluator.select,
    "Fn::Split": _Evaluator.split,
    "Fn::FindInMap": _Evaluator.find_in_map,
    "Fn::Base64": _Evaluator.base64,
    "Fn::ImportValue": _Evaluator.import_value,
    "Fn::ToJsonString": _Evaluator.to_json_string,
    "Fn::Length": _Evaluator.length,
}


def _function(raw: dict) -> tuple[str, Any] | None:
    """``(name, argument)`` when the mapping is an intrinsic function call."""
    if len(raw) != 1:
        return None
    name, argument = next(iter(raw.items()))
    if name == "Ref" or (isinstance(name, str) and name.startswith("Fn::")):
        return name, argument
    return None


def _if_branches(raw: Any) -> list[Any] | None:
    if isinstance(raw, dict):
        function = _function(raw)
        if function and function[0] == "Fn::If":
            argument = function[1]
            if isinstance(argument, list) and len(argument) == 3:
                return argument[1:]
    return None


def _collect_conditions(raw: Any, names: list[str], data: bool) -> None:
    """Names of the conditions whose ``Fn::If`` picks one branch, in order of appearance;
    walks the template the way ``_Evaluator`` does (``data`` has the same meaning)."""
    if isinstance(raw, list):
        for item in raw:
            branches = _if_branches(item) if data else None
            _collect_conditions(item if branches is None else branches, names, data)
        return
    if not isinstance(raw, dict):
        return
    function = _function(raw)
    if function is None:
        for item in raw.values():
            _collect_conditions(item, names, data)
        return
    name, argument = function
    if name == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
        if isinstance(argument[0], str) and argument[0] not in names:
            names.append(argument[0])
        for branch in argument[1:]:
            _collect_conditions(branch, names, data)
    else:
        _collect_conditions(argument, names, data=False)


def _condition_choices(names: list[str]) -> list[dict[str, bool]]:
    """Every combination of up to four conditions; beyond that, condition ``i`` follows the
    same bit as condition ``i % 4``, so both branches of each still occur."""
    count = min(2 ** len(names), MAX_VARIANTS)
    return [
        {name: not ((variant >> (i % _VARYING_CONDITIONS)) & 1) for i, name in enumerate(names)}
        for variant in range(count)
    ]


def _at_call_site(value: Any, location: Location | None) -> Any:
    """``value`` located where the function producing it was written, unless it already has a
    place (a mapping from ``Mappings``, a list parameter's ``Default``): an ARN built with
    ``!Sub`` in a list is then reported on its own line, and a policy written as ``!Sub`` JSON
    gets statement lines. A ``Template`` carries the place on its first part, the way policy
    text with holes does."""
    if location is None or location_of(value) is not None or isinstance(value, bool):
        return value
    if isinstance(value, (str, dict, list)):
        return located(value, location)
    if isinstance(value, Template):
        first = value.parts[0]
        if isinstance(first, str) and location_of(first) is None:
            return Template((located(first, location), *value.parts[1:]))
    return value


def _string_parts(value: Any, source: Any) -> list[str | Unknown]:
    """A value as pieces of a string (for Fn::Sub and Fn::Join); anything else is unknown,
    described by ``source``."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, (int, float)):
        return [str(value)]
    if isinstance(value, Unknown):
        return [value]
    if isinstance(value, Template):
        return list(value.parts)
    return [Unknown(source_text(source))]


def source_text(raw: Any, limit: int = 200) -> str:
    """Short-tag rendering of an expression for ``Unknown.source`` (``!Join [",", !Ref X]``)."""
    text = _render(raw)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _render(raw: Any) -> str:
    if isinstance(raw, Unknown):
        return raw.source
    if isinstance(raw, dict):
        function = _function(raw)
        if function is not None:
            name, argument = function
            return f"!{name.removeprefix('Fn::')} {_render(argument)}"
        return "{" + ", ".join(f"{_render(k)}: {_render(v)}" for k, v in raw.items()) + "}"
    if isinstance(raw, list):
        return "[" + ", ".join(_render(item) for item in raw) + "]"
    if isinstance(raw, str) and re.fullmatch(r"[\w:.\-/*]+", raw):
        return raw
    return json.dumps(raw, default=str)


def _entry_location(mapping: Any, key: Any) -> Location | None:
    """Where ``key: value`` is written: the entry's span (``MarkedDict``), else the
    value's own span, else the mapping's."""
    entries = getattr(mapping, "entry_locations", None)
    if entries is not None:
        return entries.get(key)
    return location_of(mapping.get(key)) or location_of(mapping)


def _file_start(file: str) -> Location:
    return Location(file, 1, 1)
