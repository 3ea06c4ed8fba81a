"""A module instance's blocks as Resources: one per ``count``/``for_each`` instance of each
resource and data block, then its child modules' in order, and pseudo-resources (variables,
locals, providers, outputs...) for the hard-coded credentials check.
"""

from __future__ import annotations

from typing import Any

from ..model.values import TERRAFORM, Location, Resource, Unknown
from .references import instance_suffix
from .terraform_instance import ModuleInstance
from .terraform_parse import Block


def emit(instance: ModuleInstance) -> None:
    """Evaluate every block of ``instance`` (and its child modules) into Resources."""
    out = instance.loader.out.resources
    for block in instance.mdir.resources:
        out.extend(block_resources(instance, block, f"{instance.prefix}{'.'.join(block.labels)}"))
    for block in instance.mdir.modules:
        for child in (instance.calls.instances(block.labels[0]) or {}).values():
            emit(child)
    for block in instance.mdir.data:
        out.extend(data_resources(instance, block))
    out.extend(pseudo_resources(instance))


Bodies = dict[Any, tuple[dict[str, Any], dict[str, Location]]]
"""A block's evaluated body (attributes, their lines) per count/for_each key."""


def block_resources(
    instance: ModuleInstance, block: Block, base_address: str, evaluated: Bodies | None = None
) -> list[Resource]:
    """One Resource per instance of the block; bodies already ``evaluated`` (a policy
    document's, evaluated to build it) are not evaluated again."""
    expansion = instance.expand(block)
    metadata: dict[str, Any] = {}
    if expansion is None:
        source = block.attribute("count") or block.attribute("for_each")
        metadata["count_unknown"] = Unknown(block.file.source.slice(source or block.node))
        expansion = instance.possible_instances(block) or [(None, {})]
    resources = []
    for key, names in expansion:
        if evaluated is not None and key in evaluated:
            attrs, locations = (dict(part) for part in evaluated[key])
        else:
            attrs, locations = instance.evaluate_body(block.body, block.file, names)
        resources.append(
            Resource(
                kind=block.labels[0],
                address=base_address + instance_suffix(key),
                framework=TERRAFORM,
                location=block.location(),
                attrs=attrs,
                scope=instance.scope,
                name=block.labels[1],
                module=instance.address,
                instance_key=key,
                metadata=dict(metadata),
                attr_locations=locations,
            )
        )
    return resources


def data_resources(instance: ModuleInstance, block: Block) -> list[Resource]:
    kind, name = block.labels
    if kind == "template_file":  # read only for what it renders into other blocks
        return []
    address = f"{instance.prefix}data.{kind}.{name}"
    if kind != "aws_iam_policy_document":
        return block_resources(instance, block, address)
    documents = instance.documents.built(block)
    resources = block_resources(instance, block, address, instance.documents.bodies.get(name))
    used = name in instance.documents.used or instance.mdir.mentions_document(name)
    for resource in resources:
        resource.attrs["json"] = documents.get(resource.instance_key) or Unknown(resource.address)
        resource.metadata["used"] = used
    return resources


def pseudo_resources(instance: ModuleInstance) -> list[Resource]:
    """Variables, locals, providers, outputs, module calls and ``terraform`` settings, for
    the hard-coded credentials check: only blocks whose text could hold a credential (a
    module instance has hundreds of variables; evaluating them all is most of the work)."""
    out = []
    for name, block in instance.mdir.variables.items():
        if not instance.mdir.may_hold_credentials(block.file, block.node):
            continue
        default = block.attribute("default")
        attrs = {"default": instance.evaluator(block.file).eval(default)} if default else {}
        out.append(pseudo(instance, "variable", f"var.{name}", name, block.location(), attrs))
    for name, (_, node, parsed) in instance.mdir.locals.items():
        if not instance.mdir.may_hold_credentials(parsed, node):
            continue
        where = Location(parsed.rel, node.meta.line, node.meta.end_line)
        value = {"value": instance.local(name, name)}
        out.append(pseudo(instance, "locals", f"local.{name}", name, where, value))
    for block in instance.mdir.providers:
        if not instance.mdir.may_hold_credentials(block.file, block.node):
            continue
        attrs, locations = instance.evaluate_body(block.body, block.file, {})
        alias = attrs.get("alias")
        address = f"provider.{block.labels[0]}" + (f".{alias}" if isinstance(alias, str) else "")
        label = alias if isinstance(alias, str) else block.labels[0]
        resource = pseudo(instance, "provider", address, label, block.location(), attrs)
        resource.attr_locations = locations
        out.append(resource)
    named = [(b, "output", f"output.{b.labels[0]}") for b in instance.mdir.outputs.values()]
    named += [(b, "module", f"module.{b.labels[0]}") for b in instance.mdir.modules]
    named += [(b, "terraform", "terraform") for b in instance.mdir.settings]
    for block, kind, address in named:
        if not instance.mdir.may_hold_credentials(block.file, block.node):
            continue
        attrs, locations = instance.evaluate_body(block.body, block.file, {})
        name = address.rsplit(".", 1)[-1]
        resource = pseudo(instance, kind, address, name, block.location(), attrs)
        resource.attr_locations = locations
        out.append(resource)
    return out


def pseudo(
    instance: ModuleInstance,
    kind: str,
    address: str,
    name: str,
    where: Location,
    attrs: dict[str, Any],
) -> Resource:
    return Resource(
        kind=kind,
        address=instance.prefix + address,
        framework=TERRAFORM,
        location=where,
        attrs=attrs,
        scope=instance.scope,
        name=name,
        module=instance.address,
    )
