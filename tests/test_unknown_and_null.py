"""Unknown is never absent, null is unset (issue 15): a condition whose name is unknown still
exists; an argument set to ``null`` takes the provider's default. Each test scans a small
Terraform snippet and asserts the exact findings and unresolved entries."""

from __future__ import annotations

from pathlib import Path

from iac_iam_checks.engine import ScanOptions, scan


def run(tmp_path: Path, text: str, *check_ids: str) -> tuple[list, list]:
    """(findings, unresolved) of one main.tf, as (check, resource, line) tuples."""
    (tmp_path / "main.tf").write_text(text)
    result = scan([tmp_path], ScanOptions(checks=list(check_ids), use_cache=False))
    assert result.errors == []
    findings = [(f.check_id, f.resource, f.line) for f in result.findings]
    unresolved = [(tuple(u.check_ids), u.resource, u.line, u.value) for u in result.unresolved]
    return findings, unresolved


IRSA = """variable "oidc_provider_arn" {}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${replace(var.oidc_provider_arn, "/^(.*provider/)/", "")}:sub"
      values   = ["system:serviceaccount:kube-system:controller"]
    }
  }
}

resource "aws_iam_role" "irsa" {
  name               = "irsa"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"""
PROVIDER_HOLE = 'replace(var.oidc_provider_arn, "/^(.*provider/)/", "")'


def test_web_identity_condition_with_an_unknown_key_is_unresolved(tmp_path: Path) -> None:
    assert run(tmp_path, IRSA, "IAM030") == (
        [],
        [(("IAM030",), "aws_iam_role.irsa", 4, PROVIDER_HOLE)],
    )


def test_web_identity_without_any_condition_is_still_a_finding(tmp_path: Path) -> None:
    text = IRSA.replace(IRSA[IRSA.index("    condition {") : IRSA.index("  }\n}\n\nresource")], "")
    assert run(tmp_path, text, "IAM030") == ([("IAM030", "aws_iam_role.irsa", 4)], [])


def test_web_identity_unknown_key_next_to_a_known_provider(tmp_path: Path) -> None:
    """The provider is known, the subject key is not: it may be the limit."""
    text = IRSA.replace(
        "[var.oidc_provider_arn]",
        '["arn:aws:iam::111122223333:oidc-provider/oidc.example.com"]',
    ).replace(
        'variable = "${replace',
        'variable = "${var.issuer}:aud"\n      values = ["sts"]\n    }\n'
        '    condition {\n      test = "StringEquals"\n      variable = "${replace',
    )
    text = 'variable "issuer" {}\n' + text
    findings, unresolved = run(tmp_path, text, "IAM030")
    assert findings == []
    assert sorted(entry[3] for entry in unresolved) == sorted(["var.issuer", PROVIDER_HOLE])


def test_web_identity_jsonencode_condition_with_an_unknown_key(tmp_path: Path) -> None:
    text = """variable "issuer" {}

resource "aws_iam_role" "ci" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = var.issuer }
      Condition = { StringEquals = { "${var.issuer}:sub" = "repo:org/app:ref:refs/heads/main" } }
    }]
  })
}
"""
    findings, unresolved = run(tmp_path, text, "IAM030")
    assert findings == []
    assert [(u[0], u[1], u[2]) for u in unresolved] == [(("IAM030",), "aws_iam_role.ci", 7)]


def test_condition_with_an_unknown_operator_blocks_invalid_policy_check(tmp_path: Path) -> None:
    text = """variable "test" {}

data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
    condition {
      test     = var.test
      variable = "aws:SourceVpc"
      values   = ["vpc-1"]
    }
  }
}

resource "aws_iam_policy" "p" {
  name   = "p"
  policy = data.aws_iam_policy_document.p.json
}
"""
    assert run(tmp_path, text, "IAM027") == (
        [],
        [(("IAM027",), "aws_iam_policy.p", 4, "var.test")],
    )


