"""A small HCL expression interpreter over python-hcl2's raw Lark parse tree.

python-hcl2's dict output turns expressions into text (``"${jsonencode({...})}"``), losing both
their meaning and their lines. Evaluating the parse tree keeps both: every object and tuple
becomes a LocatedDict/LocatedList with its own span, which is how policy statements inside
``jsonencode`` get their lines. Whatever cannot be known statically becomes ``Unknown``; strings
with unknown holes become ``Template``. Names (``var.x``, ``aws_iam_user.a.arn``) are resolved by
the caller through ``Env.resolve``: this module knows expressions, not Terraform semantics.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from ..model import limits
from ..model.values import (
    LocatedDict,
    LocatedList,
    Location,
    Template,
    Unknown,
    located,
    location_of,
    make_string,
    shared_location,
)
from . import hcl_functions
from .hcl_func_base import same
from .hcl_tree import Token, Tree
from .references import attribute_of

Step = tuple[str, Any]
"""A traversal step: ("attr", name), ("index", value) or a splat: ("splat", None) for
``[*]``, which applies every later step to each element, or ("splat", n) for the legacy
``.*``, which applies only the n attribute steps after it (``x.*.name[0]`` is the first
name; ``x[*].name[0]`` indexes each name)."""

MAX_DEPTH = 200
CONDITION_LEVELS = 2
"""A policy's ``Condition`` maps operator -> condition key -> values: both levels of keys may
be unknown without hiding anything else."""
MAX_VALUE_NODES = 200_000
"""Elements a stored value (a local, an output) may expand to. Values share their parts, so
``merge(local.a, {x = local.a})`` repeated doubles at each step: cheap to build, but walking it
(checks, ``==``, ``jsonencode``) would take forever."""

_error_sink: ContextVar[list[str] | None] = ContextVar("hcl_error_sink", default=None)


def note_error(text: str) -> None:
    """Record an evaluation error (a missing key or attribute, an index out of range): the
    result is Unknown either way, but ``try()`` moves on after an error and not after a value
    that is merely unknown (``try(aws_iam_role.this[0].arn, "")`` is the role's ARN)."""
    sink = _error_sink.get()
    if sink is not None:
        sink.append(text)


@contextmanager
def collecting_errors() -> Iterator[list[str]]:
    """The errors noted while the block runs."""
    sink: list[str] = []
    token = _error_sink.set(sink)
    try:
        yield sink
    finally:
        _error_sink.reset(token)


class Env:
    """What an expression can see. ``resolve(root, steps, text)`` returns the value of a
    traversal such as ``var.x`` (root "var", steps [("attr", "x")])."""

    file: str = ""

    def resolve(self, root: str, steps: list[Step], text: str) -> Any:  # pragma: no cover
        raise NotImplementedError

    def read_file(self, path: Any, text: str, where: Location) -> Any:  # pragma: no cover
        raise NotImplementedError

    def with_locals(self, names: dict[str, Any]) -> Env:  # pragma: no cover
        raise NotImplementedError


@dataclass
class Source:
    """The text of the file being evaluated, to quote expressions in Unknown sources."""

    text: str

    def slice(self, node: Tree | Token) -> str:
        meta = node if isinstance(node, Token) else node.meta
        start = getattr(meta, "start_pos", None)
        end = getattr(meta, "end_pos", None)
        if start is None or end is None:
            return "?"
        text = self.text[start:end]
        if len(text) <= 200 and "\n" not in text and "  " not in text and "\t" not in text:
            return text
        return " ".join(text[:2000].split())[:200]


def rule(node: Tree | Token) -> Tree:
    """``node``, where the grammar has a rule and never a terminal (the ``identifier`` of a
    function call, a binary operator's term): narrows :func:`significant`'s items."""
    assert isinstance(node, Tree), node
    return node


def significant(node: Tree) -> list[Tree | Token]:
    """Children without layout (newlines, comments) and punctuation tokens; computed once per
    node (a module's tree is evaluated again for every instance). Do not modify the list."""
    cached = getattr(node, "significant_children", None)
    if cached is not None:
        return cached
    out: list[Tree | Token] = []
    for child in node.children:
        if isinstance(child, Tree):
            if child.data != "new_line_or_comment":
                out.append(child)
        elif child.type not in PUNCTUATION:
            out.append(child)
    node.significant_children = out
    return out


PUNCTUATION = {
    "LPAR",
    "RPAR",
    "LBRACE",
    "RBRACE",
    "LSQB",
    "RSQB",
    "COMMA",
    "DOT",
    "EQ",
    "COLON",
    "DBLQUOTE",
    "QMARK",
    "INTERP_START",
    "NL_OR_COMMENT",
    "FOR_OBJECT_ARROW",
    "FOR",
    "IN",
    "IF",
    "COLONS",
}


class Evaluator:
    """Evaluates expression subtrees of one file in one environment."""

    def __init__(self, env: Env, source: Source, file: str) -> None:
        self.env = env
        self.source = source
        self.file = file
        self.depth = 0
        self.budget = [limits.active().loop_steps]
        """``for`` iterations left, shared with the evaluators this one derives."""
        self.open_keys = 0
        """How many levels of objects below here may keep a key that is not known (see
        :meth:`n_object`)."""

    def over_limit(self, node: Tree | Token, message: str) -> Unknown:
        """A budget ran out here: a warning naming the file and line, and an unknown value
        (which gives ``unresolved`` entries where checks needed it)."""
        line = node.line if isinstance(node, Token) else getattr(node.meta, "line", None)
        limits.note(f"{self.file}:{line}: {message}; the value is treated as unknown")
        note_error(message)
        return self.unknown(node)

    def loc(self, node: Tree) -> Location:
        return shared_location(self.file, node.meta.line, node.meta.end_line)

    def unknown(self, node: Tree | Token) -> Unknown:
        return Unknown(self.source.slice(node))

    def child(self, env: Env, source: Source | None = None) -> Evaluator:
        """An evaluator for a nested scope (loop names, a template): same depth and budget."""
        ev = Evaluator(env, source or self.source, self.file)
        ev.depth = self.depth
        ev.budget = self.budget
        return ev

    # -- entry point ------------------------------------------------------------------------

    def eval(self, node: Tree | Token) -> Any:
        if self.depth > MAX_DEPTH:
            return self.unknown(node)
        self.depth += 1
        try:
            if isinstance(node, Token):
                return self.token(node)
            handler = _HANDLERS.get(node.data)
            if handler is None:
                return self.unknown(node)
            return handler(self, node)
        except limits.LimitExceeded as error:
            return self.over_limit(node, str(error))
        finally:
            self.depth -= 1

    def token(self, token: Token) -> Any:
        if token.type == "NAME":
            return self.traverse(token.value, [], token)
        return Unknown(str(token))

    # -- literals ---------------------------------------------------------------------------

    def n_expr_term(self, node: Tree) -> Any:
        kids = significant(node)
        return self.eval(kids[0]) if kids else None

    def n_int_lit(self, node: Tree) -> Any:
        return int(str(node.children[0]))

    def n_float_lit(self, node: Tree) -> Any:
        return float(str(node.children[0]))

    def n_literal_value(self, node: Tree) -> Any:
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def n_identifier(self, node: Tree) -> Any:
        return self.traverse(str(node.children[0]), [], node)

    def n_keyword(self, node: Tree) -> Any:
        return self.traverse(str(node.children[0]), [], node)

    def n_tuple(self, node: Tree) -> Any:
        items = []
        for kid in significant(node):
            if _is_token(kid, "ELLIPSIS"):
                continue
            value = self.eval(kid)
            if type(value) is str and isinstance(kid, Tree):  # each ARN in a list has its line
                value = located(value, self.loc(kid))
            items.append(value)
        return located(items, self.loc(node))

    def n_object(self, node: Tree) -> Any:
        """An object; a computed key (``(local.k) = ...``) that evaluates to a known value is
        that value as a string, as Terraform converts it. A key that is not known makes the
        whole object Unknown (it could be any key, ``Statement`` or ``Effect`` included),
        except inside a policy's ``Condition``: an operator or condition key that is not known
        is a key of its own there, and the evaluator treats it as such (the condition exists,
        only its name is unknown)."""
        open_keys, self.open_keys = self.open_keys, 0
        out: dict[Any, Any] = {}
        for elem in significant(node):
            if not isinstance(elem, Tree) or elem.data != "object_elem":
                continue
            key_node, value_node = significant(elem)
            key = _object_key_text(self.object_key(rule(key_node)))
            if key is None or (isinstance(key, (Unknown, Template)) and not open_keys):
                return Unknown(self.source.slice(node))
            self.open_keys = CONDITION_LEVELS if key == "Condition" else max(open_keys - 1, 0)
            value = self.eval(value_node)
            self.open_keys = 0
            if type(value) is str and isinstance(value_node, Tree):  # like tuple items: an
                value = located(value, self.loc(value_node))  # ARN in a map keeps its line
            out[key] = value
        return located(out, self.loc(node))

    def object_key(self, node: Tree) -> Any:
        """Bare identifiers are literal keys (``{ Effect = ...}``); anything else evaluates."""
        inner = significant(node)[0]
        if isinstance(inner, Tree) and inner.data == "keyword":
            return str(inner.children[0])
        if isinstance(inner, Tree) and inner.data == "expr_term":
            only = significant(inner)
            if len(only) == 1 and isinstance(only[0], Tree) and only[0].data == "identifier":
                return str(only[0].children[0])
            if len(only) == 1 and isinstance(only[0], Tree) and only[0].data == "literal_value":
                return str(only[0].children[0])
        return self.eval(inner)

    # -- strings ----------------------------------------------------------------------------

    def n_string(self, node: Tree) -> Any:
        pieces = [p for p in significant(node) if isinstance(p, Tree) and p.data == "string_part"]
        if len(pieces) == 1 and isinstance(pieces[0].children[0], Tree):
            only = pieces[0].children[0]
            if only.data == "interpolation":  # "${x}" is x itself, whatever its type
                return self.eval(significant(only)[0])
        parts: list[str | Unknown] = []
        for part in significant(node):
            if not isinstance(part, Tree) or part.data != "string_part":
                continue
            inner = part.children[0]
            if isinstance(inner, Token):
                if inner.type == "STRING_CHARS":
                    parts.append(unescape(inner.value))
                elif inner.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    parts.append(inner.value[1:])
                continue
            if inner.data == "interpolation":
                parts.extend(self.interpolate(self.eval(significant(inner)[0]), inner))
            else:  # %{ if } / %{ for } directives: not worth guessing
                return self.unknown(node)
        return make_string(parts)

    def interpolate(self, value: Any, node: Tree) -> list[str | Unknown]:
        if called_function(node) == "jsonencode":
            if not hcl_functions.known(value):
                return [self.unknown(node)]
            limits.check_length(encoded_size(value), "jsonencode() result")
            return [json.dumps(hcl_functions.plain(value), separators=(",", ":"))]
        if isinstance(value, Unknown):
            return [value]
        if isinstance(value, Template):
            return list(value.parts)
        if isinstance(value, bool):
            return ["true" if value else "false"]
        if isinstance(value, (int, float)):
            return [hcl_functions.number_text(value)]
        if isinstance(value, str):
            return [value]
        if value is None:
            return [""]
        return [self.unknown(node)]

    def n_json_string(self, node: Tree) -> Any:
        """A string of a ``.tf.json`` file, parsed on its own: quote from its own text."""
        snippet, expr = node.children
        return self.child(self.env, Source(str(snippet))).eval(expr)

    def n_template_string(self, node: Tree) -> Any:
        return unescape(str(node.children[0])[2:-2])

    def n_heredoc_template(self, node: Tree) -> Any:
        return self.heredoc(node, trim=False)

    def n_heredoc_template_trim(self, node: Tree) -> Any:
        return self.heredoc(node, trim=True)

    def heredoc(self, node: Tree, trim: bool) -> Any:
        raw = str(node.children[0])
        first_newline = raw.index("\n")
        body_lines = raw[first_newline + 1 :].split("\n")
        # The last element is "" (after the final newline), the one before is the marker.
        body = body_lines[:-2]
        if trim:
            indents = [len(line) - len(line.lstrip(" \t")) for line in body if line.strip()]
            cut = min(indents) if indents else 0
            body = [line[cut:] for line in body]
        text = "\n".join(body) + ("\n" if body else "")
        start_line = node.meta.line + 1
        return self.render_template_text(text, Location(self.file, start_line, start_line))

    def render_template_text(self, text: str, where: Location, env: Env | None = None) -> Any:
        """Render ``${...}`` interpolations inside heredoc or template-file text."""
        parts = split_template(text)
        if parts is None:
            return Unknown(f"template with %{{...}} directives at {where.file}:{where.line}")
        out: list[str | Unknown] = []
        for kind, value in parts:
            if kind == "text":
                out.append(value)
                continue
            expr = parse_expression(value)
            if expr is None:
                out.append(Unknown(value.strip()))
                continue
            ev = self.child(env or self.env, Source(f"x = {value}\n"))
            out.extend(ev.interpolate(ev.eval(expr), expr))
        result = make_string(out)
        if isinstance(result, str):
            return located(result, where)
        if isinstance(result, Template) and isinstance(result.parts[0], str):
            # Keep the text's position so statement lines survive holes like ${aws_s3_bucket.b.arn}.
            return Template((located(result.parts[0], where), *result.parts[1:]))
        return result

    # -- operators --------------------------------------------------------------------------

    def n_conditional(self, node: Tree) -> Any:
        cond, yes, no = significant(node)
        test = self.eval(cond)
        if isinstance(test, bool):
            return self.eval(yes if test else no)
        if test is None:
            return self.unknown(node)
        return self.either(yes, no, node)

    def either(self, yes: Tree | Token, no: Tree | Token, node: Tree) -> Any:
        """A conditional whose test is unknown: known when both branches are the same known
        value (``module.this.enabled ? local.policies : {}`` with no policies is ``{}``)."""
        with collecting_errors() as errors:
            first = self.eval(yes)
            names = isinstance(first, Unknown) and first.never_wildcard
            second = self.eval(no) if hcl_functions.known(first) or names else None
        if errors:
            return self.unknown(node)
        if isinstance(second, Unknown) and second.never_wildcard and names:
            # either name, id or ARN: never a wildcard (``var.replica ? r[0].arn : t.arn``)
            return Unknown(self.source.slice(node), never_wildcard=True)
        if (
            hcl_functions.known(first)
            and hcl_functions.known(second)
            and same(hcl_functions.plain(first), hcl_functions.plain(second))
        ):
            return first
        return self.unknown(node)

    def n_unary_op(self, node: Tree) -> Any:
        op = str(node.children[0])
        value = self.eval(node.children[1])
        if op == "!" and isinstance(value, bool):
            return not value
        if op == "-" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
        return self.unknown(node)

    def n_binary_op(self, node: Tree) -> Any:
        left_node, term = significant(node)[:2]
        op_node, right_node = significant(rule(term))
        op = str(rule(op_node).children[0])
        left = self.eval(left_node)
        if op == "&&" and left is False:
            return False
        if op == "||" and left is True:
            return True
        right = self.eval(right_node)
        result = hcl_functions.binary(op, left, right)
        return self.unknown(node) if result is hcl_functions.UNKNOWN else result

    # -- functions --------------------------------------------------------------------------

    def n_function_call(self, node: Tree) -> Any:
        kids = significant(node)
        name = str(rule(kids[0]).children[0])
        args_node = next(
            (k for k in kids[1:] if isinstance(k, Tree) and k.data == "arguments"), None
        )
        arg_nodes = significant(args_node) if args_node is not None else []
        expand = any(_is_token(a, "ELLIPSIS") for a in arg_nodes)
        arg_nodes = [a for a in arg_nodes if not _is_token(a, "ELLIPSIS")]
        if name in ("try", "can"):
            return self.try_call(name, arg_nodes, node)
        args = [self.eval(a) for a in arg_nodes]
        if expand and args and isinstance(args[-1], list):
            args = args[:-1] + list(args[-1])
        if name in ("file", "templatefile"):
            return self.file_call(name, args, node)
        result = hcl_functions.call(name, args)
        if result is hcl_functions.UNKNOWN:
            return self.unknown(node)
        if isinstance(result, (dict, list)) and not hasattr(result, "location"):
            return located(result, self.loc(node))
        return result

    def try_call(self, name: str, arg_nodes: list[Any], node: Tree) -> Any:
        """The first argument that evaluates without an error; an unknown value is not an
        error, so it is the result (unknown), as in Terraform."""
        for arg in arg_nodes:
            with collecting_errors() as errors:
                value = self.eval(arg)
            if errors:
                if name == "can":
                    return False
                continue
            if name == "can":
                return True if hcl_functions.known(value) else self.unknown(node)
            return value
        note_error(self.source.slice(node))
        return self.unknown(node)

    def file_call(self, name: str, args: list[Any], node: Tree) -> Any:
        if not args:
            return self.unknown(node)
        text = self.env.read_file(args[0], self.source.slice(node), self.loc(node))
        if name == "file" or not isinstance(text, str):
            return text if not isinstance(text, Unknown) else Unknown(self.source.slice(node))
        variables = args[1] if len(args) > 1 else {}
        if not isinstance(variables, dict):
            return self.unknown(node)
        return self.render(text, variables, getattr(text, "location", None) or self.loc(node))

    def render(self, text: str, variables: dict[str, Any], where: Location) -> Any:
        """``text`` rendered as ``templatefile`` renders a file: only ``variables`` are seen."""
        return self.render_template_text(text, where, env=TemplateEnv(variables, self.env))

    # -- traversals -------------------------------------------------------------------------

    def n_get_attr_expr_term(self, node: Tree) -> Any:
        return self.chain(node)

    def n_index_expr_term(self, node: Tree) -> Any:
        return self.chain(node)

    def n_attr_splat_expr_term(self, node: Tree) -> Any:
        return self.chain(node)

    def n_full_splat_expr_term(self, node: Tree) -> Any:
        return self.chain(node)

    def chain(self, node: Tree) -> Any:
        """Flatten ``a.b[0].c`` into a root name and steps, then resolve or index."""
        steps: list[Step] = []
        current: Tree | Token = node
        while True:
            if isinstance(current, Tree) and current.data == "expr_term":
                kids = significant(current)
                if len(kids) != 1:
                    break
                if steps and isinstance(kids[0], Tree) and kids[0].data == "expr_term":
                    break  # ``(a[*].b)[0]``: parentheses end a splat, so steps apply after
                current = kids[0]
                continue
            if isinstance(current, Tree) and current.data in (
                "get_attr_expr_term",
                "index_expr_term",
                "attr_splat_expr_term",
                "full_splat_expr_term",
            ):
                base, step = significant(current)
                steps[:0] = self.steps_of(rule(step))
                current = base
                continue
            break
        if isinstance(current, Tree) and current.data == "identifier":
            return self.traverse(str(current.children[0]), steps, node)
        return apply_steps(self.eval(current), steps, self.source.slice(node))

    def steps_of(self, step: Tree) -> list[Step]:
        if step.data == "get_attr":
            return [("attr", str(rule(significant(step)[0]).children[0]))]
        if step.data == "braces_index":
            return [("index", self.eval(significant(step)[0]))]
        if step.data == "short_index":
            return [("index", int(str(step.children[-1])))]
        if step.data in ("attr_splat", "full_splat"):
            inner: list[Step] = []
            for sub in significant(step):
                if isinstance(sub, Tree):
                    inner.extend(self.steps_of(sub))
            width = None  # [*]: every later step applies to each element
            if step.data == "attr_splat":  # .*: only the attributes right after it
                kinds = [kind for kind, _ in inner] + ["index"]
                width = kinds.index("index")
            return [("splat", width), *inner]
        return [("index", Unknown("?"))]

    def traverse(self, root: str, steps: list[Step], node: Tree | Token) -> Any:
        return self.env.resolve(root, steps, self.source.slice(node))

    # -- for expressions --------------------------------------------------------------------

    def n_for_tuple_expr(self, node: Tree) -> Any:
        intro, body, cond = self.for_parts(node)
        pairs = self.for_pairs(intro, node)
        if pairs is None:
            return self.unknown(node)
        out = []
        for names in pairs:
            ev = self.child(self.env.with_locals(names))
            if cond is not None:
                keep = ev.eval(cond)
                if not isinstance(keep, bool):
                    return self.unknown(node)
                if not keep:
                    continue
            out.append(ev.eval(body[0]))
        return located(out, self.loc(node))

    def n_for_object_expr(self, node: Tree) -> Any:
        intro, body, cond = self.for_parts(node)
        grouping = any(_is_token(k, "ELLIPSIS") for k in node.children)
        pairs = self.for_pairs(intro, node)
        if pairs is None:
            return self.unknown(node)
        out: dict[Any, Any] = {}
        for names in pairs:
            ev = self.child(self.env.with_locals(names))
            if cond is not None:
                keep = ev.eval(cond)
                if not isinstance(keep, bool):
                    return self.unknown(node)
                if not keep:
                    continue
            key = ev.eval(body[0])
            if not isinstance(key, (str, int, float)) or isinstance(key, bool):
                return self.unknown(node)
            value = ev.eval(body[1])
            if grouping:
                out.setdefault(str(key), []).append(value)
            else:
                out[str(key)] = value
        return located(out, self.loc(node))

    def for_parts(self, node: Tree) -> tuple[Tree, list[Tree], Tree | Token | None]:
        kids = [k for k in significant(node) if isinstance(k, Tree)]
        intro = kids[0]
        cond_tree = next((k for k in kids if k.data == "for_cond"), None)
        body = [k for k in kids[1:] if k is not cond_tree]
        cond = significant(cond_tree)[-1] if cond_tree is not None else None
        return intro, body, cond

    def for_pairs(self, intro: Tree, node: Tree) -> list[dict[str, Any]] | None:
        if self.budget[0] <= 0:
            steps = limits.active().loop_steps
            raise limits.LimitExceeded(f"more than {steps} for-expression steps (limit loop_steps)")
        kids = [k for k in significant(intro) if isinstance(k, Tree)]
        names = [str(k.children[0]) for k in kids if k.data == "identifier"]
        collection = self.eval(kids[-1])
        if isinstance(collection, dict):
            items = list(collection.items())
        elif isinstance(collection, list):
            items = list(enumerate(collection))
        else:
            return None
        self.budget[0] -= len(items)
        if self.budget[0] < 0:
            self.budget[0] = 0
            steps = limits.active().loop_steps
            raise limits.LimitExceeded(f"more than {steps} for-expression steps (limit loop_steps)")
        out = []
        for key, value in items:
            if len(names) == 2:
                out.append({names[0]: key, names[1]: value})
            else:
                out.append({names[0]: value})
        return out


_HANDLERS: dict[str, Callable[[Evaluator, Tree], Any]] = {
    name[2:]: handler for name, handler in vars(Evaluator).items() if name.startswith("n_")
}
"""``Evaluator.n_<rule>`` by rule name: one dictionary look-up per node evaluated."""


class TemplateEnv(Env):
    """The environment of ``templatefile``: only the variables passed in are visible."""

    def __init__(self, variables: dict[str, Any], outer: Env) -> None:
        self.variables = variables
        self.outer = outer

    def resolve(self, root: str, steps: list[Step], text: str) -> Any:
        if root in self.variables:
            return apply_steps(self.variables[root], steps, text)
        return Unknown(text)

    def read_file(self, path: Any, text: str, where: Location) -> Any:
        return self.outer.read_file(path, text, where)

    def with_locals(self, names: dict[str, Any]) -> Env:
        return TemplateEnv({**self.variables, **names}, self.outer)


def apply_steps(value: Any, steps: list[Step], text: str) -> Any:
    """Index into a known value; unknown anywhere makes the result Unknown."""
    for position, (kind, key) in enumerate(steps):
        if isinstance(value, Unknown) and value.ref is not None:
            if not value.ref[1] and kind == "attr":  # a whole resource: its attribute
                return attribute_of(value.ref[0], key, text, position == len(steps) - 1)
            return value
        if isinstance(value, (Unknown, Template)):
            return Unknown(text)
        if kind == "splat":
            if not isinstance(value, list):
                value = [] if value is None else [value]
            end = len(steps) if key is None else position + 1 + key
            each = steps[position + 1 : end]
            result = LocatedList(apply_steps(item, each, text) for item in value)
            result.location = location_of(value)
            return apply_steps(result, steps[end:], text) if end < len(steps) else result
        if isinstance(key, (Unknown, Template)):
            return Unknown(text)
        if isinstance(value, dict):
            if str(key) not in value:
                note_error(text)
                return Unknown(text)
            value = value[str(key)]
        elif isinstance(value, list):
            if isinstance(key, bool) or not isinstance(key, (int, float, str)):
                note_error(text)
                return Unknown(text)
            try:
                index = int(key)
                if index < 0:
                    raise IndexError(index)
                value = value[index]
            except (ValueError, IndexError):
                note_error(text)
                return Unknown(text)
        else:
            note_error(text)
            return Unknown(text)
    return value


def encoded_size(value: Any) -> int:
    """About how long a value's JSON text is (at least as long as this): counted before
    encoding, and only up to just past the string budget, so an absurd value costs nothing."""
    limit = limits.active().string_length
    size = 0
    pending = [value]
    while pending and size <= limit:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
            size += sum(len(str(k)) + 4 for k in item) + 2
        elif isinstance(item, list):
            pending.extend(item)
            size += len(item) + 2
        else:
            size += len(item) + 2 if isinstance(item, str) else 8
    return size


def too_large(value: Any, limit: int = MAX_VALUE_NODES) -> bool:
    """Whether a value expands to more than ``limit`` elements (stops counting there)."""
    count = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        else:
            continue
        count += len(item)
        if count > limit:
            return True
    return False


def called_function(node: Tree | Token) -> str | None:
    """The function an expression (or interpolation) calls at its top, if any."""
    while isinstance(node, Tree) and node.data in ("interpolation", "expr_term"):
        kids = significant(node)
        if len(kids) != 1:
            return None
        node = kids[0]
    if isinstance(node, Tree) and node.data == "function_call":
        return str(rule(significant(node)[0]).children[0])
    return None


def _is_token(node: Any, kind: str) -> bool:
    return isinstance(node, Token) and node.type == kind


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
    """Decode HCL string escapes (``\\n``, ``\\"``, ``\\uXXXX``)."""
    if "\\" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if body[0] in "uU":
            code = int(body[1:], 16)
            return chr(code) if code <= 0x10FFFF else "\ufffd"
        return _ESCAPES.get(body, "\\" + body)

    out = re.sub(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", replace, text)
    if _SURROGATE.search(out):  # "\ud83d\ude00" is one character; a lone half is U+FFFD
        return out.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return out


_SURROGATE = re.compile("[\ud800-\udfff]")


def split_template(text: str) -> list[tuple[str, str]] | None:
    """Split template text into ("text", s) and ("expr", source) parts; None if it has
    ``%{`` directives (their result is not worth guessing)."""
    parts: list[tuple[str, str]] = []
    buffer: list[str] = []
    i = 0
    while (mark := _TEMPLATE_MARK.search(text, i)) is not None:
        buffer.append(text[i : mark.start()])
        i = mark.start()
        kind = mark.group()
        if kind in ("$${", "%%{"):
            buffer.append(text[i + 1 : i + 3])
            i += 3
            continue
        if kind == "%{":
            return None
        end = _matching_brace(text, i + 2)
        if end < 0:
            break
        source = text[i + 2 : end]
        before = "".join(buffer)
        # ``${~`` and ``~}`` strip the whitespace (newlines too) before and after.
        parts.append(("text", before.rstrip() if source.startswith("~") else before))
        buffer = []
        parts.append(("expr", source.strip("~").strip()))
        i = end + 1
        if source.endswith("~"):
            while i < len(text) and text[i].isspace():
                i += 1
    buffer.append(text[i:])
    parts.append(("text", "".join(buffer)))
    return [p for p in parts if p != ("text", "")]


_TEMPLATE_MARK = re.compile(r"\$\$\{|%%\{|%\{|\$\{")
"""Where ``split_template`` acts, in its order of preference; the text between is copied."""


def interpolation_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where each ``${ }`` or ``%{ }`` of template text starts and ends (``$${`` and ``%%{``
    are text); an unclosed one ends the search."""
    i = 0
    while (mark := _TEMPLATE_MARK.search(text, i)) is not None:
        i = mark.end()
        if mark.group() in ("$${", "%%{"):
            continue
        end = _matching_brace(text, i)
        if end < 0:
            return
        yield mark.start(), end + 1
        i = end + 1


def _matching_brace(text: str, start: int) -> int:
    depth = 0
    i = start
    in_string = False
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def parse_expression(source: str) -> Tree | None:
    """Parse one expression (from a template interpolation) with the HCL grammar."""
    from .hcl_parser import parse_hcl

    try:
        tree = parse_hcl(f"x = {source}\n")
    except Exception:  # noqa: BLE001 - any grammar error: the hole stays unknown
        return None
    body = tree.children[0]
    for child in body.children:
        if isinstance(child, Tree) and child.data == "attribute":
            return child.children[-1]
    return None


__all__ = [
    "Env",
    "Evaluator",
    "LocatedDict",
    "LocatedList",
    "Source",
    "apply_steps",
    "rule",
    "significant",
    "unescape",
]


def _object_key_text(key: Any) -> Any:
    """An object key as Terraform keeps it: a string (numbers and bools converted), an
    Unknown or Template when not known; None for null or a collection, which Terraform
    rejects."""
    if isinstance(key, (str, Unknown, Template)):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return hcl_functions.number_text(key)
    return None
