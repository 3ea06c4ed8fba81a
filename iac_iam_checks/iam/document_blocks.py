"""``data "aws_iam_policy_document"`` blocks -> PolicyDocument, the way the AWS provider
merges them. Standard library only: the standalone front end and the checkov shim (whose
``conf`` holds the same blocks, list-wrapped) both build documents here.
"""

from __future__ import annotations

from typing import Any

from ..model.values import LocatedDict, Location, PolicyDocument, Statement, Template, Unknown


def build_policy_document(attrs: dict[str, Any], where: Location, address: str) -> PolicyDocument:
    """Build ``data "aws_iam_policy_document"`` the way the provider merges it:
    source documents first, then this document's statements (same Sid replaces), then
    override documents (same Sid replaces, others appended)."""
    from .documents import document_from_value

    statements: list[Statement] = []
    errors: list[tuple[str, Location | None]] = []

    def merge(new: list[Statement], replace_only_same_sid: bool) -> None:
        for statement in new:
            sid = statement.sid if isinstance(statement.sid, str) and statement.sid else None
            same = [i for i, s in enumerate(statements) if sid and s.sid == sid]
            if same:
                statements[same[0]] = statement
            else:
                statements.append(statement)

    for key, replace in (("source_policy_documents", False), ("source_json", False)):
        for source in as_list(attrs.get(key)):
            document = document_from_value(source, "identity", where, origin=address)
            merge(source_statements(document, where), replace)
            errors.extend(document.errors)
    merge([block_statement(block, where) for block in as_list(attrs.get("statement"))], False)
    for key in ("override_policy_documents", "override_json"):
        for source in as_list(attrs.get(key)):
            document = document_from_value(source, "identity", where, origin=address)
            merge(source_statements(document, where), True)
            errors.extend(document.errors)
    return PolicyDocument(
        kind="identity",
        statements=statements,
        location=where,
        version=_or_default(attrs.get("version"), "2012-10-17"),
        errors=errors,
        origin=address,
    )


def _or_default(value: Any, default: Any) -> Any:
    """An argument set to ``null`` is unset: the provider's default applies."""
    return default if value is None else value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return list(value)
    return [value]


def source_statements(document: PolicyDocument, where: Location) -> list[Statement]:
    """A source document's statements; an unknown one is one placeholder statement that is
    unknown in every part (not a statement without Action or Resource)."""
    if document.unknown is not None:
        return [unseen_statement(document.unknown, where)]
    return list(document.statements)


def unseen_statement(unknown: Unknown, where: Location) -> Statement:
    """Stands for statements nobody can see (zero or more): every field is the Unknown, so
    checks report it as unresolved and never judge its absent elements."""
    return Statement(
        effect=unknown, location=where, actions=unknown, resources=unknown, unknown=unknown
    )


def block_statement(block: Any, where: Location) -> Statement:
    """One ``statement {}`` block (or an Unknown dynamic one) as a Statement."""
    if not isinstance(block, dict):
        return unseen_statement(block if isinstance(block, Unknown) else Unknown(str(block)), where)
    location = getattr(block, "location", None) or where
    raw = {
        "Sid": block.get("sid"),
        "Effect": _or_default(block.get("effect"), "Allow"),
        "Action": block.get("actions"),
        "NotAction": block.get("not_actions"),
        "Resource": block.get("resources"),
        "NotResource": block.get("not_resources"),
        "Principal": principals(block.get("principals")),
        "NotPrincipal": principals(block.get("not_principals")),
        "Condition": conditions(block.get("condition")),
    }
    raw = LocatedDict({k: v for k, v in raw.items() if v is not None})
    raw.location = location
    return Statement(
        effect=raw.get("Effect"),
        location=location,
        sid=raw.get("Sid"),
        actions=as_strings(raw.get("Action")),
        not_actions=as_strings(raw.get("NotAction")),
        resources=as_strings(raw.get("Resource")),
        not_resources=as_strings(raw.get("NotResource")),
        principals=raw.get("Principal"),
        not_principals=raw.get("NotPrincipal"),
        conditions=raw.get("Condition"),
        raw=raw,
    )


def as_strings(value: Any) -> Any:
    """A list of strings, as the provider's schema makes every argument: ``values = [true]``
    is the condition value ``"true"``."""
    if value is None or isinstance(value, Unknown):
        return value
    if isinstance(value, (str, Template, bool, int, float)):
        return [provider_string(value)]
    if isinstance(value, list):
        return [provider_string(item) for item in value]
    return Unknown(str(value))


def provider_string(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def principals(blocks: Any) -> Any:
    """``principals { type = "AWS" identifiers = [...] }`` blocks -> {"AWS": [...]}; none (an
    empty ``dynamic "principals"`` included) is no ``Principal`` at all."""
    if blocks is None or blocks == []:
        return None
    out: dict[str, Any] = {}
    for block in as_list(blocks):
        if not isinstance(block, dict):
            return block if isinstance(block, Unknown) else Unknown("principals")
        kind = block.get("type")
        identifiers = as_strings(block.get("identifiers"))
        if not isinstance(kind, str):
            return Unknown("principals type")
        if isinstance(identifiers, Unknown):
            out[kind] = identifiers
        else:
            out.setdefault(kind, []).extend(identifiers or [])
    return out


def conditions(blocks: Any) -> Any:
    """``condition { test, variable, values }`` blocks -> {test: {variable: values}}.

    A ``test`` or ``variable`` that is Unknown (or a Template with holes, such as
    ``"${replace(var.oidc_provider_arn, ...)}:sub"``) stays a key of its own: the condition
    exists, only its name is unknown, and the checks must see it as such."""
    if blocks is None or blocks == []:
        return None
    out: dict[Any, Any] = {}
    for block in as_list(blocks):
        if not isinstance(block, dict):
            return block if isinstance(block, Unknown) else Unknown("condition")
        test, variable = block.get("test"), block.get("variable")
        if not isinstance(test, (str, Unknown, Template)) or not isinstance(
            variable, (str, Unknown, Template)
        ):
            return Unknown("condition")
        values = as_strings(block.get("values"))
        bucket = out.setdefault(test, {})
        if isinstance(values, list) and isinstance(bucket.get(variable), list):
            bucket[variable] = bucket[variable] + values
        else:
            bucket[variable] = values
    return out
