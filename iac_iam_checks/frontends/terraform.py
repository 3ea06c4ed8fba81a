"""Terraform HCL front end: directories of ``.tf`` files in, Resources out.

Each root directory (one nobody calls as a local module) is evaluated like ``terraform plan``
would see it, minus the provider: variables from defaults and auto-loaded tfvars, locals,
``count``/``for_each`` instances, local module calls evaluated per instance with their inputs,
module outputs, ``data.aws_iam_policy_document`` built into a PolicyDocument. Whatever needs
the cloud stays Unknown. Parsing (``parse_file``) is a pure function of the text so it can run
in worker processes and be cached; evaluation needs every file of a module at once.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from ..iam.document_blocks import build_policy_document
from ..model.values import (
    TERRAFORM,
    LocatedDict,
    LocatedList,
    Location,
    ParseError,
    PolicyDocument,
    Resource,
    ScanInput,
    Template,
    Unknown,
    located,
)
from . import hcl_types
from .hcl_blocks import CREDENTIAL_HINT, blank_irrelevant
from .hcl_errors import describe as describe_syntax_error
from .hcl_eval import (
    MAX_VALUE_NODES,
    Env,
    Evaluator,
    Source,
    Step,
    apply_steps,
    note_error,
    significant,
    too_large,
)
from .hcl_parser import parse_hcl
from .references import MAX_INSTANCES, dynamic_items, instance_suffix, reference
from .terraform_json import parse_json_file

META_ARGUMENTS = {"count", "for_each", "depends_on", "provider", "lifecycle", "providers"}
MAX_MODULE_DEPTH = 16
MAX_MODULE_INSTANCES = 10_000
"""Module instances one root may create in all (nested ``for_each`` multiplies them); past
that, a module call is evaluated once, as if its ``count``/``for_each`` were unknown."""
MAX_FILE_BYTES = 5 * 1024 * 1024
ALWAYS_KEPT = ("aws_iam_", "aws_ssoadmin_", "aws_caller_identity", "aws_partition", "aws_region")
"""Kinds never skipped by the parser: IAM itself, and the data sources that say which account,
partition and region a plan runs in (a plan of this configuration renders them)."""


# --- parsing ------------------------------------------------------------------------------


@dataclass
class ParsedFile:
    """One ``.tf`` file: its text (for quoting and comments) and parse tree."""

    path: Path
    rel: str
    text: str
    tree: Tree

    @property
    def source(self) -> Source:
        return Source(self.text)


def parse_file(text: str, rel: str, keep: frozenset[str] | None = None) -> Tree | ParseError:
    """Parse HCL text; a syntax error becomes a ParseError with its line.

    With ``keep``, resource blocks of other kinds are skipped (see ``hcl_blocks``); kinds
    starting with ``aws_iam_`` are always kept.
    """
    if keep is not None:
        text = blank_irrelevant(text, lambda kind: kind in keep or kind.startswith(ALWAYS_KEPT))
    try:
        return parse_hcl(text)
    except UnexpectedInput as error:
        line, detail = describe_syntax_error(error, text)
        return ParseError(rel, line, f"invalid HCL: {detail}")
    except (LarkError, RecursionError) as error:
        return ParseError(rel, None, f"invalid HCL: {type(error).__name__}")


@dataclass
class Block:
    """A top-level block: ``resource "t" "n" {}`` -> type "resource", labels ["t", "n"]."""

    type: str
    labels: list[str]
    body: Tree
    node: Tree
    file: ParsedFile

    def location(self) -> Location:
        return Location(self.file.rel, self.node.meta.line, self.node.meta.end_line)

    def attribute(self, name: str) -> Tree | None:
        for child in self.body.children:
            if (
                isinstance(child, Tree)
                and child.data == "attribute"
                and attribute_name(child) == name
            ):
                return child.children[-1]
        return None


def attribute_name(node: Tree) -> str:
    first = node.children[0]
    return str(first.children[0]) if isinstance(first, Tree) else str(first)


def blocks_of(parsed: ParsedFile) -> Iterator[Block]:
    body = parsed.tree.children[0]
    for child in body.children:
        if isinstance(child, Tree) and child.data == "block":
            yield make_block(child, parsed)


def make_block(node: Tree, parsed: ParsedFile) -> Block:
    kids = significant(node)
    block_type = str(kids[0].children[0])
    labels = []
    body = None
    for kid in kids[1:]:
        if isinstance(kid, Tree) and kid.data == "body":
            body = kid
        elif isinstance(kid, Tree) and kid.data == "string":
            labels.append("".join(str(p.children[0]) for p in kid.children if isinstance(p, Tree)))
        elif isinstance(kid, Tree):
            labels.append(str(kid.children[0]))
    return Block(block_type, labels, body if body is not None else Tree("body", []), node, parsed)


def literal_string(node: Tree | None) -> str | None:
    """The value of a plain string literal expression (module ``source``), else None."""
    if node is None:
        return None
    if isinstance(node, Tree) and node.data == "json_string":
        node = node.children[1]
    while isinstance(node, Tree) and node.data == "expr_term" and len(significant(node)) == 1:
        node = significant(node)[0]
    if isinstance(node, Tree) and node.data == "string":
        parts = [p.children[0] for p in node.children if isinstance(p, Tree)]
        if all(isinstance(p, Token) and p.type == "STRING_CHARS" for p in parts):
            return "".join(str(p) for p in parts)
    return None


def iterator_name(node: Tree) -> str | None:
    """A dynamic block's ``iterator``: a bare name in HCL, a string in ``.tf.json``."""
    text = literal_string(node)
    if text is not None:
        return text
    while isinstance(node, Tree) and node.data == "expr_term" and len(significant(node)) == 1:
        node = significant(node)[0]
    if isinstance(node, Tree) and node.data == "identifier":
        return str(node.children[0])
    return None


