"""Terraform built-in functions: results on known values, Terraform's errors (which ``try()``
and ``can()`` see) and unknown arguments (never an error, never a guess)."""

from __future__ import annotations

from hcl_expr import errors, evaluate

from iac_iam_checks.model.values import Template, Unknown


def is_unknown(expression: str, **variables) -> bool:
    return isinstance(evaluate(expression, **variables), Unknown)


def test_paths() -> None:
    assert evaluate('basename("a/b.json")') == "b.json"
    assert evaluate('basename("a/b/")') == "b"
    assert evaluate('basename("")') == "."
    assert evaluate('basename("///")') == "/"
    assert evaluate('dirname("a/b/c.json")') == "a/b"
    assert evaluate('dirname("c.json")') == "."
    assert evaluate('dirname("/c.json")') == "/"
    assert evaluate('dirname("a//b/")') == "a/b"


def test_string_predicates_and_pieces() -> None:
    assert evaluate('startswith("arn:aws:iam", "arn:")') is True
    assert evaluate('endswith("role/x", "/y")') is False
    assert evaluate('strcontains("s3:GetObject", "Get")') is True
    assert evaluate('substr("hello world", 1, 4)') == "ello"
    assert evaluate('substr("hello world", -5, -1)') == "world"
    assert evaluate('substr("abc", 10, 2)') == ""
    assert evaluate('title("hELLO wORLD-x_y")') == "HELLO WORLD-X_y"
    assert evaluate('trimspace("  a \\n")') == "a"
    assert evaluate('trimprefix("arn:aws:x", "arn:")') == "aws:x"
    assert evaluate('trimsuffix("name.json", ".json")') == "name"
    assert evaluate('trimsuffix("name", "")') == "name"
    assert evaluate("upper(12)") == "12"
    assert evaluate('strrev("abc")') == "cba"
    assert evaluate('indent(2, "a\\nb")') == "a\n  b"
    assert evaluate('split("", "ab")') == ["a", "b"]


def test_format_verbs() -> None:
    assert evaluate('format("%s-%d", "a", 7)') == "a-7"
    assert evaluate('format("%05.2f|%-4d|%x|%q", 3.14159, 7, 255, "a")') == '03.14|7   |ff|"a"'
    assert evaluate('format("%v %v %#v", [1, "b"], true, "s")') == '[1,"b"] true "s"'
    assert evaluate('format("%g %g %g", 1000000, 0.5, 100000)') == "1e+06 0.5 100000"
    assert evaluate('format("%[2]s %[1]s", "a", "b")') == "b a"
    assert evaluate('format("100%%")') == "100%"
    assert evaluate('formatlist("%s-%s", ["a", "b"], "z")') == ["a-z", "b-z"]
    assert evaluate('formatlist("%s", "z")') == ["z"]


def test_format_errors() -> None:
    assert evaluate('can(format("%s %s", "a"))') is False
    assert evaluate('can(format("%s", "a", "b"))') is False
    assert evaluate('can(format("%d", "x"))') is False
    assert evaluate('can(format("%s", ["a"]))') is False
    assert evaluate('can(formatlist("%s%s", ["a"], ["b", "c"]))') is False
    assert errors('format("%d", 1.5)') == ["format(): %d requires a whole number"]


def test_format_and_join_keep_the_known_parts_of_a_template() -> None:
    issuer = 'replace(var.arn, "/^(.*provider/)/", "")'
    key = evaluate(f'format("%s:sub", {issuer})')
    assert key == Template((Unknown(issuer), ":sub"))
    assert evaluate('join("-", ["a", var.y])') == Template(("a-", Unknown("var.y")))
    assert evaluate('format("%5s", var.y)') == Unknown("var.y")
    assert evaluate('formatlist("arn:aws:s3:::%s/*", [var.b])') == [
        Template(("arn:aws:s3:::", Unknown("var.b"), "/*"))
    ]
    assert is_unknown('format(var.spec, "a")')
    assert is_unknown('join(",", var.list)')


