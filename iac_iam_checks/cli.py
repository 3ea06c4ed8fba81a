"""Command line: ``iac-iam-checks scan|list-checks|explain|checkov-dir``.

Heavy modules (the HCL parser, PyYAML, the checks) are imported inside the commands so that
``--version`` and ``--help`` stay fast.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from . import __version__

if TYPE_CHECKING:
    from .checks.registry import Check

FORMATS = ("text", "json", "sarif", "junit", "markdown")
SEVERITY_ORDER = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
EXIT_ERROR = 2
T = TypeVar("T")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iac-iam-checks")
def main() -> None:
    """Static analysis of AWS IAM in Terraform and CloudFormation."""


def run() -> NoReturn:
    """The console script: ``main``, then the process ends at once.

    ``main`` always ends in ``SystemExit``; the interpreter would then free the scan's objects
    one by one, which costs 50-80 ms on a module repository and helps nobody. Every file we
    write is closed by then, so standard output and error are flushed and the process exits
    with ``main``'s status. Tests call ``main`` itself (click's runner, in-process). The
    cyclic collector stays paused to the end (``collector``): resumed after a scan, its first
    collection walked everything the scan made (0.2 s of repos-300's report).
    """
    gc.disable()
    try:
        main()
    except SystemExit as done:
        status = done.code
    else:  # pragma: no cover - click's standalone mode always exits
        status = 0
    if status is not None and not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away
            stream.flush()
    os._exit(status or 0)


def parse_outputs(values: tuple[str, ...]) -> list[tuple[str, Path]]:
    out = []
    for value in values:
        fmt, sep, file = value.partition("=")
        if not sep or fmt not in FORMATS or not file:
            raise click.UsageError(
                f"--output expects FORMAT=FILE with FORMAT in {FORMATS}: {value!r}"
            )
        out.append((fmt, Path(file)))
    return out


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--framework",
    "frameworks",
    multiple=True,
    type=click.Choice(["terraform", "terraform_plan", "cloudformation"]),
    help="Only scan these frameworks (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="What to print on standard output.",
)
@click.option(
    "--output", "outputs", multiple=True, metavar="FORMAT=FILE", help="Also write FORMAT to FILE."
)
@click.option(
    "--check",
    "checks",
    multiple=True,
    help="Run only these check ids (repeatable, or comma-separated).",
)
@click.option(
    "--skip-check",
    "skip_checks",
    multiple=True,
    help="Skip these check ids (repeatable, or comma-separated).",
)
@click.option(
    "--severity-threshold",
    type=click.Choice(SEVERITY_ORDER, case_sensitive=False),
    default=None,
    help="Fail only on findings at or above this severity (default LOW).",
)
@click.option(
    "--config", "config_file", type=click.Path(path_type=Path), help="Configuration file."
)
@click.option(
    "--var-file",
    "var_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A .tfvars or .tfvars.json file whose values every Terraform root sees, after "
    "terraform.tfvars and *.auto.tfvars (repeatable; later files win).",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path),
    help="Report only findings not recorded in this baseline file; the summary counts the "
    "ones it accepted.",
)
@click.option(
    "--create-baseline",
    "create_baseline",
    type=click.Path(path_type=Path),
    help="Record today's unsuppressed findings in this file (the scan still reports them "
    "and exits as usual; add --soft-fail for exit 0).",
)
@click.option(
    "--source-root",
    type=click.Path(path_type=Path, file_okay=False),
    help="The Terraform configuration scanned plans were made from, so their findings point "
    "at the .tf lines (default: the plan's folder, a folder named like the plan beside it, "
    "or the current directory).",
)
@click.option("--soft-fail", is_flag=True, help="Exit 0 even when findings fail the gate.")
@click.option("--fail-on-unresolved", is_flag=True, help="Unresolved entries fail the gate.")
@click.option(
    "--no-inline-suppressions", is_flag=True, help="Ignore suppression comments and Metadata."
)
@click.option("--no-color", is_flag=True, help="Plain text output (also NO_COLOR).")
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes that evaluate Terraform roots, and run the checks, in parallel "
    "when a scan has many (default, or 0: one per core; 1: no workers).",
)
@click.option(
    "--parser",
    "hcl_parser",
    type=click.Choice(["treesitter", "hcl2"]),
    default=None,
    help="HCL parser: treesitter (C, the default where its wheels are installed; files it "
    "cannot read exactly go to python-hcl2) or hcl2 (python-hcl2 only, the reference).",
)
@click.option(
    "--limit",
    "limit_values",
    multiple=True,
    metavar="NAME=VALUE",
    help="Raise or lower a bound on hostile input: parse_seconds (per file, default 10; 0: "
    "off), instances (per count/for_each/dynamic block, 1000), string_length (characters of "
    "a built string, 1000000), loop_steps (for-expression steps per evaluation, 100000).",
)
@click.option("--quiet", is_flag=True, help="Only print findings that fail the gate.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse and result caches.")
def scan(
    paths: tuple[Path, ...],
    frameworks: tuple[str, ...],
    fmt: str,
    outputs: tuple[str, ...],
    checks: tuple[str, ...],
    skip_checks: tuple[str, ...],
    severity_threshold: str | None,
    config_file: Path | None,
    var_files: tuple[Path, ...],
    baseline_file: Path | None,
    create_baseline: Path | None,
    source_root: Path | None,
    soft_fail: bool,
    fail_on_unresolved: bool,
    no_inline_suppressions: bool,
    no_color: bool,
    jobs: int | None,
    hcl_parser: str | None,
    limit_values: tuple[str, ...],
    quiet: bool,
    no_cache: bool,
) -> None:
    """Scan PATHS (default: the current directory) for IAM problems."""
    if hcl_parser is not None:
        choose_parser(hcl_parser)
    from .checks.registry import all_checks
    from .engine import ScanOptions
    from .engine import scan as run_scan
    from .gate import baseline as baseline_mod
    from .gate import config as config_mod
    from .gate.verdict import failing_findings, verdict
    from .model.findings import ScanResult
    from .model.values import ParseError
    from .real_paths import real_path
    from .report import render

    given = list(paths) or [Path(".")]
    targets = [p for p in given if p.exists()]
    missing = [ParseError(str(p), None, not_there(p)) for p in given if not p.exists()]
    for var_file in var_files:
        if not var_file.is_file():
            raise click.UsageError(f"--var-file does not exist: {var_file}")
    extra_outputs = parse_outputs(outputs)
    known = all_checks()
    chosen = split_ids(checks)
    skipped = split_ids(skip_checks)
    unknown = sorted(set(chosen + skipped) - set(known))
    if unknown:
        raise click.UsageError(f"unknown check id: {', '.join(unknown)}")
    try:
        if config_file is not None:
            config = config_mod.load_config(config_file, known)
        else:
            config = config_mod.discover_config(real_path((targets or given)[0]), known)
    except config_mod.ConfigError as error:
        fail(str(error))
    accepted: set[str] = set()
    if baseline_file is not None:
        try:
            accepted = baseline_mod.load_baseline(baseline_file)
        except baseline_mod.BaselineError as error:
            fail(str(error))
    settings = config.to_settings()
    bounds = config_mod.limits_from({**config.limits, **parse_limits(limit_values)})
    options = ScanOptions(
        checks=chosen or list(config.checks or []) or None,
        skip_checks=skipped + list(config.skip_checks or []),
        var_files=list(var_files),
        excludes=list(config.exclude or []),
        frameworks=list(frameworks) or None,
        settings=settings,
        inline_suppressions=not no_inline_suppressions,
        config_suppressions=list(config.suppress or []),
        jobs=jobs or os.cpu_count() or 1,
        use_cache=not no_cache,
        limits=bounds,
        source_root=source_root,
    )
    if targets:
        result = with_progress(lambda: run_scan(targets, options), enabled=not quiet)
    else:
        result = ScanResult()
    result.errors = missing + result.errors
    if create_baseline is not None:
        write_file(create_baseline, lambda path: baseline_mod.write_baseline(result, path))
    if baseline_file is not None:
        result = baseline_mod.apply_baseline(result, accepted)
    if result.files_scanned == 0 and targets:
        result.warnings.append("no IaC files found under " + ", ".join(str(t) for t in targets))
    threshold = (severity_threshold or config.severity_threshold or "LOW").upper()
    gate = verdict(result, threshold, fail_on_unresolved, soft_fail)
    color = wants_color(fmt, no_color)
    shown = None
    if quiet and fmt == "text":
        unresolved = result.unresolved if fail_on_unresolved else []
        failing = failing_findings(result.findings, threshold)
        shown = replace(result, findings=failing, unresolved=unresolved, warnings=[])
    ran = rule_set(known, options.checks, options.skip_checks, settings.severity_overrides)
    srcroot = sarif_prefix(targets or given)
    click.echo(
        render(result, fmt, ran, color=color, shown=shown, srcroot=srcroot, verdict=gate),
        nl=False,
    )
    for out_fmt, file in extra_outputs:
        text = render(result, out_fmt, ran, srcroot=srcroot, verdict=gate)
        write_file(file, text_writer(text))
    sys.exit(gate.exit_code)


def parse_limits(values: tuple[str, ...]) -> dict[str, float]:
    """``--limit NAME=VALUE`` flags, validated like the configuration's ``limits`` table."""
    from .gate.config import limit_problem

    out: dict[str, float] = {}
    for item in values:
        name, sep, text = item.partition("=")
        name = name.strip()
        try:
            number: float = float(text) if name == "parse_seconds" else int(text)
        except ValueError:
            number = -1
        problem = "expected NAME=VALUE" if not sep else limit_problem(name, number)
        if problem:
            raise click.UsageError(f"--limit {item}: {problem}")
        out[name] = number
    return out


def wants_color(fmt: str, no_color: bool) -> bool:
    """ANSI colors in text on a terminal, unless --no-color or a non-empty NO_COLOR says no
    (https://no-color.org: an empty NO_COLOR does not count)."""
    return fmt == "text" and not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def fail(message: str) -> NoReturn:
    """A bad configuration, baseline or output file: exit 2 with one clear line."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def text_writer(text: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write


def choose_parser(name: str) -> None:
    """Select the HCL parser for this process and its workers (an environment variable)."""
    from .frontends import hcl_parser, hcl_treesitter

    if name == "treesitter" and not hcl_treesitter.available():
        raise click.UsageError(
            "--parser treesitter: tree-sitter and tree-sitter-hcl are not installed"
        )
    os.environ[hcl_parser.PARSER_VARIABLE] = name


def write_file(path: Path, write: Callable[[Path], None]) -> None:
    """Write a report or baseline, creating its folder (CI jobs name ``reports/x.sarif``)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path)
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror or error}")


