"""Load a CloudFormation template (YAML or JSON) into located plain data.

PyYAML reads both formats; this module adds what a template needs and PyYAML lacks: line spans
on every mapping and sequence, CloudFormation's short tags (``!Sub`` -> ``{"Fn::Sub": ...}``),
dates and octal-looking numbers kept as written (``Version: 2012-10-17``, an account id
``012345678901``), values under a tag CloudFormation does not define (a preprocessor's, such
as ``!Rain::Module``) kept as ``Unknown``, and limits that turn hostile input (alias bombs,
absurd nesting) into a ``TemplateLoadError`` instead of a hang or a ``RecursionError``. Only
nodes are composed by PyYAML; values are built here from the nodes, so no Python object is
ever constructed.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..model.values import (
    LocatedDict,
    LocatedList,
    LocatedStr,
    Location,
    MarkedDict,
    Unknown,
    without_lone_surrogates,
)

MAX_DEPTH = 100
"""Real templates nest a few dozen levels at most; deeper input is rejected, not recursed into."""

TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels"

MAX_ALIAS_EXPANSION = 100_000
"""Nodes that aliases may add once expanded; a billion-laughs document exceeds it at once."""

_SHORT_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in [
            "Sub",
            "GetAtt",
            "Join",
            "If",
            "Select",
            "Split",
            "FindInMap",
            "Base64",
            "ImportValue",
            "GetAZs",
            "Equals",
            "Not",
            "And",
            "Or",
            "Cidr",
            "Transform",
            "Length",
            "ToJsonString",
        ]
    },
}

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_ANCHOR = re.compile(r"(?:^|[\s\[{,:\ufeff])&\S", re.MULTILINE)
"""Aliases need anchors, which follow a separator; only documents with something like one are
checked for bombs (a cycle missed here would still stop at ``MAX_DEPTH``)."""
_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


class TemplateLoadError(Exception):
    """The text is not a loadable template; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Resolver:
    """Dates stay strings: ``Version: 2012-10-17`` is policy text, not a date."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


class PureLoader(_Resolver, yaml.SafeLoader):
    """Used when PyYAML was built without libyaml, whose composer recurses per level."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise TemplateLoadError(TOO_DEEP, self.peek_event().start_mark.line + 1)
        node = super().compose_node(parent, index)
        self._depth -= 1
        return node


NODE_LOADER: type = PureLoader
if yaml.__with_libyaml__:

    class _FastLoader(_Resolver, yaml.CSafeLoader):
        """libyaml composes nodes about four times faster and stops at 1000 levels itself."""

    NODE_LOADER = _FastLoader


def load_template(text: str, file: str, loader_class: type | None = None) -> Any:
    """Parse ``text`` into LocatedDict/LocatedList/str/int/... or raise TemplateLoadError."""
    text = without_lone_surrogates(text)
    if text.lstrip("\ufeff \t\r\n").startswith("{"):
        # JSON allows tabs wherever it allows spaces; YAML does not. A tab outside a string is
        # whitespace in valid JSON and inside one it is invalid anyway, so lines stay right.
        text = text.replace("\t", " ")
    root = _compose(text, loader_class or NODE_LOADER)
    if root is None:
        return None
    if _ANCHOR.search(text):
        _check_aliases(root)
    return _Builder(text, file).value(root)


def _compose(text: str, loader_class: type) -> Node | None:
    loader = None
    try:
        loader = loader_class(text)
        return loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if "maximum nesting depth" in str(error.problem):
            raise TemplateLoadError(TOO_DEEP, mark.line + 1 if mark else None) from None
        raise TemplateLoadError(_describe(error), mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise TemplateLoadError(f"invalid character in YAML: {error.reason}", line) from None
    except yaml.YAMLError as error:
        raise TemplateLoadError(f"invalid YAML: {error}", None) from None
    except UnicodeEncodeError as error:
        line = text.count("\n", 0, error.start) + 1
        raise TemplateLoadError(f"invalid text: {error.reason}", line) from None
    finally:
        if loader is not None:
            loader.dispose()


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def _check_aliases(root: Node) -> None:
    """Reject alias expansion beyond the limit, and cycles, before anything walks the nodes.

    Aliases are shared nodes, so composing a billion-laughs document is cheap; walking it is
    not. Each reuse of an already-seen node adds that node's expanded size. Iterative, so a
    cyclic (recursive) alias cannot exhaust the stack here.
    """
    weights: dict[int, int] = {}
    on_path = {id(root)}
    stack = [(root, iter(_children(root)))]
    expansion = 0
    while stack:
        node, pending = stack[-1]
        child = next(pending, None)
        if child is None:
            stack.pop()
            on_path.discard(id(node))
            weights[id(node)] = 1 + sum(weights[id(c)] for c in _children(node))
        elif id(child) in weights:
            expansion += weights[id(child)]
            if expansion > MAX_ALIAS_EXPANSION:
                raise TemplateLoadError(
                    f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION} nodes",
                    node.start_mark.line + 1,
                )
        elif id(child) in on_path:
            raise TemplateLoadError("recursive YAML alias", node.start_mark.line + 1)
        else:
            on_path.add(id(child))
            stack.append((child, iter(_children(child))))


