"""What a template alone says about values only the cloud knows.

``Ref``/``Fn::GetAtt`` of a resource the template defines and a parameter without a default
are unknown, but not unconstrained: a table's ARN, a pool's id, a ``AWS::EC2::VPC::Id`` or a
``Number`` parameter is never ``*``; ``AllowedValues``, ``AllowedPattern`` (which
CloudFormation matches against the whole value), ``MinLength`` and ``MaxLength`` bound a
``String``. The ``Unknown`` built here
carries that knowledge (``never_wildcard``, ``pattern``) so that "could this be ``*``?" is
decided instead of left unresolved. An SSM parameter type's value is whatever the parameter
store holds: no bound.
"""

from __future__ import annotations

import re
from typing import Any

from ..model.values import Unknown

_LIST_TYPE = re.compile(r"CommaDelimitedList|List<")
SSM_VALUE_TYPE = "AWS::SSM::Parameter::Value<"
"""A parameter type whose value the parameter store holds; its Default is the store's key."""
_NAMING_ATTRIBUTE = re.compile(r"(Arn|Id|Name)$")
_USER_DEFINED = ("AWS::CloudFormation::CustomResource", "AWS::CloudFormation::Stack")
"""Resource types whose Ref or attributes the template's author computes (a custom resource's
physical id and data, a nested stack's outputs): anything, ``*`` included."""


def parameter_value(name: str, declaration: dict) -> Unknown:
    """``Ref`` of a parameter given at deploy time, bounded by its Type and constraints."""
    kind = declaration.get("Type")
    unknown = Unknown(f"Ref {name}")
    if not isinstance(kind, str) or _LIST_TYPE.match(kind) or kind.startswith(SSM_VALUE_TYPE):
        return unknown
    if kind == "Number" or kind.startswith("AWS::"):
        return Unknown(unknown.source, never_wildcard=True)
    pattern = declaration.get("AllowedPattern")
    pattern = _within_lengths(pattern if isinstance(pattern, str) else None, declaration)
    allowed = declaration.get("AllowedValues")
    if isinstance(allowed, list) and allowed and all(_is_scalar(v) for v in allowed):
        values = [_text(v) for v in allowed]
        if pattern is not None:
            values = [v for v in values if Unknown("", pattern=pattern).could_be(v)]
        return Unknown(
            unknown.source,
            never_wildcard=all(v and "*" not in v and "?" not in v for v in values),
            pattern="|".join(re.escape(v) for v in values) if values else "(?!)",
        )
    return Unknown(unknown.source, pattern=pattern) if pattern is not None else unknown


def _within_lengths(pattern: str | None, declaration: dict) -> str | None:
    """``AllowedPattern`` with the parameter's ``MinLength``/``MaxLength`` as one pattern:
    a value must satisfy all of them (``MinLength: 12`` alone already excludes ``*``)."""
    low, high = (_length(declaration.get(key)) for key in ("MinLength", "MaxLength"))
    if low is None and high is None:
        return pattern
    lengths = f"(?=.{{{low or 0},{'' if high is None else high}}}\\Z)"
    return lengths + (f"(?:{pattern})" if pattern is not None else ".*")


def _length(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def resource_reference(logical_id: str, attribute: str, kind: Any) -> Unknown:
    """``Ref`` (``attribute == "Ref"``) or ``Fn::GetAtt`` of a resource; ``kind`` is its
    Type when the template defines it, None when it does not (the checkov shim sees one
    resource at a time: a reference keeps ``ref`` and counts as a name, as before).

    A name, id or ARN of an AWS resource is never a wildcard. A value the template's author
    computes (a custom resource's data, a nested stack's output) or an attribute that is not a
    name (``AWS::SSM::Parameter.Value``) may hold anything: no ``ref``, which the evaluator
    would take for a name, and which links no IAM entity anyway."""
    source = f"Ref {logical_id}" if attribute == "Ref" else f"{logical_id}.{attribute}"
    if kind is None:
        return Unknown(source, ref=(logical_id, attribute))
    named = attribute == "Ref" or bool(_NAMING_ATTRIBUTE.search(attribute) and "." not in attribute)
    aws_resource = isinstance(kind, str) and kind.startswith("AWS::") and kind not in _USER_DEFINED
    if not (named and aws_resource):
        return Unknown(source)
    return Unknown(source, ref=(logical_id, attribute), never_wildcard=True)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)
