"""Terraform references and ``dynamic`` collections, shared by every Terraform-shaped front
end (HCL, plan JSON, checkov's conf dicts). Standard library only: checkov's exported core
reads rendered text with it.

A reference is a list of steps: ``("attr", name)``, ``("index", key)``, ``("splat", None)``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..model.values import Template, Unknown

Step = tuple[str, Any]

MAX_INSTANCES = 1000
"""Instances (``count``/``for_each``) and dynamic blocks one block may expand into."""

_TRAVERSAL_ROOT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_TRAVERSAL_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+|"(?:[^"\\]|\\.)*"|\*)\]')


def parse_traversal(text: str) -> list[Step] | None:
    """``aws_iam_user.u["k"].name`` -> [("attr", "aws_iam_user"), ("attr", "u"),
    ("index", "k"), ("attr", "name")]; None when the text is not a plain traversal."""
    root = _TRAVERSAL_ROOT.match(text)
    if root is None:
        return None
    steps: list[Step] = [("attr", root.group())]
    pos = root.end()
    while pos < len(text):
        match = _TRAVERSAL_STEP.match(text, pos)
        if match is None:
            return None
        if match.group(1) is not None:
            steps.append(("attr", match.group(1)))
        elif match.group(2) == "*":
            steps.append(("splat", None))
        else:
            steps.append(("index", json.loads(match.group(2))))
        pos = match.end()
    return steps


def instance_suffix(key: Any) -> str:
    """The instance part of an address, printed the way Terraform prints it."""
    if key is None:
        return ""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    return "[" + json.dumps(str(key)) + "]"


NAMING_ATTRIBUTES = frozenset({"arn", "id", "name", "unique_id"})
"""Attributes of a managed AWS resource that name it: AWS assigns or validates them, so they
are never empty and never hold ``*`` or ``?``."""
_FREE_NAMES = frozenset({"aws_s3_object", "aws_s3_bucket_object"})
"""Managed kinds whose id is a free-form string (an S3 object key may be ``*``)."""
_INSTANCE_KEY = re.compile(r"\[[^\]]*\]$")


def reference(prefix: str, steps: list[Step], text: str) -> Unknown:
    """``aws_iam_user.a[0].arn`` -> Unknown with ref ("aws_iam_user.a[0]", "arn").

    The name, id or ARN of one instance of a managed AWS resource is ``never_wildcard``, the
    way CloudFormation's Ref/GetAtt of a template resource is: ``"${aws_s3_bucket.b.arn}/*"``
    is then known not to be ``*``. Data sources (``data.external`` returns anything), other
    attributes and splats keep no such promise."""
    if not steps or steps[0][0] != "attr":
        return Unknown(text)
    address = f"{prefix}.{steps[0][1]}"
    rest = steps[1:]
    one_instance = True
    if rest and rest[0][0] == "index" and not isinstance(rest[0][1], (Unknown, Template)):
        address += instance_suffix(rest[0][1])
        rest = rest[1:]
    elif rest and rest[0][0] in ("index", "splat"):
        one_instance = rest[0][0] == "index"
        rest = rest[1:]
    attr = next((step[1] for step in rest if step[0] == "attr"), "")
    names = one_instance and rest == [("attr", attr)] and _names_instance(prefix, attr)
    return Unknown(text, ref=(address, attr), never_wildcard=names)


def attribute_of(address: str, attr: str, text: str, last: bool) -> Unknown:
    """``aws_iam_user.x[0].arn`` reached through a placeholder of one whole instance (a counted
    block's list, ``each.value`` over ``for_each = aws_iam_user.x``): the same promise as
    ``reference`` gives ``aws_iam_user.y.arn``, so an instance profile ARN from a counted block
    is known not to be null. ``last`` is False when more steps follow the attribute."""
    prefix = _INSTANCE_KEY.sub("", address).rsplit(".", 1)[0]
    return Unknown(text, ref=(address, attr), never_wildcard=last and _names_instance(prefix, attr))


def _names_instance(prefix: str, attr: str) -> bool:
    """Whether ``attr`` of one instance of block kind ``prefix`` (``module.m.aws_iam_role``)
    names it: a naming attribute of a managed ``aws_`` resource with a constrained id."""
    kind = prefix.rsplit(".", 1)[-1]
    return (
        attr in NAMING_ATTRIBUTES
        and kind.startswith("aws_")
        and kind not in _FREE_NAMES
        and not _is_data_source(prefix)
    )


def _is_data_source(prefix: str) -> bool:
    """``data.aws_x`` or ``module.m["k"].data.aws_x``."""
    kind = prefix.rsplit(".", 1)[-1]
    return prefix == f"data.{kind}" or prefix.endswith(f".data.{kind}")


def dynamic_items(collection: Any, limit: int = MAX_INSTANCES) -> list[tuple[Any, Any]] | None:
    """(key, value) for each block a ``dynamic`` block's ``for_each`` makes: a map's entries,
    a list's items by index; None when the collection is not known.

    An empty collection makes no block. ``null`` is not empty: Terraform rejects it ("Invalid
    dynamic for_each value: Cannot use a null value in for_each"), so a plan with it never
    exists and nothing says what the author meant; it is None like an unknown collection,
    and the block becomes an Unknown (an ``unresolved`` entry naming the ``for_each``), never
    a silent pass. A variable whose default is null may still be given a value at plan time."""
    if isinstance(collection, dict):
        return list(collection.items())[:limit]
    if isinstance(collection, list):
        return list(enumerate(collection))[:limit]
    return None