def not_there(path: Path) -> str:
    """Why a scan target that does not exist cannot be read."""
    from .engine.discover import broken_link

    try:
        path.stat()
        reason = None
    except OSError as error:
        reason = broken_link(path, error)
    return reason or "path does not exist"


def sarif_prefix(targets: list[Path]) -> str:
    """Where the scan base lies inside its git repository (``infra/``), so that SARIF URIs are
    relative to the repository root, which is how GitHub code scanning reads them; empty
    outside a repository (URIs are then relative to the scan base, like every other format)."""
    from .engine import repository_boundary, scan_base
    from .real_paths import real_path

    base = real_path(scan_base(targets))
    root = repository_boundary(base)
    if not (root / ".git").exists() or root == base:
        return ""
    return base.relative_to(root).as_posix() + "/"


def show_progress() -> bool:
    """A progress bar only for a person watching: stdout and stderr are a terminal (the spec:
    never when output is piped) and this is not CI."""
    ci = os.environ.get("CI", "").strip().lower()
    return sys.stderr.isatty() and sys.stdout.isatty() and ci in ("", "0", "false", "no")


def with_progress(work: Callable[[], T], enabled: bool = True, delay: float = 0.5) -> T:
    """Run ``work``; if it takes longer than ``delay`` seconds and ``show_progress()``, show an
    activity bar on stderr meanwhile (stdout, and anything piped, is never touched)."""
    if not enabled or not show_progress():
        return work()
    import threading

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # re-raised in the calling thread
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(delay)
    if worker.is_alive():

        def still_running() -> bool:
            worker.join(0.1)
            return worker.is_alive()

        ticks = iter(still_running, False)
        with click.progressbar(ticks, label="scanning", file=sys.stderr) as bar:
            for _ in bar:
                pass
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def rule_set(
    known: dict[str, Check], chosen: list[str] | None, skipped: list[str], overrides: dict[str, str]
) -> dict[str, Check]:
    """The checks that ran, with configured severities: what SARIF rules and JUnit suites show."""
    return {
        cid: replace(check, severity=overrides.get(cid, check.severity))
        for cid, check in known.items()
        if (not chosen or cid in chosen) and cid not in skipped
    }


