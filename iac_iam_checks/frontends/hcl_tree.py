"""The parse tree the evaluator reads: python-hcl2's shape (its rule names, tokens and
positions) in classes of our own.

Why not Lark's classes: importing ``lark`` costs about 30 ms in every process (it brings its
parser generator, ``logging`` and the ``regex`` module), a sixth of a scan of a small
repository, and with tree-sitter parsing nothing else of Lark is needed. These classes behave
as Lark's do where the package relies on it (equality, hashing, ``repr``, a ``Meta`` made on
first use); python-hcl2's trees, from the fallback parser, are copied into them by
:func:`from_lark`, so the rest of the package sees one kind of tree whichever parser ran.
"""

from __future__ import annotations

from typing import Any


class Meta:
    """Where a node is: lines (1-based) and character offsets; ``empty`` until set."""

    __slots__ = ("empty", "line", "column", "start_pos", "end_line", "end_column", "end_pos")

    empty: bool
    line: int
    column: int
    start_pos: int
    end_line: int
    end_column: int
    end_pos: int

    def __init__(self) -> None:
        self.empty = True


class Tree:
    """A rule's node: its name (``data``), children (trees and tokens) and position.

    Slots, not a dictionary per node: a scan holds hundreds of thousands of nodes. The last
    three slots are answers kept on the node by the code that reads it (each instance of a
    module reads the same tree again): ``hcl_eval.significant``'s children,
    ``terraform_parse.Block.attribute``'s index of a body, ``hcl_types.declared_type``'s parsed
    type (in a 1-tuple: ``None`` is a type's answer too). Unset until first asked.
    """

    __slots__ = (
        "data",
        "children",
        "_meta",
        "significant_children",
        "attribute_index",
        "type_spec",
    )

    significant_children: list[Any]
    attribute_index: dict[str, Any]
    type_spec: tuple[Any]

    def __init__(self, data: str, children: list[Any], meta: Meta | None = None) -> None:
        self.data = data
        self.children = children
        self._meta = meta

    @property
    def meta(self) -> Meta:
        if self._meta is None:
            self._meta = Meta()
        return self._meta

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"

    def __eq__(self, other: object) -> bool:
        try:
            return self.data == other.data and self.children == other.children  # type: ignore[attr-defined]
        except AttributeError:
            return False

    def __hash__(self) -> int:
        return hash((self.data, tuple(self.children)))


class Token(str):
    """A terminal: its text (the string itself), kind and position."""

    __slots__ = (
        "type",
        "start_pos",
        "value",
        "line",
        "column",
        "end_line",
        "end_column",
        "end_pos",
    )

    type: str
    start_pos: int | None
    value: Any
    line: int | None
    column: int | None
    end_line: int | None
    end_column: int | None
    end_pos: int | None

    def __new__(
        cls,
        type: str,  # noqa: A002 - Lark's name for it
        value: Any,
        start_pos: int | None = None,
        line: int | None = None,
        column: int | None = None,
        end_line: int | None = None,
        end_column: int | None = None,
        end_pos: int | None = None,
    ) -> Token:
        token = super().__new__(cls, value)
        token.type = type
        token.start_pos = start_pos
        token.value = value
        token.line = line
        token.column = column
        token.end_line = end_line
        token.end_column = end_column
        token.end_pos = end_pos
        return token

    def update(self, type: str | None = None, value: Any = None) -> Token:  # noqa: A002
        """The same position with another kind or text."""
        kind = self.type if type is None else type
        return Token(kind, self.value if value is None else value, *_position(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Token, (self.type, self.value, *_position(self)))

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Token) and self.type != other.type:
            return False
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def _position(token: Any) -> tuple[Any, ...]:
    """A token's position (ours or Lark's) in the constructor's order, after type and value."""
    return (
        token.start_pos,
        token.line,
        token.column,
        token.end_line,
        token.end_column,
        token.end_pos,
    )


_META_FIELDS = ("line", "column", "start_pos", "end_line", "end_column", "end_pos")


def from_lark(root: Any) -> Tree:
    """A copy of a Lark tree (python-hcl2's) in these classes; iterative, so that a deeply
    nested tree the parser accepted is copied whatever the recursion limit."""
    import lark

    def copy(node: Any) -> Any:
        if isinstance(node, lark.Token):
            return Token(node.type, node.value, *_position(node))
        meta = Meta()
        if node._meta is not None and not node._meta.empty:
            meta.empty = False
            for name in _META_FIELDS:
                setattr(meta, name, getattr(node._meta, name))
        return Tree(node.data, [], meta)

    top = copy(root)
    pending = [(root, top)]
    while pending:
        source, target = pending.pop()
        for child in source.children:
            copied = copy(child)
            target.children.append(copied)
            if isinstance(copied, Tree):
                pending.append((child, copied))
    return top
