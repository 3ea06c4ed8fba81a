"""Any policy value -> ``PolicyDocument``, and whether a document enforces MFA.

Front ends hand over policies in whatever form they were written: a dict (``jsonencode`` or a
CloudFormation object), JSON text (heredoc, ``file()``, plain string, plan JSON), JSON text with
unknown holes (a ``Template``), a wholly ``Unknown`` value, or a ``PolicyDocument`` already built
from ``data "aws_iam_policy_document"``. ``document_from_value`` turns each into one normalized
document whose statements carry their own lines.

Text that does not parse gives a document with ``errors`` and no statements: IAM027 reports it,
and other checks must treat it as undecidable, never as a pass.
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import re
from typing import Any

from ..model.values import (
    LocatedDict,
    LocatedList,
    LocatedStr,
    Location,
    PolicyDocument,
    Statement,
    Template,
    Unknown,
    location_of,
    make_string,
    without_lone_surrogates,
)
from .document_blocks import unseen_statement
from .evaluation import condition_key_matches, pattern_covered

STATEMENT_FIELDS = {
    "Sid": "sid",
    "Effect": "effect",
    "Action": "actions",
    "NotAction": "not_actions",
    "Resource": "resources",
    "NotResource": "not_resources",
    "Principal": "principals",
    "NotPrincipal": "not_principals",
    "Condition": "conditions",
}
DOCUMENT_FIELDS = ("Version", "Id", "Statement")


def document_from_value(
    value: Any, kind: str, fallback_location: Location | None, origin: str = ""
) -> PolicyDocument:
    """Normalize any policy value into a ``PolicyDocument`` of ``kind``.

    ``fallback_location`` (usually the attribute's location) is used for the document and for
    statements whose own position is not known.
    """
    if isinstance(value, PolicyDocument):
        return value if value.kind == kind else dataclasses.replace(value, kind=kind)
    if isinstance(value, Unknown):
        return PolicyDocument(kind, [], fallback_location, origin=origin, unknown=value)
    if isinstance(value, Template):
        return _from_template(value, kind, fallback_location, origin)
    if isinstance(value, str):
        return _from_text(value, kind, fallback_location, origin)
    if isinstance(value, dict):
        return _from_mapping(value, kind, location_of(value) or fallback_location, origin)
    return PolicyDocument(
        kind,
        [],
        fallback_location,
        origin=origin,
        errors=[(f"policy document is {_json_kind(value)}, not an object", fallback_location)],
    )


def _json_kind(value: Any) -> str:
    """What a value is, in JSON's words (a located list is a list to the reader)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else f"a {type(value).__name__}"


# --- text ---------------------------------------------------------------------------------


def _from_text(
    text: str,
    kind: str,
    fallback_location: Location | None,
    origin: str,
    holes: list[Unknown] | None = None,
) -> PolicyDocument:
    base = location_of(text)
    where = base or fallback_location
    text = without_lone_surrogates(str(text))
    try:
        json.loads(text)
    except RecursionError:
        message = "policy text is not valid JSON: nested too deeply"
        return PolicyDocument(kind, [], where, origin=origin, errors=[(message, where)])
    except ValueError as error:
        line = getattr(error, "lineno", 1)
        loc = _text_location(base, line - 1, line - 1) if base else fallback_location
        message = f"policy text is not valid JSON: {getattr(error, 'msg', error)}"
        return PolicyDocument(kind, [], where, origin=origin, errors=[(message, loc)])
    try:
        value = _LocatingParser(text, base).parse()
    except RecursionError:  # valid JSON, but deeper than a policy (IAM allows 6144 characters)
        message = "policy text is not valid JSON: nested too deeply"
        return PolicyDocument(kind, [], where, origin=origin, errors=[(message, where)])
    if base is None:
        _strip_locations(value, fallback_location)
    if holes:
        value = _with_holes(value, holes)
    if isinstance(value, Unknown):
        return PolicyDocument(kind, [], where, origin=origin, unknown=value)
    if not isinstance(value, dict):
        message = "policy document is not a JSON object"
        return PolicyDocument(kind, [], where, origin=origin, errors=[(message, where)])
    return _from_mapping(value, kind, location_of(value) or where, origin)


def _text_location(base: Location | None, first: int, last: int) -> Location | None:
    if base is None:
        return None
    return Location(base.file, base.line + first, base.line + last)


def _strip_locations(value: Any, location: Location | None) -> None:
    """A plain string has no position: everything in it gets the fallback location (every
    container :class:`_LocatingParser` builds is located)."""
    if isinstance(value, LocatedDict):
        value.location = location
        for item in value.values():
            _strip_locations(item, location)
    elif isinstance(value, LocatedList):
        value.location = location
        for item in value:
            _strip_locations(item, location)


_DECODER = json.JSONDecoder()


class _LocatingParser:
    """A small JSON reader (run only on text ``json`` accepted) that records the line span of
    every object and array, so each statement knows where it was written."""

    _NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
    _WORDS = {"true": True, "false": False, "null": None, "NaN": float("nan")}

    def __init__(self, text: str, base: Location | None) -> None:
        self.text = text
        self.base = base
        self.pos = 0
        self._breaks: list[int] | None = None

    def parse(self) -> Any:
        return self._value()

    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def _line_of(self, offset: int) -> int:
        # Bisecting the line starts: counting from the start each time is quadratic.
        if self._breaks is None:
            self._breaks = [i for i, char in enumerate(self.text) if char == "\n"]
        return bisect.bisect_left(self._breaks, offset)

    def _located(self, container: Any, start: int) -> Any:
        first, last = self._line_of(start), self._line_of(self.pos - 1)
        container.location = _text_location(self.base, first, last)
        return container

    def _value(self) -> Any:
        self._skip()
        char = self.text[self.pos]
        if char == "{":
            return self._object()
        if char == "[":
            return self._array()
        if char == '"':
            return self._string()
        for word, value in self._WORDS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return value
        if self.text.startswith("Infinity", self.pos) or self.text.startswith(
            "-Infinity", self.pos
        ):
            negative = self.text[self.pos] == "-"
            self.pos += 9 if negative else 8
            return float("-inf") if negative else float("inf")
        match = self._NUMBER.match(self.text, self.pos)
        assert match, "text was validated by json.loads"
        self.pos = match.end()
        number = match.group()
        return float(number) if any(c in number for c in ".eE") else int(number)

    def _string(self) -> str:
        value: str
        value, self.pos = _DECODER.raw_decode(self.text, self.pos)  # at the opening quote
        return value

    def _object(self) -> LocatedDict:
        start = self.pos
        self.pos += 1
        out = LocatedDict()
        self._skip()
        while self.text[self.pos] != "}":
            self._skip()
            key = self._string()
            self._skip()
            self.pos += 1  # ':'
            out[key] = self._value()
            self._skip()
            if self.text[self.pos] == ",":
                self.pos += 1
                self._skip()
        self.pos += 1
        return self._located(out, start)

    def _array(self) -> LocatedList:
        start = self.pos
        self.pos += 1
        out = LocatedList()
        self._skip()
        while self.text[self.pos] != "]":
            out.append(self._value())
            self._skip()
            if self.text[self.pos] == ",":
                self.pos += 1
                self._skip()
        self.pos += 1
        return self._located(out, start)


# --- templates ----------------------------------------------------------------------------

_SENTINEL = "\u2063IACHOLE{}\u2063"
_SENTINEL_RE = re.compile("\u2063IACHOLE(\\d+)\u2063")


def _from_template(
    template: Template, kind: str, fallback_location: Location | None, origin: str
) -> PolicyDocument:
    """JSON text with holes: render each hole as a sentinel, parse, then turn sentinels back
    into ``Unknown``/``Template`` values so the known parts of the document still count."""
    holes: list[Unknown] = []
    pieces: list[str] = []
    in_string = False
    for part in template.parts:
        if isinstance(part, Unknown):
            sentinel = _SENTINEL.format(len(holes))
            holes.append(part)
            pieces.append(sentinel if in_string else f'"{sentinel}"')
        else:
            pieces.append(part)
            in_string = _ends_inside_string(part, in_string)
    first = template.parts[0]
    text: str = "".join(pieces)
    if isinstance(first, LocatedStr) and first.location is not None:
        text = LocatedStr(text)
        text.location = first.location
    return _from_text(text, kind, fallback_location, origin, holes)


def _ends_inside_string(text: str, in_string: bool) -> bool:
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and in_string:
            escaped = True
        elif char == '"':
            in_string = not in_string
    return in_string


def _with_holes(value: Any, holes: list[Unknown]) -> Any:
    """Turn sentinels back into the Unknown (a whole value) or a Template (part of a string),
    keeping the locations of objects and arrays."""
    if isinstance(value, dict):
        out: Any = LocatedDict({_key(k, holes): _with_holes(v, holes) for k, v in value.items()})
    elif isinstance(value, list):
        out = LocatedList(_with_holes(item, holes) for item in value)
    elif isinstance(value, str) and _SENTINEL_RE.search(value):
        parts: list[str | Unknown] = []
        for index, piece in enumerate(_SENTINEL_RE.split(value)):
            parts.append(holes[int(piece)] if index % 2 else piece)
        return make_string(parts)
    else:
        return value
    out.location = location_of(value)
    return out


def _key(key: str, holes: list[Unknown]) -> str:
    restored = _with_holes(key, holes)
    return restored if isinstance(restored, str) else str(restored)


# --- mappings -----------------------------------------------------------------------------


def _from_mapping(
    mapping: dict, kind: str, location: Location | None, origin: str
) -> PolicyDocument:
    document = PolicyDocument(kind, [], location, version=mapping.get("Version"), origin=origin)
    for key in mapping:
        if key not in DOCUMENT_FIELDS:
            document.errors.append((f"unknown policy element '{key}'", location))
    if "Statement" not in mapping:
        document.errors.append(("policy document has no Statement", location))
        return document
    statements = mapping["Statement"]
    if isinstance(statements, Unknown):
        document.unknown = statements
        return document
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        document.errors.append(("Statement is neither an object nor a list", location))
        return document
    for item in statements:
        fallback = location_of(item) or location_of(statements) or location
        if isinstance(item, (Unknown, Template)):
            unknown = item if isinstance(item, Unknown) else item.unknowns[0]
            document.statements.append(unseen_statement(unknown, fallback))
        elif isinstance(item, dict):
            document.statements.append(_statement(item, fallback, document.errors))
        else:
            document.errors.append(("a statement is not an object", fallback))
    return document


def _statement(item: dict, location: Location | None, errors: list) -> Statement:
    statement = Statement(effect=None, location=location, raw=item)
    for key, value in item.items():
        name = STATEMENT_FIELDS.get(key)
        if name is None:
            errors.append((f"unknown statement element '{key}'", location))
        elif name in ("sid", "effect"):
            setattr(statement, name, value)
        elif name in ("principals", "not_principals"):
            setattr(statement, name, _principals(value))
        elif name == "conditions":
            found = len(errors)
            statement.conditions = _conditions(value, location, errors)
            statement.broken = statement.broken or len(errors) > found
        else:
            setattr(statement, name, _strings(value))
    return statement


def _strings(value: Any) -> Any:
    """A statement field as a list of strings (a single value becomes a one-item list; an
    unknown its front end constrained is one string, any other may be a whole list)."""
    if isinstance(value, Unknown) and not (value.never_wildcard or value.pattern):
        return value
    if isinstance(value, list):
        return [_scalar(item) for item in value]
    return [_scalar(value)]


def _scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _principals(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        return {key: _strings(values) for key, values in value.items()}
    if value == "*":
        return {"*": ["*"]}
    return value


def _conditions(value: Any, location: Location | None, errors: list) -> Any:
    """operator -> key -> values; a part that is no object is an error (AWS rejects it) and
    is left out, so readers of ``conditions`` only ever meet the normalized shape."""
    if isinstance(value, (Unknown, Template)):
        return value
    if not isinstance(value, dict):
        errors.append(("Condition is not an object", location))
        return None
    out: dict[str, Any] = {}
    for operator, keys in value.items():
        if isinstance(keys, dict):
            out[operator] = {key: _strings(values) for key, values in keys.items()}
        elif isinstance(keys, (Unknown, Template)):
            out[operator] = keys
        else:
            errors.append((f"Condition operator '{operator}' is not an object", location))
    return out


# --- wildcard patterns --------------------------------------------------------------------


# --- MFA enforcement ----------------------------------------------------------------------

MFA_KEY = "aws:multifactorauthpresent"
SELF_SERVICE_ACTIONS = (
    "iam:*MFA*",
    "iam:*VirtualMFADevice*",
    "iam:ChangePassword",
    "iam:GetAccountPasswordPolicy",
    "iam:GetUser",
    "iam:ListUsers",
    "iam:GetLoginProfile",
    "sts:GetSessionToken",
)
"""What a user without MFA may still do under an MFA-enforcing Deny + NotAction (spec IAM003)."""

READ_ONLY_SELF_SERVICE_ACTIONS = (
    "iam:ListAccessKeys",
    "iam:ListAccountAliases",
    "iam:ListSSHPublicKeys",
    "iam:ListServiceSpecificCredentials",
    "iam:ListSigningCertificates",
    "iam:GetAccountSummary",
)
"""Read-only actions that AWS's own "manage your credentials, then MFA" tutorial policy also
leaves to users without MFA. Exempting them creates no credential and grants no access, so a
security engineer still reads that policy as MFA enforcement (the spec's list is the minimum)."""

HARMLESS_DENY_CONDITIONS = {"aws:viaawsservice": "false"}
"""Extra Deny condition keys that keep it an MFA enforcement: ``aws:ViaAWSService`` "false"
(AWS's recommended addition, so services acting for the signed-in user are not blocked) only
spares calls a service makes after the user's own call was already checked."""

_AWS_MANAGED_ARN = re.compile(r"^arn:[^:]*:iam::aws:policy/(?:.*/)?([^/]*)$")
_HOLE = "\x00"


def aws_managed_policy_name(value: Any) -> str | None:
    """The policy name when ``value`` is an AWS-managed policy ARN (in any partition, a
    partition hole included), else None. The name may contain holes (rendered ``${...}``)."""
    if isinstance(value, Template):
        rendered = "".join(_HOLE if isinstance(p, Unknown) else p for p in value.parts)
        match = _AWS_MANAGED_ARN.match(rendered)
        if not match:
            return None
        name = match.group(1)
        return name if _HOLE not in name else str(value).rsplit("/", 1)[-1]
    if isinstance(value, str):
        match = _AWS_MANAGED_ARN.match(value)
        return match.group(1) if match else None
    return None


def enforces_mfa(document: PolicyDocument) -> bool | Unknown:
    """Whether the document enforces MFA (spec IAM003).

    True when one statement is a Deny of all actions on resource ``*`` (``*``, or a NotAction
    that exempts only self-service actions) while ``aws:MultiFactorAuthPresent`` is false; or
    when the document has at least one Allow and every Allow requires ``Bool`` MFA "true".
    A Deny when MFA *is* present enforces nothing. Returns the blocking ``Unknown`` when the
    answer depends on a value that could not be resolved.
    """
    if document.unknown is not None:
        return document.unknown
    if document.errors and not document.statements:
        return Unknown(f"{document.origin or 'policy'} (invalid policy document)")
    blocking: Unknown | None = None
    for statement in document.statements:
        verdict = _denies_without_mfa(statement)
        if verdict is True:
            return True
        if isinstance(verdict, Unknown):
            blocking = blocking or verdict
    verdict = _every_allow_requires_mfa(document.statements)
    if verdict is True:
        return True
    if isinstance(verdict, Unknown):
        blocking = blocking or verdict
    return blocking if blocking is not None else False


def _first_unknown(*values: Any) -> Unknown | None:
    for value in values:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Template):
            return value.unknowns[0]
        if isinstance(value, list):
            found = _first_unknown(*value)
            if found:
                return found
    return None


def _denies_without_mfa(statement: Statement) -> bool | Unknown:
    effect = statement.effect
    if isinstance(effect, (Unknown, Template)):
        return _first_unknown(effect) or False
    if effect != "Deny":
        return False
    scope = _all_resources(statement)
    actions = _all_actions(statement)
    condition = _mfa_condition(statement.conditions, deny=True)
    for part in (scope, actions, condition):
        if part is False:
            return False
    for part in (scope, actions, condition):
        if isinstance(part, Unknown):
            return part
    return True


def _all_resources(statement: Statement) -> bool | Unknown:
    if statement.not_resources is not None or statement.resources is None:
        return False
    if isinstance(statement.resources, Unknown):  # the whole list: it may hold "*"
        return statement.resources
    unknown = _first_unknown(statement.resources)
    if "*" in statement.resources:
        return True
    return unknown or False


def _all_actions(statement: Statement) -> bool | Unknown:
    if isinstance(statement.actions, Unknown) or isinstance(statement.not_actions, Unknown):
        return statement.actions if statement.actions is not None else statement.not_actions
    if statement.actions is not None:
        unknown = _first_unknown(statement.actions)
        if any(a in ("*", "*:*") for a in statement.actions if isinstance(a, str)):
            return True
        return unknown or False
    if statement.not_actions is None:
        return False
    unknown = _first_unknown(statement.not_actions)
    if unknown:
        return unknown
    exempt = SELF_SERVICE_ACTIONS + READ_ONLY_SELF_SERVICE_ACTIONS
    return all(
        any(pattern_covered(entry, allowed) for allowed in exempt)
        for entry in statement.not_actions
    )


def _mfa_condition(conditions: Any, deny: bool) -> bool | Unknown:
    """Whether a Deny applies exactly when MFA is absent, or an Allow only when it is present.

    Conditions are ANDed: on a Deny, any other condition key (but the harmless ones) narrows
    it, so it no longer applies to every request without MFA; on an Allow, other keys only
    narrow it further, so one ``Bool`` MFA "true" is enough.
    """
    if isinstance(conditions, Unknown):
        return conditions
    if not isinstance(conditions, dict) or not conditions:
        return False
    blocking: Unknown | None = None
    required = False
    for operator, keys in conditions.items():
        if not isinstance(keys, dict):
            unknown = _first_unknown(keys)
            if deny or unknown is None:
                return unknown or False
            blocking = blocking or unknown
            continue
        for key, values in keys.items():
            hidden = _unknown_name(operator, key)
            if hidden is not None:
                blocking = blocking or hidden
                continue
            if not isinstance(key, str) or key.lower() != MFA_KEY:
                harmless = isinstance(key, str) and _harmless_deny_condition(operator, key, values)
                if deny and not harmless:
                    return False
                continue
            verdict = _mfa_values(operator, values, deny)
            if verdict is False and deny:
                return False
            if verdict is True:
                required = True
            elif isinstance(verdict, Unknown):
                blocking = blocking or verdict
    if deny:
        return blocking or True
    return True if required else blocking or False


def _unknown_name(operator: Any, key: Any) -> Unknown | None:
    """The unknown hiding a condition's operator or key (``test = var.test``,
    ``variable = "${local.k}"``), unless its known parts show it is some other key, which a
    literal key would be too. A condition whose name is unknown still exists: it may be the
    MFA condition, or one that narrows a Deny."""
    if isinstance(operator, (Unknown, Template)):
        return _first_unknown(operator)
    if isinstance(key, (Unknown, Template)):
        names = (MFA_KEY, *HARMLESS_DENY_CONDITIONS)
        if any(condition_key_matches(name, key) is not False for name in names):
            return _first_unknown(key)
    return None


def _harmless_deny_condition(operator: str, key: str, values: Any) -> bool:
    wanted = HARMLESS_DENY_CONDITIONS.get(key.lower())
    texts = [v.lower() for v in values if isinstance(v, str)] if isinstance(values, list) else []
    return wanted is not None and operator.lower() in ("bool", "boolifexists") and texts == [wanted]


def _mfa_values(operator: str, values: Any, deny: bool) -> bool | Unknown:
    """Deny: the values include "MFA absent". Allow: ``Bool`` and every value is "true"."""
    if isinstance(values, Unknown):
        return values
    texts = [v.lower() for v in values if isinstance(v, str)]
    unknown = _first_unknown(values)
    if deny:
        wanted = {"bool": "false", "boolifexists": "false", "null": "true"}.get(operator.lower())
        if wanted is None:
            return False
        return True if wanted in texts else unknown or False
    if operator != "Bool" or any(text != "true" for text in texts):
        return False
    return unknown or bool(texts)


def _every_allow_requires_mfa(statements: list[Statement]) -> bool | Unknown:
    allows = 0
    blocking: Unknown | None = None
    for statement in statements:
        effect = statement.effect
        if isinstance(effect, (Unknown, Template)):
            blocking = blocking or _first_unknown(effect)
            continue
        if effect != "Allow":
            continue
        allows += 1
        verdict = _mfa_condition(statement.conditions, deny=False)
        if verdict is False:
            return False
        if isinstance(verdict, Unknown):
            blocking = blocking or verdict
    if allows == 0:
        return blocking or False
    return blocking or True
