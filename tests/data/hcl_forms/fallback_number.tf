# tree-sitter-hcl 1.2 reads 1e3 (no decimal point) as an error: parsed by python-hcl2.
locals {
  n = 1e3
}