def split_ids(values: tuple[str, ...]) -> list[str]:
    return [part.strip().upper() for value in values for part in value.split(",") if part.strip()]


@main.command("list-checks")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def list_checks(fmt: str) -> None:
    """List every check with its severity and title."""
    from .checks.registry import all_checks

    checks = all_checks()
    if fmt == "json":
        rows = [
            {
                "id": c.id,
                "title": c.title,
                "severity": c.severity,
                "frameworks": sorted(k for k, v in c.kinds.items() if v),
                "cli_only": False,
                "needs_graph": c.needs_graph,
            }
            for c in checks.values()
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for c in checks.values():
        click.echo(f"{c.id}  {c.severity:<8}  {c.title}")


@main.command()
@click.argument("check_id")
def explain(check_id: str) -> None:
    """Explain one check: why it matters, how to fix it, where it runs."""
    from .checks.registry import all_checks

    check = all_checks().get(check_id.upper())
    if check is None:
        raise click.UsageError(f"unknown check id: {check_id}")
    kinds = "; ".join(f"{fw}: {', '.join(k)}" for fw, k in check.kinds.items() if k)
    click.echo(f"{check.id}: {check.title} ({check.severity})\n")
    click.echo(f"Why it matters: {check.why}\n")
    click.echo(f"How to fix: {check.fix}\n")
    click.echo(f"Covers: {kinds}\n")
    click.echo(f"References: {check.references}")
    click.echo(_reference_links(check) + "\n")
    inside = "runs with the same id and verdict (`iac-iam-checks checkov-dir`)"
    if check.needs_graph:
        inside += (
            "; the verdict depends on other resources, so it comes from the iac-iam-checks "
            "engine, which the checkov directory starts (UNKNOWN where the engine cannot run)"
        )
    click.echo(f"Inside checkov: {inside}.")


def _reference_links(check: Check) -> str:
    """The check's reference URLs and where its documentation page is."""
    from .checks import pages

    page = pages.page_of(check)
    lines = [f"  {link.title}: {link.url}" for link in page.links] if page else []
    where = pages.page_url(check.id) or f"{pages.page_path(check.id)} in the repository"
    lines.append(f"Documentation: {where}")
    return "\n".join(lines)


@main.command("checkov-dir")
@click.option(
    "--export",
    "export_dir",
    type=click.Path(path_type=Path),
    help="Write a self-contained copy here.",
)
def checkov_dir(export_dir: Path | None) -> None:
    """Print the directory to pass to checkov --external-checks-dir."""
    from .integrations.checkov import export as plugin

    if export_dir is not None:
        click.echo(str(plugin.export(export_dir)))
    else:
        click.echo(str(plugin.main_dir()))


ACCESS_FORMATS = ("text", "json", "markdown")
FAIL_ON = ("admin", "permissions-management", "write", "any")
EXPAND_HELP = (
    "One row per concrete action (default: a whole service or everything, with or without a "
    "few exceptions, is one wildcard row such as s3:* or *)."
)


@main.command()
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--principal", "principals", multiple=True, metavar="ADDRESS", help="Only this principal."
)
@click.option(
    "--action",
    "actions",
    multiple=True,
    metavar="ACTION",
    help="Who can perform this action (wildcards allowed, e.g. iam:Pass*; repeatable).",
)
@click.option("--format", "fmt", type=click.Choice(ACCESS_FORMATS), default="text")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(path_type=Path))
@click.option("--expand", is_flag=True, help=EXPAND_HELP)
def access(
    path: Path,
    principals: tuple[str, ...],
    actions: tuple[str, ...],
    fmt: str,
    var_files: tuple[Path, ...],
    expand: bool,
) -> None:
    """Effective permissions of every IAM user, group and role under PATH."""
    from .engine import ScanOptions
    from .engine.access import compute_access
    from .report.access import render_access

    options = ScanOptions(var_files=list(var_files), jobs=os.cpu_count() or 1)
    result = compute_access([path], options, principals, list(actions) or None)
    for chunk in render_access(result, fmt, expand):
        click.echo(chunk, nl=False)
    sys.exit(EXIT_ERROR if result.errors else 0)


@main.command()
@click.argument("base")
@click.argument("new", required=False)
@click.option("--format", "fmt", type=click.Choice(ACCESS_FORMATS), default="text")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="permissions-management",
    show_default=True,
    help="Exit 1 when new access at or above this level exists.",
)
@click.option("--expand", is_flag=True, help=EXPAND_HELP)
def diff(base: str, new: str | None, fmt: str, fail_on: str, expand: bool) -> None:
    """Access that NEW grants and BASE does not. BASE and NEW are each a folder, a plan JSON
    or git:REF (NEW's folder at REF); a plan JSON alone is compared with its prior state."""
    from .engine import ScanOptions
    from .engine.access import SnapshotError, compute_diff
    from .report.access import render_diff

    options = ScanOptions(jobs=os.cpu_count() or 1)
    try:
        result = compute_diff(base if new else None, new or base, options)
    except SnapshotError as error:
        fail(str(error))
    for chunk in render_diff(result, fmt, fail_on, expand):
        click.echo(chunk, nl=False)
    if result.errors:
        sys.exit(EXIT_ERROR)
    sys.exit(1 if result.fails(fail_on) else 0)
