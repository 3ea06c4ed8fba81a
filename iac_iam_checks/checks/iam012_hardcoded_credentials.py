"""Hard-coded AWS credentials.

Why: Credentials written into code end up in every clone, fork, CI log and state file; anyone
who reads the repository can act as that identity until the key is revoked.
Fix: Remove the key, revoke it in IAM, and let the provider pick up credentials from the
environment, a profile, SSO or an assumed role; pass secrets as CI-injected variables. AWS's
documentation keys (ids ending in EXAMPLE) are not reported; plan `variables` are never read.
A key id and its secret in one block are one leaked credential: one finding per block. A bare
`secret_key` of another provider's block (okta's hCaptcha key) is that provider's secret.
References: CIS AWS Foundations Benchmark v5.0.0: none (nearest 1.13); checkov CKV_AWS_41,
CKV_AWS_46, CKV_SECRET_2; trivy AVD-AWS-0134 (nearest); KICS 0b93729a
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from ..model.entities import Declaration
from ..model.entity_tables import entity_of
from ..model.values import CLOUDFORMATION, Resource, Template
from .pages import Framework, Link, Page, guide
from .registry import Context, Issue, Result, check

KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
SECRET = re.compile(r"^[A-Za-z0-9/+]{40}$")
SECRET_NAME = re.compile(r"secret_?(?:access_?)?key$", re.IGNORECASE)
SECRET_IN_TEXT = re.compile(
    r"secret_?(?:access_?)?key[\"']?(?:\s*[=:]\s*|\s+)[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
    re.IGNORECASE,
)
CREDENTIAL_NAMES = {"secretkey", "secretaccesskey", "awssecretaccesskey"}
"""Names whose every literal value is a secret key, whatever it looks like (``secret_key`` in
a provider, ``aws_secret_access_key``): the spec flags those literals, not only 40-character
ones, as checkov does for provider blocks. Elsewhere only a real-looking secret counts."""
FOREIGN_NAMES = CREDENTIAL_NAMES - {"secretkey"}
"""In another provider's block, a bare ``secret_key`` is that provider's (okta's hCaptcha
key, OCI's RADIUS secret), not an AWS one; an access key id, an AWS-shaped secret or
``aws_secret_access_key`` there still counts."""
AWS_PROVIDERS = ("aws", "awscc")


@check("IAM012", "CRITICAL", terraform=["*"], cloudformation=["*"])
def hardcoded_credentials(resource: Resource, ctx: Context) -> Iterator[Result]:
    declaration = entity_of(resource)
    value_field = declaration.value_field if isinstance(declaration, Declaration) else None
    block_name = resource.address.rsplit(".", 1)[-1] if value_field else ""
    names = FOREIGN_NAMES if _other_provider(resource) else CREDENTIAL_NAMES
    found: dict[str, str] = {}
    for top, name, text in _strings(resource.attrs, "", ""):
        if "AKIA" in text or "ASIA" in text:  # KEY_ID's prefixes: most strings have neither
            for match in KEY_ID.finditer(text):
                if not match.group().endswith("EXAMPLE"):
                    found.setdefault(top, f"access key id {_mask(match.group())}")
        own_name = block_name if top == value_field and name == top else ""
        secret = (_secret(name, text) or _secret(block_name, text)) if len(text) >= 40 else None
        secret = secret or _credential_literal(name, text, names)
        secret = secret or _credential_literal(own_name, text, names)
        if secret and "EXAMPLE" not in secret:
            found.setdefault(top, "secret access key")
    if not found:
        return
    first = next(iter(found))
    listed = ", ".join(f"{what} in {top or 'its value'}" for top, what in found.items())
    yield Issue(
        resource,
        f"{resource.address} contains hard-coded AWS credentials ({listed})",
        resource.loc(first) if first else None,
    )


def _strings(value: Any, top: str, name: str) -> Iterator[tuple[str, str, str]]:
    """(top-level attribute, nearest key name, text) for every literal string in a value."""
    if isinstance(value, str):
        yield top, name, value
    elif isinstance(value, Template):
        for part in value.parts:
            if isinstance(part, str):
                yield top, name, part
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, top or str(key), str(key))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, top, name)


def _secret(name: str, text: str) -> str | None:
    """A secret key under a secret-like name, or after one in the text (40 characters at
    least, either way)."""
    if SECRET_NAME.search(name.replace("-", "_")) and SECRET.match(text):
        return text
    match = SECRET_IN_TEXT.search(text)
    return match.group(1) if match else None


def _other_provider(resource: Resource) -> bool:
    """A Terraform resource, data source or provider block (from HCL or a plan) of a provider
    other than AWS's. Variables, locals, outputs, module calls and tfvars belong to none."""
    if resource.framework == CLOUDFORMATION:
        return False
    if resource.kind == "provider":
        provider = resource.address.rsplit("provider.", 1)[-1].split(".")[0]
    elif "_" in resource.kind:  # a resource or data type starts with its provider's name
        provider = resource.kind.split("_", 1)[0]
    else:
        return False
    return provider not in AWS_PROVIDERS


def _credential_literal(name: str, text: str, names: set[str]) -> str | None:
    """Any plausible literal under a credential name (not empty, not a sentence)."""
    if _credential_name(name) in names and len(text) >= 8 and not any(c.isspace() for c in text):
        return text
    return None


@functools.lru_cache(maxsize=4096)
def _credential_name(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def _mask(key_id: str) -> str:
    return key_id[:4] + "*" * 12 + key_id[-4:]


PAGE = Page(
    checks=(
        "AWS access key ids (`AKIA`/`ASIA` and 16 upper-case letters or digits; ids ending in "
        "`EXAMPLE` pass) and secret keys written as literals anywhere: Terraform providers, "
        "variable defaults, locals, resource attributes such as `user_data` and `.tfvars` files;"
        " CloudFormation properties and parameter defaults. A plan's `variables` are never read "
        "(CI injects them). A `secret_key` of another provider's resource, data source or "
        "provider block (okta's hCaptcha key, OCI's RADIUS secret) is that provider's secret "
        "and passes unless it has an AWS secret's shape; an access key id there still fails."
    ),
    links=(
        guide("security-creds.html", "AWS security credentials"),
        guide("best-practices.html", "Security best practices in IAM"),
        Link(
            "AWS CloudFormation User Guide: security best practices",
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/security-best-practices.html",
        ),
        Link(
            "Terraform AWS provider: authentication and configuration",
            "https://registry.terraform.io/providers/hashicorp/aws/latest/docs",
        ),
    ),
    terraform=Framework(
        fix=(
            "Delete `access_key` and `secret_key` from the `provider` block and from defaults, "
            "locals and `user_data`: the provider reads the environment, a shared profile or "
            "SSO, and can `assume_role`. A secret that must be a variable gets `sensitive = "
            "true` and no default."
        ),
        bad=("bad_user_data",),
        good=("good_user_data",),
    ),
    cloudformation=Framework(
        fix=(
            "Pass secrets through a `{{resolve:secretsmanager:...}}` dynamic reference or a "
            "`NoEcho` parameter without default; instances get credentials from an instance "
            "profile, not from `UserData`."
        ),
        bad=("BadUserData",),
        good=("GoodUserData",),
    ),
)
