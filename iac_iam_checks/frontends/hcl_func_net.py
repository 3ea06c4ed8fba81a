"""Terraform's IP network functions (``cidrsubnet``, ``cidrhost``, ``cidrnetmask``,
``cidrsubnets``), with the standard library's ``ipaddress``: subnets appear in resource ARNs
and in ``aws:SourceIp`` conditions. Like Terraform, a prefix with host bits set is read as its
network (``10.1.2.3/16`` is ``10.1.0.0/16``).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from .hcl_func_base import FunctionError, as_int, as_str, signature

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _network(prefix: str) -> Network:
    try:
        return ipaddress.ip_network(prefix, strict=False)
    except ValueError as error:
        raise FunctionError(f"invalid CIDR expression: {error}") from None


def _subnet(network: Network, prefixlen: int, number: int) -> Network:
    start = int(network.network_address) + (number << (network.max_prefixlen - prefixlen))
    return type(network)((start, prefixlen))


@signature(as_str, as_int, as_int)
def cidrsubnet(prefix: str, newbits: int, netnum: int) -> str:
    network = _network(prefix)
    if newbits < 0:
        raise FunctionError("newbits must not be negative")
    prefixlen = network.prefixlen + newbits
    if prefixlen > network.max_prefixlen:
        raise FunctionError(
            f"insufficient address space to extend prefix of {network.prefixlen} by {newbits}"
        )
    if not 0 <= netnum < 2**newbits:
        raise FunctionError(
            f"prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
        )
    return str(_subnet(network, prefixlen, netnum))


@signature(as_str, as_int)
def cidrhost(prefix: str, hostnum: int) -> str:
    """A negative ``hostnum`` counts back from the last address (-1 is the last)."""
    network = _network(prefix)
    last = network.num_addresses - 1
    number = last + hostnum + 1 if hostnum < 0 else hostnum
    if not 0 <= number <= last:
        raise FunctionError(
            f"prefix of {network.prefixlen} does not accommodate a host numbered {hostnum}"
        )
    return str(network.network_address + number)


@signature(as_str)
def cidrnetmask(prefix: str) -> str:
    network = _network(prefix)
    if network.version != 4:
        raise FunctionError(f"IPv6 addresses cannot have a netmask: {prefix}")
    return str(network.netmask)


@signature(as_str, rest=as_int)
def cidrsubnets(prefix: str, *newbits: int) -> list[str]:
    """Consecutive subnets, each aligned to its own size after the previous one, as
    Terraform allocates them (``cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)`` leaves a gap before
    the last /20)."""
    network = _network(prefix)
    bits = network.max_prefixlen
    size = 2**bits
    out: list[str] = []
    if not newbits:
        return out
    first = int(network.network_address)
    current_end = first - 1  # the address before the first subnet
    for position, extension in enumerate(newbits, start=1):
        if extension < 1:
            raise FunctionError(f"argument {position}: must extend prefix by at least one bit")
        if extension > 32:
            raise FunctionError(f"argument {position}: may not extend prefix by more than 32 bits")
        prefixlen = network.prefixlen + extension
        if prefixlen > bits:
            raise FunctionError(
                f"argument {position}: would extend prefix to {prefixlen} bits, which is too "
                f"long for an IPv{network.version} address"
            )
        block = 2 ** (bits - prefixlen)
        start = (current_end % size) // block * block + block
        if start >= size or not first <= start < first + network.num_addresses:
            raise FunctionError(
                f"argument {position}: not enough remaining address space for a subnet with a "
                f"prefix of {prefixlen} bits"
            )
        subnet = type(network)((start, prefixlen))
        out.append(str(subnet))
        current_end = start + block - 1
    return out


FUNCTIONS: dict[str, Any] = {
    "cidrsubnet": cidrsubnet,
    "cidrhost": cidrhost,
    "cidrnetmask": cidrnetmask,
    "cidrsubnets": cidrsubnets,
}
