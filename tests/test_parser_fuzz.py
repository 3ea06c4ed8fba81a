"""Random HCL, built from the grammar, parsed by tree-sitter and by python-hcl2 (the reference).

``test_parser_differential`` compares the parsers on the files we have; a repository we have
never seen may combine forms in ways none of them does (an operator inside a template
directive, a comment between a block's labels, a heredoc as a function argument). Here
hypothesis writes such files: whatever one parser makes of a text, the other must make the
same tree, or report the same error on the same line. The normal run tries a few derandomized
examples; ``--hypothesis-profile=long`` searches (see ``tests/conftest.py``).
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from test_parser_differential import normalized

from iac_iam_checks.frontends.hcl_parser import PARSER_VARIABLE, parse_mirrored
from iac_iam_checks.frontends.hcl_tree import Tree
from iac_iam_checks.frontends.terraform_parse import parse_file
from iac_iam_checks.model.values import ParseError

NAMES = st.sampled_from(["a", "b", "count", "each", "for", "in", "if", "x_1", "name-2", "é"])
"""Attribute names, object keys, block types."""
REFERENCES = st.sampled_from(["a", "b", "count", "each", "x_1", "name-2", "é", "true"])
"""Names an expression may start with (Terraform has no variable called ``for``)."""
SPACE = st.sampled_from(["", " ", "  ", "\t"])
GAP = st.sampled_from(["", " ", "\n", " # c\n", " /* c */ ", "\n\n", "\r\n"])
"""Where a newline is allowed: inside brackets and parentheses."""
ANYWHERE = st.sampled_from(["", " ", " ", "", "\n", " /* c */ ", " # c\n"])
"""Between any two tokens, where HCL (or only python-hcl2) may forbid a newline or comment."""

numbers = st.sampled_from(["0", "1", "42", "1.5", "0.25", "1e3", "2.5E-2", "1e+2", "007"])
literals = st.sampled_from(["true", "false", "null"])
escapes = st.sampled_from(
    ["x", " ", "\\n", '\\"', "\\\\", "\\t", "\\u00e9", "$${a}", "%%{a}", "$", "%", "é", "\\r"]
    + ["//", "#", "/*"]  # text in a string, even inside a template's ${ }: no comment
)


def binary(operands: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    operator = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">="])
    operator |= st.sampled_from(["&&", "||"])
    return st.tuples(operands, ANYWHERE, ANYWHERE, operator, ANYWHERE, operands).map("".join)


@st.composite
def template(draw: st.DrawFn, inner: st.SearchStrategy[str], heredoc: bool = False) -> str:
    """The inside of a quoted string or heredoc: text, interpolations, directives."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "text", "interp", "if", "for"]))
        strip_open = draw(st.sampled_from(["", "~"]))
        strip_close = draw(st.sampled_from(["", "~"]))
        if kind == "text":
            text = draw(escapes)
            if heredoc:
                text = draw(st.sampled_from(["x", " ", '"', "\\", "$${a}", "é", "\n"]))
            parts.append(text)
        elif kind == "interp":
            parts.append(f"${{{strip_open}{draw(ANYWHERE)}{draw(inner)} {strip_close}}}")
        elif kind == "if":
            branch = draw(escapes)
            other = draw(st.one_of(st.none(), escapes))
            tail = f"%{{ else }}{other}" if other is not None else ""
            parts.append(
                f"%{{{strip_open} if {draw(inner)} {strip_close}}}{branch}{tail}%{{ endif }}"
            )
        else:
            key = draw(st.sampled_from(["", "k, "]))
            body = draw(escapes)
            parts.append(
                f"%{{{strip_open} for {key}v in {draw(inner)} {strip_close}}}{body}%{{ endfor }}"
            )
    return "".join(parts)


