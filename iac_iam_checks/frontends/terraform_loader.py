"""Where a Terraform scan's files come from: module directories, parsed on first use and
dropped when their root is done, and the roots themselves (directories nobody calls).

Files outside the scanned PATH are read only inside the repository boundary, and each one read
is recorded (``read_elsewhere``) so that the result cache notices when it changes.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model.values import ParseError, ScanInput
from ..real_paths import RealPaths, real_path
from .hcl_blocks import hints_at_credentials, word_matches
from .hcl_tree import Tree
from .terraform_parse import (
    Block,
    ParsedFile,
    ParseFn,
    SourceText,
    attribute_name,
    blocks_of,
    default_parse,
)

MAX_MODULE_INSTANCES = 10_000
"""Module instances one root may create in all (nested ``for_each`` multiplies them); past
that, a module call is evaluated once, as if its ``count``/``for_each`` were unknown."""
MAX_FILE_BYTES = 5 * 1024 * 1024


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
    _mentions: dict[str, bool] = field(default_factory=dict, repr=False)
    _hints: dict[int, bool] = field(default_factory=dict, repr=False)

    def resource(self, kind: str, name: str) -> Block | None:
        """The ``resource "<kind>" "<name>"`` block, if this directory declares it."""
        return next((b for b in self.resources if b.labels == [kind, name]), None)

    def data_source(self, kind: str, name: str) -> Block | None:
        """The ``data "<kind>" "<name>"`` block, if this directory declares it."""
        return next((b for b in self.data if b.labels == [kind, name]), None)

    def mentions_document(self, name: str) -> bool:
        """Whether some block refers to ``data.aws_iam_policy_document.<name>``: bodies of
        resources no check reads are never evaluated, but using a document still counts.
        Answered once per directory: every instance of the module asks again."""
        if name not in self._mentions:
            pattern = re.compile(rf"data\.aws_iam_policy_document\.{re.escape(name)}\b")
            self._mentions[name] = any(pattern.search(parsed.text) for parsed in self.files)
        return self._mentions[name]

    def may_hold_credentials(self, parsed: ParsedFile, node: Tree) -> bool:
        """Whether a block's own text mentions an access key id or a secret-like name (a JSON
        file's tree has no text positions: then it may). Once per block, not per instance."""
        known = self._hints.get(id(node))
        if known is None:
            start = getattr(node.meta, "start_pos", None)
            end = getattr(node.meta, "end_pos", None)
            if start is None or end is None:
                known = True
            else:
                known = hints_at_credentials(parsed.text[start:end])
            self._hints[id(node)] = known
        return known

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


