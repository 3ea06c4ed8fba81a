"""Terraform files to parse trees and top-level blocks.

Parsing is a pure function of a file's text, so it can run in worker processes and be cached
(``parse_cache``); everything that needs several files at once is in ``terraform_loader``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from ..model import limits
from ..model.values import Location, ParseError, shared_location
from .hcl_eval import Source, significant
from .hcl_parser import InvalidHcl, parse_hcl, parse_mirrored, parse_with_hcl2
from .hcl_tree import Token, Tree
from .terraform_json import parse_json_file

META_ARGUMENTS = {"count", "for_each", "depends_on", "provider", "lifecycle", "providers"}
"""Arguments Terraform itself reads: never part of a resource's (or module's) attributes."""
ALWAYS_KEPT = (
    "aws_iam_",
    "aws_ssoadmin_",
    "aws_caller_identity",
    "aws_partition",
    "aws_region",
    "template_file",
)
"""Kinds never skipped by the parser: IAM itself, the data sources that say which account,
partition and region a plan runs in (a plan of this configuration renders them), and
``template_file``, whose ``rendered`` text is often a policy."""

T = TypeVar("T")


@dataclass
class SourceText:
    """A Terraform file's text, known before it is parsed (parsing happens per directory,
    when the directory is first needed, so trees of finished roots can be dropped)."""

    path: Path
    rel: str
    text: str


class ParseFn(Protocol):
    """Parses one directory's files. ``outputs=False``: the directory is evaluated as a root,
    whose ``output`` blocks nothing reads; the parser may skip them (``hcl_blocks``)."""

    def __call__(
        self, sources: list[SourceText], outputs: bool = True
    ) -> list[Tree | ParseError]: ...


def default_parse(sources: list[SourceText], outputs: bool = True) -> list[Tree | ParseError]:
    """Every block parsed, outputs included."""
    return [parse_any(s.text, s.rel, s.path.name) for s in sources]


def parse_any(text: str, rel: str, name: str) -> Tree | ParseError:
    """HCL or JSON syntax, by file name."""
    if name.endswith(".json"):
        try:
            with limits.parse_deadline():
                return parse_json_file(text, rel, tfvars=name.endswith(".tfvars.json"))
        except limits.ParseTimeout as error:
            return ParseError(rel, None, str(error))
    return parse_file(text, rel)


def parse_file(text: str, rel: str) -> Tree | ParseError:
    """Parse HCL text; a syntax error becomes a ParseError with its line."""
    return _reported(parse_hcl, text, rel)


def parse_file_mirrored(text: str, rel: str) -> Tree | ParseError | None:
    """tree-sitter's parse alone (``hcl_parser.parse_mirrored``): None where python-hcl2 must
    parse the file (``parse_file_with_hcl2``)."""
    return _reported(parse_mirrored, text, rel)


def parse_file_with_hcl2(text: str, rel: str) -> Tree | ParseError:
    return _reported(parse_with_hcl2, text, rel)


def _reported(parse: Callable[[str], T], text: str, rel: str) -> T | ParseError:
    """``parse(text)`` within the time limit; a syntax error becomes a ParseError with its line."""
    try:
        with limits.parse_deadline():
            return parse(text)
    except limits.ParseTimeout as error:
        return ParseError(rel, None, str(error))
    except InvalidHcl as error:
        return ParseError(rel, error.line, f"invalid HCL: {error.detail}")
    except RecursionError as error:
        return ParseError(rel, None, f"invalid HCL: {type(error).__name__}")


@dataclass
class ParsedFile:
    """One ``.tf`` file: its text (for quoting and comments) and parse tree."""

    path: Path
    rel: str
    text: str
    tree: Tree

    @functools.cached_property
    def source(self) -> Source:
        """Made once: every evaluator over the file (one per block and instance) quotes it."""
        return Source(self.text)


@dataclass
class Block:
    """A top-level block: ``resource "t" "n" {}`` -> type "resource", labels ["t", "n"]."""

    type: str
    labels: list[str]
    body: Tree
    node: Tree
    file: ParsedFile

    def location(self) -> Location:
        return shared_location(self.file.rel, self.node.meta.line, self.node.meta.end_line)

    def attribute(self, name: str) -> Tree | None:
        """The value of the body's first attribute ``name``. The index is kept on the body
        tree, which every instance of the module shares."""
        index = getattr(self.body, "attribute_index", None)
        if index is None:
            index = {}
            for child in self.body.children:
                if isinstance(child, Tree) and child.data == "attribute":
                    index.setdefault(attribute_name(child), child.children[-1])
            self.body.attribute_index = index
        return index.get(name)


def attribute_name(node: Tree) -> str:
    first = node.children[0]
    return str(first.children[0]) if isinstance(first, Tree) else str(first)


def blocks_of(parsed: ParsedFile) -> Iterator[Block]:
    body = parsed.tree.children[0]
    for child in body.children:
        if isinstance(child, Tree) and child.data == "block":
            yield make_block(child, parsed)


def make_block(node: Tree, parsed: ParsedFile) -> Block:
    kids = significant(node)
    head = kids[0]
    block_type = str(head.children[0] if isinstance(head, Tree) else head)
    labels = []
    body = None
    for kid in kids[1:]:
        if isinstance(kid, Tree) and kid.data == "body":
            body = kid
        elif isinstance(kid, Tree) and kid.data == "string":
            labels.append("".join(str(p.children[0]) for p in kid.children if isinstance(p, Tree)))
        elif isinstance(kid, Tree):
            labels.append(str(kid.children[0]))
    return Block(block_type, labels, body if body is not None else Tree("body", []), node, parsed)


def literal_string(node: Tree | None) -> str | None:
    """The value of a plain string literal expression (module ``source``), else None."""
    if node is None:
        return None
    term: Tree | Token = node
    if isinstance(term, Tree) and term.data == "json_string":
        term = term.children[1]
    term = unwrapped(term)
    if isinstance(term, Tree) and term.data == "string":
        parts = [p.children[0] for p in term.children if isinstance(p, Tree)]
        if all(isinstance(p, Token) and p.type == "STRING_CHARS" for p in parts):
            return "".join(str(p) for p in parts)
    return None


def iterator_name(node: Tree) -> str | None:
    """A dynamic block's ``iterator``: a bare name in HCL, a string in ``.tf.json``."""
    text = literal_string(node)
    if text is not None:
        return text
    term = unwrapped(node)
    if isinstance(term, Tree) and term.data == "identifier":
        return str(term.children[0])
    return None


def unwrapped(node: Tree | Token) -> Tree | Token:
    """An expression without the ``expr_term`` wrappers around a single term."""
    while isinstance(node, Tree) and node.data == "expr_term" and len(significant(node)) == 1:
        node = significant(node)[0]
    return node
