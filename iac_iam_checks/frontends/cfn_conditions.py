"""What a template's ``Conditions`` say about the parameters a stack was given.

Conditions are not evaluated: every ``Fn::If`` branch is judged (``cloudformation``). A branch
that the parameters' defaults rule out still tells something: a stack that takes it was given
other values. With ``Policy`` defaulting to ``''`` and ``HasPolicy: !Not [!Equals [!Ref Policy,
'']]``, the ``Policy`` read in ``!If [HasPolicy, !Ref Policy, !Ref AWS::NoValue]`` is never
``''``: it is whatever the stack was given, so unknown there.
"""

from __future__ import annotations

from typing import Any

from .cfn_values import SSM_VALUE_TYPE


def given_parameters(
    conditions: dict, parameters: dict, choices: dict[str, bool]
) -> frozenset[str]:
    """The parameters a stack taking ``choices`` (condition name -> value) must have been
    given: those a condition reads whose chosen value differs from its value under the
    defaults."""
    given: set[str] = set()
    for name, chosen in choices.items():
        condition = {"Condition": name}
        truth = _under_defaults(conditions, parameters, condition, frozenset())
        if truth is not None and truth != chosen:
            given |= _parameters_read(conditions, parameters, condition, set())
    return frozenset(given)


def _under_defaults(conditions: dict, parameters: dict, raw: Any, seen: frozenset) -> bool | None:
    """A condition's value when every parameter takes its ``Default``; None when it depends on
    anything else (a parameter without one, a pseudo parameter, a function we do not read)."""
    if not isinstance(raw, dict) or len(raw) != 1:
        return None
    ((name, argument),) = raw.items()
    if name == "Condition":
        if not isinstance(argument, str) or argument in seen:
            return None
        return _under_defaults(conditions, parameters, conditions.get(argument), seen | {argument})
    if not isinstance(argument, list):
        return None
    if name == "Fn::Not" and len(argument) == 1:
        inner = _under_defaults(conditions, parameters, argument[0], seen)
        return None if inner is None else not inner
    if name in ("Fn::And", "Fn::Or"):
        values = [_under_defaults(conditions, parameters, item, seen) for item in argument]
        decisive = name == "Fn::Or"
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    if name == "Fn::Equals" and len(argument) == 2:
        left, right = (_default_text(parameters, item) for item in argument)
        return None if left is None or right is None else left == right
    return None


def _default_text(parameters: dict, raw: Any) -> str | None:
    """A literal, or a ``Ref`` of a parameter with a default, as the text CloudFormation
    compares."""
    if isinstance(raw, dict) and len(raw) == 1 and isinstance(raw.get("Ref"), str):
        declaration = parameters.get(raw["Ref"])
        if not isinstance(declaration, dict) or "Default" not in declaration:
            return None
        kind = declaration.get("Type")
        if isinstance(kind, str) and kind.startswith(SSM_VALUE_TYPE):
            return None  # its Default is the parameter store's key, not the value
        raw = declaration["Default"]
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (str, int, float)):
        return str(raw)
    return None


def _parameters_read(conditions: dict, parameters: dict, raw: Any, seen: set[str]) -> set[str]:
    """Every parameter a condition reads, through the conditions it names."""
    if isinstance(raw, dict) and len(raw) == 1 and isinstance(raw.get("Ref"), str):
        return {raw["Ref"]} if raw["Ref"] in parameters else set()
    if isinstance(raw, dict) and len(raw) == 1 and isinstance(raw.get("Condition"), str):
        name = raw["Condition"]
        if name in seen:
            return set()
        seen.add(name)
        raw = conditions.get(name)
    items = raw.values() if isinstance(raw, dict) else raw if isinstance(raw, list) else ()
    read: set[str] = set()
    for item in items:
        read |= _parameters_read(conditions, parameters, item, seen)
    return read
