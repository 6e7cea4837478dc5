# SPDX-License-Identifier: ISC
"""routprotd between two other RIP implementations: BIRD 2 on one side, FRR's ripd on the other
(lib.peers.Chain). Routes must flow both ways through routprotd with the right metrics, reach
routprotd's kernel table as `proto rip` with the configured priority, and changes (withdrawals,
interface loss, a daemon restart) must propagate promptly.

    bird ─ 198.18.1.0/24 ─ routprotd ─ 198.18.2.0/24 ─ frr
    198.19.1.0/24 (stub)                               198.19.2.0/24 (stub)
    198.19.11.0/24 (static)                            198.19.12.0/24 (kernel)
"""

import ipaddress
import threading
import time

import pytest

from lib.peers import (Chain, chain, kernel_routes, neighbors, peers, rip_routes,  # noqa: F401
                       rip_state, wait_gone_or_poisoned, wait_kernel_route, wait_rip_route)
from lib.wait import wait_for

B_ROUTES = (Chain.B_STUB, Chain.B_STATIC)
F_ROUTES = (Chain.F_STUB, Chain.F_KERNEL)
PROPAGATION = 10.0     # seconds a change may take across routprotd (triggered updates)


def gone_or_unreachable(row):
    """A routprotd row that no longer routes: absent, or metric 16 and out of the FIB."""
    return row is None or (row["metric"] == 16 and not row["in_fib"])


def test_routes_learned_both_ways(chain):
    """Each peer's routes reach routprotd with metric 1 + cost, are installed as proto rip with
    metric 20 via the peer, and are re-advertised to the other peer, which sees them with one
    more hop; routprotd's own subnets reach both peers; nobody complains about anybody's
    packets."""
    d = chain.start_all()
    chain.converged()

    routes = rip_routes(d)
    for prefix, gw, dev in ((Chain.B_STUB, Chain.B_R, "to-bird"),
                            (Chain.B_STATIC, Chain.B_R, "to-bird"),
                            (Chain.F_STUB, Chain.F_R, "to-frr"),
                            (Chain.F_KERNEL, Chain.F_R, "to-frr")):
        row = routes[prefix]
        assert (row["source"], row["metric"], row["nexthop"], row["interface"], row["tag"],
                row["in_fib"]) == ("rip", 2, gw, dev, 0, True), row
        assert row["nexthops"] == [{"gateway": gw, "ifindex": chain.r.ifindex(dev)}], row
        assert 0 < row["expires_in"] <= 15, row
    for prefix, dev in ((Chain.NET_B, "to-bird"), (Chain.NET_F, "to-frr")):
        row = routes[prefix]
        assert (row["source"], row["metric"], row["nexthop"], row["interface"]) == \
            ("connected", 1, None, dev), row

    kernel = kernel_routes(chain.r)
    assert sorted(kernel) == sorted(B_ROUTES + F_ROUTES), kernel
    for prefix in B_ROUTES + F_ROUTES:
        k = kernel[prefix]
        gw, dev = (Chain.B_R, "to-bird") if prefix in B_ROUTES else (Chain.F_R, "to-frr")
        assert (k["gateways"], k["dev"], k["metric"], k["protocol"]) == ([gw], dev, 20, "rip"), k

    # BIRD: FRR's routes three hops out, routprotd's subnet two, all via routprotd.
    bird = chain.bird.routes()
    for prefix, metric in ((Chain.F_STUB, 3), (Chain.F_KERNEL, 3), (Chain.NET_F, 2)):
        r = bird[prefix][0]
        assert (r.proto, r.metric, r.gateways) == ("rip1", metric, [Chain.R_B]), (prefix, r)
    # FRR: the same for BIRD's routes.
    frr = chain.frr.rip_routes()
    for prefix, metric in ((Chain.B_STUB, 3), (Chain.B_STATIC, 3), (Chain.NET_B, 2)):
        r = frr[prefix]
        assert (r.code, r.metric, r.nexthop, r.source) == ("R(n)", metric, Chain.R_F,
                                                          Chain.R_F), r

    nbrs = neighbors(d)
    assert set(nbrs) == {Chain.B_R, Chain.F_R}, nbrs
    for addr, dev in ((Chain.B_R, "to-bird"), (Chain.F_R, "to-frr")):
        n = nbrs[addr]
        assert (n["interface"], n["version"], n["bad_packets"], n["bad_routes"]) == \
            (dev, 2, 0, 0), n
        assert n["last_heard"] <= 15 and n["rx_packets"] >= 1, n
    state = rip_state(d)
    drops = {k: v for k, v in state["drops"].items() if v and k != "own_packets"}
    assert drops == {}, drops
    assert chain.frr.rip_sources().get(Chain.R_F) == (0, 0), chain.frr.vtysh("show ip rip status")
    assert chain.bird.bad_packet_lines() == []


