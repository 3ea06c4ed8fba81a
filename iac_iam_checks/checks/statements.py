"""What the least-privilege checks (IAM020-IAM030) share: which policies they read, the
per-statement verdicts that precedence needs, and how "cannot tell" becomes ``unresolved``.

Each verdict here is a pure function of (document, statement), so precedence (one problem,
one finding: spec section 3) can ask a higher-ranked check's question from a lower-ranked one,
which still runs alone with ``--check``. Which check outranks which is declared in the check
modules and applied by :mod:`.templates`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..iam.evaluation import (
    PASS_ROLE,
    Grant,
    Tri,
    Undecided,
    all_of,
    allowed_after_denies,
    any_of,
    cancels,
    evaluation_view,
    is_allow,
    is_deny,
    negate,
    privilege_escalations,
    write_actions_on_all_resources,
)
from ..iam.privilege import allows_everything, cancelled_entirely
from ..iam.sources import (
    CLOUDFORMATION_SOURCES,
    POLICY_DOCUMENT_DATA_SOURCE,
    TERRAFORM_SOURCES,
    PolicySource,
    documents_of,
)
from ..model.values import (
    IDENTITY,
    TRUST,
    Location,
    PolicyDocument,
    Statement,
    Template,
    Unknown,
    is_data_source,
    unknowns_in,
)
from .registry import Blocked, Issue, Kinds, Result

# --- which resources and documents --------------------------------------------------------


def _kinds(table: dict[str, Any], kind: str, extra: tuple[str, ...] = ()) -> list[str]:
    return [k for k, sources in table.items() if any(s.kind == kind for s in sources)] + list(extra)


IDENTITY_KINDS: Kinds = {
    "terraform": _kinds(TERRAFORM_SOURCES, IDENTITY, (POLICY_DOCUMENT_DATA_SOURCE,)),
    "cloudformation": _kinds(CLOUDFORMATION_SOURCES, IDENTITY),
}
"""Resource kinds that hold identity policies (``@check(**IDENTITY_KINDS)``)."""

TRUST_KINDS: Kinds = {
    "terraform": _kinds(TERRAFORM_SOURCES, TRUST, (POLICY_DOCUMENT_DATA_SOURCE,)),
    "cloudformation": _kinds(CLOUDFORMATION_SOURCES, TRUST),
}
"""Resource kinds that hold trust policies (``@check(**TRUST_KINDS)``)."""

ALL_POLICY_KINDS: Kinds = {
    "terraform": sorted({*IDENTITY_KINDS["terraform"], *TRUST_KINDS["terraform"]}),
    "cloudformation": sorted({*IDENTITY_KINDS["cloudformation"], *TRUST_KINDS["cloudformation"]}),
}


def policies(resource: Any, kind: str) -> list[PolicySource]:
    """The resource's documents of one kind (IDENTITY or TRUST). Data sources other than
    ``aws_iam_policy_document`` (``data "aws_iam_policy"`` shares a kind with the resource)
    describe policies that exist outside the scan and are left out.

    A policy document data source checked on its own that names principals but is no trust
    policy is a resource policy (a bucket, key or queue policy, out of scope): no identity
    statement has a ``Principal``, so reading it as one would only make false findings.
    """
    if resource.kind != POLICY_DOCUMENT_DATA_SOURCE and is_data_source(resource.address):
        return []
    return [
        source
        for source in documents_of(resource)
        if source.kind == kind
        and not (resource.kind == POLICY_DOCUMENT_DATA_SOURCE and is_resource_policy(source))
    ]


def is_resource_policy(source: PolicySource) -> bool:
    """An identity-kind document whose statements name principals."""
    return source.kind == IDENTITY and any(
        s.principals is not None or s.not_principals is not None for s in source.document.statements
    )


# --- where and how to report --------------------------------------------------------------


def where(source: PolicySource, statement: Statement) -> Location:
    """The offending statement's lines (inside a data source when the policy is built there)."""
    return statement.location or source.document.location or source.location


def describe(source: PolicySource) -> str:
    """How a message names the policy (``policy 'x'``, ``assume_role_policy of
    aws_iam_role.r``), plus the data source that built it."""
    resource = source.resource
    if isinstance(source.name, str) and source.name:
        named = f"policy '{source.name}'"
    elif resource.kind == POLICY_DOCUMENT_DATA_SOURCE:
        named = resource.address
    else:
        named = f"{source.path} of {resource.address}"
    origin = source.document.origin
    built = f" (built by {origin})" if origin and origin != resource.address else ""
    return named + built