def test_sets_and_sorting() -> None:
    assert evaluate('toset(["b", "a", "b"])') == ["a", "b"]
    assert evaluate('toset(["a", 1])') == ["1", "a"]
    assert evaluate('sort(["b", "a", 10, 9])') == ["10", "9", "a", "b"]
    assert evaluate('setunion(["b"], ["a", "b"])') == ["a", "b"]
    assert evaluate('setintersection(["a", "b"], ["b", "c"], ["b"])') == ["b"]
    assert evaluate('setsubtract(["a", "b", "c"], ["a"])') == ["b", "c"]
    assert evaluate('setproduct(["a"], [1, 2])') == [["a", 1], ["a", 2]]
    assert evaluate('can(sort(["a", null]))') is False
    assert evaluate("can(toset([1, true]))") is False


def test_unknown_elements_in_sets() -> None:
    assert evaluate('toset(["a", var.x])') == ["a", Unknown("var.x")]
    assert evaluate('setunion(["a"], [var.x])') == ["a", Unknown("var.x")]
    assert is_unknown('setsubtract(["a", "b"], [var.x])')
    assert is_unknown('setintersection(["a"], var.x)')
    assert is_unknown('sort(["a", var.x])')


def test_booleans_over_lists() -> None:
    assert evaluate("alltrue([true, true])") is True
    assert evaluate("alltrue([])") is True
    assert evaluate('alltrue([true, "false"])') is False
    assert evaluate("alltrue([false, var.u])") is False
    assert is_unknown("alltrue([true, var.u])")
    assert evaluate("anytrue([var.u, true])") is True
    assert is_unknown("anytrue([var.u, false])")
    assert evaluate("anytrue([])") is False
    assert evaluate('can(alltrue(["yes"]))') is False


def test_identity_one_and_numbers() -> None:
    assert evaluate('sensitive("s")') == "s"
    assert evaluate('nonsensitive(["a"])') == ["a"]
    assert evaluate("sensitive(var.x)") == Unknown("var.x")
    assert evaluate("one([])") is None
    assert evaluate('one(["a"])') == "a"
    assert evaluate("one(null)") is None
    assert evaluate("can(one([1, 2]))") is False
    assert evaluate("one([var.x])") == Unknown("var.x")
    assert evaluate("abs(-2.5)") == 2.5
    assert evaluate("ceil(1.2)") == 2
    assert evaluate("floor(-1.2)") == -2
    assert evaluate("signum(-3)") == -1
    assert evaluate("signum(0)") == 0
    assert evaluate("pow(2, 10)") == 1024
    assert evaluate('parseint("ff", 16)') == 255
    assert evaluate('can(parseint("0x10", 16))') is False
    assert evaluate("max(1, 5, 3)") == 5
    assert evaluate("can(max())") is False
    assert evaluate('can(abs("x"))') is False


def test_list_shapes() -> None:
    assert evaluate("reverse([1, 2, 3])") == [3, 2, 1]
    assert evaluate("chunklist([1, 2, 3], 2)") == [[1, 2], [3]]
    assert evaluate("chunklist([1, 2], 0)") == [[1, 2]]
    assert evaluate("can(chunklist([1], -1))") is False
    assert evaluate('transpose({b = ["2", "3"], a = ["1", "2"]})') == {
        "1": ["a"],
        "2": ["a", "b"],
        "3": ["b"],
    }
    assert evaluate('matchkeys(["i1", "i2", "i3"], ["a", "b", "a"], ["a"])') == ["i1", "i3"]
    assert evaluate('can(matchkeys(["i1"], ["a", "b"], ["a"]))') is False
    assert is_unknown('matchkeys(["i1"], [var.k], ["a"])')
    assert evaluate('index(["a", "b"], "b")') == 1
    assert evaluate('can(index(["a"], "z"))') is False
    assert evaluate("index([1, true], true)") == 1
    assert evaluate("sum([1, 2.5])") == 3.5
    assert evaluate("can(sum([]))") is False
    assert evaluate('slice(["a", "b", "c"], 1, 3)') == ["b", "c"]
    assert evaluate('can(slice(["a"], 0, 2))') is False
    assert evaluate('contains(["a", var.x], "a")') is True
    assert is_unknown('contains(["a", var.x], "b")')
    assert evaluate('contains(["a"], "b")') is False


