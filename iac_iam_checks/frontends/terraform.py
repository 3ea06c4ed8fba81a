"""Terraform HCL front end: directories of ``.tf`` files in, Resources out.

Each root directory (one nobody calls as a local module) is evaluated like ``terraform plan``
would see it, minus the provider: variables from defaults and auto-loaded tfvars, locals,
``count``/``for_each`` instances, local module calls evaluated per instance with their inputs,
module outputs, ``data.aws_iam_policy_document`` built into a PolicyDocument. Whatever needs
the cloud stays Unknown. This module drives the roots (in worker processes when there are many);
the pieces are ``terraform_parse`` (text to trees), ``terraform_loader`` (module directories,
roots), ``terraform_instance`` with ``terraform_calls`` and ``terraform_documents`` (evaluating
one module instance) and ``terraform_resources`` (its blocks as Resources).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import limits
from ..model.values import TERRAFORM, Location, Resource, ScanInput, Unknown
from ..real_paths import RealPaths
from .hcl_eval import Env, Evaluator, Step
from .hcl_tree import Tree
from .terraform_instance import ModuleInstance
from .terraform_loader import MAX_MODULE_INSTANCES, Loader, find_roots, load_remote_dirs
from .terraform_parse import ParsedFile, ParseFn, SourceText, attribute_name, default_parse
from .terraform_resources import emit

PARALLEL_MIN_ROOTS = 16
PARALLEL_MIN_BYTES = 256 * 1024
"""Below these, forking workers costs more than it saves."""


@dataclass
class RootJob:
    """What evaluating a set of roots needs; forked workers inherit it (nothing is pickled
    on the way in, only the resulting ScanInput on the way out)."""

    base: Path
    boundary: Path
    texts: dict[Path, SourceText]
    tfvars: dict[Path, list[SourceText]]
    parse: ParseFn
    var_files: list[SourceText]
    roots: list[tuple[Path, Path | None]]
    real: RealPaths

    def loader(self) -> Loader:
        """A fresh loader over the scan's files (one per process, or for what no root read)."""
        return Loader(self.base, self.boundary, self.texts, self.parse, self.real)


def load_terraform(
    base: Path,
    boundary: Path,
    texts: dict[Path, SourceText],
    tfvars: dict[Path, list[SourceText]] | None = None,
    parse: ParseFn = default_parse,
    single_files: list[Path] | None = None,
    var_files: list[SourceText] | None = None,
    other_tfvars: list[SourceText] | None = None,
    jobs: int = 1,
) -> ScanInput:
    """Evaluate every Terraform root among the scanned files.

    ``texts`` are the scanned ``.tf``/``.tf.json`` files by resolved path; ``tfvars`` maps a
    root directory to its auto-loaded tfvars; ``var_files`` (``--var-file``) apply to every
    root; ``single_files`` are files given directly on the command line, each a root of its own;
    ``other_tfvars`` (not auto-loaded, e.g. ``envs/prod.tfvars``) set no values but are still
    checked for hard-coded credentials. Roots are independent: with ``jobs`` > 1 and enough of
    them, chunks of roots are evaluated in forked workers and merged in order, which gives
    the same result as one process.
    """
    in_dirs = {p: s for p, s in texts.items() if p not in (single_files or [])}
    real = RealPaths()
    roots: list[tuple[Path, Path | None]] = [(path, None) for path in find_roots(in_dirs, real)]
    roots += [(file.parent, file) for file in single_files or []]
    job = RootJob(base, boundary, texts, tfvars or {}, parse, list(var_files or []), roots, real)
    size = sum(len(source.text) for source in texts.values())
    parallel = jobs > 1 and len(roots) >= PARALLEL_MIN_ROOTS and size >= PARALLEL_MIN_BYTES
    parts = evaluate_in_workers(job, jobs) if parallel else [evaluate_roots(job, roots)]
    loader = job.loader()
    for out, visited in parts:
        merge_scan_input(loader.out, out)
        loader.visited |= visited
    for parsed in loader.parsed(list(other_tfvars or [])):
        loader.out.resources.append(tfvars_resource(parsed, loader.rel(parsed.path.parent)))
    leftovers = [s for p, s in texts.items() if p not in loader.visited]
    leftovers += [s for group in job.tfvars.values() for s in group if s.path not in loader.visited]
    loader.parsed(leftovers)  # files no root reached still get their errors reported
    return loader.out


