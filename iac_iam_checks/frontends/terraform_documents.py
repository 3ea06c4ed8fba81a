"""``data "aws_iam_policy_document"`` blocks of one module instance, built into
PolicyDocuments when an expression reads their ``json``: the policy a resource attaches is then
known here, not only in a plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..iam.document_blocks import build_policy_document
from ..model.values import LocatedList, Location, Template, Unknown
from .hcl_eval import Step, note_error
from .references import instance_suffix
from .terraform_calls import InstancePart
from .terraform_parse import Block

if TYPE_CHECKING:
    from .terraform_instance import ModuleInstance


class PolicyDocuments(InstancePart):
    """The policy documents of ``instance``, each built once per count/for_each key."""

    def __init__(self, instance: ModuleInstance) -> None:
        super().__init__(instance)
        self.built_by_name: dict[str, dict[Any, Any]] = {}
        self.bodies: dict[str, dict[Any, tuple[dict[str, Any], dict[str, Location]]]] = {}
        """Each block's evaluated body per key, which its data source Resources reuse."""
        self.used: set[str] = set()
        """Names whose ``json`` some expression read."""

    def block(self, name: str) -> Block | None:
        return self.instance.mdir.data_source("aws_iam_policy_document", name)

    def reference(self, name: str, steps: list[Step], text: str) -> Any:
        """``data.aws_iam_policy_document.<name>[key].json`` -> the built PolicyDocument."""
        key = None
        rest = steps
        if rest and rest[0][0] == "splat":
            return self.every_instance(name, rest, text)
        if rest and rest[0][0] == "index":
            key = rest[0][1]
            rest = rest[1:]
        if not rest or rest[0] != ("attr", "json") and rest[0] != ("attr", "minified_json"):
            address = (
                f"{self.instance.prefix}data.aws_iam_policy_document.{name}{instance_suffix(key)}"
            )
            return Unknown(text, ref=(address, rest[0][1] if rest and rest[0][0] == "attr" else ""))
        block = self.block(name)
        if block is None:
            return Unknown(text)
        instances = self.built(block)
        document = instances.get(key) if instances else None
        if document is None and instances and key is None and len(instances) == 1:
            document = next(iter(instances.values()))
        if document is None and None in instances and self.counted(block, key):
            # count/for_each unknown: the one evaluated instance stands for each of them, and
            # a plan that reads ``[0]`` has that instance (as a resource is judged as created)
            document = instances[None]
        if document is None:
            if None not in instances:  # known count/for_each without this key: an error
                note_error(text)  # that ``try()`` moves past, as in Terraform
            return Unknown(text)
        self.used.add(block.labels[1])
        return document

    @staticmethod
    def counted(block: Block, key: Any) -> bool:
        """Whether ``key`` is a known instance key of a block that has count or for_each."""
        has_meta = block.attribute("count") is not None or block.attribute("for_each") is not None
        return has_meta and key is not None and not isinstance(key, (Unknown, Template))

    def every_instance(self, name: str, steps: list[Step], text: str) -> Any:
        """``data.aws_iam_policy_document.<name>[*].json`` (or legacy ``.*.json``): the built
        document of every instance, in key order, when the instances are known."""
        block = self.block(name)
        if block is None or self.instance.expand(block) is None:
            return Unknown(text)
        instances = self.built(block)
        if None in instances:  # no count/for_each: a splat makes a one-item list
            steps = steps[1:]
            return LocatedList([self.reference(name, steps, text)])
        documents = [self.reference(name, [("index", key), *steps[1:]], text) for key in instances]
        return LocatedList(documents)

    def built(self, block: Block) -> dict[Any, Any]:
        """The document of each instance of ``block`` by key (None: no count/for_each)."""
        name = block.labels[1]
        if name in self.built_by_name:
            return self.built_by_name[name]
        self.built_by_name[name] = {}  # a document that sources itself stays unknown
        instance = self.instance
        built: dict[Any, Any] = {}
        bodies = self.bodies[name] = {}
        expansion = instance.expand(block)
        for key, names in expansion if expansion is not None else [(None, {})]:
            attrs, locations = instance.evaluate_body(block.body, block.file, names)
            bodies[key] = (dict(attrs), locations)
            address = f"{instance.prefix}data.aws_iam_policy_document.{name}{instance_suffix(key)}"
            built[key] = build_policy_document(attrs, block.location(), address)
        self.built_by_name[name] = built
        return built
