"""The bad-input corpus (issue 10): each hostile or broken input is scanned beside one valid
Terraform file; the scan reports the input's error or warning (file, and line where known) and
the valid file's finding survives. Small inputs are committed under ``tests/bad_inputs/``; big,
binary and path-dependent ones are generated here. ``tests/test_cli.py``'s ``BAD_INPUTS``
(broken HCL/YAML/JSON, NUL bytes, latin-1, an alias bomb, 20,000-deep JSON, a 6 MB file) are not
repeated. Bounds (``--limit``, ``[limits]``) are tested at the end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_cli import INLINE_POLICY, repo, run, scan_json

from iac_iam_checks.engine import discover
from iac_iam_checks.real_paths import RealPaths

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
GOOD = ("good/main.tf", "aws_iam_user_policy.inline")

# name -> (exit code, [(file, line, error text)], [warning texts]); files are under bad/.
EXPECTED: dict[str, tuple[int, list[tuple[str, int | None, str]], list[str]]] = {
    "bom.tf": (1, [], []),
    "catastrophic_regex.tf": (1, [], []),
    "empty.tf": (1, [], []),
    "empty.tf.json": (2, [("bad/empty.tf.json", 1, "top level must be an object")], []),
    "file_outside.tf": (
        1,
        [],
        [
            'bad/file_outside.tf:11: templatefile("${path.module}/../../outside/admin.json", {})',
            'bad/file_outside.tf:3: file("/etc/passwd"): file not readable inside the repository',
            'bad/file_outside.tf:7: file("${path.module}/../../outside/admin.json"): file not',
        ],
    ),
    "huge_count.tf": (1, [], ["bad/huge_count.tf:1: aws_iam_user.many: count makes 100000000"]),
    "huge_for_each.tf": (1, [], []),
    "huge_loops.tf": (1, [], ["bad/huge_loops.tf:2: more than 100000 for-expression steps"]),
    "huge_strings.tf": (
        1,
        [],
        [
            "bad/huge_strings.tf:21: string longer than 1000000 characters",
            "bad/huge_strings.tf:3: format() width longer than 1000000 characters",
            "bad/huge_strings.tf:5: indent() result longer than 1000000 characters",
            "bad/huge_strings.tf:6: replace() result longer than 1000000 characters",
        ],
    ),
    "list_for_map.plan.json": (1, [], []),
    "list_for_map.tf.json": (
        2,
        [("bad/list_for_map.tf.json", 1, 'invalid Terraform JSON: "resource" must be an object')],
        [],
    ),
    "list_for_map.yaml": (
        2,
        [("bad/list_for_map.yaml", 5, "Properties of A is not a mapping")],
        [],
    ),
    "malformed.tf": (2, [("bad/malformed.tf", 5, "invalid HCL")], []),
    "nonstring_type.yaml": (
        1,
        [],
        [
            "bad/nonstring_type.yaml:3: resource A is not checked: its Type 12",
            "bad/nonstring_type.yaml:5: resource B is not checked",
            "bad/nonstring_type.yaml:7: resource C is not checked",
        ],
    ),
    "self_module.tf": (1, [], ["bad/self_module.tf:1: module.again calls a module it is inside"]),
    "unknown_tag.yaml": (2, [("bad/unknown_tag.yaml", 4, "resource B is not a mapping")], []),
}
ADMIN = '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'


def check_scan(
    root: Path,
    code: int,
    errors: list[tuple[str, int | None, str]],
    warnings: list[str],
    *args: str,
) -> dict:
    """Scan ``root`` and assert the exit code, errors and warnings, and the valid finding."""
    got_code, data = scan_json(str(root), *args)
    got = [(e["file"], e["line"], e["message"]) for e in data["errors"]]
    assert len(got) == len(errors), got
    for (file, line, message), (want_file, want_line, want_text) in zip(got, errors, strict=True):
        assert (file, line) == (want_file, want_line) and want_text in message, got
    assert len(data["warnings"]) == len(warnings), data["warnings"]
    for warning, want in zip(data["warnings"], warnings, strict=True):
        assert warning.startswith(want), data["warnings"]
    assert GOOD in {(f["file"], f["resource"]) for f in data["findings"]}
    assert got_code == code
    return data


def test_the_corpus_is_all_expected() -> None:
    assert sorted(p.name for p in CORPUS.iterdir() if p.name != "README.md") == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_beside_a_valid_one(tmp_path: Path, name: str) -> None:
    root = repo(tmp_path / "scan", {f"bad/{name}": (CORPUS / name).read_bytes()})
    repo(root, {"good/main.tf": INLINE_POLICY})
    repo(tmp_path, {"outside/admin.json": ADMIN})
    data = check_scan(root, *EXPECTED[name])
    # Files outside the scanned folder are never read: the admin policy there is not judged.
    assert not any(f["check_id"] == "IAM020" for f in data["findings"])


DEEP = 200_000
GENERATED: dict[str, tuple[bytes, tuple[int, list[tuple[str, int | None, str]], list[str]]]] = {
    "big.tf": (
        b"# " + b"x" * (20 * 1024 * 1024) + b"\n",
        (2, [("bad/big.tf", None, "file too large")], []),
    ),
    "deep.json": (
        b'{"AWSTemplateFormatVersion": "2010-09-09", "Resources": '
        + b"[" * DEEP
        + b"]" * DEEP
        + b"}",
        (2, [("bad/deep.json", 1, "nesting deeper than 100 levels")], []),
    ),
    "deep.tf.json": (
        b'{"locals": {"a": ' + b"[" * DEEP + b"]" * DEEP + b"}}",
        (2, [("bad/deep.tf.json", 1, "nesting deeper than 100 levels")], []),
    ),
    "deep.plan.json": (
        b'{"format_version": "1.0", "planned_values": '
        + b"[" * DEEP
        + b"]" * DEEP
        + b', "resource_changes": []}',
        (2, [("bad/deep.plan.json", None, "nested too deeply")], []),
    ),
    "utf16.tf": (
        INLINE_POLICY.encode("utf-16"),
        (2, [("bad/utf16.tf", 1, "UTF-16 text")], []),
    ),
    "utf16be.yaml": (
        b"\xfe\xff" + "AWSTemplateFormatVersion: '2010-09-09'\n".encode("utf-16-be"),
        (1, [], []),  # not recognised as a template at all (its text is not readable)
    ),
    "bom.yaml": (
        b"\xef\xbb\xbfAWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
        b"  P:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n"
        b"      PolicyDocument: {Statement: [{Effect: Allow, Action: '*', Resource: '*'}]}\n",
        (1, [], []),
    ),
    "merge_bomb.yaml": (
        (
            "AWSTemplateFormatVersion: '2010-09-09'\na0: &a0 {k: v}\n"
            + "".join(
                f"a{i + 1}: &a{i + 1} {{<<: [*a{i}, *a{i}, *a{i}, *a{i}], x{i}: 1}}\n"
                for i in range(20)
            )
            + "Resources: *a20\n"
        ).encode(),
        (2, [("bad/merge_bomb.yaml", 9, "YAML aliases expand to more than")], []),
    ),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_input_beside_a_valid_one(tmp_path: Path, name: str) -> None:
    content, expected = GENERATED[name]
    root = repo(tmp_path, {f"bad/{name}": content, "good/main.tf": INLINE_POLICY})
    code, errors, warnings = expected
    data = check_scan(root, code, errors, warnings)
    if name == "bom.yaml":
        assert ("bad/bom.yaml", "P", "IAM020") in {
            (f["file"], f["resource"], f["check_id"]) for f in data["findings"]
        }


def test_python_object_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "constructed"
    template = (
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
        f"  A: !!python/object/apply:os.system ['touch {marker}']\n"
        f"  B: !!python/object/new:pathlib.Path ['{marker}']\n"
        "  C: !!python/name:os.system\n"
    )
    root = repo(tmp_path / "scan", {"bad/t.yaml": template, "good/main.tf": INLINE_POLICY})
    errors = [
        ("bad/t.yaml", line, f"resource {name} is not a mapping")
        for line, name in ((3, "A"), (4, "B"), (5, "C"))
    ]
    check_scan(root, 2, errors, [])
    assert not marker.exists()


def test_symlinks_leaving_the_scanned_folder_are_refused(tmp_path: Path) -> None:
    repo(tmp_path, {"outside/admin.tf": INLINE_POLICY.replace("inline", "outside")})
    root = repo(tmp_path / "scan", {"good/main.tf": INLINE_POLICY})
    os.symlink(tmp_path / "outside" / "admin.tf", root / "good" / "linked.tf")
    os.symlink(tmp_path / "outside", root / "linked_folder")
    os.symlink("/dev/zero", root / "zero.tf")
    os.symlink("/", root / "everything")
    os.mkfifo(root / "good" / "pipe.tf")  # reading it would block forever
    os.mkfifo(root / "pipe")
    os.symlink(root / "pipe", root / "pipe.yaml")  # not even sniffed: skipped
    data = check_scan(
        root,
        1,
        [],
        [
            "everything: a symlink to a folder outside the scanned folder; not read",
            "good/linked.tf: a symlink to a file outside the scanned folder; not read",
            "linked_folder: a symlink to a folder outside the scanned folder; not read",
            "zero.tf: a symlink to a file outside the scanned folder; not read",
        ],
    )
    assert "aws_iam_user_policy.outside" not in {f["resource"] for f in data["findings"]}


def test_a_symlink_to_a_missing_file_names_its_target(tmp_path: Path) -> None:
    """Templates link each environment's tfvars to a shared file users create (Google's
    terraform-example-foundation): the error says so, not just "No such file"."""
    root = repo(tmp_path, {"good/main.tf": INLINE_POLICY})
    os.symlink("../common.auto.tfvars", root / "good" / "common.auto.tfvars")
    message = "cannot read: a symbolic link to ../common.auto.tfvars, missing"
    check_scan(root, 2, [("good/common.auto.tfvars", None, message)], [])


def test_a_symlink_loop_is_named_as_one_as_a_file_or_a_scan_target(tmp_path: Path) -> None:
    root = repo(tmp_path, {"good/main.tf": INLINE_POLICY})
    os.symlink("spin.auto.tfvars", root / "good" / "spin.auto.tfvars")
    message = "cannot read: a symbolic link to spin.auto.tfvars, a loop"
    check_scan(root, 2, [("good/spin.auto.tfvars", None, message)], [])
    code, data = scan_json(str(root / "good" / "spin.auto.tfvars"))
    assert code == 2 and [e["message"] for e in data["errors"]] == [
        "a symbolic link to spin.auto.tfvars, a loop"
    ]


def test_a_folder_reached_again_through_a_symlink_inside_the_scan_is_read_once(
    tmp_path: Path,
) -> None:
    """Real paths are built from the parent's and resolved only at symlinks: a file is read
    once, under the path where it lives (symlinked folders are walked last, ``also`` sorts
    first); a link back up is a loop, an error; a second path to a folder is a warning."""
    root = repo(tmp_path / "scan", {"real/deep/main.tf": INLINE_POLICY})
    os.symlink(root / "real", root / "also")
    os.symlink(root / "real" / "deep" / "main.tf", root / "real" / "same.tf")
    os.symlink(root, root / "real" / "deep" / "up")
    found = discover.discover([root], root)
    assert [f.rel for f in found.files] == ["real/deep/main.tf"]
    assert [(e.file, e.message) for e in found.errors] == [
        ("real/deep/up", "symlink loop: directory already scanned")
    ]
    assert found.warnings == ["also: a symlink to real, read there; not read again"]


def test_symlinked_folders_that_only_alias_others_do_not_fail_the_scan(tmp_path: Path) -> None:
    """Documentation and tool folders link to the modules they show (``website/examples ->
    ../examples``): nothing is left unread, so nothing is an error."""
    root = repo(tmp_path, {"modules/iam/main.tf": INLINE_POLICY})
    (root / "docs").mkdir()
    os.symlink("../modules", root / "docs" / "examples")
    os.symlink("../modules/iam", root / "docs" / "iam")
    code, data = scan_json(str(root))
    assert code == 1
    assert data["errors"] == []
    assert {f["file"] for f in data["findings"]} == {"modules/iam/main.tf"}
    assert data["warnings"] == [
        "docs/examples: a symlink to modules, read there; not read again",
        "docs/iam: a symlink to modules/iam, read there; not read again",
    ]


def test_a_module_source_or_file_that_is_a_symlink_loop_is_unreadable_not_a_crash(
    tmp_path: Path,
) -> None:
    """``Path.resolve`` raises on a loop; module sources and ``file()`` paths are resolved
    like ``os.path.realpath``, so the loop is a folder or file that cannot be read."""
    calls = (
        'module "m" {\n  source = "./loop"\n}\n\n'
        'resource "aws_iam_policy" "p" {\n  policy = file("./spin")\n}\n'
    )
    root = repo(tmp_path, {"good/main.tf": INLINE_POLICY, "bad/main.tf": calls})
    os.symlink("loop", root / "bad" / "loop")
    os.symlink("spin", root / "bad" / "spin")
    check_scan(
        root,
        1,
        [],
        [
            "bad/main.tf:1: module source './loop' is outside the repository or unreadable",
            'bad/main.tf:6: file("./spin"): file not readable inside the repository',
        ],
    )


def test_real_paths_agree_with_os_realpath(tmp_path: Path) -> None:
    """The per-folder memo gives ``os.path.realpath``'s answer for links to folders, ``..``
    after a link, missing parts, a file used as a folder and loops."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "file").write_text("x")
    os.symlink(tmp_path / "a" / "b", tmp_path / "link")
    os.symlink("../a", tmp_path / "a" / "b" / "up")
    os.symlink("spin", tmp_path / "spin")
    real = RealPaths()
    for rel in (
        "a/b",
        "link",
        "link/..",
        "link/../b/up/file",
        "a/./b/../../link/up/b",
        "missing/../a",
        "a/file/../b",
        "spin",
        "spin/x/..",
        "a/b/",
    ):
        path = str(tmp_path / rel) if not rel.endswith("/") else f"{tmp_path}/{rel}"
        assert real(path) == os.path.realpath(path), rel
        assert real(path) == os.path.realpath(path), rel  # and again, from the memo


