"""tree-sitter's parse (through ``hcl_treesitter``) against python-hcl2's, the reference.

Every example, fixture and test ``.tf`` file, and a generated corpus, must give the same tree
as the evaluator sees it (rules, tokens, lines and offsets; punctuation and layout left out);
a syntax error must read the same with either parser; a scan must print the same bytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_iam_checks.cli import main
from iac_iam_checks.frontends import hcl_treesitter
from iac_iam_checks.frontends.hcl_eval import PUNCTUATION
from iac_iam_checks.frontends.hcl_parser import PARSER_VARIABLE, heredoc_ends_trimmed, parser
from iac_iam_checks.frontends.hcl_tree import Token, Tree, from_lark
from iac_iam_checks.frontends.terraform_parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
FORMS = Path(__file__).parent / "data" / "hcl_forms"


def test_tree_sitter_is_installed_with_the_package() -> None:
    """A dependency of the package: a missing wheel must fail here, not skip the differential."""
    assert hcl_treesitter.available()


def normalized(node: Tree | Token) -> object:
    """What the evaluator reads of a tree: ``significant`` children, positions."""
    if isinstance(node, Token):
        return (node.type, str(node), node.line, node.end_line, node.start_pos, node.end_pos)
    kids = [
        normalized(child)
        for child in node.children
        if not (isinstance(child, Tree) and child.data == "new_line_or_comment")
        and not (isinstance(child, Token) and child.type in PUNCTUATION)
    ]
    where = None
    if node.data not in ("start", "body") and not node.meta.empty:
        meta = node.meta
        where = (meta.line, meta.end_line, meta.start_pos, meta.end_pos)
    return (node.data, where, kids)


def corpus_files(tmp: Path) -> list[Path]:
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate_corpus.py"), "--files", "40"]
        + ["--shape", "repos", "--seed", "3", "--out", str(tmp)],
        check=True,
        capture_output=True,
    )
    return sorted(tmp.rglob("*.tf"))


def all_tf_files(tmp: Path) -> list[Path]:
    own = [
        *(ROOT / "iac_iam_checks" / "checks").glob("*.tf"),
        *(ROOT / "fixtures").rglob("*.tf"),
        *(ROOT / "tests").rglob("*.tf"),
    ]
    return sorted(own) + corpus_files(tmp)


def test_every_tf_file_gives_python_hcl2s_tree(tmp_path: Path) -> None:
    mirrored = left = 0
    for path in all_tf_files(tmp_path):
        text = heredoc_ends_trimmed(path.read_text(encoding="utf-8")) + "\n"  # as both read it
        try:
            reference = from_lark(parser().parse(text))
        except Exception:  # noqa: BLE001 - a broken file: see the error test below
            continue
        try:
            tree = hcl_treesitter.parse(text)
        except hcl_treesitter.Unsupported:
            left += 1
            continue
        assert normalized(tree) == normalized(reference), path
        mirrored += 1
    assert mirrored > 60
    assert left <= 2  # tests/data/hcl_forms/fallback_number.tf and nothing unexpected


BROKEN = [
    'resource "aws_iam_user" "x" {\n  name = "a"\n',
    'resource "aws_iam_user" "x" {\n  name =\n}\n',
    'locals {\n  a = "unterminated\n}\n',
    "locals {\n  a = <<EOT\nno end\n}\n",
    "locals {\n  a = [1, 2\n}\n",
    'resource "x" "y" {\n  a = 1 +\n}\n}\n',
    '\x00\x01resource "a" "b" {}\n',
]


@pytest.mark.parametrize("text", BROKEN)
def test_syntax_errors_read_the_same(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PARSER_VARIABLE, "hcl2")
    reference = parse_file(text, "main.tf")
    monkeypatch.setenv(PARSER_VARIABLE, "treesitter")
    assert parse_file(text, "main.tf") == reference
    assert not isinstance(reference, Tree)


def test_blanks_after_closing_markers_move_past_the_newline() -> None:
    """Only closing lines change: every line keeps its number, every token outside a closing
    line its offset; a heredoc inside another's text is text; an unclosed one is left as is."""
    text = (FORMS / "heredoc_end_blanks.tf").read_text(encoding="utf-8")
    trimmed = heredoc_ends_trimmed(text)
    assert len(trimmed) == len(text)
    changed = [
        (old, new)
        for old, new in zip(text.splitlines(), trimmed.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [
        ("EOF  ", "EOF"),
        ("  script = <<-EOT", "    script = <<-EOT"),
        ("    EOT\t", "    EOT"),
        ("  second = <<EOF", "\t  second = <<EOF"),
        ("POLICY \t ", "POLICY"),
        ("}", " \t }"),
    ]
    unclosed = "a = <<EOF\nx\nEOFX \n"
    assert heredoc_ends_trimmed(unclosed) == unclosed
    assert heredoc_ends_trimmed("a = <<EOF\nx\n  EOF  ") == "a = <<EOF\nx\n  EOF"


@pytest.mark.parametrize("target", [FORMS, ROOT / "fixtures", ROOT / "iac_iam_checks" / "checks"])
def test_scan_output_is_the_same_with_either_parser(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PARSER_VARIABLE, "")  # restored after --parser sets it
    outputs = []
    for name in ("hcl2", "treesitter"):
        result = CliRunner().invoke(
            main,
            ["scan", str(target), "--format", "json", "--soft-fail", "--no-cache"]
            + ["--jobs", "1", "--parser", name],
        )
        assert result.exit_code in (0, 2), result.output
        outputs.append(result.output)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["findings"] or target == FORMS


def test_a_tree_sitter_scan_never_imports_lark(tmp_path: Path) -> None:
    """Lark (with its parser generator, ``logging`` and ``regex``) costs about 30 ms to
    import: a scan parsed by tree-sitter must not pay it; python-hcl2's fallback does."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_user" "u" {\n  name = "u"\n}\n', encoding="utf-8"
    )
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from iac_iam_checks.cli import main\n"
        "out = CliRunner().invoke(main, ['scan', sys.argv[1], '--no-cache', '--soft-fail'])\n"
        "assert out.exit_code in (0, 2), out.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('lark', 'hcl2', 'regex')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
    (tmp_path / "main.tf").write_text("locals {\n  a = [1, 2\n}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert "lark" in done.stdout


def test_trees_from_either_parser_survive_pickle_and_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Our tree classes (slots, a ``Meta`` subclass whose constant fields live on the class)
    round-trip through pickle and ``copy``, positions included, whichever parser made them."""
    import copy
    import pickle

    text = 'resource "aws_iam_user" "u" {\n  name = "x${var.y}"\n}\n'
    for name in ("treesitter", "hcl2"):
        monkeypatch.setenv(PARSER_VARIABLE, name)
        tree = parse_file(text, "main.tf")
        assert isinstance(tree, Tree)
        for copied in (pickle.loads(pickle.dumps(tree)), copy.deepcopy(tree)):
            assert copied == tree
            assert normalized(copied) == normalized(tree)
