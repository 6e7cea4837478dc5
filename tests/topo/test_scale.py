# SPDX-License-Identifier: ISC
"""RIP at scale, checked for correctness (speed is tools/bench's business):

    bird    to-router 198.18.9.1/24 ── to-bird 198.18.9.2/24     router (routprotd)
            10,000 static /32s                to-bird2 198.18.11.1/24 ── to-router 198.18.11.2/24  bird2
                                                                        (RIP in, kernel FIB out)

A BIRD sender announces 10,000 host routes. routprotd must install exactly those in the kernel
(prefixes and next hops, proto rip) without a single UDP receive-buffer drop in its namespace and
without counting any RIP drop, and re-announce them to a second BIRD, whose kernel FIB must end up
with exactly the same 10,000 prefixes via routprotd. Timeouts are generous: the table normally
arrives in well under a second, but a receiver that lost packets would only catch up with the next
periodic update (30 s).
"""

import time

import pytest

from lib.addresses import host_addresses
from lib.peers import bird_config, kernel_routes, peers, rip_config, rip_state  # noqa: F401
from lib.wait import wait_for

N = 10_000
ROUTES = host_addresses("198.19.0.0/16", N, prefixlen=32)
SENDER, ROUTER = "198.18.9.1", "198.18.9.2"
ROUTER2, BIRD2 = "198.18.11.1", "198.18.11.2"
# Subnets routprotd itself advertises (its RIP interfaces' own networks).
OWN_SUBNETS = {"198.18.9.0/24", "198.18.11.0/24"}
LEARN_TIMEOUT = 120


def udp_counters(ns):
    rows = [line.split()[1:] for line in ns.run("cat", "/proc/net/snmp").stdout.splitlines()
            if line.startswith("Udp:")]
    return dict(zip(rows[0], (int(v) for v in rows[1])))


def bird_kernel_config(router_id, iface):
    """BIRD learning RIP on `iface` and writing what it learns into the kernel's main table."""
    return "\n".join([
        f"router id {router_id};",
        "log stderr { warning, error, fatal, bug };",
        "protocol device { scan time 10; }",
        "protocol kernel kernel1 { ipv4 { import none; export all; }; }",
        "protocol rip rip1 {",
        "  ipv4 { import all; export all; };",
        f'  interface "{iface}";',
        "}",
    ]) + "\n"


def next_hops(route):
    """[(gateway, dev)] of an `ip -j route` object."""
    return sorted((h.get("gateway"), h.get("dev")) for h in (route.get("nexthops") or [route]))


def wait_count(ns, proto, count, what):
    """Poll the number of `proto` /32 routes in `ns` until it reaches `count`; returns it."""
    def probe():
        n = sum(1 for p in kernel_routes(ns, proto) if p.endswith("/32"))
        return n if n >= count else None

    return wait_for(probe, LEARN_TIMEOUT, interval=0.5, what=what)


@pytest.mark.timeout(300)
def test_learn_and_reannounce_10000(topo, peers, start_daemon):  # noqa: F811
    b, r, b2 = topo.netns("bird"), topo.netns("router"), topo.netns("bird2")
    b.veth("to-router", "to-bird", peer_ns=r, up=True)
    r.veth("to-bird2", "to-router", peer_ns=b2, up=True)
    b.addr_add("to-router", f"{SENDER}/24")
    r.addr_add("to-bird", f"{ROUTER}/24")
    r.addr_add("to-bird2", f"{ROUTER2}/24")
    b2.addr_add("to-router", f"{BIRD2}/24")
    for ns, name in ((b, "to-router"), (r, "to-bird"), (r, "to-bird2"), (b2, "to-router")):
        ns.wait_carrier(name)

    bird2 = peers.bird(b2, bird_kernel_config(BIRD2, "to-router"), name="bird2")
    d = start_daemon(r, rip_config(["to-bird", "to-bird2"], router_id=ROUTER,
                                   timers=(30, 180, 120)), debug=False)
    udp_before = udp_counters(r)
    peers.bird(b, bird_config(SENDER, {"to-router": ""}, static=ROUTES, debug_rip=False),
               name="sender")

    # routprotd: exactly the 10,000 routes, each via BIRD on to-bird, in the kernel.
    wait_count(r, "rip", N, f"{N} proto rip routes in routprotd's namespace")
    time.sleep(2)     # anything extra (or a late withdrawal) would show up by now
    learned = kernel_routes(r, "rip")
    assert set(learned) == set(ROUTES), (
        f"routprotd's FIB differs: {len(set(learned) - set(ROUTES))} extra "
        f"(e.g. {sorted(set(learned) - set(ROUTES))[:5]}), "
        f"{len(set(ROUTES) - set(learned))} missing (e.g. {sorted(set(ROUTES) - set(learned))[:5]})")
    wrong = {p: next_hops(k) for p, k in learned.items() if next_hops(k) != [(SENDER, "to-bird")]}
    assert not wrong, f"{len(wrong)} routes with other next hops, e.g. {list(wrong.items())[:5]}"

    # Nothing was lost on the way in.
    udp_after = udp_counters(r)
    for counter in ("RcvbufErrors", "InErrors"):
        assert udp_after[counter] == udp_before[counter], (
            f"UDP {counter} grew by {udp_after[counter] - udp_before[counter]} in routprotd's "
            "namespace")
    state = rip_state(d)
    assert state["rx_dropped"] == 0, state
    assert not any(state["drops"].values()), state["drops"]
    assert state["routes"] >= N, state
    fib = d.status()["fib"]
    assert fib["write_errors"] == 0 and fib["rejected"] == 0, fib

    # The second BIRD: the same 10,000 prefixes, via routprotd, in its kernel FIB.
    wait_count(b2, "bird", N, f"{N} proto bird routes in the second BIRD's namespace")
    time.sleep(2)
    got = kernel_routes(b2, "bird")
    hosts = {p for p in got if p.endswith("/32")}
    assert hosts == set(ROUTES), (
        f"the second BIRD's FIB differs: {len(hosts - set(ROUTES))} extra, "
        f"{len(set(ROUTES) - hosts)} missing (e.g. {sorted(set(ROUTES) - hosts)[:5]})")
    assert set(got) - hosts <= OWN_SUBNETS, sorted(set(got) - hosts)
    wrong = {p: next_hops(got[p]) for p in hosts if next_hops(got[p]) != [(ROUTER2, "to-router")]}
    assert not wrong, f"{len(wrong)} routes with other next hops, e.g. {list(wrong.items())[:5]}"
    assert bird2.alive