def test_range_follows_terraform() -> None:
    assert evaluate("range(3)") == [0, 1, 2]
    assert evaluate("range(-3)") == [0, -1, -2]
    assert evaluate("range(1, 4)") == [1, 2, 3]
    assert evaluate("range(4, 1)") == [4, 3, 2]
    assert evaluate("range(0, 1, 0.25)") == [0, 0.25, 0.5, 0.75]
    assert len(evaluate("range(1024)")) == 1024
    assert evaluate("can(range(1025))") is False  # Terraform's limit: an error, not a value
    assert evaluate("can(range(0, 5, 0))") is False
    assert evaluate("can(range(0, 5, -1))") is False
    assert is_unknown("range(var.n)")


def test_encodings_and_hashes() -> None:
    assert evaluate('base64encode("hé")') == "aMOp"
    assert evaluate('base64decode("aMOp")') == "hé"
    assert evaluate('can(base64decode("not base64!"))') is False
    assert evaluate('can(base64decode("/w=="))') is False  # not UTF-8
    assert evaluate('md5("a")') == "0cc175b9c0f1b6a831c399e269772661"
    assert evaluate('sha1("a")') == "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"
    assert evaluate('sha256("a")') == (
        "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
    )
    assert evaluate('sha512("a")').startswith("1f40fc92da241694750979ee6cf582f2d5d7d28e18335de0")
    assert evaluate('base64sha256("a")') == "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs="
    assert evaluate('base64sha512("a")').startswith("H0D8ktokFpR1CXnubPWC8tXX0o4YM13gWrxU0FYOD1M")
    assert evaluate('urlencode("a b&c")') == "a+b%26c"
    assert evaluate('uuidv5("dns", "example.com")') == "cfbff0d1-9375-5685-968c-48ce8b15ae17"
    assert is_unknown("uuid()")
    assert is_unknown("timestamp()")
    assert is_unknown("md5(var.x)")


def test_network() -> None:
    assert evaluate('cidrsubnet("10.0.0.0/16", 8, 2)') == "10.0.2.0/24"
    assert evaluate('cidrsubnet("10.1.2.3/16", 4, 15)') == "10.1.240.0/20"
    assert evaluate('cidrsubnet("fd00::/56", 8, 1)') == "fd00:0:0:1::/64"
    assert evaluate('can(cidrsubnet("10.0.0.0/30", 4, 0))') is False
    assert evaluate('can(cidrsubnet("10.0.0.0/16", 2, 4))') is False
    assert evaluate('cidrhost("10.0.0.0/24", 5)') == "10.0.0.5"
    assert evaluate('cidrhost("10.0.0.0/24", -1)') == "10.0.0.255"
    assert evaluate('can(cidrhost("10.0.0.0/30", 4))') is False
    assert evaluate('cidrnetmask("10.0.0.0/12")') == "255.240.0.0"
    assert evaluate('can(cidrnetmask("fd00::/64"))') is False
    assert evaluate('cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)') == [
        "10.1.0.0/20",
        "10.1.16.0/20",
        "10.1.32.0/24",
        "10.1.48.0/20",
    ]
    assert evaluate('can(cidrsubnets("10.0.0.0/30", 1, 1, 1))') is False
    assert evaluate('can(cidrsubnet("not a cidr", 1, 0))') is False
    assert is_unknown("cidrsubnet(var.cidr, 8, 1)")


def test_type_conversions() -> None:
    assert evaluate("tostring(12)") == "12"
    assert evaluate("tostring(true)") == "true"
    assert evaluate("tostring(null)") is None
    assert evaluate("can(tostring({}))") is False
    assert evaluate('can(tostring(["a"]))') is False
    assert evaluate('try(tostring({ a = 1 }), "fallback")') == "fallback"
    assert evaluate("tostring(var.x)") == Unknown("var.x")
    assert evaluate("can(tostring(var.x))") == Unknown("can(tostring(var.x))")
    assert evaluate('tonumber("12")') == 12
    assert evaluate('can(tonumber("twelve"))') is False
    assert evaluate('can(tonumber(" 12"))') is False
    assert evaluate("can(tonumber(true))") is False
    assert evaluate('tobool("false")') is False
    assert evaluate('can(tobool("yes"))') is False
    assert evaluate("can(tobool(1))") is False
    assert evaluate("can(tolist({ a = 1 }))") is False
    assert evaluate('can(tomap(["a"]))') is False