# -- bounds are configurable, and each gives a clear message on what exceeded it --------------


def test_limits_from_the_command_line(tmp_path: Path) -> None:
    bad = 'resource "aws_iam_user" "u" {\n  count = 7\n  name = format("%20s", "x")\n}\n'
    root = repo(tmp_path, {"bad/main.tf": bad, "good/main.tf": INLINE_POLICY})
    check_scan(
        root,
        1,
        [],
        [
            "bad/main.tf:1: aws_iam_user.u: count makes 7 instances, more than 5",
            "bad/main.tf:3: format() width longer than 15 characters",
        ],
        "--limit",
        "instances=5",
        "--limit",
        "string_length=15",
    )


def test_a_parse_over_its_time_limit_is_an_error_on_that_file(tmp_path: Path) -> None:
    slow = "".join(f'resource "aws_iam_user" "u{i}" {{\n  name = "u{i}"\n}}\n' for i in range(4000))
    root = repo(tmp_path, {"bad/main.tf": slow, "good/main.tf": INLINE_POLICY})
    limit = ("--limit", "parse_seconds=0.01")
    check_scan(root, 2, [("bad/main.tf", None, "parsing took longer than 0.01 s")], [], *limit)


def test_limits_from_the_configuration_file(tmp_path: Path) -> None:
    bad = 'resource "aws_iam_user" "u" {\n  count = 3\n}\n'
    root = repo(
        tmp_path,
        {
            ".iac-iam-checks.toml": "[limits]\ninstances = 2\n",
            "bad/main.tf": bad,
            "good/main.tf": INLINE_POLICY,
        },
    )
    check_scan(root, 1, [], ["bad/main.tf:1: aws_iam_user.u: count makes 3 instances"])


@pytest.mark.parametrize(
    "flag", ["instances=0", "nope=1", "instances", "string_length=x", "parse_seconds=-1"]
)
def test_a_bad_limit_is_a_usage_error(tmp_path: Path, flag: str) -> None:
    code, output = run("scan", str(tmp_path), "--limit", flag)
    assert code == 2 and "--limit" in output