def test_withdrawal_from_bird_reaches_frr(chain):
    """BIRD withdraws its static route: routprotd drops it from the kernel and poisons it
    towards FRR by a triggered update, all well within one update interval of FRR's."""
    d = chain.start_all()
    chain.converged()
    t0 = time.monotonic()
    chain.bird.disable("static1")
    wait_rip_route(d, Chain.B_STATIC, gone_or_unreachable, timeout=PROPAGATION)
    t_router = time.monotonic() - t0
    wait_kernel_route(chain.r, Chain.B_STATIC, lambda r: r is None, timeout=2)
    wait_gone_or_poisoned(lambda: chain.frr.rip_route(Chain.B_STATIC),
                          PROPAGATION - (time.monotonic() - t0),
                          what=f"FRR to lose {Chain.B_STATIC}")
    t_frr = time.monotonic() - t0
    assert t_frr < PROPAGATION, f"routprotd after {t_router:.1f} s, FRR after {t_frr:.1f} s"
    # The rest stays.
    assert chain.frr.rip_route(Chain.B_STUB).metric == 3
    assert sorted(kernel_routes(chain.r)) == sorted([Chain.B_STUB] + list(F_ROUTES))

    chain.bird.enable("static1")
    chain.converged(timeout=PROPAGATION)


def test_withdrawal_from_frr_reaches_bird(chain):
    """FRR's kernel route goes away: ripd poisons it, routprotd drops it and poisons it towards
    BIRD, which removes it."""
    d = chain.start_all()
    chain.converged()
    t0 = time.monotonic()
    chain.f.ip("route", "del", "blackhole", Chain.F_KERNEL)
    wait_rip_route(d, Chain.F_KERNEL, gone_or_unreachable, timeout=PROPAGATION)
    t_router = time.monotonic() - t0
    wait_kernel_route(chain.r, Chain.F_KERNEL, lambda r: r is None, timeout=2)
    chain.bird.wait_route(Chain.F_KERNEL, lambda r: r is None,
                          timeout=PROPAGATION - (time.monotonic() - t0))
    t_bird = time.monotonic() - t0
    assert t_bird < PROPAGATION, f"routprotd after {t_router:.1f} s, BIRD after {t_bird:.1f} s"
    assert chain.bird.route(Chain.F_STUB).metric == 3


LOSS = {
    "admin-down": (lambda c: c.r.link_down("to-bird"), lambda c: c.r.link_up("to-bird")),
    "carrier-lost": (lambda c: c.b.link_down("to-router"), lambda c: c.b.link_up("to-router")),
    "address-removed": (lambda c: c.r.addr_del("to-bird", f"{Chain.R_B}/24"),
                        lambda c: c.r.addr_add("to-bird", f"{Chain.R_B}/24")),
}