def test_unknown_condition_key_may_restrict_a_trust_open_to_anyone(tmp_path: Path) -> None:
    text = """variable "key" {}

data "aws_iam_policy_document" "t" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = var.key
      values   = ["o-abc123"]
    }
  }
}

resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.t.json
}
"""
    assert run(tmp_path, text, "IAM028") == (
        [],
        [(("IAM028",), "aws_iam_role.r", 4, "var.key")],
    )


def test_condition_key_that_cannot_restrict_leaves_the_trust_open(tmp_path: Path) -> None:
    """``s3:${var.k}`` can be no key of the restricting list: known to fail."""
    text = """variable "k" {}

data "aws_iam_policy_document" "t" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "s3:${var.k}"
      values   = ["true"]
    }
  }
}

resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.t.json
}
"""
    assert run(tmp_path, text, "IAM028") == ([("IAM028", "aws_iam_role.r", 4)], [])


MFA_DENY = """variable "mfa_key" {}

resource "aws_iam_user" "u" {
  name = "u"
}

data "aws_iam_policy_document" "mfa" {
  statement {
    effect        = "Deny"
    not_actions   = ["iam:*MFA*", "sts:GetSessionToken"]
    resources     = ["*"]
    condition {
      test     = "BoolIfExists"
      variable = KEY
      values   = ["false"]
    }
  }
}

resource "aws_iam_user_policy" "mfa" {
  name   = "mfa"
  user   = aws_iam_user.u.name
  policy = data.aws_iam_policy_document.mfa.json
}
"""


def test_mfa_deny_with_an_unknown_condition_key_is_unresolved(tmp_path: Path) -> None:
    text = MFA_DENY.replace("KEY", "var.mfa_key")
    assert run(tmp_path, text, "IAM003") == (
        [],
        [(("IAM003",), "aws_iam_user.u", 22, "var.mfa_key")],
    )


def test_mfa_deny_with_a_key_that_cannot_be_mfa_is_not_enforcement(tmp_path: Path) -> None:
    text = MFA_DENY.replace("KEY", '"${var.mfa_key}:sub"')
    assert run(tmp_path, text, "IAM003") == ([("IAM003", "aws_iam_user.u", 3)], [])


# --- null is unset --------------------------------------------------------------------------


def test_null_effect_and_optional_attributes_take_the_provider_defaults(tmp_path: Path) -> None:
    text = """variable "statements" {
  type = list(object({
    sid       = optional(string)
    effect    = optional(string)
    actions   = list(string)
    resources = list(string)
  }))
  default = [{ actions = ["s3:GetObject"], resources = ["*"] }]
}

data "aws_iam_policy_document" "p" {
  version                 = null
  policy_id               = null
  source_policy_documents = null
  dynamic "statement" {
    for_each = var.statements
    content {
      sid         = try(statement.value.sid, null)
      effect      = try(statement.value.effect, null)
      actions     = statement.value.actions
      not_actions = lookup(statement.value, "not_actions", null)
      resources   = statement.value.resources
    }
  }
  statement {
    sid           = null
    effect        = null
    actions       = ["s3:PutObject"]
    resources     = ["arn:aws:s3:::b/*"]
    not_resources = null
  }
}

resource "aws_iam_policy" "p" {
  name   = "p"
  policy = data.aws_iam_policy_document.p.json
}
"""
    assert run(tmp_path, text, "IAM027", "IAM025") == ([], [])


def test_null_effect_is_allow_so_the_statement_is_judged(tmp_path: Path) -> None:
    text = """data "aws_iam_policy_document" "p" {
  statement {
    effect    = null
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "p" {
  name   = "p"
  policy = data.aws_iam_policy_document.p.json
}
"""
    assert run(tmp_path, text, "IAM026") == ([("IAM026", "aws_iam_policy.p", 2)], [])