def test_existing_functions_raise_terraform_errors() -> None:
    assert evaluate('can(lookup({ a = 1 }, "b"))') is False
    assert evaluate('lookup({ a = 1 }, "b", 2)') == 2
    assert evaluate("can(element([], 0))") is False
    assert evaluate('can(coalesce("", null))') is False
    assert evaluate('can(jsondecode("{"))') is False
    assert evaluate('can(zipmap(["a"], [1, 2]))') is False
    assert evaluate('can(merge({}, ["a"]))') is False
    assert evaluate("can(length(1))") is False
    assert is_unknown('coalesce(var.u, "x")')
    assert is_unknown('coalescelist(var.u, ["x"])')
    assert evaluate('flatten([["a"], var.x])') == ["a", Unknown("var.x")]


def test_operators_follow_terraform() -> None:
    assert evaluate("-7 % 3") == -1
    assert evaluate("7 % -3") == 1
    assert evaluate("can(1 / 0)") is False
    assert evaluate("true == 1") is False
    assert evaluate('can("a" + 1)') is False
    assert is_unknown("var.x + 1")


def test_a_choice_between_two_names_is_never_a_wildcard() -> None:
    """``var.replica ? aws_dynamodb_table_replica.r[0].arn : aws_dynamodb_table.t.arn``:
    whichever it is, an ARN the cloud assigns."""
    replica = Unknown("aws_dynamodb_table_replica.r[0].arn", never_wildcard=True)
    table = Unknown("aws_dynamodb_table.t.arn", never_wildcard=True)
    either = evaluate("var.on ? var.a : var.b", a=replica, b=table)
    assert isinstance(either, Unknown) and either.never_wildcard
    assert not evaluate("var.on ? var.a : var.c", a=replica, c=Unknown("var.c")).never_wildcard
    assert not evaluate("var.on ? var.c : var.b", b=table, c=Unknown("var.c")).never_wildcard


def test_a_known_false_decides_and_a_known_true_decides_or() -> None:
    """On either side, as cty's And and Or: ``module.this.enabled && length(var.p) > 0`` with
    an empty ``var.p`` creates nothing, whatever the switch."""
    assert evaluate("var.on && false") is False
    assert evaluate("false && var.on") is False
    assert evaluate("var.on || true") is True
    assert evaluate('var.on && length("") > 0 ? 1 : 0') == 0
    assert is_unknown("var.on && true")
    assert is_unknown("var.on || false")


def test_null_comparison_of_a_value_known_to_be_a_string() -> None:
    """An id or ARN the cloud assigns is unknown but never null; any other unknown may be."""
    assigned = Unknown("aws_iam_instance_profile.p.arn", never_wildcard=True)
    assert evaluate("var.arn != null", arn=assigned) is True
    assert evaluate("null == var.arn", arn=assigned) is False
    assert is_unknown("var.arn != null", arn=Unknown("var.arn"))


def test_a_collection_with_unknown_elements_is_never_equal_to_a_scalar() -> None:
    assert evaluate('[var.arn, "a"] == true') is False
    assert evaluate('{a = var.arn} != "x"') is True
    assert is_unknown('[var.arn] == ["a"]')


def test_conditional_with_an_unknown_test_and_equal_branches_is_known() -> None:
    """Either way the value is the same; a branch that differs, or errs, keeps it unknown."""
    assert evaluate("var.on ? {} : {}") == {}
    assert evaluate("var.on ? merge({}, {for p in [] : p => p}) : {}") == {}
    assert evaluate('var.on ? ["a"] : ["a"]') == ["a"]
    assert is_unknown('var.on ? {a = "x"} : {}')
    assert is_unknown("var.on ? [][0] : [][0]")
    assert is_unknown("var.on ? var.x : var.x")


