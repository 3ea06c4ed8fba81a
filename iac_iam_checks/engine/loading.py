"""Discovered files -> resources: which front end reads which kind of file, and the
Terraform-specific wiring (roots, tfvars, the parse cache and its workers)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..forked_slices import alongside
from ..model.values import (
    CLOUDFORMATION,
    FRAMEWORKS,
    TERRAFORM,
    TERRAFORM_PLAN,
    ParseError,
    ScanInput,
)
from ..real_paths import real_path
from . import discover as disc
from .options import ScanOptions, selected_checks


def scan_base(paths: list[Path]) -> Path:
    """Findings' files are relative to the one PATH (its folder for a file), else the cwd."""
    if len(paths) == 1:
        return paths[0] if paths[0].is_dir() else paths[0].parent
    return Path.cwd()


def repository_boundary(path: Path) -> Path:
    """Module sources and ``file()`` are followed only inside the nearest ancestor with .git."""
    start = path if path.is_dir() else path.parent
    for candidate in [start, *real_path(start).parents]:
        if (candidate / ".git").exists():
            return real_path(candidate)
    return real_path(start)


def load(
    paths: list[Path], options: ScanOptions, found: disc.Discovery | None = None
) -> tuple[ScanInput, int]:
    """Run the front ends over the paths; returns their output and the number of IaC files."""
    base = scan_base(paths)
    found = found or disc.discover(paths, base, options.excludes)
    out = ScanInput(errors=list(found.errors), warnings=list(found.warnings))
    wanted = options.frameworks or FRAMEWORKS
    by_kind: dict[str, list[disc.SourceFile]] = {}
    for source in found.files:
        by_kind.setdefault(source.kind, []).append(source)
    outputs: dict[str, ScanInput] = {}

    def read(frameworks: list[str]) -> None:
        for framework in frameworks:
            outputs[framework] = FRONT_ENDS[framework](paths, base, by_kind, options)

    # Terraform may fork workers for its roots; the other front ends then read here meanwhile.
    chosen = [framework for framework in FRONT_ENDS if framework in wanted]
    with alongside(lambda: read(chosen[1:])):
        read(chosen[:1])
    for framework in chosen:
        merge(out, outputs[framework])
    return out, len(found.files)


FrontEnd = Callable[[list[Path], Path, dict[str, list[disc.SourceFile]], ScanOptions], ScanInput]
"""A front end: the scanned PATHs, the scan base, the discovered files by kind -> its output."""


def per_file(kind: str, module: str, function: str) -> FrontEnd:
    """A front end that reads each file of one kind on its own with ``function(text, rel) ->
    ScanInput``. The module is imported on first use, so a scan without such files never pays
    for its parser."""

    def run(
        paths: list[Path], base: Path, by_kind: dict[str, list[disc.SourceFile]], _: ScanOptions
    ) -> ScanInput:
        out = ScanInput()
        if by_kind.get(kind):
            read = getattr(importlib.import_module(f"..frontends.{module}", __package__), function)
            for source in by_kind[kind]:
                merge(out, read(source.text, source.rel))
        return out

    return run


def load_terraform(
    paths: list[Path], base: Path, by_kind: dict[str, list[disc.SourceFile]], options: ScanOptions
) -> ScanInput:
    """Terraform reads whole folders (roots and their modules), once per scanned PATH."""
    out = ScanInput()
    for path in paths:
        merge(out, load_terraform_path(path, base, by_kind, options))
    return out


