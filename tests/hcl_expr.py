"""Evaluate one HCL expression, as the Terraform front end would, for function tests."""

from __future__ import annotations

from typing import Any

from iac_iam_checks.frontends.hcl_eval import (
    Env,
    Evaluator,
    Source,
    apply_steps,
    collecting_errors,
    parse_expression,
)
from iac_iam_checks.model.values import Unknown


class Variables(Env):
    """``var.NAME`` is the given value; any other name (and a missing variable) is unknown."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def resolve(self, root: str, steps: list, text: str) -> Any:
        if root in self.values:
            return apply_steps(self.values[root], steps, text)
        if root == "var" and steps and steps[0][1] in self.values:
            return apply_steps(self.values[steps[0][1]], steps[1:], text)
        return Unknown(text)

    def read_file(self, path: Any, text: str, where: Any) -> Any:
        return Unknown(text)

    def with_locals(self, names: dict[str, Any]) -> Env:
        return Variables({**self.values, **names})


def evaluate(expression: str, **variables: Any) -> Any:
    text = f"x = {expression}\n"
    tree = parse_expression(expression)
    assert tree is not None, expression
    return Evaluator(Variables(variables), Source(text), "main.tf").eval(tree)


def errors(expression: str, **variables: Any) -> list[str]:
    """The Terraform errors the expression raises (what ``try()`` moves past)."""
    with collecting_errors() as found:
        evaluate(expression, **variables)
    return found