@st.composite
def heredoc(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    marker = draw(st.sampled_from(["EOT", "POLICY", "EOF"]))
    indent = draw(st.sampled_from(["", "-"]))
    lead = draw(st.sampled_from(["", "  ", "    "])) if indent else ""
    lines = [
        lead + draw(template(inner, heredoc=True)).replace("\n", "\n" + lead)
        for _ in range(draw(st.integers(0, 3)))
    ]
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    body = "".join(line + newline for line in lines)
    return f"<<{indent}{marker}{newline}{body}{lead}{marker}{newline}"


def expressions() -> st.SearchStrategy[str]:
    base = st.one_of(
        numbers,
        literals,
        REFERENCES,
        st.tuples(REFERENCES, st.just("."), NAMES).map("".join),
        st.just('"plain"'),
    )

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        items = st.lists(inner, max_size=3)
        return st.one_of(
            binary(inner),
            st.tuples(st.sampled_from(["!", "-"]), ANYWHERE, inner).map("".join),
            st.tuples(inner, ANYWHERE, st.just("?"), ANYWHERE, inner, ANYWHERE, st.just(":"))
            .map("".join)
            .flatmap(lambda head: st.tuples(st.just(head), ANYWHERE, inner).map("".join)),
            st.tuples(st.just("("), GAP, inner, GAP, st.just(")")).map("".join),
            template(inner).map(lambda text: f'"{text}"'),
            heredoc(inner).map(lambda text: f"(\n{text})"),
            st.tuples(st.sampled_from(["f(", "[", "{a = "]), heredoc(inner)).map(_closed),
            st.tuples(inner, ANYWHERE, st.sampled_from(traversal_steps)).map("".join),
            st.tuples(
                st.sampled_from(["f", "upper", "jsonencode", "provider::aws::arn_parse"]),
                st.tuples(ANYWHERE, st.just("(")).map("".join),
                st.tuples(items, GAP).map(lambda pair: ("," + pair[1]).join(pair[0])),
                st.tuples(ANYWHERE, st.sampled_from(["", ",", "...", "\n"])).map("".join),
                st.just(")"),
            ).map(_call),
            st.tuples(items, GAP, st.sampled_from(["", ","])).map(
                lambda t: "[" + t[1] + ("," + t[1]).join(t[0]) + t[2] + t[1] + "]"
            ),
            st.lists(st.tuples(object_keys(inner), equals(), inner))
            .flatmap(lambda pairs: st.tuples(st.just(pairs), st.sampled_from([",", "\n", ", "])))
            .map(lambda t: "{" + t[1].join(k + sep + v for k, sep, v in t[0]) + "}"),
            for_expression(inner),
        )

    return st.recursive(base, extend, max_leaves=8)


traversal_steps = [".a", ".b", "[0]", '["k"]', "[*]", ".*", ".*.a", "[*].a", ".0", "[a]"]


def _closed(parts: tuple[str, str]) -> str:
    """A heredoc as a function argument, a tuple element or an object value."""
    opening, text = parts
    return opening + text + {"f(": ")", "[": "]", "{a = ": "}"}[opening]


def _call(parts: tuple[str, str, str, str, str]) -> str:
    name, open_, args, tail, close = parts
    if not args and tail.strip(" ") in (",", "..."):
        tail = ""
    return name + open_ + args + tail + close


def equals() -> st.SearchStrategy[str]:
    return st.tuples(ANYWHERE, st.sampled_from(["=", ":", " = "]), ANYWHERE).map("".join)


def object_keys(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(NAMES, st.just('"q"'), inner.map(lambda text: f"({text})"))


@st.composite
def for_expression(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    names = draw(st.sampled_from(["v", "k, v", "k\n, v", "k,\nv", "k, v\n"]))
    condition = draw(st.one_of(st.just(""), inner.map(lambda text: f" if {text}")))
    gap = draw(GAP)
    if draw(st.booleans()):
        return f"[{gap}for {names} in {draw(inner)} : {draw(inner)}{condition}{gap}]"
    group = draw(st.sampled_from(["", "..."]))
    key, value = draw(inner), draw(inner)
    arrow = draw(ANYWHERE) + "=>" + draw(ANYWHERE)
    return f"{{{gap}for {names} in {draw(inner)} : {key}{arrow}{value}{group}{condition}{gap}}}"


@st.composite
def bodies(draw: st.DrawFn, depth: int = 0) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["attribute", "attribute", "block", "comment", "blank"]))
        if kind == "attribute":
            equal = draw(equals().filter(lambda text: ":" not in text))
            lines.append(f"{draw(NAMES)}{equal}{draw(expressions())}\n")
        elif kind == "comment":
            lines.append(draw(st.sampled_from(["# c\n", "// c\n", "/* c\n c */\n", "/**/\n"])))
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["\n", "  \n", "\r\n"])))
        elif depth < 2:
            labels = draw(
                st.lists(st.sampled_from(['"aws_iam_role"', '"r"', "r", '""']), max_size=2)
            )
            head = draw(ANYWHERE).join([draw(NAMES), *labels])
            inner = draw(bodies(depth + 1))
            if not inner and draw(st.booleans()):
                lines.append(f"{head} {{}}\n")
            elif draw(st.booleans()) and inner.count("\n") == 1 and "=" in inner:
                lines.append(f"{head} {{ {inner.strip()} }}\n")
            else:
                lines.append(f"{head} {{\n{inner}}}\n")
    return "".join(lines)