# --- module directories -------------------------------------------------------------------


@dataclass
class ModuleDir:
    """Everything declared in one directory (or one file scanned on its own)."""

    path: Path
    files: list[ParsedFile]
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, tuple[Tree, Tree, ParsedFile]] = field(default_factory=dict)
    resources: list[Block] = field(default_factory=list)
    data: list[Block] = field(default_factory=list)
    modules: list[Block] = field(default_factory=list)
    outputs: dict[str, Block] = field(default_factory=dict)
    providers: list[Block] = field(default_factory=list)
    settings: list[Block] = field(default_factory=list)
    """``terraform {}`` blocks (a backend can hold credentials)."""

    def mentions_document(self, name: str) -> bool:
        """Whether some block refers to ``data.aws_iam_policy_document.<name>``: bodies of
        resources no check reads are never evaluated, but using a document still counts."""
        pattern = re.compile(rf"data\.aws_iam_policy_document\.{re.escape(name)}\b")
        return any(pattern.search(parsed.text) for parsed in self.files)

    @classmethod
    def from_files(cls, path: Path, files: list[ParsedFile]) -> ModuleDir:
        mdir = cls(path, files)
        for parsed in files:
            for block in blocks_of(parsed):
                mdir.add(block)
        return mdir

    def add(self, block: Block) -> None:
        if block.type == "resource" and len(block.labels) == 2:
            self.resources.append(block)
        elif block.type == "data" and len(block.labels) == 2:
            self.data.append(block)
        elif block.type == "variable" and block.labels:
            self.variables[block.labels[0]] = block
        elif block.type == "output" and block.labels:
            self.outputs[block.labels[0]] = block
        elif block.type == "module" and block.labels:
            self.modules.append(block)
        elif block.type == "provider" and block.labels:
            self.providers.append(block)
        elif block.type == "terraform":
            self.settings.append(block)
        elif block.type == "locals":
            for child in block.body.children:
                if isinstance(child, Tree) and child.data == "attribute":
                    self.locals[attribute_name(child)] = (child.children[-1], child, block.file)


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../")) or source in (".", "..")


# --- evaluation ---------------------------------------------------------------------------


@dataclass
class SourceText:
    """A Terraform file's text, known before it is parsed (parsing happens per directory,
    when the directory is first needed, so trees of finished roots can be dropped)."""

    path: Path
    rel: str
    text: str


ParseFn = Callable[[list[SourceText]], list["Tree | ParseError"]]


def default_parse(sources: list[SourceText]) -> list[Tree | ParseError]:
    return [parse_any(s.text, s.rel, s.path.name) for s in sources]


def parse_any(text: str, rel: str, name: str) -> Tree | ParseError:
    """HCL or JSON syntax, by file name."""
    if name.endswith(".json"):
        return parse_json_file(text, rel, tfvars=name.endswith(".tfvars.json"))
    return parse_file(text, rel)