def unreadable(source: PolicySource) -> Blocked | None:
    """A document nobody can read: wholly unknown. Text that did not parse or a document
    without statements is known, and known broken: IAM027 reports it, AWS rejects it, and
    the other checks have no statement to judge (no unresolved entry: nothing is unknown)."""
    document = source.document
    if document.unknown is not None:
        return Blocked(
            source.resource,
            document.unknown,
            f"cannot see the statements of {describe(source)}",
            source.location,
        )
    return None


def blocked(
    source: PolicySource, statement: Statement, unknowns: Iterable[Unknown], question: str
) -> Iterator[Blocked]:
    """One ``unresolved`` entry per unknown value that hides the answer to ``question``."""
    for value in dict.fromkeys(unknowns):
        yield Blocked(
            source.resource,
            value,
            f"cannot tell whether {describe(source)} {question}",
            where(source, statement),
        )


def shorten(items: list[str], limit: int = 3) -> str:
    """``a, b, c and 12 more``: one finding names a few actions, never hundreds."""
    shown = ", ".join(items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown


def evaluated(written: PolicySource) -> PolicySource:
    """The source with its document's ``evaluation_view``: what statement checks judge."""
    return dataclasses.replace(written, document=evaluation_view(written.document))


def judge_statements(
    resource: Any,
    kind: str,
    judge: Callable[[PolicySource, Statement], Verdict],
    message: Callable[[PolicySource, Verdict], str],
    question: str,
    view: Callable[[PolicySource], PolicySource] = evaluated,
) -> Iterator[Result]:
    """The loop every statement-level check runs: each readable document of ``kind``, each
    statement judged (in its evaluation ``view``); a certain verdict is an Issue at the
    statement's lines, an undecided one is ``unresolved`` (``question`` completes "cannot tell
    whether <policy> ...").

    Statements generated from one written block (a ``dynamic "statement"``, a ``for``
    expression) share its lines: they are one finding there, naming what all of them allow.
    """
    for written in policies(resource, kind):
        cannot_read = unreadable(written)
        if cannot_read is not None:
            yield cannot_read
            continue
        source = view(written)
        found: dict[Location, tuple[Statement, Verdict]] = {}
        for statement in source.document.statements:
            if statement.broken:
                continue  # AWS rejects it: IAM027 reports it, nothing else can be judged
            if statement.unknown is not None:
                yield from blocked(source, statement, (statement.unknown,), question)
                continue
            verdict = judge(source, statement)
            if not verdict.found:
                yield from blocked(source, statement, verdict.unknowns, question)
                continue
            location = where(source, statement)
            first, earlier = found.get(location, (statement, NOTHING))
            hits = tuple(dict.fromkeys((*earlier.hits, *verdict.hits)))
            found[location] = (first, Verdict(hits))
        for location, (statement, verdict) in found.items():
            yield Issue(resource, message(source, verdict), location, statement=statement)


# --- verdicts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """One check's answer for one statement: ``hits`` certainly make it a finding (actions,
    elements); otherwise ``unknowns`` are what could make it one."""

    hits: tuple[str, ...] = ()
    unknowns: tuple[Unknown, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.hits)


NOTHING = Verdict()


def _verdict(result: Tri, hits: tuple[str, ...]) -> Verdict:
    if result is True:
        return Verdict(hits)
    if isinstance(result, Undecided):
        return Verdict((), result.unknowns)
    return NOTHING


def full_admin(document: PolicyDocument, statement: Statement) -> Verdict:
    """IAM020: an Allow of ``*`` (or ``*:*``) on the literal resource ``*``, not cancelled."""
    return _verdict(allows_everything(document, statement), ("*",))


WILDCARD_ACTION = re.compile(r"^(?:\*+|[^:*?]+:\*+|\*+:\*+)$")
"""``*``, ``*:*`` and ``service:*``: patterns that give every action (of a service)."""


def _fill(value: Template, text: str) -> str:
    return "".join(text if isinstance(p, Unknown) else p for p in value.parts)


def is_wildcard_action(pattern: Any) -> Tri:
    """Whether an Action entry is ``*``, ``*:*`` or ``service:*`` (``s3:Get*`` is not).
    A hole counts when it could make it one (``s3:${var.x}``); ``${var.svc}:*`` is one."""
    if isinstance(pattern, str):
        return WILDCARD_ACTION.match(pattern) is not None
    if isinstance(pattern, Template):
        if WILDCARD_ACTION.match(_fill(pattern, "x")):
            return True
        return (
            Undecided(tuple(pattern.unknowns))
            if WILDCARD_ACTION.match(_fill(pattern, "*"))
            else False
        )
    if isinstance(pattern, Unknown):
        return Undecided((pattern,))
    return False


def _denied_on_its_resources(document: PolicyDocument, statement: Statement, action: str) -> Tri:
    """Whether unconditional Denies of the document cancel ``action`` on every resource the
    statement names (templates and NotResource need a Deny on ``*``)."""
    resources = statement.resources if isinstance(statement.resources, list) else ["*"]
    targets = [r if isinstance(r, str) else "*" for r in resources] or ["*"]
    others = [d for d in document.statements if d is not statement and is_deny(d) is not False]
    return all_of(any_of(cancels(d, action, target) for d in others) for target in targets)


def wildcard_actions(document: PolicyDocument, statement: Statement) -> Verdict:
    """IAM022: the ``*`` / ``service:*`` entries an Allow grants that no Deny cancels."""
    effect = is_allow(statement)
    entries = statement.actions
    if effect is False or entries is None:
        return NOTHING
    if isinstance(entries, Unknown):
        return Verdict((), (entries,))
    hits: list[str] = []
    unknowns: list[Unknown] = list(effect.unknowns) if isinstance(effect, Undecided) else []
    for entry in entries if isinstance(entries, list) else [entries]:
        wildcard = is_wildcard_action(entry)
        if wildcard is False:
            continue
        text = str(entry)
        cancelled = _denied_on_its_resources(document, statement, text)
        if cancelled is True:
            continue
        if wildcard is True and cancelled is False and effect is True:
            if text not in hits:
                hits.append(text)
        else:
            unknowns.extend(unknowns_in(entry))
            if isinstance(cancelled, Undecided):
                unknowns.extend(cancelled.unknowns)
    return Verdict(tuple(hits), () if hits else tuple(dict.fromkeys(unknowns)))


_ESCALATIONS: dict[int, tuple[PolicyDocument, list[Grant]]] = {}


def _escalations(document: PolicyDocument) -> list[Grant]:
    """privilege_escalations, computed once per document while checks walk its statements."""
    cached = _ESCALATIONS.get(id(document))
    if cached is None or cached[0] is not document:
        if len(_ESCALATIONS) > 64:
            _ESCALATIONS.clear()
        cached = (document, privilege_escalations(document))
        _ESCALATIONS[id(document)] = cached
    return cached[1]


def escalation(document: PolicyDocument, statement: Statement) -> Verdict:
    """IAM024 for one statement: the escalation actions (or PassRole combination) charged to
    it by :func:`~iac_iam_checks.iam.evaluation.privilege_escalations`."""
    for grant in _escalations(document):
        if grant.statement is statement:
            return Verdict(tuple(grant.actions), () if grant.actions else grant.unknowns)
    return NOTHING


def pass_role_on_all(document: PolicyDocument, statement: Statement) -> Verdict:
    """IAM026: an Allow of ``iam:PassRole`` (``iam:*``, ``iam:Pass*``...) on ``*``."""
    return _verdict(allowed_after_denies(document, statement, PASS_ROLE, "*"), (PASS_ROLE,))


def not_elements(document: PolicyDocument, statement: Statement) -> Verdict:
    """IAM025: an Allow written with ``NotAction`` / ``NotResource``, not cancelled."""
    used = tuple(
        name
        for name, value in (
            ("NotAction", statement.not_actions),
            ("NotResource", statement.not_resources),
        )
        if value is not None
    )
    if not used:
        return NOTHING
    result = is_allow(statement)
    if result is not False:
        result = all_of([result, negate(cancelled_entirely(document, statement))])
    return _verdict(result, used)


def write_on_all(document: PolicyDocument, statement: Statement) -> Verdict:
    """IAM023 before conditions and precedence: resource-level write actions allowed on ``*``."""
    grant = write_actions_on_all_resources(document, statement)
    return Verdict(tuple(grant.actions), () if grant.actions else grant.unknowns)


ASSUME_ROLE_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")


def assumes_role(
    document: PolicyDocument, statement: Statement, actions: tuple[str, ...] = ASSUME_ROLE_ACTIONS
) -> Tri:
    """Whether a trust statement allows ``sts:AssumeRole*`` (one of ``actions``) and no
    unconditional Deny of the document cancels it."""
    return any_of(allowed_after_denies(document, statement, a, None) for a in actions)


def unknowns_of(*results: Tri) -> tuple[Unknown, ...]:
    """The unknowns behind the undecided ones among ``results``."""
    found = [u for r in results if isinstance(r, Undecided) for u in r.unknowns]
    return tuple(dict.fromkeys(found))