def test_regex_results() -> None:
    assert evaluate('regex("[a-z]+", "123abc456")') == "abc"
    assert evaluate('regex("^arn:aws:iam::(\\\\d+):role/(.*)$", "arn:aws:iam::123:role/x")') == [
        "123",
        "x",
    ]
    assert evaluate('regex("(?P<a>x)(?P<b>y)?", "x")') == {"a": "x", "b": None}
    assert evaluate('regex("(?<acct>\\\\d{12})", "arn:aws:iam::123456789012:root")') == {
        "acct": "123456789012"
    }
    assert evaluate('regexall("[a-z]+", "a1bb2")') == ["a", "bb"]
    assert evaluate('regexall("a*", "baaa")') == ["", "aaa"]  # Go's empty-match rule
    assert evaluate('regexall("x", "abc")') == []
    assert evaluate('can(regex("a$", "a\\n"))') is False  # RE2's $ is the end of the text
    assert evaluate('regex("(?i)ADMIN", "my-admin")') == "admin"


def test_regex_errors() -> None:
    assert evaluate('can(regex("x", "abc"))') is False
    assert evaluate('can(regex("(a)\\\\1", "aa"))') is False  # RE2 has no backreferences
    assert evaluate('can(regex("a(?=b)", "ab"))') is False  # nor lookaround
    assert evaluate('can(regex("a**", "a"))') is False
    assert evaluate('can(regex("(?P<n>a)(b)", "ab"))') is False
    assert evaluate('can(regex("(a", "a"))') is False
    assert evaluate('can(regexall("[", "a"))') is False


def test_regex_refuses_what_it_cannot_bound() -> None:
    assert is_unknown('regex("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")')
    assert is_unknown('regexall("(a|aa)*b", "aaaa")')
    assert is_unknown('regex("\\\\pL", "a")')
    assert is_unknown('regex("[[:alpha:]]", "a")')
    assert is_unknown('regex("a", var.long)', long="a" * 5000)
    assert is_unknown('regex("a", var.x)')
    assert evaluate('regex("(ab)?c", "abc")') == ["ab"]  # an optional group is fine


def test_replace_with_a_regex() -> None:
    arn = "arn:aws:iam::1:oidc-provider/oidc.eks/id/X"
    assert evaluate(f'replace("{arn}", "/^(.*provider/)/", "")') == "oidc.eks/id/X"
    assert evaluate('replace("a-b", "/(\\\\w)-(\\\\w)/", "$2+$${1}")') == "b+a"  # HCL: $${ is ${
    assert evaluate('replace("abc", "/b/", "$$")') == "a$c"
    assert evaluate('replace("a.b", ".", "-")') == "a-b"
    assert evaluate('replace("abc", "/x*/", "-")') == "-a-b-c-"
    assert is_unknown('replace(var.arn, "/^(.*provider/)/", "")')


def test_yamlencode_is_unknown() -> None:
    assert is_unknown("yamlencode({ a = 1 })")


def test_null_comparison_of_a_collection_with_unknown_elements_is_known() -> None:
    assert evaluate("var.m != null", m={"a": Unknown("x")}) is True
    assert evaluate("var.m == null", m=[Unknown("x")]) is False
    assert evaluate("null == null") is True
    assert isinstance(evaluate("var.u != null"), Unknown)


def test_strip_markers_remove_the_whitespace_beside_an_interpolation() -> None:
    """``${~`` and ``~}`` in a heredoc (python-hcl2 rejects them in a quoted string)."""
    assert evaluate('<<EOT\nadmin- ${~ "x" ~} -y\nEOT\n') == "admin-x-y\n"
    assert evaluate('<<EOT\na- ${"x"~}\n  -y\nEOT\n') == "a- x-y\n"
    assert evaluate('<<EOT\na-\n ${~"x"} -y\nEOT\n') == "a-x -y\n"
    assert evaluate('<<EOT\na- ${ "x" } -y\nEOT\n') == "a- x -y\n"


def test_parentheses_end_a_splat() -> None:
    """``(list[*].attr)[0]`` indexes the list the splat made; without the parentheses the index
    applies to each element."""
    objects = [{"json": ["a", "b"]}, {"json": ["c"]}]
    assert evaluate("(var.o[*].json)[0]", o=objects) == ["a", "b"]
    assert evaluate("var.o[*].json[0]", o=objects) == ["a", "c"]
    assert evaluate("(var.o[0]).json", o=objects) == ["a", "b"]