def evaluate_roots(
    job: RootJob, roots: list[tuple[Path, Path | None]], loader: Loader | None = None
) -> tuple[ScanInput, set[Path]]:
    """Evaluate some roots one after the other, dropping each root's trees when done.
    ``loader``: one this process used for earlier roots, whose module directories are parsed
    already; the output starts empty all the same."""
    loader = loader or job.loader()
    loader.out = ScanInput()
    extra = loader.parsed(job.var_files)
    with limits.collecting() as notes:
        evaluate_each(loader, job, roots, extra)
    loader.out.warnings.extend(notes)
    return loader.out, set(loader.visited)


def evaluate_each(
    loader: Loader, job: RootJob, roots: list[tuple[Path, Path | None]], extra: list[ParsedFile]
) -> None:
    for path, single in roots:
        mdir = loader.single_file_dir(single) if single else loader.module_dir(path, root=True)
        if mdir is None or not mdir.files:
            continue
        own_vars = loader.parsed(job.tfvars.get(path, []))
        loader.module_budget = MAX_MODULE_INSTANCES
        scope = loader.rel(single or path)
        instance = ModuleInstance(
            loader,
            mdir,
            "",
            tfvars_values(own_vars + extra),
            scope,
            path,
            remote_dirs=load_remote_dirs(path, loader.out.read_elsewhere),
        )
        emit(instance)
        loader.out.resources.extend(tfvars_resource(item, scope) for item in own_vars)
        if single is None:
            loader.forget(path)


def evaluate_in_workers(job: RootJob, jobs: int) -> list[tuple[ScanInput, set[Path]]]:
    """The roots in chunks shared by this process and forked workers (``forked_slices``);
    results in root order. Each process keeps one loader for all the chunks it takes, so a
    module that its roots share is parsed once per process, not once per chunk."""
    from ..forked_slices import in_forked_slices
    from .hcl_parser import parser, selected

    if selected() == "hcl2":
        parser()  # built once, before the fork
    loaders: dict[int, Loader] = {}  # by process id: a forked worker starts with none

    def chunk(start: int, end: int) -> tuple[ScanInput, set[Path]]:
        loader = loaders.get(os.getpid())
        if loader is None:
            loader = loaders[os.getpid()] = job.loader()
        return evaluate_roots(job, job.roots[start:end], loader)

    return in_forked_slices(len(job.roots), jobs, chunk)


def merge_scan_input(into: ScanInput, part: ScanInput) -> None:
    """Append one chunk's results; a module file parsed by several workers reports its error
    once."""
    into.resources.extend(part.resources)
    seen = {(e.file, e.line, e.message) for e in into.errors}
    into.errors.extend(e for e in part.errors if (e.file, e.line, e.message) not in seen)
    into.warnings.extend(part.warnings)
    into.unresolved_notes.extend(part.unresolved_notes)
    into.read_elsewhere |= part.read_elsewhere


def tfvars_resource(parsed: ParsedFile, scope: str) -> Resource:
    """A tfvars file as one pseudo-resource: the credentials check reads its values."""
    values = tfvars_values([parsed])
    end = parsed.text.count("\n") + 1
    return Resource(
        kind="tfvars",
        address=parsed.rel,
        framework=TERRAFORM,
        location=Location(parsed.rel, 1, end),
        attrs=values,
        scope=scope,
        name=parsed.path.name,
    )


def tfvars_values(files: list[ParsedFile]) -> dict[str, Any]:
    """Variable values from tfvars files, later files winning."""
    values: dict[str, Any] = {}
    for item in files:
        evaluator = Evaluator(LiteralEnv(), item.source, item.rel)
        for child in item.tree.children[0].children:
            if isinstance(child, Tree) and child.data == "attribute":
                values[attribute_name(child)] = evaluator.eval(child.children[-1])
    return values


class LiteralEnv(Env):
    """tfvars may only hold literal values: every name is unknown."""

    def resolve(self, root: str, steps: list[Step], text: str) -> Any:
        return Unknown(text)

    def read_file(self, path: Any, text: str, where: Location) -> Any:
        return Unknown(text)

    def with_locals(self, names: dict[str, Any]) -> Env:
        return self