class Loader:
    """Shared state of one Terraform scan: directories parsed so far, the repository boundary."""

    def __init__(
        self,
        base: Path,
        boundary: Path,
        texts: dict[Path, SourceText],
        parse: ParseFn = default_parse,
    ) -> None:
        self.base = base
        self.boundary = boundary
        self.boundary_resolved = boundary.resolve()
        self.texts = texts
        """Scanned files by resolved path; files of module directories outside the scanned
        PATH are read from disk when needed."""
        self.parse = parse
        self.visited: set[Path] = set()
        """Files parsed (and their errors reported) at least once."""
        self.dirs: dict[Path, ModuleDir] = {}
        self.out = ScanInput()
        self.module_budget = MAX_MODULE_INSTANCES
        """Module instances the current root may still create."""

    def rel(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.base)).as_posix()

    def inside(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.boundary_resolved)
            return True
        except ValueError:
            return False

    def module_dir(self, path: Path) -> ModuleDir | None:
        """A directory's module, parsed on first use."""
        if path in self.dirs:
            return self.dirs[path]
        path = path.resolve()
        if path in self.dirs:
            return self.dirs[path]
        if not path.is_dir() or not self.inside(path):
            return None
        self.out.read_elsewhere.add(path)  # a file added to a module folder changes the scan
        names = sorted([*path.glob("*.tf"), *path.glob("*.tf.json")])
        sources = [s for s in (self.source(file.resolve()) for file in names) if s is not None]
        self.dirs[path] = ModuleDir.from_files(path, self.parsed(sources))
        return self.dirs[path]

    def single_file_dir(self, file: Path) -> ModuleDir:
        source = self.source(file)
        return ModuleDir.from_files(file.parent, self.parsed([source] if source else []))

    def source(self, path: Path) -> SourceText | None:
        if path in self.texts:
            return self.texts[path]
        self.out.read_elsewhere.add(path)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                return None
            # A byte-order mark is dropped as for scanned files (``discover.read_source``).
            return SourceText(path, self.rel(path), path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            return None

    def parsed(self, sources: list[SourceText]) -> list[ParsedFile]:
        """Parse sources; each file's error is reported once however often it is needed."""
        out = []
        for source, tree in zip(sources, self.parse(sources), strict=True):
            first_time = source.path not in self.visited
            self.visited.add(source.path)
            if isinstance(tree, ParseError):
                if first_time:
                    self.out.errors.append(tree)
                continue
            out.append(ParsedFile(source.path, source.rel, source.text, tree))
        return out

    def forget(self, path: Path) -> None:
        """Drop a finished root's parse trees: memory stays bounded by the largest root."""
        self.dirs.pop(path.resolve(), None)

    def read_file(self, path: Path) -> str | None:
        if not self.inside(path):
            return None
        self.out.read_elsewhere.add(path.resolve())
        if not path.is_file():
            return None
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                return None
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None


def may_hold_credentials(parsed: ParsedFile, node: Tree) -> bool:
    """Whether a block's own text mentions an access key id or a secret-like name (a JSON
    file's tree has no text positions: then it may)."""
    start = getattr(node.meta, "start_pos", None)
    end = getattr(node.meta, "end_pos", None)
    if start is None or end is None:
        return True
    return bool(CREDENTIAL_HINT.search(parsed.text, start, end))


class ModuleInstance:
    """One evaluated instance of a module: the root, or ``module.a["k"]``."""

    def __init__(
        self,
        loader: Loader,
        mdir: ModuleDir,
        address: str,
        inputs: dict[str, Any],
        scope: str,
        root: Path,
        depth: int = 0,
        stack: tuple[Path, ...] = (),
        remote_dirs: dict[str, Path] | None = None,
        remote_key: str = "",
    ) -> None:
        self.loader = loader
        self.mdir = mdir
        self.address = address
        self.inputs = inputs
        self.scope = scope
        self.root = root
        self.depth = depth
        self.stack = stack + (mdir.path,)
        self.remote_dirs = remote_dirs or {}
        self.remote_key = remote_key
        self.local_values: dict[str, Any] = {}
        self.variable_values: dict[str, Any] = {}
        self.evaluating: set[str] = set()
        self.children: dict[str, dict[Any, ModuleInstance] | None] = {}
        self.documents: dict[str, PolicyDocument | Any] = {}
        self.used_documents: set[str] = set()
        self.expanding: set[str] = set()
        self.output_values: dict[str, Any] = {}

    @property
    def prefix(self) -> str:
        return self.address + "." if self.address else ""

    # -- names ------------------------------------------------------------------------------

    def env(self, names: dict[str, Any] | None = None) -> ModuleEnv:
        return ModuleEnv(self, names or {})

    def evaluator(self, parsed: ParsedFile, names: dict[str, Any] | None = None) -> Evaluator:
        return Evaluator(self.env(names), parsed.source, parsed.rel)

    def var(self, name: str, text: str) -> Any:
        if name in self.variable_values:
            return self.variable_values[name]
        block = self.mdir.variables.get(name)
        if name in self.inputs and not (self.inputs[name] is None and self.not_nullable(block)):
            value = self.inputs[name]
        elif block is None:
            return Unknown(text)
        elif block.attribute("default") is None:
            return Unknown(f"var.{name}")
        else:
            value = self.evaluator(block.file).eval(block.attribute("default"))
        type_node = block.attribute("type") if block is not None else None
        if type_node is not None:
            evaluate = self.evaluator(block.file).eval
            value = hcl_types.convert(hcl_types.parse_type(type_node), value, evaluate)
        self.variable_values[name] = value
        return value

    def not_nullable(self, block: Any) -> bool:
        """``nullable = false`` with a default: a module argument of ``null`` takes the default."""
        if block is None or block.attribute("default") is None:
            return False
        node = block.attribute("nullable")
        return node is not None and self.evaluator(block.file).eval(node) is False

    def local(self, name: str, text: str) -> Any:
        if name in self.local_values:
            return self.local_values[name]
        entry = self.mdir.locals.get(name)
        if entry is None or name in self.evaluating:
            return Unknown(text)
        self.evaluating.add(name)
        try:
            value = self.stored(self.evaluator(entry[2]).eval(entry[0]), f"local.{name}")
        finally:
            self.evaluating.discard(name)
        self.local_values[name] = value
        return value

    def stored(self, value: Any, name: str) -> Any:
        """A value that other expressions will read, unless it is absurdly large."""
        if not too_large(value):
            return value
        self.loader.out.warnings.append(
            f"{self.prefix}{name}: value larger than {MAX_VALUE_NODES} elements; treated as unknown"
        )
        return Unknown(f"{self.prefix}{name} (too large)")

    def module_output(self, steps: list[Step], text: str) -> Any:
        if not steps or steps[0][0] != "attr":
            return Unknown(text)
        instances = self.module_instances(steps[0][1])
        rest = steps[1:]
        if instances is None:
            return Unknown(text)
        single = list(instances) == [None]
        if rest and rest[0][0] == "index" and not single and known_step(rest[0]):
            if rest[0][1] not in instances:
                return apply_steps(LocatedDict(), rest, text)  # no such instance: an error
            instance: ModuleInstance | None = instances[rest[0][1]]
            rest = rest[1:]
        elif single:
            instance = instances[None]
        else:
            instance = None
        if instance is not None and rest and rest[0][0] == "attr":
            return apply_steps(instance.output(rest[0][1], text), rest[1:], text)
        if instance is not None:
            return apply_steps(instance.outputs_object(text), rest, text)
        # ``module.x`` of a module with count/for_each: its instances' outputs.
        objects = {key: child.outputs_object(text) for key, child in instances.items()}
        if all(isinstance(key, int) for key in objects):
            return apply_steps(LocatedList(objects.values()), rest, text)
        return apply_steps(LocatedDict(objects), rest, text)

    def output(self, name: str, text: str) -> Any:
        """The value of this instance's output ``name`` (evaluated once)."""
        if name not in self.output_values:
            output = self.mdir.outputs.get(name)
            value_node = output.attribute("value") if output else None
            if output is None or value_node is None:
                note_error(text)
                return Unknown(text)
            self.output_values[name] = Unknown(text)  # an output that reads itself
            value = self.evaluator(output.file).eval(value_node)
            self.output_values[name] = self.stored(value, f"output.{name}")
        return self.output_values[name]

    def outputs_object(self, text: str) -> LocatedDict:
        """``module.x`` as a value: an object of all its outputs."""
        return LocatedDict({name: self.output(name, text) for name in self.mdir.outputs})

    def module_instances(self, name: str) -> dict[Any, ModuleInstance] | None:
        if name not in self.children:
            self.children[name] = None  # guards against self-reference while building
            block = next((b for b in self.mdir.modules if b.labels[0] == name), None)
            self.children[name] = self.build_module(block) if block is not None else None
        return self.children[name]

    def build_module(self, block: Block) -> dict[Any, ModuleInstance] | None:
        source = literal_string(block.attribute("source")) or ""
        target = self.module_source_dir(block.labels[0], source)
        if target is None:
            self.note_unresolved_module(block, source)
            return None
        if target.resolve() in self.stack or self.depth >= MAX_MODULE_DEPTH:
            return None
        mdir = self.loader.module_dir(target)
        if mdir is None:
            where = block.location()
            self.loader.out.warnings.append(
                f"{where.file}:{where.line}: module source {source!r} is outside the repository "
                "or unreadable; its resources are unknown"
            )
            self.note_unresolved_module(block, source)
            return None
        instances: dict[Any, ModuleInstance] = {}
        expansion = self.expand(block)
        if expansion is not None and len(expansion) > self.loader.module_budget:
            where = block.location()
            self.loader.out.warnings.append(
                f"{where.file}:{where.line}: more than {MAX_MODULE_INSTANCES} module instances; "
                f"{self.prefix}module.{block.labels[0]} evaluated once, its keys unknown"
            )
            expansion = None
        if expansion is None:
            expansion = [(None, {})]
        self.loader.module_budget -= len(expansion)
        for key, names in expansion:
            evaluator = self.evaluator(block.file, names)
            inputs = {}
            for child in block.body.children:
                if isinstance(child, Tree) and child.data == "attribute":
                    name = attribute_name(child)
                    if name not in META_ARGUMENTS and name not in ("source", "version"):
                        value = evaluator.eval(child.children[-1])
                        inputs[name] = self.stored(value, f"module.{block.labels[0]}.{name}")
            address = f"{self.prefix}module.{block.labels[0]}{instance_suffix(key)}"
            instances[key] = ModuleInstance(
                self.loader,
                mdir,
                address,
                inputs,
                self.scope,
                self.root,
                self.depth + 1,
                self.stack,
                self.remote_dirs,
                f"{self.remote_key}.{block.labels[0]}".lstrip("."),
            )
        return instances

    def module_source_dir(self, name: str, source: str) -> Path | None:
        if source and is_local_source(source):
            return (self.mdir.path / source).resolve()
        key = f"{self.remote_key}.{name}".lstrip(".")
        return self.remote_dirs.get(key)

    def note_unresolved_module(self, block: Block, source: str) -> None:
        address = f"{self.prefix}module.{block.labels[0]}"
        resource = Resource(
            kind="module",
            address=address,
            framework=TERRAFORM,
            location=block.location(),
            attrs={"source": source},
            scope=self.scope,
            name=block.labels[0],
            module=self.address,
        )
        message = (
            f"module '{block.labels[0]}' ({source or 'no source'}) is not available locally: "
            "its resources were not scanned"
        )
        self.loader.out.unresolved_notes.append((resource, Unknown(f"module {source}"), message))

    def data_document(self, name: str, steps: list[Step], text: str) -> Any:
        """``data.aws_iam_policy_document.<name>[key].json`` -> the built PolicyDocument."""
        key = None
        rest = steps
        if rest and rest[0][0] == "splat":
            return self.data_documents(name, rest, text)
        if rest and rest[0][0] == "index":
            key = rest[0][1]
            rest = rest[1:]
        if not rest or rest[0] != ("attr", "json") and rest[0] != ("attr", "minified_json"):
            address = f"{self.prefix}data.aws_iam_policy_document.{name}{instance_suffix(key)}"
            return Unknown(text, ref=(address, rest[0][1] if rest and rest[0][0] == "attr" else ""))
        block = next(
            (b for b in self.mdir.data if b.labels == ["aws_iam_policy_document", name]), None
        )
        if block is None:
            return Unknown(text)
        instances = self.data_instances(block)
        document = instances.get(key) if instances else None
        if document is None and instances and key is None and len(instances) == 1:
            document = next(iter(instances.values()))
        if document is None:
            if None not in instances:  # known count/for_each without this key: an error
                note_error(text)  # that ``try()`` moves past, as in Terraform
            return Unknown(text)
        self.used_documents.add(block.labels[1])
        return document

    def data_documents(self, name: str, steps: list[Step], text: str) -> Any:
        """``data.aws_iam_policy_document.<name>[*].json`` (or legacy ``.*.json``): the built
        document of every instance, in key order, when the instances are known."""
        block = next(
            (b for b in self.mdir.data if b.labels == ["aws_iam_policy_document", name]), None
        )
        if block is None or self.expand(block) is None:
            return Unknown(text)
        instances = self.data_instances(block)
        if None in instances:  # no count/for_each: a splat makes a one-item list
            steps = steps[1:]
            return LocatedList([self.data_document(name, steps, text)])
        documents = [
            self.data_document(name, [("index", key), *steps[1:]], text) for key in instances
        ]
        return LocatedList(documents)

    def data_instances(self, block: Block) -> dict[Any, Any]:
        name = block.labels[1]
        if name in self.documents:
            cached = self.documents[name]
            return cached if isinstance(cached, dict) else {}
        self.documents[name] = {}  # a document that sources itself stays unknown
        built: dict[Any, Any] = {}
        expansion = self.expand(block)
        for key, names in expansion if expansion is not None else [(None, {})]:
            attrs, _ = self.evaluate_body(block.body, block.file, names)
            address = f"{self.prefix}data.aws_iam_policy_document.{name}{instance_suffix(key)}"
            built[key] = build_policy_document(attrs, block.location(), address)
        self.documents[name] = built
        return built

    # -- blocks -----------------------------------------------------------------------------

    def expand(self, block: Block) -> list[tuple[Any, dict[str, Any]]] | None:
        """Instances of a block: [(key, names)], [] for none, None when unknown."""
        count_node = block.attribute("count")
        each_node = block.attribute("for_each")
        if count_node is None and each_node is None:
            return [(None, {})]
        evaluator = self.evaluator(block.file)
        if count_node is not None:
            count = evaluator.eval(count_node)
            if isinstance(count, bool) or not isinstance(count, (int, float)):
                return None
            return [(i, {"count": {"index": i}}) for i in range(min(int(count), MAX_INSTANCES))]
        each = evaluator.eval(each_node)
        if isinstance(each, dict):
            items = list(each.items())
        elif isinstance(each, list) and all(isinstance(v, str) for v in each):
            items = [(v, v) for v in dict.fromkeys(each)]
        else:
            return None
        return [(k, {"each": {"key": k, "value": v}}) for k, v in items[:MAX_INSTANCES]]

    def resource_collection(self, kind: str, name: str) -> Any:
        """``aws_iam_user.x`` of a block with count/for_each: its instances as a list or map
        of references, so ``for_each = aws_iam_user.x`` and ``[for u in aws_iam_user.x :
        u.name]`` still link to each instance. None for a single-instance block."""
        address = f"{self.prefix}{kind}.{name}"
        block = next((b for b in self.mdir.resources if b.labels == [kind, name]), None)
        if block is None or address in self.expanding:
            return None
        self.expanding.add(address)
        try:
            expansion = self.expand(block)
        finally:
            self.expanding.discard(address)
        if expansion is None or any(key is None for key, _ in expansion):
            return None
        refs = {
            key: Unknown(address + instance_suffix(key), ref=(address + instance_suffix(key), ""))
            for key, _ in expansion
        }
        if all(isinstance(key, int) for key in refs):
            return LocatedList(refs.values())
        return LocatedDict(refs)

    def evaluate_body(
        self, body: Tree, parsed: ParsedFile, names: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Location]]:
        evaluator = self.evaluator(parsed, names)
        attrs: dict[str, Any] = {}
        locations: dict[str, Location] = {}
        for child in body.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "attribute":
                name = attribute_name(child)
                if name in META_ARGUMENTS:
                    continue
                value = evaluator.eval(child.children[-1])
                if value is None:  # null is unset: the provider's default applies
                    continue
                attrs[name] = self.stored(value, name)
                locations[name] = Location(parsed.rel, child.meta.line, child.meta.end_line)
            elif child.data == "block":
                nested = make_block(child, parsed)
                if nested.type in META_ARGUMENTS:
                    continue
                if nested.type == "dynamic" and nested.labels:
                    label = nested.labels[0]
                    attrs.setdefault(label, LocatedList()).extend(
                        self.dynamic_blocks(nested, parsed, names)
                    )
                    locations.setdefault(label, nested.location())
                    continue
                value, _ = self.evaluate_body(nested.body, parsed, names)
                attrs.setdefault(nested.type, LocatedList()).append(
                    located(value, nested.location())
                )
                locations.setdefault(nested.type, nested.location())
        return attrs, locations

    def dynamic_blocks(self, block: Block, parsed: ParsedFile, names: dict[str, Any]) -> list[Any]:
        label = block.labels[0]
        evaluator = self.evaluator(parsed, names)
        iterator_node = block.attribute("iterator")
        iterator = label
        if iterator_node is not None:
            iterator = iterator_name(iterator_node) or parsed.source.slice(iterator_node).strip()
        each_node = block.attribute("for_each")
        collection = evaluator.eval(each_node) if each_node is not None else None
        content = next(
            (
                make_block(c, parsed)
                for c in block.body.children
                if isinstance(c, Tree)
                and c.data == "block"
                and make_block(c, parsed).type == "content"
            ),
            None,
        )
        if content is None:
            return []
        items = dynamic_items(collection)
        if items is None:
            return [
                Unknown(
                    f'dynamic "{label}" for_each = {parsed.source.slice(each_node or block.node)}'
                )
            ]
        out = []
        for key, value in items:
            inner = {**names, iterator: {"key": key, "value": value}}
            attrs, _ = self.evaluate_body(content.body, parsed, inner)
            out.append(located(attrs, content.location()))
        return out

    # -- output -----------------------------------------------------------------------------

    def emit(self) -> None:
        """Evaluate every block of this instance (and its child modules) into Resources."""
        out = self.loader.out.resources
        for block in self.mdir.resources:
            out.extend(self.block_resources(block, f"{self.prefix}{'.'.join(block.labels)}"))
        for block in self.mdir.modules:
            for instance in (self.module_instances(block.labels[0]) or {}).values():
                instance.emit()
        for block in self.mdir.data:
            out.extend(self.data_resources(block))
        out.extend(self.pseudo_resources())

    def block_resources(self, block: Block, base_address: str) -> list[Resource]:
        expansion = self.expand(block)
        metadata: dict[str, Any] = {}
        if expansion is None:
            expansion = [(None, {})]
            source = block.attribute("count") or block.attribute("for_each")
            metadata["count_unknown"] = Unknown(block.file.source.slice(source or block.node))
        resources = []
        for key, names in expansion:
            attrs, locations = self.evaluate_body(block.body, block.file, names)
            resources.append(
                Resource(
                    kind=block.labels[0],
                    address=base_address + instance_suffix(key),
                    framework=TERRAFORM,
                    location=block.location(),
                    attrs=attrs,
                    scope=self.scope,
                    name=block.labels[1],
                    module=self.address,
                    instance_key=key,
                    metadata=dict(metadata),
                    attr_locations=locations,
                )
            )
        return resources

    def data_resources(self, block: Block) -> list[Resource]:
        kind, name = block.labels
        resources = self.block_resources(block, f"{self.prefix}data.{kind}.{name}")
        if kind == "aws_iam_policy_document":
            documents = self.data_instances(block)
            used = name in self.used_documents or self.mdir.mentions_document(name)
            for resource in resources:
                resource.attrs["json"] = documents.get(resource.instance_key) or Unknown(
                    resource.address
                )
                resource.metadata["used"] = used
        return resources

    def pseudo_resources(self) -> list[Resource]:
        """Variables, locals, providers, outputs, module calls and ``terraform`` settings, for
        the hard-coded credentials check: only blocks whose text could hold a credential (a
        module instance has hundreds of variables; evaluating them all is most of the work)."""
        out = []
        for name, block in self.mdir.variables.items():
            if not may_hold_credentials(block.file, block.node):
                continue
            default = block.attribute("default")
            attrs = {"default": self.evaluator(block.file).eval(default)} if default else {}
            out.append(self.pseudo("variable", f"var.{name}", name, block.location(), attrs))
        for name, (_, node, parsed) in self.mdir.locals.items():
            if not may_hold_credentials(parsed, node):
                continue
            where = Location(parsed.rel, node.meta.line, node.meta.end_line)
            out.append(
                self.pseudo(
                    "locals", f"local.{name}", name, where, {"value": self.local(name, name)}
                )
            )
        for block in self.mdir.providers:
            if not may_hold_credentials(block.file, block.node):
                continue
            attrs, locations = self.evaluate_body(block.body, block.file, {})
            alias = attrs.get("alias")
            address = f"provider.{block.labels[0]}" + (
                f".{alias}" if isinstance(alias, str) else ""
            )
            label = alias if isinstance(alias, str) else block.labels[0]
            resource = self.pseudo("provider", address, label, block.location(), attrs)
            resource.attr_locations = locations
            out.append(resource)
        named = [(b, "output", f"output.{b.labels[0]}") for b in self.mdir.outputs.values()]
        named += [(b, "module", f"module.{b.labels[0]}") for b in self.mdir.modules]
        named += [(b, "terraform", "terraform") for b in self.mdir.settings]
        for block, kind, address in named:
            if not may_hold_credentials(block.file, block.node):
                continue
            attrs, locations = self.evaluate_body(block.body, block.file, {})
            resource = self.pseudo(
                kind, address, address.rsplit(".", 1)[-1], block.location(), attrs
            )
            resource.attr_locations = locations
            out.append(resource)
        return out

    def pseudo(self, kind: str, address: str, name: str, where: Location, attrs: dict) -> Resource:
        return Resource(
            kind=kind,
            address=self.prefix + address,
            framework=TERRAFORM,
            location=where,
            attrs=attrs,
            scope=self.scope,
            name=name,
            module=self.address,
        )


