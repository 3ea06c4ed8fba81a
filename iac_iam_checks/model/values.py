"""The normalized model every front end fills and every check reads.

Front ends turn Terraform, plan JSON and CloudFormation into these objects; checks never see
raw text. Values inside ``Resource.attrs`` are plain Python (str, int, float, bool, None, list,
dict) plus three markers: ``Unknown`` (cannot be resolved statically), ``Template`` (a string
with unknown holes whose known parts still count) and ``PolicyDocument`` (a policy that a
front end already normalized, e.g. ``data.aws_iam_policy_document.x.json``).

Dicts and lists that came from a source position are ``LocatedDict``/``LocatedList`` so that
policy statements keep their own lines (inside ``jsonencode``, heredocs, files and CFN).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .limits import check_length

TERRAFORM = "terraform"
TERRAFORM_PLAN = "terraform_plan"
CLOUDFORMATION = "cloudformation"

PSEUDO_KINDS = frozenset({"variable", "locals", "tfvars", "provider", "Parameter"})
"""Kinds the front ends give to blocks that are not resources (declarations and providers,
read for hard-coded credentials): not counted as resources scanned."""
FRAMEWORKS = (TERRAFORM, TERRAFORM_PLAN, CLOUDFORMATION)

SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")


@dataclass(frozen=True, order=True)
class Location:
    """A span of lines in one file; ``file`` is relative to the scan base, ``/``-separated."""

    file: str
    line: int
    end_line: int


@lru_cache(maxsize=65536)
def shared_location(file: str, line: int, end_line: int) -> Location:
    """One ``Location`` object per span. Every instance of a module evaluates the same blocks
    again, so one span was made over and over (repos-300: 27,444 locations, 3,820 distinct):
    each copy cost memory, time to make (a frozen dataclass), and time to pickle back from a
    worker and unpickle here."""
    return Location(file, line, end_line)


class _Located:
    """``location`` stored in a slot: a scan holds hundreds of thousands of these containers,
    and a per-object ``__dict__`` would double their weight."""

    __slots__ = ()

    @property
    def location(self) -> Location | None:
        return getattr(self, "_location", None)

    @location.setter
    def location(self, value: Location | None) -> None:
        # the slot is declared by each concrete subclass: a non-empty __slots__ here would
        # conflict with dict's and list's instance layout, and mypy reads only this class's
        self._location = value  # type: ignore[misc]


class LocatedDict(_Located, dict):
    """A dict that remembers where it was written."""

    __slots__ = ("_location", "__weakref__")


class MarkedDict(LocatedDict):
    """A mapping from a template that also knows each entry's span (key line to value end),
    which is where a resource or a property is reported (CloudFormation's YAML reader)."""

    entry_locations: dict[Any, Location]


class LocatedList(_Located, list):
    """A list that remembers where it was written."""

    __slots__ = ("_location", "__weakref__")


class LocatedStr(str):
    """A string (JSON policy text from a heredoc or a file) that remembers where its first
    character was written, so statements parsed out of it get real lines."""

    location: Location | None = None


def located(value: Any, location: Location | None) -> Any:
    """Attach ``location`` to a dict, list or str (copying it into a located container)."""
    if isinstance(value, dict):
        out: Any = LocatedDict(value)
    elif isinstance(value, list):
        out = LocatedList(value)
    elif isinstance(value, str):
        out = LocatedStr(value)
    else:
        return value
    out.location = location
    return out


def location_of(value: Any) -> Location | None:
    return getattr(value, "location", None)


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known statically.

    ``source`` is the text we could not see (``var.x``, ``aws_s3_bucket.b.arn``). When the value
    is a reference to another resource's attribute, ``ref`` is ``(address, attribute)`` so the
    identity graph can still link the two resources.
    """

    source: str
    ref: tuple[str, str] | None = None
    never_wildcard: bool = False
    """Set by a front end that knows the value is a non-empty string without ``*`` or ``?``
    (a name, id or ARN the cloud assigns, a parameter whose type or AllowedValues say so), so
    "could this be ``*``?" has an answer although the value is unknown."""
    pattern: str | None = None
    """A regular expression (Python syntax) that every value it can take fully matches
    (a CloudFormation parameter's ``AllowedPattern``), or None."""

    def __str__(self) -> str:
        return "${" + self.source + "}"

    def could_be(self, text: str) -> bool:
        """Whether the value may turn out to be exactly ``text``."""
        if self.never_wildcard and (not text or "*" in text or "?" in text):
            return False
        return self.pattern is None or _full_match(self.pattern, text)

    def could_be_all_stars(self) -> bool:
        """Whether the value may be ``*``, ``**``, ...: what ``...Like`` reads as match-all."""
        if self.never_wildcard:
            return False
        return self.pattern is None or _admits_all_stars(self.pattern)


@dataclass(frozen=True)
class Template:
    """A string with unknown holes: ``"arn:${var.p}:iam::aws:policy/Admin"``.

    Known parts keep their meaning: the value above is AdministratorAccess-like in any
    partition, and ``"arn:aws:s3:::${var.b}/*"`` is certainly not ``*``.
    """

    parts: tuple[str | Unknown, ...]

    def __str__(self) -> str:
        return "".join(str(p) for p in self.parts)

    @property
    def unknowns(self) -> list[Unknown]:
        return [p for p in self.parts if isinstance(p, Unknown)]

    def could_equal(self, text: str) -> bool:
        """Whether some filling of the holes makes the template exactly ``text`` (each hole
        taking a piece its own :meth:`Unknown.could_be` admits)."""
        ends = {0}
        for part in self.parts:
            if isinstance(part, str):
                ends = {e + len(part) for e in ends if text.startswith(part, e)}
            else:
                ends = {
                    stop
                    for start in ends
                    for stop in range(start, len(text) + 1)
                    if part.could_be(text[start:stop])
                }
        return len(text) in ends

    @property
    def suffix(self) -> str:
        """The known text after the last hole (used to read names out of ARNs)."""
        last = self.parts[-1]
        return last if isinstance(last, str) else ""


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.DOTALL)
    except re.error:
        return None


MAX_PARAMETER_LENGTH = 4096
"""CloudFormation's limit on a parameter value, in characters: the longest value a pattern
ever has to admit."""
_COUNTED_REPEAT = re.compile(r"\{(\d+)(?:,(\d*))?\}")


@lru_cache(maxsize=256)
def _admits_all_stars(pattern: str) -> bool:
    """Whether some string of ``*`` only fully matches ``pattern``. The shortest one is no
    longer than twice the pattern with its counted repeats written out (the states of its
    automaton), nor than a parameter value can be: every such length is tried, and a pattern
    that fails on ``*`` fails at once."""
    compiled = _compiled(pattern)
    if compiled is None:
        return True
    longest = 2 * len(pattern)
    for low, high in _COUNTED_REPEAT.findall(pattern):
        longest *= max(int(low), int(high or 0), 1)
        if longest >= MAX_PARAMETER_LENGTH:
            break
    return any(
        compiled.fullmatch("*" * n) for n in range(1, min(longest, MAX_PARAMETER_LENGTH) + 1)
    )


def _full_match(pattern: str, text: str) -> bool:
    """``pattern`` as a whole-value constraint; one Python cannot read constrains nothing."""
    compiled = _compiled(pattern)
    return compiled is None or compiled.fullmatch(text) is not None


_SURROGATE_ESCAPE = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u([dD][89aAbB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    r"|[dD][89a-fA-F][0-9a-fA-F]{2})"
)


def without_lone_surrogates(text: str) -> str:
    """JSON or YAML text without escapes of UTF-16 halves (``\\uD83D\\uDE00``): decoded one
    by one (PyYAML does), each half is a string no output can encode. An escaped pair becomes
    its character, a lone half ``\\uFFFD``; lines stay where they were."""
    if "\\u" not in text:
        return text

    def fix(match: re.Match[str]) -> str:
        code = match.group(2)
        if len(code) == 4:
            return match.group(1) + "\\ufffd"
        high, low = int(code[:4], 16), int(code[6:], 16)
        return match.group(1) + chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))

    return _SURROGATE_ESCAPE.sub(fix, text)


