# SPDX-License-Identifier: ISC
"""Addresses of the benchmark.

Routes are /32 host routes taken in a fixed order from three blocks of 198.18.0.0/15 (RFC 2544,
benchmarking), 114,688 in all:

    198.19.0.0/16     65,536   (plan indexes      0 ..  65,535)
    198.18.128.0/17   32,768   (plan indexes 65,536 ..  98,303)
    198.18.64.0/18    16,384   (plan indexes 98,304 .. 114,687)

so a table of N routes is the first N of the plan, and the prefixes past 100,000 are spares
(routes added during a run, for example the triggered-update probe). Links and stub networks use
198.18.0.0/20, which no route of the plan touches.
"""

import ipaddress

BLOCKS = (("198.19.0.0", 16), ("198.18.128.0", 17), ("198.18.64.0", 18))
CAPACITY = sum(1 << (32 - plen) for _, plen in BLOCKS)

# The sender-receiver link (/24): the sender is .1, the receiver .2.
LINK_NET = "198.18.9.0/24"
SENDER_ADDR = "198.18.9.1"
RECEIVER_ADDR = "198.18.9.2"
# The stub network behind routprotd when it sends: its static routes point at STUB_GW.
STUB_NET = "198.18.10.0/24"
STUB_ADDR = "198.18.10.1"
STUB_GW = "198.18.10.2"
# A second receiver link (the scale test's re-announcement to a second BIRD).
LINK2_NET = "198.18.11.0/24"
LINK2_LOCAL = "198.18.11.1"
LINK2_PEER = "198.18.11.2"
# A spare prefix that sorts before every route of the table (the table's first block starts at
# 198.18.64.0 only when N > 98,304, and this one lies far past what 100,000 routes use).
SPARE_INDEX = 110_000

_BASES = tuple((int(ipaddress.IPv4Address(net)), 1 << (32 - plen)) for net, plen in BLOCKS)


def address(index):
    """The address (int) of plan entry `index`."""
    if not 0 <= index < CAPACITY:
        raise IndexError(f"plan index {index} outside 0..{CAPACITY - 1}")
    for base, size in _BASES:
        if index < size:
            return base + index
        index -= size
    raise AssertionError("unreachable")


def addresses(n, start=0):
    """The addresses (ints) of plan entries start .. start+n-1."""
    if start + n > CAPACITY:
        raise ValueError(f"the plan holds {CAPACITY} routes, not {start + n}")
    out = []
    index = start
    for base, size in _BASES:
        if index >= size:
            index -= size
            continue
        take = min(size - index, n - len(out))
        out.extend(range(base + index, base + index + take))
        index = 0
        if len(out) == n:
            break
    return out


def dotted(value):
    return str(ipaddress.IPv4Address(value))


def prefixes(n, start=0):
    """Plan entries as "a.b.c.d/32" strings."""
    return [f"{dotted(a)}/32" for a in addresses(n, start)]


def spare_prefix(k=0):
    return f"{dotted(address(SPARE_INDEX + k))}/32"