class ModuleEnv(Env):
    """Name resolution inside one module instance (plus loop/iterator names)."""

    def __init__(self, instance: ModuleInstance, names: dict[str, Any]) -> None:
        self.instance = instance
        self.names = names

    def with_locals(self, names: dict[str, Any]) -> Env:
        return ModuleEnv(self.instance, {**self.names, **names})

    def resolve(self, root: str, steps: list[Step], text: str) -> Any:
        instance = self.instance
        if root in self.names:
            return apply_steps(self.names[root], steps, text)
        if not steps:
            return Unknown(text)
        first = steps[0]
        if root == "var" and first[0] == "attr":
            return apply_steps(instance.var(first[1], text), steps[1:], text)
        if root == "local" and first[0] == "attr":
            return apply_steps(instance.local(first[1], text), steps[1:], text)
        if root == "module":
            return instance.module_output(steps, text)
        if root == "path" and first[0] == "attr":
            paths = {"module": instance.mdir.path, "root": instance.root, "cwd": instance.root}
            return str(paths[first[1]]) if first[1] in paths else Unknown(text)
        if root == "data":
            return self.data_reference(steps, text)
        if root in ("terraform", "self", "each", "count"):
            return Unknown(text)
        if first[0] == "attr" and (len(steps) == 1 or known_step(steps[1])):
            collection = instance.resource_collection(root, first[1])
            if collection is not None:
                return apply_steps(collection, steps[1:], text)
        return reference(instance.prefix + root, steps, text)

    def data_reference(self, steps: list[Step], text: str) -> Any:
        if (
            len(steps) >= 2
            and steps[0] == ("attr", "aws_iam_policy_document")
            and steps[1][0] == "attr"
        ):
            return self.instance.data_document(steps[1][1], steps[2:], text)
        if steps and steps[0][0] == "attr":
            return reference(f"{self.instance.prefix}data.{steps[0][1]}", steps[1:], text)
        return Unknown(text)

    def read_file(self, path: Any, text: str) -> Any:
        if not isinstance(path, str):
            return Unknown(text)
        target = Path(path)
        if not target.is_absolute():
            target = self.instance.root / target
        content = self.instance.loader.read_file(target)
        if content is None:
            self.instance.loader.out.warnings.append(
                f"{text}: file not readable inside the repository; value treated as unknown"
            )
            return Unknown(text)
        where = Location(self.instance.loader.rel(target.resolve()), 1, 1)
        return located(content, where)