def both_parsers(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    monkeypatch.setenv(PARSER_VARIABLE, "hcl2")
    reference = parse_file(text, "main.tf")
    monkeypatch.setenv(PARSER_VARIABLE, "treesitter")
    tree = parse_file(text, "main.tf")
    return reference, tree


def assert_same(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    reference, tree = both_parsers(text, monkeypatch)
    if isinstance(reference, ParseError) or isinstance(tree, ParseError):
        assert tree == reference, text
    else:
        assert isinstance(tree, Tree) and isinstance(reference, Tree)
        assert normalized(tree) == normalized(reference), text


@given(expressions())
@example('"%{ if a }x%{ else }y%{ endif }"')
@example("[for k, v in a : v if k]")
def test_random_expressions_parse_alike(expression: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert_same(f"locals {{\n  x = {expression}\n}}\n", monkeypatch)


@given(bodies(), st.booleans())
def test_random_files_parse_alike(text: str, last_newline: bool) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert_same(text if last_newline else text.rstrip("\n"), monkeypatch)


OTHERWISE = [
    'name =\n  "admin"\n',
    'name\n  = "admin"\n',
    "a = /* c */ 1\n",
    'x = { a =\n "b" }\n',
    'x = { a = /* c */ "b" }\n',
    'x = { for k in v : k\n  => "p-${k}" }\n',
    "x = [for k\n, v in a : k]\n",
    'resource "aws_iam_policy" /* c */ "admin" {}\n',
    'resource\n"a" "b" {}\n',
    "{}\n",
    "x = - /* c */ 1\n",
    "x = a\n.b\n",
    "x = a /* c */ .b\n",
    "x = a[*]\n.b\n",
    "x = f\n(1)\n",
    "x = f(1\n,)\n",
    "x = f(1\n...)\n",
    'x = "admin-${\n"x"\n}"\n',
    'x = "${"x" /* c */}"\n',
    'x = "%{ if true\n}a%{ endif }"\n',
    "x = (a\n- 1)\n",
    "x = a -12\n",
    "x = -12\n",
    "x = -1-2.5\n",
    "x = -12[0]\n",
    "x = { a = 1e3\n(0) = 1 }\n",
    "π = 3.14\n",
    "x = (\n<<EOF\n${ (\n<<EOF\nEOF\n) }\nEOF\n)\n",
    'x = (\n  "a"\n  # why\n  == "b" ? 1 : 2\n)\n',
    'x = (\n  "a"\n\n  == "b"\n)\n',
    'x = "a"\n# then\n+ "b"\n',
    "x = [\n  a ? 1 : b\n  # else\n  ? 2 : 3\n]\n",
]
"""Forms (most valid HCL) that tree-sitter's grammar reads and python-hcl2 rejects or reads
another way: the default parser must leave each to python-hcl2."""


@pytest.mark.parametrize("text", OTHERWISE)
def test_forms_python_hcl2_reads_otherwise_read_the_same(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert_same(text, monkeypatch)


GLUED = [
    "x = (\n  var.enabled\n  ? 1\n  : 2\n)\n",
    'x = (\n  contains(var.list, "a") # why\n  ? 1\n  : 2\n)\n',
    "x = (var.a /* c */ ? 1 : 2)\n",
]
"""A conditional whose test is no binary operation, with one newline or comment before the
``?`` (python-hcl2's post-lexer glues it to the ``?``): common in public modules, so tree-sitter
must read it itself (left to python-hcl2, 58 files of one repository paid its parse)."""


IN_TEMPLATE_SEQUENCES = [
    'x = "${replace(var.url, "https://", "")}:sub"\n',
    'x = "//host/${element(split("//", var.y), 1)}"\n',
    'x = "${format("#%s", var.x)}"\n',
    'x = "%{if var.z == "/*"}a%{endif}"\n',
    'x = "https://${try(\n  var.a,\n  var.b,\n)}"\n',
    'x = "${join(",", [\n  "a", # first\n  "b",\n])}"\n',
    'x = "%{if contains(var.l, {\n  k = 1\n})}yes%{endif}"\n',
    'x = "${[for v in ["#"] : v /* z */]}"\n',
]
"""Inside a template's ``${ }`` or ``%{ }``: ``//``, ``#`` or ``/*`` in a nested string (text,
not a comment), and newlines or comments inside brackets (python-hcl2's grammar reads them as
outside a string). tree-sitter reads these: refused before, 103 of 401 files of one public
repository and one file in many module repositories went to python-hcl2 (about 100 ms to
load it in a process). A newline or comment anywhere else in the sequence is an error for
python-hcl2, which reports it (``OUTSIDE_BRACKETS``)."""
OUTSIDE_BRACKETS = [
    'x = "${var.a /* c */}"\n',
    'x = "${\n  var.a}"\n',
    'x = "${f(\n)\n}"\n',
    'x = "%{ if var.a\n}b%{ endif }"\n',
]


@pytest.mark.parametrize(
    ("text", "read"),
    [(text, True) for text in GLUED + IN_TEMPLATE_SEQUENCES]
    + [(text, False) for text in OUTSIDE_BRACKETS],
)
def test_layouts_tree_sitter_reads_itself_or_leaves_to_python_hcl2(text: str, read: bool) -> None:
    """Both parsers agree on each, and tree-sitter's tree is used where ``read``."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert_same(text, monkeypatch)
    assert (parse_mirrored(text) is not None) == read