def test_null_resource_arguments_are_unset(tmp_path: Path) -> None:
    text = """resource "aws_iam_user" "u" {
  name = "u"
}

resource "aws_iam_access_key" "k" {
  user    = aws_iam_user.u.name
  status  = null
  pgp_key = null
}

resource "aws_instance" "i" {
  ami                  = "ami-1"
  iam_instance_profile = null
}

resource "aws_iam_instance_profile" "p" {
  name = "p"
  role = null
}

resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length      = 14
  require_uppercase_characters = true
  require_lowercase_characters = true
  require_numbers              = true
  require_symbols              = true
  password_reuse_prevention    = 24
  max_password_age             = 90
  hard_expiry                  = null
}

resource "aws_iam_account_password_policy" "nulls" {
  minimum_password_length   = null
  password_reuse_prevention = null
}
"""
    findings, unresolved = run(tmp_path, text, "IAM004", "IAM006", "IAM009", "IAM010", "IAM011")
    assert findings == [
        ("IAM011", "aws_iam_access_key.k", 5),
        ("IAM009", "aws_instance.i", 11),
        ("IAM010", "aws_iam_instance_profile.p", 16),
        ("IAM004", "aws_iam_account_password_policy.nulls", 32),
        ("IAM006", "aws_iam_account_password_policy.nulls", 32),
    ]
    assert unresolved == []


# --- splats and collections of documents ------------------------------------------------------

PASS_ROLE_SOURCE = """data "aws_iam_policy_document" "base" {
  count = 2
  statement {
    sid       = "Pass${count.index}"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "merged" {
  source_policy_documents = SOURCES
}

resource "aws_iam_policy" "merged" {
  name   = "merged"
  policy = data.aws_iam_policy_document.merged.json
}
"""


def test_splat_of_counted_documents_is_judged(tmp_path: Path) -> None:
    for sources in (
        "data.aws_iam_policy_document.base[*].json",
        "data.aws_iam_policy_document.base.*.json",
        "concat(data.aws_iam_policy_document.base[*].json, [])",
        "flatten([data.aws_iam_policy_document.base.*.json])",
    ):
        text = PASS_ROLE_SOURCE.replace("SOURCES", sources)
        assert run(tmp_path, text, "IAM026", "IAM027") == (
            [("IAM026", "aws_iam_policy.merged", 3)],
            [],
        ), sources


def test_splat_of_a_document_without_count_is_a_one_item_list(tmp_path: Path) -> None:
    text = PASS_ROLE_SOURCE.replace("  count = 2\n", "").replace("${count.index}", "")
    text = text.replace("SOURCES", "data.aws_iam_policy_document.base[*].json")
    assert run(tmp_path, text, "IAM026") == ([("IAM026", "aws_iam_policy.merged", 2)], [])


def test_unknown_source_document_is_unknown_not_an_empty_statement(tmp_path: Path) -> None:
    text = """variable "extra_policy" {}

data "aws_iam_policy_document" "p" {
  source_policy_documents = [var.extra_policy]
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b/*"]
  }
}

resource "aws_iam_policy" "p" {
  name   = "p"
  policy = data.aws_iam_policy_document.p.json
}
"""
    findings, unresolved = run(tmp_path, text, "IAM027", "IAM022")
    assert findings == []
    assert unresolved == [(("IAM022", "IAM027"), "aws_iam_policy.p", 3, "var.extra_policy")]


def test_dynamic_statement_with_an_unknown_for_each_is_unseen_not_empty(tmp_path: Path) -> None:
    """A ``dynamic "statement"`` whose ``for_each`` hangs on an unknown input makes zero or more
    statements nobody can see: unresolved, not a statement without Action or Resource."""
    text = """variable "key_arn" {}

data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetBucketAcl"]
    resources = ["arn:aws:s3:::b"]
  }
  dynamic "statement" {
    for_each = var.key_arn != null ? [1] : []
    content {
      actions   = ["kms:Decrypt"]
      resources = [var.key_arn]
    }
  }
}

resource "aws_iam_policy" "p" {
  name   = "p"
  policy = data.aws_iam_policy_document.p.json
}
"""
    findings, unresolved = run(tmp_path, text, "IAM027", "IAM022")
    assert findings == []
    assert unresolved == [
        (
            ("IAM022", "IAM027"),
            "aws_iam_policy.p",
            3,
            'dynamic "statement" for_each = var.key_arn != null ? [1] : []',
        )
    ]