def known_step(step: Step) -> bool:
    """A splat, or an index whose key is known: both can be applied to a block's instances
    (an index no instance has is then an error, which ``try()`` skips)."""
    return step[0] == "splat" or (
        step[0] == "index" and not isinstance(step[1], (Unknown, Template))
    )


# --- roots and the public entry point -----------------------------------------------------


def load_remote_dirs(root: Path, read: set[Path]) -> dict[str, Path]:
    """Module copies ``terraform init`` left under ``.terraform/modules`` (if any)."""
    manifest = root / ".terraform" / "modules" / "modules.json"
    read.add(manifest)
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for entry in data.get("Modules", []) if isinstance(data, dict) else []:
        if isinstance(entry, dict) and entry.get("Key") and isinstance(entry.get("Dir"), str):
            out[entry["Key"]] = (root / entry["Dir"]).resolve()
    return out


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

    def read_file(self, path: Any, text: str) -> Any:
        return Unknown(text)

    def with_locals(self, names: dict[str, Any]) -> Env:
        return self


_LOCAL_SOURCE = re.compile(r'\bsource\s*=\s*"(\.{1,2}(?:/[^"]*)?)"')
_LOCAL_SOURCE_JSON = re.compile(r'"source"\s*:\s*"(\.{1,2}(?:/[^"]*)?)"')