def _joined(run: list[str]) -> str:
    """One string of a run; a lone part keeps its type (a located string keeps its line)."""
    run = [p for p in run if p]
    return run[0] if len(run) == 1 else "".join(run)


def make_string(parts: list[str | Unknown]) -> str | Unknown | Template:
    """Join string parts; a single unknown stays Unknown, mixed parts become a Template."""
    # A hole counts as one character: "${a}-${a}" repeated would double its parts forever.
    check_length(sum(len(p) if isinstance(p, str) else 1 for p in parts))
    merged: list[str | Unknown] = []
    run: list[str] = []  # consecutive strings, joined once (``+=`` would be quadratic)
    for part in parts:
        if isinstance(part, str):
            run.append(part)
            continue
        if run:
            merged.append(_joined(run))
            run = []
        merged.append(part)
    if run:
        merged.append(_joined(run))
    merged = [p for p in merged if p != ""]
    if not merged:
        return ""
    if len(merged) == 1:
        return merged[0]
    return Template(tuple(merged))


def unknowns_in(value: Any) -> Iterator[Unknown]:
    """Every Unknown inside a value (recursively), Template holes included."""
    if isinstance(value, Unknown):
        yield value
    elif isinstance(value, Template):
        yield from value.unknowns
    elif isinstance(value, dict):
        for v in value.values():
            yield from unknowns_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from unknowns_in(v)


