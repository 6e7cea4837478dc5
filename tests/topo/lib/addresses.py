# SPDX-License-Identifier: ISC
"""The only addresses the topology tests may use.

Everything the tests configure lives in 198.18.0.0/15 (RFC 2544 benchmarking), one of the
documentation TEST-NETs (RFC 5737), the IPv6 documentation prefix 2001:db8::/32 (RFC 3849) or
IPv6 link-local fe80::/10. Helpers that put an address or a route into a namespace call
check_test_address() first, so that a typo can never aim traffic at a real network.
"""

import ipaddress

ALLOWED_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "198.18.0.0/15",
    "192.0.2.0/24",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "2001:db8::/32",
    "fe80::/10",
))

# Multicast groups routing protocols use on a link (RIPv2 224.0.0.9); never routed off-link.
LINK_LOCAL_MULTICAST = ipaddress.ip_network("224.0.0.0/24")


def is_test_address(value):
    """True when the address or prefix `value` ("a.b.c.d", "2001:db8::1/64"...) is allowed."""
    net = ipaddress.ip_network(value, strict=False)
    if net.version == 4 and net.subnet_of(LINK_LOCAL_MULTICAST):
        return True
    return any(net.version == allowed.version and net.subnet_of(allowed)
               for allowed in ALLOWED_NETWORKS)


def check_test_address(value):
    """Return `value` unchanged, or raise ValueError when it is outside the test ranges."""
    if not is_test_address(value):
        raise ValueError(f"{value} is outside the test address ranges "
                         f"({', '.join(str(n) for n in ALLOWED_NETWORKS)})")
    return value


def host_addresses(network, count, prefixlen=None):
    """The first `count` host addresses of `network` as "a.b.c.d/len" strings.

    `prefixlen` defaults to the network's own length; give 32 for a list of /32 addresses.
    """
    net = ipaddress.ip_network(check_test_address(network))
    plen = net.prefixlen if prefixlen is None else prefixlen
    out = []
    for host in net.hosts():
        if len(out) == count:
            break
        out.append(f"{host}/{plen}")
    if len(out) < count:
        raise ValueError(f"{network} has fewer than {count} host addresses")
    return out


def sort_key(prefix):
    """Sort "a.b.c.d/len" and "x::y/len" strings as the daemon lists them: IPv4 first, then
    numerically by address, then by length."""
    iface = ipaddress.ip_interface(prefix)
    return (iface.version, int(iface.ip), iface.network.prefixlen)