def _describe(error: yaml.MarkedYAMLError) -> str:
    parts = [error.context, error.problem]
    return "invalid YAML: " + ", ".join(p for p in parts if p)


class _Builder:
    """Turns composed nodes into located plain values."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.depth = 0

    def value(self, node: Node) -> Any:
        if node.tag.startswith("!") and node.tag not in _SHORT_TAGS:
            return self._foreign(node)
        if isinstance(node, ScalarNode) and node.tag not in _SHORT_TAGS:
            return self._scalar(node)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TemplateLoadError(TOO_DEEP, node.start_mark.line + 1)
        intrinsic = _SHORT_TAGS.get(node.tag)
        out: LocatedDict | LocatedList
        if intrinsic is not None:
            out = self._intrinsic(intrinsic, node)
        elif isinstance(node, MappingNode):
            out = self._mapping(node)
        else:
            assert isinstance(node, SequenceNode)  # scalars are handled above
            out = self._sequence(node)
        self.depth -= 1
        return out

    def _foreign(self, node: Node) -> Unknown:
        """A value another tool computes (``!Rain::Embed file``): what it becomes is not known
        here; its text, tag included, says what it was."""
        text = " ".join(self.text[node.start_mark.index : node.end_mark.index].split())
        return Unknown(text if len(text) <= 200 else text[:197] + "...")

    def location(self, node: Node) -> Location:
        return Location(self.file, node.start_mark.line + 1, self.end_line(node))

    def end_line(self, node: Node) -> int:
        """1-based line of the node's last character: block collections end where their last
        value ends, not at the next token (which may follow comments and blank lines)."""
        start = node.start_mark.line + 1
        while isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
            last = node.value[-1]
            node = last[1] if isinstance(node, MappingNode) else last
        index, line = node.end_mark.index, node.end_mark.line + 1
        while index > 0 and self.text[index - 1] in " \t\r\n":
            index -= 1
            if self.text[index] == "\n":
                line -= 1
        return max(line, start)

    def _intrinsic(self, name: str, node: Node) -> LocatedDict:
        if isinstance(node, ScalarNode):
            argument: Any = self._string(node)
            if name == "Fn::GetAtt":
                argument = LocatedList(argument.split(".", 1))
                argument.location = self.location(node)
        elif isinstance(node, SequenceNode):
            argument = self._sequence(node)
        else:
            assert isinstance(node, MappingNode)  # the only other kind of node
            argument = self._mapping(node)
        out = LocatedDict({name: argument})
        out.location = self.location(node)
        return out

    def _sequence(self, node: SequenceNode) -> LocatedList:
        out = LocatedList()
        for child in node.value:
            value = self.value(child)
            if type(value) is str:  # each ARN of a list is reported on its own line
                value = LocatedStr(value)
                value.location = self.location(child)
            out.append(value)
        out.location = self.location(node)
        return out

    def _mapping(self, node: MappingNode) -> MarkedDict:
        out = MarkedDict()
        out.location = self.location(node)
        out.entry_locations = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._merge(out, value_node)
                continue
            if not isinstance(key_node, ScalarNode) or key_node.tag in _SHORT_TAGS:
                raise TemplateLoadError(
                    "a mapping key must be a scalar", key_node.start_mark.line + 1
                )
            # A key is a name, kept as written: the condition operator ``Null`` is not None,
            # ``true:`` is not a bool.
            key = key_node.value
            out[key] = self.value(value_node)
            out.entry_locations[key] = Location(
                self.file, key_node.start_mark.line + 1, self.end_line(value_node)
            )
        return out

    def _merge(self, out: MarkedDict, node: Node) -> None:
        """``<<: *base`` copies the keys the mapping does not set itself."""
        sources = node.value if isinstance(node, SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, MappingNode):
                raise TemplateLoadError("a merge key needs mappings", node.start_mark.line + 1)
            merged = self._mapping(source)
            for key, value in merged.items():
                if key not in out:
                    out[key] = value
                    out.entry_locations[key] = merged.entry_locations[key]

    def _scalar(self, node: ScalarNode) -> Any:
        text, tag = node.value, node.tag
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return text.lower() in ("yes", "true", "on", "y")
        if tag == "tag:yaml.org,2002:int" and _DECIMAL_INT.fullmatch(text):
            return int(text)
        if tag == "tag:yaml.org,2002:float" and _DECIMAL_FLOAT.fullmatch(text):
            return float(text)
        return self._string(node)

    def _string(self, node: ScalarNode) -> str:
        text = node.value
        if text.lstrip()[:1] in ("{", "["):
            # Policy JSON written as a string: statements get lines counted from here.
            out = LocatedStr(text)
            line = node.start_mark.line + (2 if node.style in ("|", ">") else 1)
            out.location = Location(self.file, line, self.end_line(node))
            return out
        return text
