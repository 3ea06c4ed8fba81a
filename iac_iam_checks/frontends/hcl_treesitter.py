"""HCL parsed in C by tree-sitter, handed on as the Lark tree python-hcl2 would have built.

python-hcl2's pure-Python LALR parse is the bound on a cold scan (about 4-6 ms per KB);
tree-sitter's HCL grammar parses the same text about ten times faster (``benchmarks/README.md``,
"Parser: measured"). Everything above the front end reads python-hcl2's raw parse tree (rule
names, token types, ``meta`` lines and offsets), so this module rebuilds exactly that tree from
tree-sitter's: the same rules and tokens (punctuation and layout left out: the evaluator's
``significant`` drops them anyway), the same positions, python-hcl2's quirks included (a binary
operation swallows the newlines and comments after it; a heredoc ends after its closing
newline).

Whatever this module cannot mirror exactly (a syntax error, a construct python-hcl2 would
reject or build differently) raises :class:`Unsupported`; ``hcl_parser`` then parses that file
with python-hcl2, the reference, so errors and rare forms come out exactly as before.
"""

from __future__ import annotations

import bisect
import functools
import re
from itertools import accumulate
from typing import Any

from .hcl_tree import Meta, Token, Tree

KEYWORDS = {
    "in": "IN",
    "for": "FOR",
    "if": "IF",
    "for_each": "FOR_EACH",
    "else": "ELSE",
    "endif": "ENDIF",
    "endfor": "ENDFOR",
}
"""Names python-hcl2 lexes as keywords where a keyword may stand (attribute names, object keys,
block types and labels)."""
LITERALS = {"true": "TRUE", "false": "FALSE", "null": "NULL"}
OPERATORS = {
    "==": "DOUBLE_EQ",
    "!=": "NEQ",
    "<": "LT",
    ">": "GT",
    "<=": "LEQ",
    ">=": "GEQ",
    "-": "MINUS",
    "*": "ASTERISK",
    "/": "SLASH",
    "%": "PERCENT",
    "&&": "DOUBLE_AMP",
    "||": "DOUBLE_PIPE",
    "+": "PLUS",
}
STEP_RULES = {
    "get_attr": "get_attr_expr_term",
    "index": "index_expr_term",
    "splat": "splat",
}
_STRING_PIECES = re.compile(
    r"(?P<ESCAPED_INTERPOLATION>\$\$\{[^}]*\})|(?P<ESCAPED_DIRECTIVE>%%\{[^}]*\})"
    r"|(?P<STRING_CHARS>(?:(?!\$\$\{)(?!\$\{)(?!%%\{)(?!%\{)[^\"\\]|\\.|\$(?!\$?\{)|%(?!%?\{))+)",
    re.DOTALL,
)
"""python-hcl2's string terminals, in its lexer's order of preference."""
_SIGNED_NUMBER = re.compile(r"-[0-9](?:[0-9]|\.[0-9]|[eE][+-]?[0-9]|-[0-9])")
"""A minus python-hcl2's lexer may take into a number (INT_LITERAL, FLOAT_LITERAL); a bare
``-1`` stays an operator. Broad on purpose: a text it matches wrongly is only parsed by
python-hcl2."""
_FLOAT = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")
_HEREDOC = re.compile(
    r"<<-?(?P<marker>[a-zA-Z][a-zA-Z0-9._-]*)\r?\n(?:.*?\r?\n)??\s*(?P=marker)\r?\n", re.DOTALL
)
"""python-hcl2's heredoc token: it ends at the first line holding only the marker (blanks
before it allowed), wherever tree-sitter ends it."""
_HEREDOC_TAIL = re.compile(r"[a-zA-Z][a-zA-Z0-9._-]*\r?\n")
_GLUED_OPERATOR = re.compile(r"[ \t\r]*(?:==|!=|<=|>=|<|>|\*|/|%|&&|\|\||\+|\?)")
"""The operators python-hcl2's post-lexer glues a preceding newline to (not ``-``)."""
_LAYOUT = re.compile(r"[ \t\r]*(?:\n[ \t]*|#[^\n]*\n|//[^\n]*\n|/\*.*?\*/)", re.DOTALL)
"""One of python-hcl2's NL_OR_COMMENT tokens, after the blanks its lexer ignores."""


class Unsupported(Exception):
    """This text is left to python-hcl2: a syntax error, or a form not mirrored here."""


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_hcl

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


def available() -> bool:
    """Whether the tree-sitter wheels are installed (they are an optional speed-up)."""
    try:
        _parser()
    except (ImportError, OSError, ValueError):
        return False
    return True


def parse(text: str) -> Tree:
    """``text`` (with python-hcl2's trailing newline already added) as python-hcl2's tree."""
    data = text.encode("utf-8")
    root = _parser().parse(data).root_node
    if root.has_error:
        raise Unsupported("syntax error")
    return _Builder(text, data).start(root)


