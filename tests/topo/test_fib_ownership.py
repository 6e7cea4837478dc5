# SPDX-License-Identifier: ISC
"""Whose kernel route it is: routprotd decides from the kernel's route (protocol, table,
priority), never from an error code alone. A create that meets a route of ours (EEXIST) replaces
it; a removal that finds the route already flushed (ESRCH) is no write error.

Topology: BIRD (to-router 198.18.1.2/24) --- (to-bird 198.18.1.1/24) routprotd. BIRD exports
200 static routes into RIP through a next hop on the link (198.18.1.3, later 198.18.1.4), which
it announces in the RIPv2 next-hop field, so that routprotd's kernel routes point there.
"""

import ipaddress
import time

import pytest

from lib.peers import bird_config, kernel_routes, peers, rip_config, rip_routes  # noqa: F401
from lib.wait import wait_for

R_B, B_R = "198.18.1.1", "198.18.1.2"
GW1, GW2 = "198.18.1.3", "198.18.1.4"
BIRD_TIMERS = "update time 2; timeout time 15; garbage time 6;"
N_ROUTES = 200
PREFIXES = [str(s) for s in
            list(ipaddress.ip_network("198.19.0.0/16").subnets(new_prefix=24))[:N_ROUTES]]


def bird_conf(gateway):
    """BIRD announcing PREFIXES through `gateway`."""
    static = "".join(f"  route {p} via {gateway};\n" for p in PREFIXES)
    conf = bird_config(B_R, {"to-router": BIRD_TIMERS}, static=[])
    empty = "protocol static static1 {\n  ipv4;\n}\n"
    assert empty in conf
    return conf.replace(empty, "protocol static static1 {\n  ipv4;\n" + static + "}\n")


def wait_all_via(r, d, gateway, timeout):
    """Every prefix in the kernel via `gateway` and in_fib in routprotd's table."""
    def probe():
        k = kernel_routes(r)
        rows = rip_routes(d)
        return all(p in k and k[p]["gateways"] == [gateway] and p in rows and rows[p]["in_fib"]
                   for p in PREFIXES)

    try:
        wait_for(probe, timeout, interval=0.2, what=f"all {N_ROUTES} routes via {gateway}")
    except Exception as exc:
        k, rows = kernel_routes(r), rip_routes(d)
        stuck = [p for p in PREFIXES if p not in k or k[p]["gateways"] != [gateway]]
        out = [p for p in PREFIXES if p not in rows or not rows[p]["in_fib"]]
        raise AssertionError(f"{exc}\n{len(stuck)} kernel routes not via {gateway} "
                             f"(first: {stuck[:3]}), {len(out)} rows not in_fib; "
                             f"status: {d.data('show status')['route_table']}") from None


def bird_and_router(topo, peers, start_daemon):
    """BIRD announcing PREFIXES via GW1 and routprotd with all of them in the kernel."""
    r = topo.netns("router")
    b = topo.netns("bird")
    r.veth("to-bird", "to-router", peer_ns=b, up=True)
    r.addr_add("to-bird", f"{R_B}/24")
    b.addr_add("to-router", f"{B_R}/24")
    r.wait_carrier("to-bird")
    b.wait_carrier("to-router")
    bird = peers.bird(b, bird_conf(GW1))
    d = start_daemon(r, rip_config(["to-bird"], router_id=R_B))
    wait_all_via(r, d, GW1, 20)
    return r, b, bird, d


@pytest.mark.timeout(150)
def test_carrier_flaps_then_next_hop_moves(topo, peers, start_daemon):
    """The far end of the link goes down for 20 ms, again and again. Each time RIP withdraws
    the 200 routes and learns them again, sometimes within one pass of the event loop, so that
    the install meets the route of ours still in the kernel (EEXIST). That route is ours (proto
    rip, our table and priority): it is replaced, never taken for another protocol's, so nothing
    is refused, and when BIRD then moves the routes to another next hop the kernel follows."""
    r, b, bird, d = bird_and_router(topo, peers, start_daemon)

    def refused():
        return d.data("show status")["route_table"]["refused"]

    for i in range(15):
        b.ip("link", "set", "to-router", "down")
        time.sleep(0.02)
        b.ip("link", "set", "to-router", "up")
        wait_for(lambda: all(p in rip_routes(d) for p in PREFIXES), 20,
                 what="the routes learned again after a flap")
        time.sleep(0.3 + 0.1 * (i % 4))
        if refused():
            break       # a route was refused: see whether the kernel still follows

    bird.reconfigure(bird_conf(GW2))
    wait_all_via(r, d, GW2, 20)
    st = d.data("show status")
    print(f"flaps: {i + 1}; fib: {st['fib']}; route_table: {st['route_table']}")
    assert st["route_table"]["refused"] == 0, st["route_table"]
    assert st["fib"]["write_errors"] == 0, st["fib"]
    assert st["fib"]["existing_foreign_left"] == 0, st["fib"]
    assert "another protocol" not in d.log()


def test_removals_of_flushed_routes_are_not_write_errors(topo, peers, start_daemon):
    """The link set down: the kernel flushes the 200 routes through it without a word, RIP
    withdraws them and their removals find nothing (ESRCH). That is what was wanted: counted as
    fib.removals_already_gone, not as write errors, and nothing is refused."""
    r, b, bird, d = bird_and_router(topo, peers, start_daemon)
    r.link_down("to-bird")
    wait_for(lambda: not any(p in kernel_routes(r) for p in PREFIXES), 10,
             what="the kernel to flush the routes")
    wait_for(lambda: d.data("show status")["fib"].get("removals_already_gone", 0)
             >= N_ROUTES, 10, what="the removals to be answered")
    st = d.data("show status")
    assert st["fib"]["removals_already_gone"] == N_ROUTES, st["fib"]
    assert st["fib"]["write_errors"] == 0, st["fib"]
    assert st["route_table"]["refused"] == 0, st["route_table"]