class Loader:
    """Shared state of one Terraform scan: directories parsed so far, the repository boundary."""

    def __init__(
        self,
        base: Path,
        boundary: Path,
        texts: dict[Path, SourceText],
        parse: ParseFn = default_parse,
        real: RealPaths | None = None,
    ) -> None:
        self.base = base
        self.boundary = boundary
        self.real = real or RealPaths()
        """Shared by the scan's loaders (forked workers inherit it)."""
        self.boundary_resolved = Path(self.real(str(boundary)))
        self.texts = texts
        """Scanned files by resolved path; files of module directories outside the scanned
        PATH are read from disk when needed."""
        self.parse = parse
        self.visited: set[Path] = set()
        """Files parsed (and their errors reported) at least once."""
        self.dirs: dict[tuple[Path, bool], ModuleDir] = {}
        """Parsed directories by real path and whether they were parsed as a root."""
        self.out = ScanInput()
        self.module_budget = MAX_MODULE_INSTANCES
        """Module instances the current root may still create."""
        self._resolved: dict[Path, Path] = {}

    def rel(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.base)).as_posix()

    def resolve(self, path: Path) -> Path:
        """``path.resolve()``, once per path: every instance of a module resolves its calls'
        sources again, and each resolution is a system call per path component."""
        found = self._resolved.get(path)
        if found is None:
            # A scanned file's key is its real path already (a real path resolves to itself).
            found = path if path in self.texts else Path(self.real(str(path)))
            self._resolved[path] = found
        return found

    def inside(self, path: Path) -> bool:
        try:
            self.resolve(path).relative_to(self.boundary_resolved)
            return True
        except ValueError:
            return False

    def module_dir(self, path: Path, root: bool = False) -> ModuleDir | None:
        """A directory's module, parsed on first use. A ``root`` is parsed without its
        ``output`` blocks (nothing calls it, so nothing reads them; those that may hold
        credentials stay), and apart from the same directory called as a module."""
        found = self.dirs.get((path, root))
        if found is not None:
            return found
        path = self.resolve(path)
        found = self.dirs.get((path, root))
        if found is not None:
            return found
        if not path.is_dir() or not self.inside(path):
            return None
        self.out.read_elsewhere.add(path)  # a file added to a module folder changes the scan
        names = sorted([*path.glob("*.tf"), *path.glob("*.tf.json")])
        # A symlink out of the repository is never followed (module files, like file()).
        names = [name for name in names if self.inside(name)]
        sources = [s for s in (self.source(self.resolve(file)) for file in names) if s is not None]
        found = self.dirs[(path, root)] = ModuleDir.from_files(
            path, self.parsed(sources, outputs=not root)
        )
        return found

    def single_file_dir(self, file: Path) -> ModuleDir:
        """A file given on the command line: a root of its own."""
        source = self.source(file)
        parsed = self.parsed([source] if source else [], outputs=False)
        return ModuleDir.from_files(file.parent, parsed)

    def source(self, path: Path) -> SourceText | None:
        if path in self.texts:
            return self.texts[path]
        self.out.read_elsewhere.add(path)
        try:
            if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
                return None  # a FIFO or device named *.tf would block the read forever
            # A byte-order mark is dropped as for scanned files (``discover.read_source``).
            return SourceText(path, self.rel(path), path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            return None

    def parsed(self, sources: list[SourceText], outputs: bool = True) -> list[ParsedFile]:
        """Parse sources; each file's error is reported once however often it is needed."""
        out = []
        for source, tree in zip(sources, self.parse(sources, outputs), strict=True):
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
        self.dirs.pop((self.resolve(path), True), None)

    def read_file(self, path: Path) -> str | None:
        if not self.inside(path):
            return None
        self.out.read_elsewhere.add(self.resolve(path))
        if not path.is_file():
            return None
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                return None
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None


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
            out[entry["Key"]] = real_path(root / entry["Dir"])
    return out


_LOCAL_SOURCE = re.compile(r'source\s*=\s*"(\.{1,2}(?:/[^"]*)?)"')
"""``source = "./x"``, where ``source`` starts a word (see :func:`local_sources`)."""
_LOCAL_SOURCE_JSON = re.compile(r'"source"\s*:\s*"(\.{1,2}(?:/[^"]*)?)"')


def local_sources(text: str) -> list[str]:
    """The local module sources a file names: what ``_LOCAL_SOURCE`` preceded by a word
    boundary would find, in ``findall``'s way."""
    return [match.group(1) for match in word_matches(_LOCAL_SOURCE, text)]


def find_roots(texts: dict[Path, SourceText], real: RealPaths) -> list[Path]:
    """Directories that no scanned directory calls as a local module (read from the text, so
    that nothing is parsed before it is needed)."""
    dirs = sorted({path.parent for path in texts})
    called: set[Path] = set()
    for path, source in texts.items():
        json = path.name.endswith(".json")
        targets = _LOCAL_SOURCE_JSON.findall(source.text) if json else local_sources(source.text)
        for target in targets:
            resolved = Path(real(str(path.parent / target)))
            if resolved != path.parent:
                called.add(resolved)
    roots = [d for d in dirs if d not in called]
    return roots or dirs