@pytest.mark.parametrize("how", list(LOSS))
def test_interface_loss_withdraws_and_poisons(chain, how):
    """When routprotd's interface towards BIRD stops working, the routes through it leave the
    table and the kernel at once and FRR hears them poisoned (with routprotd's subnet there);
    FRR's routes stay. When it works again everything is relearned and re-advertised."""
    lose, restore = LOSS[how]
    d = chain.start_all()
    chain.converged()
    t0 = time.monotonic()
    lose(chain)
    for prefix in B_ROUTES:
        wait_rip_route(d, prefix, gone_or_unreachable, timeout=3)
    wait_kernel_route(chain.r, Chain.B_STUB, lambda r: r is None, timeout=3)
    assert sorted(kernel_routes(chain.r)) == sorted(F_ROUTES)
    net = rip_routes(d).get(Chain.NET_B)
    net_kernel = chain.r.ip("-4", "route", "show", "dev", "to-bird").stdout
    for prefix in B_ROUTES + (Chain.NET_B,):
        wait_gone_or_poisoned(lambda: chain.frr.rip_route(prefix),
                              max(0.5, PROPAGATION - (time.monotonic() - t0)),
                              what=f"FRR to lose {prefix}")
    routes = rip_routes(d)
    assert all(routes[p]["in_fib"] and routes[p]["metric"] == 2 for p in F_ROUTES), routes

    restore(chain)
    chain.wait_router_learned({Chain.B_STUB: (2, Chain.B_R), Chain.B_STATIC: (2, Chain.B_R)},
                              timeout=PROPAGATION)
    for prefix in B_ROUTES:
        chain.frr.wait_rip_route(prefix, lambda r: r is not None and r.metric == 3,
                                 timeout=PROPAGATION)
    chain.frr.wait_rip_route(Chain.NET_B, lambda r: r is not None and r.metric == 2,
                             timeout=PROPAGATION)
    for prefix in F_ROUTES:
        chain.bird.wait_route(prefix, lambda r: r is not None and r.metric == 3,
                              timeout=PROPAGATION)
    assert sorted(kernel_routes(chain.r)) == sorted(B_ROUTES + F_ROUTES)

    # While the interface was out, its own subnet was unreachable; where the kernel had dropped
    # its route too (admin down, address gone), routprotd must not have claimed it in the FIB.
    assert net is None or net["metric"] == 16, net
    if how != "carrier-lost":
        assert net is None or not net["in_fib"], (
            f"{Chain.NET_B} shown in_fib while the kernel had no route for it: {net}; "
            f"kernel routes on to-bird: {net_kernel!r}")


class KernelWatch:
    """Samples the kernel's proto rip routes of a namespace every 20 ms in a thread and
    remembers, for each prefix, the moments it was missing."""

    def __init__(self, ns, prefixes):
        self.ns = ns
        self.prefixes = list(prefixes)
        self.missing = {p: [] for p in self.prefixes}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        while not self._stop.is_set():
            present = kernel_routes(self.ns)
            now = time.monotonic()
            for p in self.prefixes:
                if p not in present:
                    self.missing[p].append(now)
            self.samples += 1
            self._stop.wait(0.02)

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.mark.timeout(60)
def test_restart_keeps_the_fib(chain):
    """SIGTERM leaves the proto rip routes in the kernel; the next start finds them, keeps them
    while they are relearned (never missing from the kernel), and removes those nobody
    announces any more after fib.stale-time (3 s)."""
    d = chain.start_all(fib={"retain-on-stop": True, "stale-time": 3})
    chain.converged()
    before = kernel_routes(chain.r)
    watch = KernelWatch(chain.r, [Chain.B_STUB] + list(F_ROUTES))
    try:
        d.stop()
        after_stop = kernel_routes(chain.r)
        assert sorted(after_stop) == sorted(before), "routes lost at the stop"
        for p, k in after_stop.items():
            assert (k["protocol"], k["metric"], k["gateways"]) == \
                ("rip", 20, before[p]["gateways"]), k
        # While routprotd is down, BIRD stops announcing its static route: nobody will
        # relearn it, so it is stale after the restart.
        chain.bird.disable("static1")
        time.sleep(1.0)
        assert Chain.B_STATIC in kernel_routes(chain.r)

        mark = d.notify.count()
        t_start = time.monotonic()
        d.start(wait_ready=False)
        d.wait_ready(after=mark)
        t_ready = time.monotonic()
        chain.wait_router_learned({Chain.B_STUB: (2, Chain.B_R), Chain.F_STUB: (2, Chain.F_R),
                                   Chain.F_KERNEL: (2, Chain.F_R)}, timeout=PROPAGATION)
        gone = wait_kernel_route(chain.r, Chain.B_STATIC, lambda r: r is None, timeout=10,
                                 what=f"stale {Chain.B_STATIC} to be removed")
        assert gone is None
        t_gone = time.monotonic()
        assert t_gone - t_ready >= 2.0, (
            f"stale route removed {t_gone - t_ready:.1f} s after READY, before stale-time")
        assert t_gone - t_start <= 3 + 4, f"stale route removed only after {t_gone - t_start:.1f} s"
        time.sleep(0.5)
    finally:
        watch.stop()
    assert watch.samples > 20
    missing = {p: len(t) for p, t in watch.missing.items() if t}
    assert missing == {}, f"routes missing from the kernel during the restart: {missing}"
    kernel = kernel_routes(chain.r)
    assert sorted(kernel) == sorted([Chain.B_STUB] + list(F_ROUTES)), kernel
    assert all(k["metric"] == 20 for k in kernel.values())
    routes = rip_routes(d)
    assert Chain.B_STATIC not in routes or gone_or_unreachable(routes[Chain.B_STATIC])
    assert all(routes[p]["in_fib"] for p in [Chain.B_STUB] + list(F_ROUTES))