def find_roots(texts: dict[Path, SourceText]) -> list[Path]:
    """Directories that no scanned directory calls as a local module (read from the text, so
    that nothing is parsed before it is needed)."""
    dirs = sorted({path.parent for path in texts})
    called: set[Path] = set()
    for path, source in texts.items():
        pattern = _LOCAL_SOURCE_JSON if path.name.endswith(".json") else _LOCAL_SOURCE
        for target in pattern.findall(source.text):
            resolved = (path.parent / target).resolve()
            if resolved != path.parent:
                called.add(resolved)
    roots = [d for d in dirs if d not in called]
    return roots or dirs


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


_FORKED_JOB: RootJob | None = None


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
    them, contiguous slices are evaluated in forked workers and merged in order, which gives
    the same result as one process.
    """
    in_dirs = {p: s for p, s in texts.items() if p not in (single_files or [])}
    roots: list[tuple[Path, Path | None]] = [(path, None) for path in find_roots(in_dirs)]
    roots += [(file.parent, file) for file in single_files or []]
    job = RootJob(base, boundary, texts, tfvars or {}, parse, list(var_files or []), roots)
    size = sum(len(source.text) for source in texts.values())
    parallel = jobs > 1 and len(roots) >= PARALLEL_MIN_ROOTS and size >= PARALLEL_MIN_BYTES
    parts = evaluate_in_workers(job, jobs) if parallel else [evaluate_roots(job, roots)]
    loader = Loader(base, boundary, texts, parse)
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
    job: RootJob, roots: list[tuple[Path, Path | None]]
) -> tuple[ScanInput, set[Path]]:
    """Evaluate some roots one after the other, dropping each root's trees when done."""
    loader = Loader(job.base, job.boundary, job.texts, job.parse)
    extra = loader.parsed(job.var_files)
    for path, single in roots:
        mdir = loader.single_file_dir(single) if single else loader.module_dir(path)
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
        instance.emit()
        loader.out.resources.extend(tfvars_resource(item, scope) for item in own_vars)
        if single is None:
            loader.forget(path)
    return loader.out, loader.visited