def load_terraform_path(
    path: Path, base: Path, by_kind: dict[str, list[disc.SourceFile]], options: ScanOptions
) -> ScanInput:
    from ..frontends import terraform as tf

    root = real_path(path)

    def under(kinds: tuple[str, ...]) -> list[tf.SourceText]:
        resolved = [(s.real, s) for kind in kinds for s in by_kind.get(kind, [])]
        return [
            tf.SourceText(path, s.rel, s.text)
            for path, s in resolved
            if path == root or root in path.parents
        ]

    texts = {s.path: s for s in under((disc.TERRAFORM_HCL, disc.TERRAFORM_JSON))}
    tfvars: dict[Path, list[tf.SourceText]] = {}
    other_tfvars: list[tf.SourceText] = []
    for source in under((disc.TFVARS, disc.TFVARS_JSON)):
        if is_auto_tfvars(source.path.name):
            tfvars.setdefault(source.path.parent, []).append(source)
        else:
            other_tfvars.append(source)
    errors: list[ParseError] = []
    var_files = []
    for var_file in options.var_files:
        rel = disc.rel_path(var_file, base)
        text, error = disc.read_source(var_file, rel)
        if error is not None or text is None:
            errors.append(error or ParseError(rel, None, "cannot read"))
            continue
        var_files.append(tf.SourceText(real_path(var_file), rel, text))
    result = tf.load_terraform(
        base,
        repository_boundary(path),
        texts,
        tfvars,
        parse=parser_for(options),
        single_files=[root] if path.is_file() and root in texts else [],
        var_files=var_files,
        other_tfvars=other_tfvars,
        jobs=options.jobs,
    )
    result.errors[:0] = errors
    return result


def parser_for(options: ScanOptions) -> Any:
    """Parse a directory's files: HCL through the cache (and workers), JSON syntax directly."""
    from ..frontends.hcl_blocks import OUTPUT, prepare_folder
    from ..frontends.parse_cache import parse_many
    from ..frontends.terraform_parse import ALWAYS_KEPT, parse_any

    kinds = relevant_kinds(options)

    def parse(sources: list[Any], outputs: bool = True) -> list[Any]:
        def keep(kind: str) -> bool:
            return kind in kinds or kind.startswith(ALWAYS_KEPT) or (outputs and kind == OUTPUT)

        hcl = [i for i, s in enumerate(sources) if not s.path.name.endswith(".json")]
        json_texts = [s.text for s in sources if s.path.name.endswith(".json")]
        texts = prepare_folder([sources[i].text for i in hcl], keep, json_texts)
        items = [(text, sources[i].rel) for text, i in zip(texts, hcl, strict=True)]
        trees = parse_many(items, options.jobs, options.use_cache)
        out: list[Any] = [None] * len(sources)
        for index, tree in zip(hcl, trees, strict=True):
            out[index] = tree
        for index, source in enumerate(sources):
            if out[index] is None:
                out[index] = parse_any(source.text, source.rel, source.path.name)
        return out

    return parse


def relevant_kinds(options: ScanOptions) -> frozenset[str]:
    """Terraform resource kinds whose bodies a check or the graph reads; the parser skips the
    bodies of all others (their references still resolve to Unknown, as they would anyway)."""
    from ..model.entity_tables import terraform_kinds

    kinds = {k for c in selected_checks(options) for k in c.kinds.get("terraform", ())}
    return frozenset((kinds | terraform_kinds()) - {"*"})


def is_auto_tfvars(name: str) -> bool:
    name = name.removesuffix(".json")
    return name == "terraform.tfvars" or name.endswith(".auto.tfvars")


def merge(into: ScanInput, other: ScanInput) -> None:
    into.read_elsewhere |= other.read_elsewhere
    into.resources.extend(other.resources)
    into.errors.extend(other.errors)
    into.warnings.extend(other.warnings)
    into.unresolved_notes.extend(other.unresolved_notes)


FRONT_ENDS: dict[str, FrontEnd] = {
    TERRAFORM: load_terraform,
    CLOUDFORMATION: per_file(disc.CLOUDFORMATION, "cloudformation", "read_template"),
    TERRAFORM_PLAN: per_file(disc.PLAN, "plan", "read_plan"),
}
"""Which front end reads each framework; a new front end is one entry here (and its file kind
in ``discover``)."""