PROFILE_TEMPLATE = """variable "profile_arn" {}

resource "aws_launch_template" "t" {
  name = "t"
PROFILE}
"""


def test_dynamic_instance_profile_with_an_unknown_for_each_is_unresolved(tmp_path: Path) -> None:
    """The block may exist: neither "no instance profile" nor a pass."""
    profile = """  dynamic "iam_instance_profile" {
    for_each = var.profile_arn != null ? [1] : []
    content {
      arn = var.profile_arn
    }
  }
"""
    text = PROFILE_TEMPLATE.replace("PROFILE", profile)
    assert run(tmp_path, text, "IAM009") == (
        [],
        [
            (
                ("IAM009",),
                "aws_launch_template.t",
                5,
                'dynamic "iam_instance_profile" for_each = var.profile_arn != null ? [1] : []',
            )
        ],
    )


def test_instance_profile_from_an_input_that_may_be_null_is_unresolved(tmp_path: Path) -> None:
    text = PROFILE_TEMPLATE.replace(
        "PROFILE", "  iam_instance_profile {\n    arn = var.profile_arn\n  }\n"
    )
    assert run(tmp_path, text, "IAM009") == (
        [],
        [(("IAM009",), "aws_launch_template.t", 5, "var.profile_arn")],
    )
    text = text.replace(
        "var.profile_arn\n  }", '"arn:aws:iam::111122223333:instance-profile/p"\n  }'
    )
    assert run(tmp_path, text, "IAM009") == ([], [])


def test_for_each_empty_whatever_an_unknown_switch_says_creates_nothing(tmp_path: Path) -> None:
    """``enabled ? local.attachments : {}`` with no attachments is ``{}`` either way: nothing
    is created, so nothing is judged "as if created"."""
    text = """variable "enabled" {}
variable "policy_arns" {
  type    = list(string)
  default = []
}

locals {
  attachments = { for arn in var.policy_arns : arn => arn }
}

resource "aws_iam_user" "u" {
  name = "system"
}

resource "aws_iam_user_policy_attachment" "p" {
  for_each   = var.enabled ? local.attachments : {}
  user       = aws_iam_user.u.name
  policy_arn = each.value
}
"""
    assert run(tmp_path, text, "IAM002", "IAM021") == ([], [])


MFA_POLICY = """resource "aws_iam_user_policy" "mfa" {
  name   = "mfa"
  user   = USER
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      NotAction = ["iam:*MFA*", "sts:GetSessionToken"]
      Resource  = "*"
      Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
    }]
  })
}
"""


def test_user_linked_through_legacy_splat_in_join_is_enforced(tmp_path: Path) -> None:
    users = (
        'variable "create" {}\n\n'
        'resource "aws_iam_user" "default" {\n  count = COUNT\n  name = "ci"\n}\n'
    )
    for count in ("1", "var.create ? 1 : 0"):
        text = users.replace("COUNT", count) + MFA_POLICY.replace(
            "USER", 'join("", aws_iam_user.default.*.name)'
        )
        assert run(tmp_path, text, "IAM003") == ([], []), count


def test_legacy_splat_then_index_picks_one_instance(tmp_path: Path) -> None:
    users = 'resource "aws_iam_user" "two" {\n  count = 2\n  name = "u${count.index}"\n}\n'
    text = users + MFA_POLICY.replace("USER", "aws_iam_user.two.*.name[1]")
    assert run(tmp_path, text, "IAM003") == ([("IAM003", "aws_iam_user.two[0]", 1)], [])


def test_policy_linked_to_an_unknown_user_makes_every_user_unresolved(tmp_path: Path) -> None:
    text = (
        'variable "who" {}\n\nresource "aws_iam_user" "alice" {\n  name = "alice"\n}\n\n'
        + MFA_POLICY.replace("USER", "var.who")
    )
    assert run(tmp_path, text, "IAM003") == (
        [],
        [(("IAM003",), "aws_iam_user.alice", 9, "var.who")],
    )