def evaluate_in_workers(job: RootJob, jobs: int) -> list[tuple[ScanInput, set[Path]]]:
    global _FORKED_JOB
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .hcl_parser import parser

    parser()  # built once, before the fork
    step = -(-len(job.roots) // jobs)
    slices = [(start, start + step) for start in range(0, len(job.roots), step)]
    _FORKED_JOB = job
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            return list(pool.map(_evaluate_slice, slices))
    finally:
        _FORKED_JOB = None


def _evaluate_slice(bounds: tuple[int, int]) -> tuple[ScanInput, set[Path]]:
    assert _FORKED_JOB is not None
    return evaluate_roots(_FORKED_JOB, _FORKED_JOB.roots[bounds[0] : bounds[1]])


def merge_scan_input(into: ScanInput, part: ScanInput) -> None:
    """Append one slice's results; a module file parsed by several workers reports its error
    once."""
    into.resources.extend(part.resources)
    seen = {(e.file, e.line, e.message) for e in into.errors}
    into.errors.extend(e for e in part.errors if (e.file, e.line, e.message) not in seen)
    into.warnings.extend(part.warnings)
    into.unresolved_notes.extend(part.unresolved_notes)
    into.read_elsewhere |= part.read_elsewhere


def tfvars_resource(parsed: ParsedFile, scope: str) -> Resource:
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
