"""The ``module`` blocks of one module instance: which directory each calls, its child
instances (one per ``count``/``for_each`` key, built on first reference with their inputs),
and ``module.x...`` references read from the children's outputs.

A call that cannot be followed (remote source without ``terraform init``, outside the
repository, a cycle, too deep or too many instances) is recorded, never guessed.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model.values import TERRAFORM, LocatedDict, LocatedList, Resource, Template, Unknown
from .hcl_eval import Step, apply_steps, collecting_errors
from .hcl_tree import Tree
from .references import instance_suffix
from .terraform_loader import MAX_MODULE_INSTANCES, is_local_source
from .terraform_parse import META_ARGUMENTS, Block, attribute_name, literal_string

if TYPE_CHECKING:
    from .terraform_instance import ModuleInstance

MAX_MODULE_DEPTH = 16


class InstancePart:
    """A helper object of one module instance, holding it weakly: no reference cycle, so an
    evaluated instance and the parse trees it holds are freed at once by reference counting,
    not later by the cyclic garbage collector (which a large scan otherwise keeps busy)."""

    def __init__(self, instance: ModuleInstance) -> None:
        self._instance = weakref.ref(instance)

    @property
    def instance(self) -> ModuleInstance:
        instance = self._instance()
        assert instance is not None, "used only through its live instance"
        return instance


class PendingInput(InstancePart):
    """A module argument, evaluated in the calling instance when the module first reads its
    variable (``ModuleInstance.input``). Terraform orders evaluation by each value's own
    references, so ``module.a`` may take an input from ``module.b`` whose input is an output of
    ``module.a`` that reads none of its variables; evaluating every argument when the call is
    built would meet ``module.a`` half built there. Arguments nothing reads are never
    evaluated."""

    def __init__(
        self, caller: ModuleInstance, block: Block, node: Any, names: dict[str, Any], name: str
    ) -> None:
        super().__init__(caller)
        self.block, self.node, self.names, self.name = block, node, names, name

    def value(self) -> Any:
        """The argument's value; its evaluation errors are its own (a ``try()`` around the
        module's read of the variable does not see them)."""
        caller = self.instance
        with collecting_errors():
            value = caller.evaluator(self.block.file, self.names).eval(self.node)
        return caller.stored(value, f"module.{self.block.labels[0]}.{self.name}")


class ModuleCalls(InstancePart):
    """The module calls of ``instance``, evaluated lazily and once."""

    def __init__(self, instance: ModuleInstance) -> None:
        super().__init__(instance)
        self.children: dict[str, dict[Any, ModuleInstance] | None] = {}

    def reference(self, steps: list[Step], text: str) -> Any:
        """``module.<name>[key].<output>...``; steps start after ``module``."""
        if not steps or steps[0][0] != "attr":
            return Unknown(text)
        instances = self.instances(steps[0][1])
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

    def instances(self, name: str) -> dict[Any, ModuleInstance] | None:
        """The instances of ``module "<name>"`` by key (None for a call without count or
        for_each); None when the call cannot be followed."""
        if name not in self.children:
            self.children[name] = None  # guards against self-reference while building
            block = next((b for b in self.instance.mdir.modules if b.labels[0] == name), None)
            self.children[name] = self.build(block) if block is not None else None
        return self.children[name]

    def build(self, block: Block) -> dict[Any, ModuleInstance] | None:
        parent = self.instance
        loader = parent.loader
        source = literal_string(block.attribute("source")) or ""
        target = self.source_dir(block.labels[0], source)
        if target is None:
            self.note_unresolved(block, source)
            return None
        if target in parent.stack or parent.depth >= MAX_MODULE_DEPTH:
            where = block.location()
            why = (
                "calls a module it is inside of (a cycle)"
                if target in parent.stack
                else f"nests modules deeper than {MAX_MODULE_DEPTH} levels"
            )
            warning = f"{where.file}:{where.line}: module.{block.labels[0]} {why}; not followed"
            if warning not in loader.out.warnings:
                loader.out.warnings.append(warning)
            return None
        mdir = loader.module_dir(target)
        if mdir is None:
            where = block.location()
            loader.out.warnings.append(
                f"{where.file}:{where.line}: module source {source!r} is outside the repository "
                "or unreadable; its resources are unknown"
            )
            self.note_unresolved(block, source)
            return None
        instances: dict[Any, ModuleInstance] = {}
        expansion = parent.expand(block)
        if expansion is not None and len(expansion) > loader.module_budget:
            where = block.location()
            loader.out.warnings.append(
                f"{where.file}:{where.line}: more than {MAX_MODULE_INSTANCES} module instances; "
                f"{parent.prefix}module.{block.labels[0]} evaluated once, its keys unknown"
            )
            expansion = None
        if expansion is None:
            expansion = [(None, {})]
        loader.module_budget -= len(expansion)
        arguments = [
            (name, child.children[-1])
            for child in block.body.children
            if isinstance(child, Tree) and child.data == "attribute"
            if (name := attribute_name(child)) not in META_ARGUMENTS
            and name not in ("source", "version")
        ]
        for key, names in expansion:
            inputs: dict[str, Any] = {
                name: PendingInput(parent, block, node, names, name) for name, node in arguments
            }
            address = f"{parent.prefix}module.{block.labels[0]}{instance_suffix(key)}"
            remote_key = f"{parent.remote_key}.{block.labels[0]}".lstrip(".")
            instances[key] = parent.child(mdir, address, inputs, remote_key)
        return instances

    def source_dir(self, name: str, source: str) -> Path | None:
        """A local source's directory, or where ``terraform init`` put a remote one (both
        resolved)."""
        if source and is_local_source(source):
            return self.instance.loader.resolve(self.instance.mdir.path / source)
        key = f"{self.instance.remote_key}.{name}".lstrip(".")
        return self.instance.remote_dirs.get(key)

    def note_unresolved(self, block: Block, source: str) -> None:
        parent = self.instance
        resource = Resource(
            kind="module",
            address=f"{parent.prefix}module.{block.labels[0]}",
            framework=TERRAFORM,
            location=block.location(),
            attrs={"source": source},
            scope=parent.scope,
            name=block.labels[0],
            module=parent.address,
        )
        message = (
            f"module '{block.labels[0]}' ({source or 'no source'}) is not available locally: "
            "its resources were not scanned"
        )
        parent.loader.out.unresolved_notes.append((resource, Unknown(f"module {source}"), message))


def known_step(step: Step) -> bool:
    """A splat, or an index whose key is known: both can be applied to a block's instances
    (an index no instance has is then an error, which ``try()`` skips)."""
    return step[0] == "splat" or (
        step[0] == "index" and not isinstance(step[1], (Unknown, Template))
    )