def _comments_in(node: Any, out: list[Any]) -> None:
    """Every comment tree-sitter read inside ``node``."""
    for kid in node.children:
        if kid.type == "comment":
            out.append(kid)
        elif kid.child_count:
            _comments_in(kid, out)


_NEWLINE = re.compile(b"\n")
_OPENING = frozenset(("(", "[", "{", "tuple_start", "object_start"))
_CLOSING = frozenset((")", "]", "}", "tuple_end", "object_end"))


def _bracket_interiors(node: Any, out: list[tuple[int, int]]) -> None:
    """The byte spans between each bracket pair inside ``node`` (a call's parentheses, a
    tuple's or an index's brackets, an object's braces, parentheses around an expression)."""
    kids = node.children
    opening = [kid for kid in kids if kid.type in _OPENING]
    closing = [kid for kid in kids if kid.type in _CLOSING]
    if opening and closing:
        out.append((opening[0].end_byte, closing[-1].start_byte))
    for kid in kids:
        if kid.child_count:
            _bracket_interiors(kid, out)


class _Builder:
    """One file's conversion: the text, and byte offsets to character offsets and lines."""

    def __init__(self, text: str, data: bytes) -> None:
        self.text = text
        self.data = data
        self.ascii = len(data) == len(text)
        self.chars: list[int] = []
        if not self.ascii:
            flags = data.translate(_CHAR_STARTS)
            self.chars = [0, *accumulate(flags)]
        self.newlines: list[int] | None = None

    # -- positions --------------------------------------------------------------------------

    def pos(self, byte: int) -> int:
        return byte if self.ascii else self.chars[byte]

    def line_at(self, pos: int) -> int:
        """The 1-based line of character offset ``pos``."""
        if self.newlines is None:
            self.newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self.newlines, pos) + 1

    def meta(self, start: int, end: int, line: int, end_line: int) -> Meta:
        return _Meta(start, end, line, end_line)

    def span(self, node: Any) -> Meta:
        # ``pos`` inlined: this runs for almost every node.
        start, end = node.start_byte, node.end_byte
        if not self.ascii:
            start, end = self.chars[start], self.chars[end]
        return _Meta(start, end, node.start_point[0] + 1, node.end_point[0] + 1)

    def joined(self, first: Meta, last: Meta) -> Meta:
        """From the start of ``first`` to the end of ``last`` (whichever ends later)."""
        return _Meta(first.start_pos, last.end_pos, first.line, last.end_line)

    def token(self, kind: str, node: Any) -> Token:
        return self.leaf(kind, node)[0]

    def leaf(self, kind: str, node: Any) -> tuple[Token, Meta]:
        """A token of ``node``'s text and a ``Meta`` of the same span, positions read once."""
        start, end = node.start_byte, node.end_byte
        if not self.ascii:
            start, end = self.chars[start], self.chars[end]
            if kind == "NAME" and not self.text[start:end].isascii():
                raise Unsupported("name")  # HCL allows it; python-hcl2's NAME is ASCII
        line, end_line = node.start_point[0] + 1, node.end_point[0] + 1
        token = _token(kind, self.text[start:end], start, line, end_line, end)
        return token, _Meta(start, end, line, end_line)

    def tight(self, end: int, start: int, between: tuple[bytes, ...] = (b"",)) -> None:
        """Only blanks and ``between`` lie from byte ``end`` to byte ``start``: where
        python-hcl2's grammar has no ``new_line_or_comment`` (tree-sitter's allows a newline or
        a comment almost anywhere); anything else is left to python-hcl2."""
        if end != start and self.data[end:start].strip(b" \t\r") not in between:
            raise Unsupported("newline or comment")

    def text_of(self, node: Any) -> str:
        return self.text[self.pos(node.start_byte) : self.pos(node.end_byte)]

    def after_layout(self, end: int) -> int:
        """The end of the run of newlines and comments right after ``end`` (``end`` if none):
        what python-hcl2's optional ``new_line_or_comment`` at the end of a rule takes."""
        text = self.text
        while True:
            match = _LAYOUT.match(text, end)
            if match is None:
                return end
            end = match.end()

    def absorbed(self, end: int) -> int:
        """What an innermost binary operation at ``end`` takes: the newlines and comments
        after it, but not the last one when an operator follows (python-hcl2's post-lexer
        glues that one to the operator)."""
        text = self.text
        ends = [end]
        while True:
            match = _LAYOUT.match(text, ends[-1])
            if match is None:
                break
            ends.append(match.end())
        if len(ends) > 1 and _GLUED_OPERATOR.match(text, ends[-1]):
            ends.pop()
        return ends[-1]

    def layouts(self, start: int, end: int) -> list[str]:
        """The newline and comment tokens between two tokens, as python-hcl2 lexes them."""
        found: list[str] = []
        while True:
            match = _LAYOUT.match(self.text, start, end)
            if match is None:
                return found
            found.append(match.group().lstrip(" \t\r"))
            start = match.end()

    def glued_layout(self, left: Tree, operator: int) -> str | None:
        """The newline or comment python-hcl2's post-lexer glues to the operator (or ``?``) at
        character ``operator``: the last of those after ``left``. The ones before it only a
        binary operation takes (its rule ends with them); after any other ``left`` python-hcl2
        rejects them, so the file is left to it."""
        found = self.layouts(left.meta.end_pos, operator)
        if len(found) > 1 and left.data != "binary_op":
            raise Unsupported("newlines or comments before an operator")
        return found[-1] if found else None

    def extended(self, tree: Tree, end: int) -> Tree:
        """``tree`` with its end moved to ``end`` (a character offset)."""
        if end != tree.meta.end_pos:
            tree.meta.end_pos = end
            tree.meta.end_line = self.line_at(end)
        return tree

    # -- structure --------------------------------------------------------------------------

    def start(self, root: Any) -> Tree:
        if any(c.type not in ("body", "comment") for c in root.children):
            raise Unsupported("a file that is one object")
        body = next((c for c in root.children if c.type == "body"), None)
        tree = self.body(body) if body is not None else Tree("body", [])
        return Tree("start", [tree], self.span(root))

    def body(self, node: Any) -> Tree:
        children = []
        for child in node.children:
            kind = child.type
            if kind == "attribute":
                children.append(self.attribute(child))
            elif kind == "block":
                children.append(self.block(child))
            elif kind != "comment":
                raise Unsupported(kind)
        return Tree("body", children, self.span(node))

    def attribute(self, node: Any) -> Tree:
        kids = node.children
        self.tight(kids[0].end_byte, kids[-1].start_byte, (b"=",))
        name = self.name(kids[0])
        value = self.expression(kids[-1])
        meta = self.span(node)
        if value.meta.end_pos > meta.end_pos:
            meta = self.joined(meta, value.meta)
        return Tree("attribute", [name, value], meta)

    def block(self, node: Any) -> Tree:
        children: list[Tree | Token] = []
        body = None
        label_end = None
        for child in node.children:
            kind = child.type
            if kind in ("identifier", "string_lit"):
                if label_end is not None:
                    self.tight(label_end, child.start_byte)
                label_end = child.end_byte
                children.append(self.name(child) if kind == "identifier" else self.string(child))
            elif kind == "body":
                body = self.body(child)
            elif kind not in ("block_start", "block_end", "comment"):
                raise Unsupported(kind)
        children.append(body if body is not None else Tree("body", []))
        return Tree("block", children, self.span(node))

    def name(self, node: Any) -> Tree:
        """An attribute or block name: ``identifier``, or ``keyword``/``literal_value`` where
        python-hcl2's lexer takes the word for one."""
        token, meta = self.leaf("NAME", node)
        if token in KEYWORDS:
            token.type = KEYWORDS[token]
            return Tree("keyword", [token], meta)
        if token in LITERALS:
            token.type = LITERALS[token]
            return Tree("literal_value", [token], meta)
        return Tree("identifier", [token], meta)

    # -- expressions ------------------------------------------------------------------------

    def expression(self, node: Any) -> Tree:
        """A tree-sitter ``expression`` node."""
        kids = node.children
        if len(kids) == 1 and kids[0].type in _PLAIN_TERMS:
            return self.term(kids[0])  # the common case, without ``sequence``'s checks
        return self.sequence(kids, node)

    def sequence(self, kids: list[Any], whole: Any) -> Tree:
        """A term followed by traversal steps (``a.b[0]``), or one operation/conditional."""
        kids = [k for k in kids if k.type != "comment"]
        first = kids[0]
        kind = first.type
        if len(kids) == 1:
            if kind == "operation":
                return self.operation(first.children[0])
            if kind == "conditional":
                return self.conditional(first)
            if kind == "expression":
                return self.expression(first)
        if kind == "(":
            if len(kids) < 3 or kids[2].type != ")":
                raise Unsupported("parenthesis")
            inner = self.expression(kids[1])
            meta = self.meta(
                self.pos(first.start_byte),
                self.pos(kids[2].end_byte),
                first.start_point[0] + 1,
                kids[2].end_point[0] + 1,
            )
            base = Tree("expr_term", [inner], meta)
            rest = kids[3:]
        else:
            base = self.term(first)
            rest = kids[1:]
        end = first.end_byte if kind != "(" else kids[2].end_byte
        for step in rest:
            self.tight(end, step.start_byte)
            base = self.step(base, step)
            end = step.end_byte
        return base

    def term(self, node: Any) -> Tree:
        """One term, wrapped in ``expr_term`` as python-hcl2 wraps every term."""
        kind = node.type
        inner: Tree
        if kind == "expression":
            return self.expression(node)
        if kind == "literal_value":
            inner = self.literal(node.children[0])
        elif kind == "variable_expr":
            inner = self.identifier(node.children[0])
        elif kind == "template_expr":
            inner = self.template(node.children[0])
        elif kind == "collection_value":
            inner = self.collection(node.children[0])
        elif kind == "function_call":
            inner = self.function_call(node)
        elif kind == "for_expr":
            inner = self.for_expr(node.children[0])
        elif kind in ("operation", "conditional"):
            raise Unsupported("operation as a term")
        else:
            raise Unsupported(kind)
        return Tree("expr_term", [inner], inner.meta)

    def identifier(self, node: Any) -> Tree:
        token, meta = self.leaf("NAME", node)
        return Tree("identifier", [token], meta)

    def literal(self, node: Any) -> Tree:
        kind = node.type
        if kind == "numeric_lit":
            token, meta = self.leaf("INT_LITERAL", node)
            if not _FLOAT.match(token) or self.glued(meta.end_pos):
                raise Unsupported(token)
            if "." in token or "e" in token or "E" in token:
                token.type = "FLOAT_LITERAL"
                return Tree("float_lit", [token], meta)
            return Tree("int_lit", [token], meta)
        if kind in ("bool_lit", "null_lit"):
            token, meta = self.leaf("NAME", node)
            token.type = LITERALS[token]
            return Tree("literal_value", [token], meta)
        if kind == "string_lit":
            return self.string(node)
        raise Unsupported(kind)

    def glued(self, end: int) -> bool:
        """Whether a word goes on right after a number: tree-sitter reads ``1e3`` as ``1``
        and a name ``e3``, python-hcl2 as one FLOAT_LITERAL."""
        after = self.text[end : end + 1]
        return after.isalnum() or after == "_"

    def step(self, base: Tree, node: Any) -> Tree:
        kind = node.type
        if kind == "get_attr":
            step = self.get_attr(node)
            rule = "get_attr_expr_term"
        elif kind == "index":
            step = self.index(node.children[0])
            rule = "index_expr_term"
        elif kind == "splat":
            splat = node.children[0]
            parts: list[Tree | Token] = []
            end = splat.start_byte
            for part in splat.children:
                self.tight(end, part.start_byte)
                end = part.end_byte
                if part.type in (".*", "[*]"):
                    token = "ATTR_SPLAT" if part.type == ".*" else "FULL_SPLAT_START"
                    parts.append(self.token(token, part))
                elif part.type == "get_attr":
                    parts.append(self.get_attr(part))
                elif part.type == "index":
                    parts.append(self.index(part.children[0]))
                else:
                    raise Unsupported(part.type)
            name = "attr_splat" if splat.type == "attr_splat" else "full_splat"
            step = Tree(name, parts, self.span(splat))
            rule = name + "_expr_term"
        else:
            raise Unsupported(kind)
        inner = Tree(rule, [base, step], self.joined(base.meta, step.meta))
        return Tree("expr_term", [inner], inner.meta)

    def get_attr(self, node: Any) -> Tree:
        self.tight(node.start_byte + 1, node.children[-1].start_byte)
        token, meta = self.leaf("NAME", node.children[-1])
        if token in LITERALS:
            token.type = LITERALS[token]
            target = Tree("literal_value", [token], meta)
        else:
            target = Tree("identifier", [token], meta)
        return Tree("get_attr", [target], self.span(node))

    def index(self, node: Any) -> Tree:
        if node.type == "new_index":
            inner = next(k for k in node.children if k.type == "expression")
            return Tree("braces_index", [self.expression(inner)], self.span(node))
        if node.type == "legacy_index":
            digits = self.text_of(node)[1:]
            if not digits.isdigit():
                raise Unsupported("legacy index")
            end = node.end_byte
            row = node.end_point[0] + 1
            token = _token(
                "INT_LITERAL", digits, self.pos(end) - len(digits), row, row, self.pos(end)
            )
            return Tree("short_index", [token], self.span(node))
        raise Unsupported(node.type)

    # -- operators --------------------------------------------------------------------------

    def operation(self, node: Any) -> Tree:
        if node.type == "unary_operation":
            return self.unary(node)
        if node.type != "binary_operation":
            raise Unsupported(node.type)
        kids = [k for k in node.children if k.type != "comment"]
        at = next(i for i, k in enumerate(kids) if k.type in OPERATORS and not k.is_named)
        left = self.sequence(kids[:at], node)
        op_node = kids[at]
        right = self.sequence(kids[at + 1 :], node)
        if left.data == "conditional" or right.data == "conditional":
            raise Unsupported("conditional operand")
        if right.data == "binary_op" and not self.tighter(op_node, kids[at + 1 :]):
            raise Unsupported("operand order")
        if op_node.type == "-":
            if _SIGNED_NUMBER.match(self.text, self.pos(op_node.start_byte)):
                raise Unsupported("signed number")  # python-hcl2 lexes ``a -12`` as a, -12
            self.tight(kids[at - 1].end_byte, op_node.start_byte)  # no newline glues to it
        op_token = self.token(OPERATORS[op_node.type], op_node)
        if op_node.type != "-":
            glued = self.glued_layout(left, op_token.start_pos or 0)
            if glued is not None:
                op_token = op_token.update(value=glued + op_token.value)
        op = Tree("binary_operator", [op_token], self.span(op_node))
        term = Tree("binary_term", [op, right], self.joined(op.meta, right.meta))
        tree = Tree("binary_op", [left, term], self.joined(left.meta, term.meta))
        if right.data != "binary_op":
            # python-hcl2's innermost, rightmost binary_op takes the newlines after it.
            self.extended(tree, self.absorbed(tree.meta.end_pos))
        else:
            tree.meta.end_pos, tree.meta.end_line = right.meta.end_pos, right.meta.end_line
        return tree

    def tighter(self, op_node: Any, right: list[Any]) -> bool:
        """Whether a binary operand on the right is a tighter operation (``a || b && c``),
        as python-hcl2's precedence ladder builds it."""
        inner = right[0].children[0] if right and right[0].type == "operation" else None
        if inner is None or inner.type != "binary_operation":
            return False
        ops = [k for k in inner.children if k.type in OPERATORS and not k.is_named]
        return bool(ops) and _LEVEL[ops[0].type] > _LEVEL[op_node.type]

    def unary(self, node: Any) -> Tree:
        kids = [k for k in node.children if k.type != "comment"]
        op, operand = kids[0], kids[1:]
        self.tight(op.end_byte, operand[0].start_byte)
        if op.type == "-" and _SIGNED_NUMBER.match(self.text, self.pos(op.start_byte)):
            number = operand[0].children[0] if operand[0].type == "literal_value" else None
            if len(operand) != 1 or number is None or number.type != "numeric_lit":
                raise Unsupported("signed number")  # python-hcl2: ``-12[0]`` indexes -12
            negative = self.negative_number(op, number)
            if negative is not None:
                return negative
        if operand and operand[0].type in ("operation", "conditional"):
            raise Unsupported("unary of an operation")
        value = self.sequence(operand, node)
        if value.data != "expr_term":
            raise Unsupported("unary operand")
        kind = "MINUS" if op.type == "-" else "NOT"
        return Tree("unary_op", [self.token(kind, op), value], self.span(node))

    def negative_number(self, op: Any, number: Any) -> Tree | None:
        """``-2.5`` and ``-12``: one literal token in python-hcl2 (``-2`` is a unary minus:
        its INT_LITERAL takes a sign only before two digits or more)."""
        word = self.text_of(number)
        if self.glued(self.pos(number.end_byte)):
            raise Unsupported(word)
        if "." in word or "e" in word or "E" in word:
            if not _FLOAT.match(word):
                raise Unsupported(word)
            kind, rule = "FLOAT_LITERAL", "float_lit"
        elif len(word) > 1:
            kind, rule = "INT_LITERAL", "int_lit"
        else:
            return None
        start, end = self.pos(op.start_byte), self.pos(number.end_byte)
        line, end_line = op.start_point[0] + 1, number.end_point[0] + 1
        meta = self.meta(start, end, line, end_line)
        token = _token(kind, "-" + word, start, line, end_line, end)
        return Tree("expr_term", [Tree(rule, [token], meta)], meta)

    def conditional(self, node: Any) -> Tree:
        parts = [k for k in node.children if k.type == "expression"]
        if len(parts) != 3:
            raise Unsupported("conditional")
        test = self.expression(parts[0])
        if test.data != "binary_op":  # a binary operation takes the newlines after it
            mark = next(k for k in node.children if k.type == "?")
            glued = self.glued_layout(test, self.pos(mark.start_byte))
            if glued is not None and test.data == "conditional":
                raise Unsupported("a newline or comment before a nested conditional's ?")
        if test.data == "conditional":
            # tree-sitter's HCL grammar nests ``a ? b : c ? d : e`` to the left; HCL (and
            # python-hcl2) to the right: ``a ? b : (c ? d : e)``.
            first, yes, no = test.children
            rest = self.conditional_of(no, self.expression(parts[1]), self.expression(parts[2]))
            return Tree("conditional", [first, yes, rest], self.joined(first.meta, rest.meta))
        yes = self.expression(parts[1])
        no = self.expression(parts[2])
        return Tree("conditional", [test, yes, no], self.joined(test.meta, no.meta))

    def conditional_of(self, test: Any, yes: Tree, no: Tree) -> Tree:
        if isinstance(test, Tree) and test.data == "conditional":
            first, inner_yes, inner_no = test.children
            rest = self.conditional_of(inner_no, yes, no)
            return Tree("conditional", [first, inner_yes, rest], self.joined(first.meta, rest.meta))
        return Tree("conditional", [test, yes, no], self.joined(test.meta, no.meta))

    # -- strings and templates --------------------------------------------------------------

    def string(self, node: Any) -> Tree:
        """A quoted string: ``string`` of ``string_part`` with python-hcl2's tokens; template
        directives come flat (``template_if_start``, ``template_else``, ...), as there."""
        kids = node.children
        if len(kids) <= 3 and kids[-1].type == "quoted_template_end":
            plain = self.plain_string(node, kids)
            if plain is not None:
                return plain
        parts: list[Tree | Token] = []
        cursor = kids[0].end_byte  # after the opening quote
        for piece in self.pieces(kids[1:]):
            if piece.start_byte > cursor and piece.type != "quoted_template_end":
                before = self.text[self.pos(piece.start_byte) - 1]
                if before in "$%":  # "$${": HCL's escape, which tree-sitter's grammar misses
                    raise Unsupported("escape before a template sequence")
            self.literal_parts(cursor, piece.start_byte, parts)
            if piece.type == "quoted_template_end":
                break
            if piece.type == "template_interpolation":
                parts.append(self.interpolation(piece))
            else:
                marker = self.directive(piece)
                parts.append(Tree("string_part", [marker], marker.meta))
            cursor = piece.end_byte
        return Tree("string", parts, self.span(node))

    def plain_string(self, node: Any, kids: list[Any]) -> Tree | None:
        """``""`` or a string of one line of plain characters (most strings), as ``string``
        builds it, without its walk; None for any other string."""
        if len(kids) == 3 and kids[1].type != "template_literal":
            return None
        start, end = kids[0].end_byte, kids[-1].start_byte
        if not self.ascii:
            start, end = self.chars[start], self.chars[end]
        if start == end:
            return Tree("string", [], self.span(node))
        chunk = self.text[start:end]
        if "$" in chunk or "%" in chunk or "\n" in chunk or "\\" in chunk:
            return None
        line = node.start_point[0] + 1  # the line of the opening quote, right before ``start``
        token = _token("STRING_CHARS", chunk, start, line, line, end)
        part = Tree("string_part", [token], _Meta(start, end, line, line))
        return Tree("string", [part], self.span(node))

    def pieces(self, kids: list[Any]) -> Any:
        """Interpolations and directive markers in text order (literals are the gaps)."""
        for kid in kids:
            kind = kid.type
            if kind in ("template_literal", "escape_sequence"):
                continue
            if kind in ("template_directive", "template_if", "template_for"):
                yield from self.pieces(kid.children)
            elif kind in _DIRECTIVES or kind in ("quoted_template_end", "template_interpolation"):
                yield kid
            else:
                raise Unsupported(kind)

    def layout_in_sequence(self, node: Any) -> None:
        """python-hcl2 allows a newline or comment in a quoted string's ``${ }`` or ``%{ }``
        only inside brackets (``"${try(\n  a,\n  b\n)}"``), where its grammar reads it as
        it would outside a string; anything else is left to it. A ``//`` or ``#`` in a
        string inside the sequence (``replace(url, "https://", "")``) is text, no comment."""
        start, end = node.start_byte, node.end_byte
        data = self.data
        comments: list[Any] = []
        if any(data.find(mark, start, end) >= 0 for mark in (b"#", b"//", b"/*")):
            _comments_in(node, comments)
        marks = [c.start_byte for c in comments]
        marks += [newline.start() for newline in _NEWLINE.finditer(data, start, end)]
        if not marks:
            return
        interiors: list[tuple[int, int]] = []
        _bracket_interiors(node, interiors)
        if not all(any(s <= mark < e for s, e in interiors) for mark in marks):
            raise Unsupported("newline or comment in a template sequence")

    def directive(self, node: Any) -> Tree:
        self.layout_in_sequence(node)
        children: list[Tree | Token] = []
        for kid in node.children:
            kind = kid.type
            if kind == "template_directive_start":
                children.append(self.token("DIRECTIVE_START", kid))
            elif kind == "strip_marker":
                children.append(self.token("STRIP_MARKER", kid))
            elif kind in ("else", "endif", "endfor"):
                children.append(self.token(kind.upper(), kid))
            elif kind == "identifier":
                children.append(self.identifier(kid))
            elif kind == "expression":
                children.append(self.expression(kid))
        return Tree(_DIRECTIVES[node.type], children, self.span(node))

    def literal_parts(self, start_byte: int, end_byte: int, parts: list[Tree | Token]) -> None:
        start, end = self.pos(start_byte), self.pos(end_byte)
        if start == end:
            return
        text = self.text
        chunk = text[start:end]
        if "$" not in chunk and "%" not in chunk and "\n" not in chunk and "\\" not in chunk:
            line = self.line_at(start)
            token = _token("STRING_CHARS", chunk, start, line, line, end)
            parts.append(Tree("string_part", [token], _Meta(start, end, line, line)))
            return
        at = start
        for match in _STRING_PIECES.finditer(text, start, end):
            if match.start() != at:
                raise Unsupported("string text")
            kind = match.lastgroup or "STRING_CHARS"
            line = self.line_at(match.start())
            end_line = self.line_at(match.end()) if "\n" in match.group() else line
            token = _token(kind, match.group(), match.start(), line, end_line, match.end())
            meta = self.meta(match.start(), match.end(), line, end_line)
            parts.append(Tree("string_part", [token], meta))
            at = match.end()
        if at != end:
            raise Unsupported("string text")

    def interpolation(self, node: Any) -> Tree:
        self.layout_in_sequence(node)
        kids = node.children
        exprs = [k for k in kids if k.type == "expression"]
        if len(exprs) != 1 or any(k.type == "strip_marker" for k in kids):
            raise Unsupported("interpolation")
        meta = self.span(node)
        inner = Tree("interpolation", [self.expression(exprs[0])], meta)
        return Tree("string_part", [inner], meta)

    def template(self, node: Any) -> Tree:
        if node.type == "quoted_template":
            return self.string(node)
        if node.type == "heredoc_template":
            return self.heredoc(node)
        raise Unsupported(node.type)

    def heredoc(self, node: Any) -> Tree:
        """python-hcl2 reads a heredoc as one token, up to and including the newline after
        its closing marker (blanks after a marker are moved past its newline before either
        parser reads the text: ``hcl_parser.heredoc_ends_trimmed``)."""
        start = self.pos(node.start_byte)
        end = self.pos(node.end_byte)
        text = self.text
        whole = _HEREDOC.match(text, start)
        closing = node.children[-1]
        if whole is None or closing.type != "heredoc_identifier":
            raise Unsupported("heredoc")
        tail = _HEREDOC_TAIL.match(text, self.pos(closing.start_byte))
        if tail is None or tail.end() < end or tail.end() != whole.end():
            raise Unsupported("heredoc end")
        end = tail.end()
        trim = text.startswith("<<-", start)
        kind = "HEREDOC_TEMPLATE_TRIM" if trim else "HEREDOC_TEMPLATE"
        line = node.start_point[0] + 1
        end_line = self.line_at(end)
        token = _token(kind, text[start:end], start, line, end_line, end)
        meta = self.meta(start, end, line, end_line)
        name = "heredoc_template_trim" if trim else "heredoc_template"
        return Tree(name, [token], meta)

    # -- collections ------------------------------------------------------------------------

    def collection(self, node: Any) -> Tree:
        if node.type == "tuple":
            items: list[Tree | Token] = [
                self.expression(k) for k in node.children if k.type == "expression"
            ]
            return Tree("tuple", items, self.span(node))
        if node.type == "object":
            elems: list[Tree | Token] = [
                self.object_elem(k) for k in node.children if k.type == "object_elem"
            ]
            return Tree("object", elems, self.span(node))
        raise Unsupported(node.type)

    def object_elem(self, node: Any) -> Tree:
        kids = [k for k in node.children if k.type == "expression"]
        if len(kids) != 2:
            raise Unsupported("object element")
        key_node, value_node = kids
        self.tight(key_node.end_byte, value_node.start_byte, (b"=", b":"))
        word = self.text_of(key_node)
        if word in KEYWORDS:
            token = self.token(KEYWORDS[word], key_node)
            inner: Tree = Tree("keyword", [token], self.span(key_node))
        else:
            inner = self.expression(key_node)
        key = Tree("object_elem_key", [inner], inner.meta)
        value = self.expression(value_node)
        return Tree("object_elem", [key, value], self.joined(key.meta, value.meta))

    def function_call(self, node: Any) -> Tree:
        kids = [k for k in node.children if k.type != "comment"]
        name = kids[0]
        spelt = self.text_of(name)
        if not spelt.isascii():
            raise Unsupported("name")  # as ``leaf`` says of every NAME
        words = spelt.split("::")
        children: list[Tree | Token] = []
        if len(words) == 1:
            children.append(self.identifier(name))
        elif len(words) == 3:
            offset = self.pos(name.start_byte)
            line = name.start_point[0] + 1
            for word in words:
                token = _token("NAME", word, offset, line, line, offset + len(word))
                meta = self.meta(offset, offset + len(word), line, line)
                children.append(Tree("identifier", [token], meta))
                offset += len(word) + 2
        else:
            raise Unsupported("function name")
        self.tight(name.end_byte, kids[1].start_byte)
        args = next((k for k in kids if k.type == "function_arguments"), None)
        if args is not None:
            children.append(self.arguments(args))
        return Tree("function_call", children, self.span(node))

    def arguments(self, node: Any) -> Tree:
        kids = [k for k in node.children if k.type != "comment"]
        if len(kids) > 1 and kids[-1].type in (",", "ellipsis"):
            self.tight(kids[-2].end_byte, kids[-1].start_byte)  # a trailing ``,`` or ``...``
        items: list[Tree | Token] = []
        last_end = self.pos(node.start_byte)
        for kid in node.children:
            if kid.type == "expression":
                value = self.expression(kid)
                items.append(value)
                last_end = value.meta.end_pos
            elif kid.type == "ellipsis":
                items.append(self.token("ELLIPSIS", kid))
                last_end = self.pos(kid.end_byte)
            elif kid.type == ",":
                last_end = self.pos(kid.end_byte)
        first = items[0]
        first_meta = first.meta if isinstance(first, Tree) else self.span(node)
        end = self.after_layout(last_end)
        meta = self.meta(first_meta.start_pos, end, first_meta.line, self.line_at(end))
        return Tree("arguments", items, meta)

    def for_expr(self, node: Any) -> Tree:
        children: list[Tree | Token] = []
        before = None
        for kid in node.children:
            kind = kid.type
            if kind == "=>" and before is not None:
                self.tight(before.end_byte, kid.start_byte)
            before = kid if kind != "comment" else before
            if kind == "for_intro":
                children.append(self.for_intro(kid))
            elif kind == "expression":
                children.append(self.expression(kid))
            elif kind == "ellipsis":
                children.append(self.token("ELLIPSIS", kid))
            elif kind == "for_cond":
                cond = next(k for k in kid.children if k.type == "expression")
                value = self.expression(cond)
                meta = self.span(kid)
                if value.meta.end_pos > meta.end_pos:
                    meta = self.joined(meta, value.meta)
                children.append(Tree("for_cond", [value], meta))
        rule = "for_tuple_expr" if node.type == "for_tuple_expr" else "for_object_expr"
        return Tree(rule, children, self.span(node))

    def for_intro(self, node: Any) -> Tree:
        children: list[Tree | Token] = []
        colon_end = node.end_byte
        names = [kid for kid in node.children if kid.type == "identifier"]
        if len(names) == 2:
            self.tight(names[0].end_byte, names[1].start_byte, (b",",))
        for kid in node.children:
            if kid.type == "identifier":
                children.append(self.identifier(kid))
            elif kid.type == "expression":
                children.append(self.expression(kid))
            elif kid.type == ":":
                colon_end = kid.end_byte
        meta = self.span(node)
        end = self.after_layout(self.pos(colon_end))
        meta.end_pos, meta.end_line = end, self.line_at(end)
        return Tree("for_intro", children, meta)


