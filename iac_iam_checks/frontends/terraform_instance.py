"""One evaluated instance of a Terraform module: the names its expressions see, its outputs,
and its blocks' bodies as attribute values.

References to other blocks are answered by two helpers the instance owns: ``ModuleCalls``
(``module.x``, child instances) and ``PolicyDocuments`` (``data.aws_iam_policy_document.x``);
turning the blocks into Resources is ``terraform_resources``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..model import limits
from ..model.values import (
    LocatedDict,
    LocatedList,
    Location,
    Unknown,
    located,
    location_of,
    shared_location,
)
from . import hcl_types
from .hcl_eval import (
    MAX_VALUE_NODES,
    Env,
    Evaluator,
    Step,
    apply_steps,
    note_error,
    significant,
    too_large,
)
from .hcl_tree import Tree
from .references import dynamic_items, instance_suffix, reference
from .terraform_calls import ModuleCalls, PendingInput, known_step
from .terraform_documents import PolicyDocuments
from .terraform_loader import Loader, ModuleDir
from .terraform_parse import (
    META_ARGUMENTS,
    Block,
    ParsedFile,
    attribute_name,
    iterator_name,
    make_block,
    unwrapped,
)


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
        self.expanding: set[str] = set()
        self.output_values: dict[str, Any] = {}
        self.calls = ModuleCalls(self)
        self.documents = PolicyDocuments(self)

    @property
    def prefix(self) -> str:
        return self.address + "." if self.address else ""

    def child(
        self, mdir: ModuleDir, address: str, inputs: dict[str, Any], remote_key: str
    ) -> ModuleInstance:
        """An instance of a module this one calls, in the same root and scan."""
        return ModuleInstance(
            self.loader,
            mdir,
            address,
            inputs,
            self.scope,
            self.root,
            self.depth + 1,
            self.stack,
            self.remote_dirs,
            remote_key,
        )

    # -- names ------------------------------------------------------------------------------

    def env(self, names: dict[str, Any] | None = None) -> ModuleEnv:
        return ModuleEnv(self, names or {})

    def evaluator(self, parsed: ParsedFile, names: dict[str, Any] | None = None) -> Evaluator:
        return Evaluator(self.env(names), parsed.source, parsed.rel)

    def var(self, name: str, text: str) -> Any:
        if name in self.variable_values:
            return self.variable_values[name]
        block = self.mdir.variables.get(name)
        default = block.attribute("default") if block is not None else None
        if name in self.inputs and not (self.input(name) is None and self.not_nullable(block)):
            value = self.input(name)
        elif block is None:
            return Unknown(text)
        elif default is None:
            return Unknown(f"var.{name}")
        else:
            value = self.evaluator(block.file).eval(default)
        if block is not None and (type_node := block.attribute("type")) is not None:
            evaluate = self.evaluator(block.file).eval
            value = hcl_types.convert(hcl_types.declared_type(type_node), value, evaluate)
        self.variable_values[name] = value
        return value

    def input(self, name: str) -> Any:
        """The caller's argument ``name``, evaluated on first use; one that reads itself
        (through this module's outputs) is unknown, where Terraform reports a cycle."""
        value = self.inputs[name]
        if not isinstance(value, PendingInput):
            return value
        if f"var.{name}" in self.evaluating:
            return Unknown(f"var.{name}")
        self.evaluating.add(f"var.{name}")
        try:
            value = self.inputs[name] = value.value()
        finally:
            self.evaluating.discard(f"var.{name}")
        return value

    def not_nullable(self, block: Block | None) -> bool:
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

    # -- outputs (what the calling module reads) --------------------------------------------

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

    # -- blocks -----------------------------------------------------------------------------

    def expand(self, block: Block) -> list[tuple[Any, dict[str, Any]]] | None:
        """Instances of a block: [(key, names)], [] for none, None when unknown."""
        count_node = block.attribute("count")
        each_node = block.attribute("for_each")
        if count_node is not None:
            count = self.evaluator(block.file).eval(count_node)
            if isinstance(count, bool) or not isinstance(count, (int, float)):
                return None
            if not math.isfinite(count):
                return None
            number = self.within_limit(block, "count", int(count))
            return [(i, {"count": {"index": i}}) for i in range(number)]
        if each_node is None:
            return [(None, {})]
        items = for_each_items(self.evaluator(block.file).eval(each_node))
        return None if items is None else self.each_instances(block, items)

    def each_instances(
        self, block: Block, items: list[tuple[Any, Any]]
    ) -> list[tuple[Any, dict[str, Any]]]:
        items = items[: self.within_limit(block, "for_each", len(items))]
        return [(k, {"each": {"key": k, "value": v}}) for k, v in items]

    def possible_instances(self, block: Block) -> list[tuple[Any, dict[str, Any]]] | None:
        """The instances of a block whose ``for_each`` is unknown only because it is
        ``test ? items : []`` (or ``test ? [] : items``) with ``test`` unknown, as in
        ``module.this.enabled ? toset(var.arns) : []``: all of ``items``' instances or none,
        which is what an unknown ``count`` of a single instance means too. None for any other
        ``for_each``."""
        each = block.attribute("for_each")
        node = unwrapped(each) if each is not None else None
        if not isinstance(node, Tree) or node.data != "conditional":
            return None
        evaluator = self.evaluator(block.file)
        branches = [for_each_items(evaluator.eval(n)) for n in significant(node)[1:]]
        if None in branches or sum(not items for items in branches) != 1:
            return None
        return self.each_instances(block, next(items for items in branches if items))

    def template_file(self, name: str, steps: list[Step], text: str) -> Any:
        """``data.template_file.<name>[key].rendered``: the template provider renders
        ``template`` with ``vars`` when Terraform plans, as ``templatefile()`` does. Other
        attributes, and instances whose key is unknown, stay references."""
        block = self.mdir.data_source("template_file", name)
        key, rest = (steps[0][1], steps[1:]) if steps and steps[0][0] == "index" else (None, steps)
        expansion = self.expand(block) if block is not None else None
        names = next((n for k, n in expansion or [] if k == key), None)
        if block is None or names is None or rest[:1] != [("attr", "rendered")]:
            return reference(f"{self.prefix}data.template_file.{name}", steps, text)
        evaluator = self.evaluator(block.file, names)
        template_node, vars_node = block.attribute("template"), block.attribute("vars")
        template = evaluator.eval(template_node) if template_node is not None else None
        variables = evaluator.eval(vars_node) if vars_node is not None else {}
        if not isinstance(template, str) or not isinstance(variables, dict):
            return Unknown(text)
        where = location_of(template) or block.location()
        return apply_steps(evaluator.render(template, variables, where), rest[1:], text)

    def within_limit(self, block: Block, meta: str, number: int) -> int:
        """How many instances of a block are made: all, or the first ``instances`` with a
        warning naming the block (its other instances are not checked)."""
        limit = limits.active().instances
        if number <= limit:
            return number
        where = block.location()
        limits.note(
            f"{where.file}:{where.line}: {self.prefix}{'.'.join(block.labels)}: {meta} makes "
            f"{number} instances, more than {limit} (limit instances); only the first {limit} "
            "are checked"
        )
        return limit

    def resource_collection(self, kind: str, name: str) -> Any:
        """``aws_iam_user.x`` of a block with count/for_each: its instances as a list or map
        of references, so ``for_each = aws_iam_user.x`` and ``[for u in aws_iam_user.x :
        u.name]`` still link to each instance. None for a single-instance block."""
        address = f"{self.prefix}{kind}.{name}"
        block = self.mdir.resource(kind, name)
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
                meta = child.meta
                locations[name] = shared_location(parsed.rel, meta.line, meta.end_line)
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
        items = dynamic_items(collection, limits.active().instances)
        if isinstance(collection, (dict, list)):
            self.within_limit(block, "dynamic for_each", len(collection))
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
            return instance.calls.reference(steps, text)
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
        if len(steps) >= 2 and steps[1][0] == "attr":
            if steps[0] == ("attr", "aws_iam_policy_document"):
                return self.instance.documents.reference(steps[1][1], steps[2:], text)
            if steps[0] == ("attr", "template_file"):
                return self.instance.template_file(steps[1][1], steps[2:], text)
        if steps and steps[0][0] == "attr":
            return reference(f"{self.instance.prefix}data.{steps[0][1]}", steps[1:], text)
        return Unknown(text)

    def read_file(self, path: Any, text: str, where: Location) -> Any:
        if not isinstance(path, str):
            return Unknown(text)
        target = Path(path)
        if not target.is_absolute():
            target = self.instance.root / target
        loader = self.instance.loader
        content = loader.read_file(target)
        if content is None:
            loader.out.warnings.append(
                f"{where.file}:{where.line}: {text}: file not readable inside the repository; "
                "value treated as unknown"
            )
            return Unknown(text)
        return located(content, Location(loader.rel(loader.resolve(target)), 1, 1))


def for_each_items(each: Any) -> list[tuple[Any, Any]] | None:
    """``for_each``'s (key, value) pairs: a map's items, a set of strings' elements twice;
    None for anything else (unknown, or a value Terraform rejects)."""
    if isinstance(each, dict):
        return list(each.items())
    if isinstance(each, list) and all(isinstance(v, str) for v in each):
        return [(v, v) for v in dict.fromkeys(each)]
    return None