# --- policies -----------------------------------------------------------------------------

IDENTITY = "identity"
TRUST = "trust"
RESOURCE_POLICY = "resource"

Strings = "list[str | Unknown | Template] | Unknown"
"""A statement field: a list of strings/templates/unknowns, or Unknown when the whole list is."""


@dataclass
class Statement:
    """One IAM statement, whatever syntax it was written in.

    Absent fields are ``None``; present ones are lists (a single string becomes a one-item
    list) or ``Unknown`` when the whole field could not be resolved. ``principals`` maps a
    principal type (``AWS``, ``Service``, ``Federated``, ``CanonicalUser``, ``*``) to values.
    ``conditions`` maps operator -> key -> values.
    """

    effect: str | Unknown | Template | None
    location: Location | None
    sid: Any = None
    actions: Any = None
    not_actions: Any = None
    resources: Any = None
    not_resources: Any = None
    principals: Any = None
    not_principals: Any = None
    conditions: Any = None
    raw: Any = None
    """The statement as written (after evaluation), for fingerprints and messages."""
    unknown: Unknown | None = None
    """Set when this stands for statements nobody can see (a source document of an
    ``aws_iam_policy_document`` that could not be resolved): every field is that Unknown,
    and checks must report it as unresolved, never judge its (absent) elements."""
    broken: bool = False
    """Set when a field has a shape AWS rejects (a ``Condition`` that is not an object): the
    document's ``errors`` say so and IAM027 reports it; no other check judges the statement."""


@dataclass
class PolicyDocument:
    """A normalized policy. ``errors`` lists structural problems found while normalizing
    (the text did not parse, a field had the wrong type): IAM027 reports them."""

    kind: str
    statements: list[Statement]
    location: Location | None
    version: Any = None
    errors: list[tuple[str, Location | None]] = field(default_factory=list)
    origin: str = ""
    """Where the document came from when it is not the resource itself
    (``data.aws_iam_policy_document.x``), for messages."""
    unknown: Unknown | None = None
    """Set when the document as a whole could not be resolved (statements are then empty)."""


# --- resources ----------------------------------------------------------------------------

_MODULE_PREFIX = re.compile(r"^(?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*")


@lru_cache(maxsize=65536)
def is_data_source(address: str) -> bool:
    """``data.aws_iam_user.x`` / ``module.m.data.aws_iam_user.x``: a Terraform data source,
    which reads something that exists outside the scan."""
    return _MODULE_PREFIX.sub("", address, count=1).startswith("data.")


@dataclass
class Resource:
    """One resource (or data source, variable, provider, parameter block) of the scan.

    ``address`` is how users know it: ``aws_iam_user.alice``, ``module.a.aws_iam_user.x["k"]``,
    ``data.aws_iam_policy_document.d``, or the CloudFormation logical id. ``scope`` groups
    resources that can see each other by name: a Terraform root (module calls included) or one
    CloudFormation template. ``attrs`` holds evaluated values; nested blocks are lists of dicts
    under their block type (``inline_policy``: [...]).
    """

    kind: str
    address: str
    framework: str
    location: Location
    attrs: dict[str, Any]
    scope: str
    name: str = ""
    module: str = ""
    instance_key: Any = None
    metadata: Any = None
    """Front-end specific extras the engine needs (CFN Metadata, suppression comments)."""
    attr_locations: dict[str, Location] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Values computed from the resource once and shared by every check (its normalized
    policy documents); not part of its identity."""

    @property
    def base_address(self) -> str:
        """The address without an instance key: ``aws_iam_user.x["k"]`` -> ``aws_iam_user.x``."""
        return self.address.split("[", 1)[0] if self.instance_key is not None else self.address

    @property
    def is_data(self) -> bool:
        """A Terraform data source: checks about what the scan creates do not report it."""
        return is_data_source(self.base_address)

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrs.get(key, default)

    def loc(self, key: str) -> Location:
        """The location of one attribute, or of the resource when unknown."""
        return self.attr_locations.get(key) or location_of(self.attrs.get(key)) or self.location


@dataclass
class ParseError:
    """A file that could not be read as IaC; the scan goes on without it."""

    file: str
    line: int | None
    message: str


@dataclass
class ScanInput:
    """Everything the front ends produced for one scan."""

    resources: list[Resource] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unresolved_notes: list[tuple[Resource, Unknown, str]] = field(default_factory=list)
    """Things a front end could not follow at all (a remote module call)."""
    read_elsewhere: set[Any] = field(default_factory=set)
    """Files read beyond the discovered ones (module folders outside the scanned PATH,
    ``file()`` targets): a cached result is only reused while they are unchanged."""
