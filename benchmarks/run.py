"""Time iac-iam-checks against checkov on generated corpora, in one run on one machine.

Why ratios: absolute seconds depend on the machine; the ratio checkov/ours measured in the same
run does not (much), so it is what `--compare` guards against regressions.

Corpora are generated (``--sizes``, ``--shape``) or given (``--paths``: public repositories,
each folder a corpus; ``--shape ""`` runs only those). For each corpus: ours cold (a first run,
as in a fresh CI container: an empty cache folder but for the compiled HCL grammar, the cache
entries it writes paid for), ours warm (after a warm-up run that fills the caches), checkov
with its built-in Terraform/CloudFormation checks, checkov running only our checks through
`--external-checks-dir`, and checkov with its built-in checks plus our directory (what adding
our checks to an existing checkov job costs; its caches start empty the same way, so the
engine the shim starts scans cold, like "ours cold"). Wall time is measured
around the subprocess; memory as the peak RSS of the largest single process (`/usr/bin/time
-v`) and as the peak of the whole process tree's summed RSS, sampled from /proc every 20 ms
(both tools may fork workers).

A "together" line then reads the corpora as one set (summed seconds, and the spread of the
per-corpus ratios), and a second table gives the parse cost per KB of HCL beside the cost of
merely reading the files (``parse_cost.py``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SAMPLE_SECONDS = 0.02
OURS_COLD, OURS_WARM = "ours cold", "ours warm"
CHECKOV_BUILTIN, CHECKOV_OURS = "checkov built-in", "checkov + our checks"
CHECKOV_BOTH = "checkov built-in + our directory"
TOOLS = (OURS_COLD, OURS_WARM, CHECKOV_BUILTIN, CHECKOV_OURS, CHECKOV_BOTH)

sys.path.insert(0, str(HERE))
from generate_corpus import generate  # noqa: E402


@dataclass
class Measurement:
    corpus: str
    files: int
    tool: str
    wall_s: float | None
    peak_mb: float | None
    tree_mb: float | None
    results: int | None
    note: str = ""


def load_checkov_env():
    """The test suite's module that builds the pinned checkov venv, imported by path."""
    spec = importlib.util.spec_from_file_location("checkov_env", REPO / "tests" / "checkov_env.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def our_cli() -> str:
    sibling = Path(sys.executable).with_name("iac-iam-checks")
    if sibling.exists():
        return str(sibling)
    return str(REPO / ".venv" / "bin" / "iac-iam-checks")


def _tree_rss_kb(root: int) -> int:
    """Summed VmRSS of `root` and all its descendants (0 for processes already gone)."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{pid}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float | None, float, int, str]:
    """Run `cmd`; return wall seconds, largest-process MB, tree MB, exit code and stdout."""
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    with tempfile.TemporaryDirectory() as tmp:
        time_file = Path(tmp) / "time.txt"
        out_file = Path(tmp) / "stdout"
        full = [gnu_time, "-v", "-o", str(time_file), *cmd] if gnu_time else cmd
        peak_tree = 0
        with open(out_file, "w") as out:
            start = time.perf_counter()
            proc = subprocess.Popen(full, stdout=out, stderr=subprocess.DEVNULL, env=env)
            done = threading.Event()

            def sample() -> None:
                nonlocal peak_tree
                while not done.is_set():
                    peak_tree = max(peak_tree, _tree_rss_kb(proc.pid))
                    done.wait(SAMPLE_SECONDS)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            code = proc.wait()
            wall = time.perf_counter() - start
            done.set()
            sampler.join()
        peak_kb = None
        if time_file.exists():
            for line in time_file.read_text().splitlines():
                if "Maximum resident set size" in line:
                    peak_kb = int(line.rsplit(":", 1)[1])
        stdout = out_file.read_text()
    return wall, peak_kb and peak_kb / 1024, peak_tree / 1024, code, stdout


def count_ours(stdout: str) -> int:
    return len(json.loads(stdout)["findings"])


def count_checkov(stdout: str) -> int:
    """Failed checks across checkov's per-framework reports (a list, or one dict)."""
    reports = json.loads(stdout)
    if isinstance(reports, dict):
        reports = [reports]
    return sum(r.get("summary", {}).get("failed", 0) for r in reports)


def run_tool(
    corpus: str,
    files: int,
    tool: str,
    cmd: list[str] | None,
    env: dict[str, str],
    ok_codes: set,
    repeat: int,
    first_runs: bool = False,
) -> Measurement:
    """Best of `repeat` runs: the minimum wall time is the least noisy estimate on a shared box.
    ``first_runs``: each in a fresh cache folder (``measure_first_run``)."""
    if cmd is None:
        return Measurement(corpus, files, tool, None, None, None, None, "n/a: checkov-dir failed")
    timed = measure_first_run if first_runs else measure
    wall, peak, tree, code, stdout = min(
        (timed(cmd, env) for _ in range(repeat)), key=lambda run: run[0]
    )
    note, results = "", None
    if code not in ok_codes:
        note = f"exit {code}"
    try:
        results = count_ours(stdout) if tool.startswith("ours") else count_checkov(stdout)
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        note = (note + f" unreadable output: {error}").strip()
    return Measurement(corpus, files, tool, round(wall, 2), _r(peak), _r(tree), results, note)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def external_checks(cli: str) -> tuple[str, str] | None:
    """Our checkov directory and check ids, or None while the plugin cannot be exported."""
    exported = subprocess.run([cli, "checkov-dir"], capture_output=True, text=True, check=False)
    listed = subprocess.run(
        [cli, "list-checks", "--format", "json"], capture_output=True, text=True, check=False
    )
    if exported.returncode != 0 or listed.returncode != 0 or not exported.stdout.strip():
        return None
    ids = [c["id"] for c in json.loads(listed.stdout)]
    return exported.stdout.strip(), ",".join(ids)


def bench_corpus(shape: str, files: int, seed: int, tools: dict) -> list[Measurement]:
    path = corpus_folder(shape, files, seed)
    if not path.exists():
        generate(files, shape, seed, path)
    return bench_folder(f"{shape}-{files}", files, path, tools)


def corpus_folder(shape: str, files: int, seed: int) -> Path:
    return HERE / "corpus" / f"{shape}-{files}-s{seed}"


def corpus_names(folders: list[Path]) -> list[str]:
    """Each folder's name, with its parent's in front where two folders share a name: rows and
    ratios are keyed by this name, so two ``terraform-aws-vpc`` checkouts would mix."""
    names = [f.name for f in folders]
    return [f"{f.parent.name}/{f.name}" if names.count(f.name) > 1 else f.name for f in folders]


def iac_files(folder: Path) -> int:
    """What checkov and we would read: .tf, .yaml/.yml and .json files (for a folder given
    with ``--paths``, whose file count is not known in advance)."""
    suffixes = {".tf", ".yaml", ".yml", ".json"}
    return sum(1 for p in folder.rglob("*") if p.suffix in suffixes and ".git" not in p.parts)


def bench_folder(corpus: str, files: int, path: Path, tools: dict) -> list[Measurement]:
    """Every tool of the table on one folder."""
    target = str(path)
    ours = [tools["cli"], "scan", target, "--format", "json", "--soft-fail"]
    env = dict(os.environ)
    checkov_env = {**env, **tools["checkov_env"]}
    checkov = [
        tools["checkov"],
        "-d",
        target,
        "--framework",
        "terraform",
        "cloudformation",
        "--quiet",
        "--compact",
        "-o",
        "json",
        "--skip-download",
    ]
    external = both = None
    if tools["external"]:
        directory, ids = tools["external"]
        external = [*checkov, "--external-checks-dir", directory, "--check", ids]
        both = [*checkov, "--external-checks-dir", directory]
    runs = [
        (OURS_COLD, ours, env, {0}, True),
        (OURS_WARM, ours, env, {0}, False),
        (CHECKOV_BUILTIN, checkov, checkov_env, {0, 1}, False),
        (CHECKOV_OURS, external, checkov_env, {0, 1}, False),
        (CHECKOV_BOTH, both, checkov_env, {0, 1}, True),
    ]
    rows, repeat = [], tools["repeat"]
    for tool, cmd, tool_env, ok_codes, first_runs in runs:
        if tool not in tools["selected"]:
            continue
        if tool == OURS_WARM:  # fill the caches first
            subprocess.run(ours, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        rows.append(run_tool(corpus, files, tool, cmd, tool_env, ok_codes, repeat, first_runs))
    return rows


def measure_first_run(
    cmd: list[str], env: dict[str, str]
) -> tuple[float, float | None, float, int, str]:
    """``measure`` with an empty cache folder (``XDG_CACHE_HOME``) holding only the compiled HCL
    grammar: a first run, as in a fresh CI container, paying for the cache entries it writes,
    and no run reuses an earlier one's work."""
    home = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "iac-iam-checks"
    with tempfile.TemporaryDirectory() as cache:
        (Path(cache) / "iac-iam-checks").mkdir()
        for grammar in home.glob("hcl2-*.lark.bin"):
            shutil.copy(grammar, Path(cache) / "iac-iam-checks" / grammar.name)
        return measure(cmd, {**env, "XDG_CACHE_HOME": cache})


def compile_grammar(cli: str) -> None:
    """Compile python-hcl2's grammar into the user's cache folder, which ``measure_first_run``
    copies from: on a machine that never ran us, each first run needing python-hcl2 would
    otherwise compile it (about 1.5 s), a cost a CI cache carries from one pipeline to the next."""
    load = "from iac_iam_checks.frontends.hcl_parser import parser; parser()"
    subprocess.run([our_python(cli), "-c", load], check=True)


def byte_compile(cli: str) -> None:
    """Write our package's bytecode, as ``pip install`` does: from an editable install under
    ``PYTHONDONTWRITEBYTECODE`` (set in many CI images), every run would otherwise compile
    the 85 modules a scan imports from source, about 0.15 s a run, which no installed copy
    pays."""
    here = "import compileall, iac_iam_checks, os; "
    write = "compileall.compile_dir(os.path.dirname(iac_iam_checks.__file__), quiet=1)"
    subprocess.run([our_python(cli), "-c", here + write], check=True)


def our_python(cli: str) -> str:
    """The interpreter our CLI runs on (the ``python`` beside it), else this one."""
    python = Path(cli).with_name("python")
    return str(python if python.exists() else sys.executable)


def parse_costs(cli: str, folder: Path) -> dict:
    """``parse_cost.py`` on a corpus, run by the interpreter our CLI runs on."""
    command = [our_python(cli), str(HERE / "parse_cost.py"), str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def cost_table(costs: dict[str, dict]) -> str:
    """Milliseconds per KB of HCL: reading the files (the floor), then each parse step."""
    steps = ("read", "pre-pass", "tree-sitter", "+ conversion", "python-hcl2")
    lines = [
        "| corpus | .tf files | KB | " + " | ".join(f"{s} ms/KB" for s in steps) + " |",
        "| --- | ---: | ---: |" + " ---: |" * len(steps),
    ]
    for corpus, cost in costs.items():
        cells = [corpus, cost["files"], cost["kb"], *(cost["ms_per_kb"][s] for s in steps)]
        lines.append("| " + " | ".join(_fmt(c) for c in cells) + " |")
    return "\n".join(lines)


def wall_seconds(rows: list[Measurement]) -> dict[tuple[str, str], float]:
    """Each (corpus, tool) row's wall seconds: what both readings of the table divide."""
    return {(r.corpus, r.tool): r.wall_s for r in rows}


def ratios(rows: list[Measurement]) -> dict[tuple[str, str], float]:
    """checkov wall / our wall, per (corpus, 'checkov tool vs ours cold|warm')."""
    walls = wall_seconds(rows)
    result = {}
    for corpus in sorted({r.corpus for r in rows}):
        for theirs in (CHECKOV_BUILTIN, CHECKOV_OURS):
            for ours in (OURS_COLD, OURS_WARM):
                a, b = walls.get((corpus, theirs)), walls.get((corpus, ours))
                if a and b:
                    result[(corpus, f"{theirs} / {ours}")] = round(a / b, 2)
        both, alone = walls.get((corpus, CHECKOV_BOTH)), walls.get((corpus, CHECKOV_BUILTIN))
        if both and alone:
            result[(corpus, f"{CHECKOV_BOTH} / {CHECKOV_BUILTIN}")] = round(both / alone, 2)
    return result


def table(rows: list[Measurement]) -> str:
    got = ratios(rows)
    lines = [
        "| corpus | files | tool | wall s | peak MB | tree MB | results | ratio checkov/ours "
        "(cold, warm) |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        ratio = ""
        if r.tool in (CHECKOV_BUILTIN, CHECKOV_OURS):
            cold = got.get((r.corpus, f"{r.tool} / {OURS_COLD}"))
            warm = got.get((r.corpus, f"{r.tool} / {OURS_WARM}"))
            ratio = f"{_fmt(cold)}x, {_fmt(warm)}x" if cold else ""
        if r.tool == CHECKOV_BOTH:
            slower = got.get((r.corpus, f"{CHECKOV_BOTH} / {CHECKOV_BUILTIN}"))
            ratio = f"{_fmt(slower)}x checkov alone" if slower else ""
        cells = [r.corpus, r.files, r.tool, _fmt(r.wall_s), _fmt(r.peak_mb), _fmt(r.tree_mb)]
        cells += [_fmt(r.results), ratio + (f" ({r.note})" if r.note else "")]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


TARGETS = (60, 10)
"""Issue 11's ratios against checkov: module-heavy corpora, small flat repositories."""


def together(rows: list[Measurement]) -> str:
    """The corpora as one (checkov built-in's seconds summed over our first runs'), then the
    spread of the per-corpus ratios: both readings of a set of repositories, side by side."""
    walls = wall_seconds(rows)
    pairs: list[tuple[float, float]] = []
    for corpus in dict.fromkeys(r.corpus for r in rows):
        theirs, ours = walls.get((corpus, CHECKOV_BUILTIN)), walls.get((corpus, OURS_COLD))
        if theirs and ours:
            pairs.append((theirs, ours))
    if not pairs:
        return "together: n/a"
    each = [a / b for a, b in pairs]
    theirs, ours = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
    reached = ", ".join(
        f"{sum(r >= t for r in each)} of {len(each)} at {t}x or more" for t in TARGETS
    )
    what = f"{len(pairs)} corpus" if len(pairs) == 1 else f"{len(pairs)} corpora"
    median = statistics.median(each)
    return (
        f"together ({what}, first runs): checkov built-in {theirs:.2f} s, ours {ours:.2f} s, "
        f"{theirs / ours:.1f}x; per corpus median {median:.1f}x, {reached}"
    )


def _fmt(value: object) -> str:
    return "n/a" if value is None else str(value)


def regressions(old: dict, new: dict[tuple[str, str], float], tolerance: float) -> list[str]:
    """Ratios that shrank by more than `tolerance` (we got slower relative to checkov), or,
    for checkov with our directory over checkov alone, grew by more than it."""
    baseline = {(r["corpus"], r["pair"]): r["ratio"] for r in old["ratios"]}
    found = []
    for key, ratio in sorted(new.items()):
        before = baseline.get(key)
        if not before:
            continue
        if CHECKOV_BOTH in key[1]:
            if ratio > before * (1 + tolerance):
                found.append(f"{key[0]} {key[1]}: {before} -> {ratio}")
        elif ratio < before * (1 - tolerance):
            found.append(f"{key[0]} {key[1]}: {before} -> {ratio}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,50,500")
    parser.add_argument("--shape", default="flat,modules")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path, help="write the results as JSON")
    parser.add_argument("--compare", type=Path, help="earlier --save file to guard against")
    parser.add_argument("--tolerance", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=1, help="keep the fastest of N runs")
    parser.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help="the table's columns to run, comma-separated (default: all); e.g. "
        f"'{OURS_COLD},{CHECKOV_BUILTIN}' for the first-run ratio alone",
    )
    parser.add_argument(
        "--paths",
        nargs="+",
        type=Path,
        default=[],
        help="also benchmark these folders (public repositories), each as a corpus",
    )
    args = parser.parse_args()
    selected = {tool.strip() for tool in args.tools.split(",") if tool.strip()}
    if selected - set(TOOLS):
        parser.error(f"--tools: unknown {sorted(selected - set(TOOLS))}; known: {TOOLS}")

    checkov_env = load_checkov_env()
    cli = our_cli()
    byte_compile(cli)
    compile_grammar(cli)
    tools = {
        "cli": cli,
        "checkov": str(checkov_env.checkov_executable()),
        "checkov_env": checkov_env.CHECKOV_ENV,
        "external": external_checks(cli),
        "repeat": args.repeat,
        "selected": selected,
    }
    rows: list[Measurement] = []
    costs: dict[str, dict] = {}
    targets = [
        (f"{shape}-{size}", size, corpus_folder(shape, size, args.seed), shape)
        for shape in (args.shape.split(",") if args.shape else [])
        for size in (int(s) for s in args.sizes.split(",") if s)
    ]
    folders = [p.resolve() for p in args.paths]
    targets += [
        (name, iac_files(f), f, None)
        for name, f in zip(corpus_names(folders), folders, strict=True)
    ]
    for corpus, files, folder, shape in targets:
        measured = (
            bench_corpus(shape, files, args.seed, tools)
            if shape
            else bench_folder(corpus, files, folder, tools)
        )
        for row in measured:
            print(f"{row.corpus:>14} {row.tool:<22} {row.wall_s}s", file=sys.stderr)
            rows.append(row)
        costs[corpus] = parse_costs(cli, folder)
    print(table(rows))
    print()
    print(together(rows))
    print()
    print(cost_table(costs))
    got = ratios(rows)
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        saved = {
            "date": time.strftime("%Y-%m-%d"),
            "cpus": os.cpu_count(),
            "seed": args.seed,
            "rows": [asdict(r) for r in rows],
            "ratios": [{"corpus": c, "pair": p, "ratio": v} for (c, p), v in got.items()],
            "parse_ms_per_kb": costs,
        }
        args.save.write_text(json.dumps(saved, indent=2) + "\n")
    if args.compare:
        worse = regressions(json.loads(args.compare.read_text()), got, args.tolerance)
        for line in worse:
            print(f"REGRESSION {line}", file=sys.stderr)
        return 1 if worse else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
