#!/bin/sh
# Regenerate the real plans: `terraform show -json` of each configuration folder here.
# Needs terraform and the hashicorp/aws provider (from the registry, or a filesystem mirror
# named by TF_CLI_CONFIG_FILE); no AWS account: credentials are fake and never checked.
# Usage: tests/plans/real/generate.sh [NAME...]   (default: every folder)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$here"
names=${*:-$(ls -d */ | tr -d /)}
for name in $names; do
  (
    cd "$here/$name"
    export TF_DATA_DIR="$work/$name" AWS_ACCESS_KEY_ID=AKIAFAKEFAKEFAKE0000 AWS_SECRET_ACCESS_KEY=fake
    terraform init -input=false -no-color -lockfile=readonly >/dev/null 2>&1 ||
      terraform init -input=false -no-color >/dev/null
    terraform plan -input=false -no-color -out="$work/$name.out" >/dev/null
    terraform show -json "$work/$name.out" | python3 -m json.tool --indent 2 >"$here/$name.json"
    rm -f .terraform.lock.hcl
  )
  echo "wrote $name.json"
done
