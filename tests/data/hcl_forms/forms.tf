# Every expression form the evaluator reads, for the parser differential test.
// line comment
/* block
   comment */
locals {
  a = 1 + 2 * 3 - 4 / 2 % 3
  b = !true || false && 1 < 2 == (3 >= 4) != 5 <= 6
  c = var.x ? "yes" : var.y ? "maybe" : "no"
  d = (var.x ? 1 : 2) ? 3 : 4
  e = var.m[*].name
  f = var.m.*.name[0]
  g = var.l.0.id
  h = aws_iam_role.r["k"].arn
  i = [for k, v in var.m : "${k}=${v}" if v != null]
  j = { for k, v in var.m : v => k... }
  k = concat(var.a, var.b...)
  l = merge({}, {
    in       = 1
    for_each = 2
    "quoted" = 3
    (local.k) = 4
    x : 5,
  })
  m = -1.5
  n = - 2
  o = -var.x
  p = "esc \" \\ \n \u00e9 $${literal} %%{literal} ${var.x}"
  q = "%{ if var.x }on%{ else }off%{ endif }"
  r = "%{~ for s in var.l ~}${s},%{~ endfor ~}"
  s = <<EOT
plain ${var.x}
EOT
  t = <<-EOT
    indented
      more ${upper("x")}
    EOT
  u = <<EOT
EOT
  v = provider::aws::arn_parse("arn:aws:iam::123456789012:root")
  w = var.a == var.b # trailing comment

  x = var.a
    && var.b
    || var.c
  y = (
    var.long_condition != null
    ? var.long_condition
    : "default"
  )
  z = [
    1,
    2,
  ]
  aa = {}
  ab = []
  ac = null
  ad = true
  ae = 1.5e3
  af = tomap({ "a" = 1 })["a"]
  ag = [for x in var.l : x]
  ah = { for x in var.l : x => x if x != "" }
  ai = "café — ünïcode ${var.x} ✓"
  aj = try(var.x.y, null)
  ak = var.a != var.b /* inline */
  al = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_policy" "p" {
  name   = "n"
  policy = data.aws_iam_policy_document.d.json
  dynamic "tag" {
    for_each = var.tags
    content {
      key = tag.key
    }
  }
  lifecycle {}
}

in {}
block label_one "label two" {
  nested { deep = 1 }
}