def test_non_enforcing_policy_linked_to_an_unknown_user_changes_nothing(tmp_path: Path) -> None:
    text = (
        'variable "who" {}\n\nresource "aws_iam_user" "alice" {\n  name = "alice"\n}\n\n'
        + MFA_POLICY.replace("USER", "var.who").replace('"Deny"', '"Allow"')
    )
    assert run(tmp_path, text, "IAM003") == ([("IAM003", "aws_iam_user.alice", 3)], [])


# --- IAM031 with unknown parts ----------------------------------------------------------------


def test_unknown_action_with_holes(tmp_path: Path) -> None:
    text = """variable "verb" {}

resource "aws_iam_policy" "p" {
  name = "p"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "s3:${var.verb}Object", Resource = "*" },
      { Effect = "Allow", Action = "s3:${var.verb}Zzqx", Resource = "*" },
      { Effect = "Allow", Action = "nosuch:${var.verb}", Resource = "*" },
    ]
  })
}
"""
    findings, unresolved = run(tmp_path, text, "IAM031")
    assert findings == [("IAM031", "aws_iam_policy.p", 9), ("IAM031", "aws_iam_policy.p", 10)]
    assert unresolved == [(("IAM031",), "aws_iam_policy.p", 8, "var.verb")]


def test_mfa_deny_with_whole_unknown_action_and_resource_lists(tmp_path: Path) -> None:
    """A list only the cloud knows may hold ``*``: unresolved, not a crash or a finding."""
    text = (
        'variable "list" {}\n\nresource "aws_iam_user" "alice" {\n  name = "alice"\n}\n\n'
        + MFA_POLICY.replace("USER", "aws_iam_user.alice.name")
        .replace('["iam:*MFA*", "sts:GetSessionToken"]', "var.list")
        .replace('Resource  = "*"', "Resource  = var.list")
    )
    assert run(tmp_path, text, "IAM003") == (
        [],
        [(("IAM003",), "aws_iam_user.alice", 9, "var.list")],
    )


def test_mfa_policy_from_an_unknown_source_document_is_unresolved(tmp_path: Path) -> None:
    text = """variable "doc" {}

resource "aws_iam_user" "alice" {
  name = "alice"
}

data "aws_iam_policy_document" "mfa" {
  source_policy_documents = [var.doc]
}

resource "aws_iam_user_policy" "mfa" {
  name   = "mfa"
  user   = aws_iam_user.alice.name
  policy = data.aws_iam_policy_document.mfa.json
}
"""
    assert run(tmp_path, text, "IAM003") == (
        [],
        [(("IAM003",), "aws_iam_user.alice", 13, "var.doc")],
    )


def test_unknown_password_policy_numbers_are_unresolved_only(tmp_path: Path) -> None:
    text = """variable "n" {}

resource "aws_iam_account_password_policy" "p" {
  minimum_password_length      = var.n
  require_uppercase_characters = true
  require_lowercase_characters = true
  require_numbers              = true
  require_symbols              = true
  password_reuse_prevention    = var.n
  max_password_age             = var.n
}
"""
    assert run(tmp_path, text, "IAM004", "IAM005", "IAM006", "IAM007") == (
        [],
        [(("IAM004", "IAM006", "IAM007"), "aws_iam_account_password_policy.p", 4, "var.n")],
    )


def test_null_argument_to_a_non_nullable_variable_takes_its_default(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(
        'variable "inline" {\n  type     = bool\n  default  = true\n  nullable = false\n}\n\n'
        'resource "aws_iam_role" "r" {\n  name               = "r"\n'
        '  assume_role_policy = "{}"\n}\n\n'
        'resource "aws_iam_role_policy" "p" {\n  count  = var.inline ? 1 : 0\n'
        '  role   = aws_iam_role.r.id\n  policy = "{}"\n}\n'
    )
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./mod"\n  inline = null\n}\n')
    result = scan([tmp_path], ScanOptions(checks=["IAM001"], use_cache=False))
    assert [(f.check_id, f.resource) for f in result.findings] == [
        ("IAM001", "module.m.aws_iam_role_policy.p[0]")
    ]