def test_stop_without_retain_removes_routes(chain):
    """fib.retain-on-stop = false: a clean stop takes routprotd's routes out of the kernel."""
    d = chain.start_all(fib={"retain-on-stop": False})
    chain.converged()
    assert len(kernel_routes(chain.r)) == 4
    d.stop()
    assert kernel_routes(chain.r) == {}


@pytest.mark.timeout(60)
def test_reload(chain):
    """A reload with the same configuration changes nothing (no route leaves the kernel, FRR
    hears nothing poisoned); a reload without the interface towards BIRD withdraws and poisons
    its routes; putting it back relearns them."""
    d = chain.start_all()
    chain.converged()
    watch = KernelWatch(chain.r, B_ROUTES + F_ROUTES)
    try:
        d.ctl("reload")
        end = time.monotonic() + 1.5
        while time.monotonic() < end:
            for prefix in B_ROUTES:
                r = chain.frr.rip_route(prefix)
                assert r is not None and r.metric == 3, f"FRR saw {prefix} change: {r}"
            time.sleep(0.2)
    finally:
        watch.stop()
    missing = {p: len(t) for p, t in watch.missing.items() if t}
    assert missing == {}, f"routes missing from the kernel around the reload: {missing}"
    routes = rip_routes(d)
    assert all(routes[p]["in_fib"] and routes[p]["metric"] == 2 for p in B_ROUTES + F_ROUTES)

    full = d.conf_path.read_text()
    d.write_config(chain.router_config().replace('    { name = "to-bird"; },\n', ""))
    assert "to-bird" not in d.conf_path.read_text()
    t0 = time.monotonic()
    d.ctl("reload")
    for prefix in B_ROUTES:
        wait_rip_route(d, prefix, gone_or_unreachable, timeout=3)
    wait_kernel_route(chain.r, Chain.B_STUB, lambda r: r is None, timeout=3)
    for prefix in B_ROUTES:
        wait_gone_or_poisoned(lambda: chain.frr.rip_route(prefix),
                              max(0.5, PROPAGATION - (time.monotonic() - t0)),
                              what=f"FRR to lose {prefix}")
    assert sorted(kernel_routes(chain.r)) == sorted(F_ROUTES)

    d.write_config(full)
    d.ctl("reload")
    chain.converged(timeout=PROPAGATION)


@pytest.mark.timeout(90)
def test_many_routes_through_routprotd(chain):
    """500 routes from BIRD cross routprotd to FRR (20 packets per update each way, at most 25
    entries each): all installed in routprotd's kernel table and learned by FRR with metric 3;
    withdrawn together, they all leave both."""
    base = int(ipaddress.ip_address("198.18.64.0"))
    many = [f"{ipaddress.ip_address(base + 16 * i)}/28" for i in range(500)]
    chain.start_bird(static=many)
    chain.start_frr()
    d = chain.start_router()
    wait_for(lambda: len(kernel_routes(chain.r)) == 500 + 3, timeout=20, interval=0.2,
             what="the 500 routes (and BIRD's stub, FRR's 2) in routprotd's kernel table")

    def frr_has():
        routes = chain.frr.rip_routes()
        return sum(1 for p in many if p in routes and routes[p].metric == 3)

    wait_for(lambda: frr_has() == 500, timeout=20, interval=0.5,
             what="FRR to learn the 500 routes with metric 3")
    assert chain.frr.rip_sources().get(Chain.R_F) == (0, 0)
    assert neighbors(d)[Chain.B_R]["bad_routes"] == 0
    assert rip_state(d)["drops"]["malformed"] == 0

    t0 = time.monotonic()
    chain.bird.disable("static1")
    wait_for(lambda: len(kernel_routes(chain.r)) == 3, timeout=PROPAGATION, interval=0.2,
             what="the 500 routes to leave routprotd's kernel table")
    wait_for(lambda: frr_has() == 0, timeout=PROPAGATION, interval=0.5,
             what="FRR to lose the 500 routes")
    assert time.monotonic() - t0 < PROPAGATION