class _Meta(Meta):
    """A ``Meta`` as python-hcl2's parser fills it, made in one call: this runs for almost
    every node. The four positions are set; ``empty``/``column``/``end_column``, the same for
    every node, come from the class (they shadow the base's slots, so they are never set on
    such a node): about a third of the cost of setting all seven, which was a tenth of the
    conversion."""

    __slots__ = ()
    empty = False
    column = 0
    end_column = 0

    def __init__(self, start: int, end: int, line: int, end_line: int) -> None:
        # Meta's own __init__ only marks it empty; nothing of it is wanted here.
        self.start_pos = start
        self.end_pos = end
        self.line = line
        self.end_line = end_line

    def __reduce__(self) -> tuple[type[_Meta], tuple[int, int, int, int]]:
        # The class attributes above cannot be restored as slots: pickle and copy rebuild
        # such a node from its four positions.
        return (_Meta, (self.start_pos, self.end_pos, self.line, self.end_line))


def _token(kind: str, value: str, start: int, line: int, end_line: int, end: int) -> Token:
    """A ``Token`` with its position, its fields set here rather than through the constructor
    (a third faster; this runs for every terminal)."""
    token = str.__new__(Token, value)
    token.type = kind
    token.value = value
    token.start_pos, token.end_pos = start, end
    token.line, token.end_line = line, end_line
    token.column = token.end_column = 0
    return token


_PLAIN_TERMS = frozenset(
    ("literal_value", "variable_expr", "template_expr", "collection_value", "function_call")
    + ("for_expr",)
)
"""Node types ``term`` converts by themselves (an expression of one of these is that term)."""
_LEVEL = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    ">": 4,
    "<=": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}
_DIRECTIVES = {
    "template_if_intro": "template_if_start",
    "template_else_intro": "template_else",
    "template_if_end": "template_endif",
    "template_for_start": "template_for_start",
    "template_for_end": "template_endfor",
}
_CHAR_STARTS = bytes(0 if 0x80 <= b < 0xC0 else 1 for b in range(256))
"""1 for a byte that starts a UTF-8 character, 0 for a continuation byte."""
