# SPDX-License-Identifier: ISC
"""The RIP table's rules (RFC 2453 3.8, 3.9.2) driven with hand-made responses: timeout and
garbage collection, which announcement wins, interface cost, redistribution of other routes,
large tables split into packets of at most 25 entries and written to the kernel in bulk.

Topology and probe: lib.craft.ProbeLab (routprotd eth0 198.18.5.1 faces neighbors 198.18.5.2
and 198.18.5.3; eth1 198.18.7.1 faces 198.18.7.2; lan0 is a stub).
"""

import ipaddress
import time

import pytest

from lib import craft
from lib.craft import CMD_RESPONSE, Capture, ProbeLab, UdpEndpoint, entry, request, response
from lib.peers import (kernel_routes, neighbors, rip_config, rip_routes, wait_kernel_route,
                       wait_rip_route)
from lib.wait import wait_for


def make_lab(topo, start_daemon, eth0=None, timers=None, **kw):
    iface = {"name": "eth0"}
    iface.update(eth0 or {})
    kw.setdefault("router_id", ProbeLab.R0)
    return ProbeLab(topo, start_daemon,
                    lambda lab: rip_config([iface, "eth1", "lan0"], timers=timers, **kw))


@pytest.fixture
def closing():
    labs = []
    yield labs.append
    for lab in labs:
        lab.close()


def whole_table(lab, src=None, port=40100, iface_addr=None):
    """{prefix: Entry} of routprotd's answer to a whole-table request from the probe's eth0
    (or from `iface_addr` on eth1), and the answer packets."""
    addr = iface_addr or src or lab.P0
    dst = lab.R1 if iface_addr == lab.P1 else lab.R0
    with UdpEndpoint(lab.p, addr, port) as ep:
        ep.send(request([craft.whole_table_entry()]), dst)
        answers = ep.receive(timeout=2.0, until=lambda a: len(a) >= 1)
        if answers:
            answers += ep.receive(timeout=0.5)
    got = {}
    for _, _, _, entries in answers:
        for e in entries:
            got[e.prefix] = e
    return got, answers


# ---------------------------------------------------------------------------------------------
# timers
# ---------------------------------------------------------------------------------------------

@pytest.mark.timeout(60)
def test_timeout_then_garbage_collection(topo, start_daemon, closing):
    """A route nobody refreshes times out after `timeout` (3 s): metric 16, out of the kernel,
    advertised as unreachable during `garbage` (2 s), then deleted. A refreshed route stays."""
    lab = make_lab(topo, start_daemon, timers=(1, 3, 2))
    closing(lab)
    cap = Capture(lab.r, "lan0p")
    closing(cap)
    d = lab.d
    lab.send(response([entry("198.19.70.0/24"), entry("198.19.71.0/24")]), src=lab.P0B)
    t0 = time.monotonic()
    row = wait_rip_route(d, "198.19.70.0/24", timeout=3)
    assert row["in_fib"] and row["metric"] == 2 and 0 < row["expires_in"] <= 3, row

    def refresh():
        lab.send(response([entry("198.19.71.0/24")]), src=lab.P0B)

    t_dead = t_gone = None
    while time.monotonic() - t0 < 9:
        refresh()
        row = rip_routes(d).get("198.19.70.0/24")
        now = time.monotonic() - t0
        if t_dead is None and row is not None and row["metric"] == 16:
            t_dead = now
            assert not row["in_fib"], row
            assert "garbage_in" in row and 0 <= row["garbage_in"] <= 2, row
            wait_kernel_route(lab.r, "198.19.70.0/24", lambda k: k is None, timeout=1)
        if row is None:
            t_gone = now
            break
        time.sleep(0.1)
    assert t_dead is not None, "the route never timed out"
    assert 2.5 <= t_dead <= 4.5, f"timed out after {t_dead:.1f} s (timeout 3 s)"
    assert t_gone is not None, "the route was never garbage-collected"
    assert 1.5 <= t_gone - t_dead <= 3.5, f"deleted {t_gone - t_dead:.1f} s after the timeout"
    # Advertised with 16 while in garbage collection.
    during = cap.rip(src=lab.LAN, command=CMD_RESPONSE, since=t0 + t_dead)
    assert any(p.routes().get("198.19.70.0/24") == 16 for p in during), \
        [p.routes() for p in during]
    # The refreshed route never aged.
    row = rip_routes(d)["198.19.71.0/24"]
    assert row["metric"] == 2 and row["in_fib"], row


def test_better_route_during_garbage_collection(topo, start_daemon, closing):
    """A route in garbage collection (poisoned by its gateway) is replaced by the next valid
    announcement, from any neighbor."""
    lab = make_lab(topo, start_daemon, timers=(5, 15, 10))
    closing(lab)
    d = lab.d
    p = "198.19.72.0/24"
    lab.send(response([entry(p, metric=1)]), src=lab.P0B)
    wait_rip_route(d, p, lambda r: r is not None and r["metric"] == 2)
    lab.send(response([entry(p, metric=16)]), src=lab.P0B)
    row = wait_rip_route(d, p, lambda r: r is None or r["metric"] == 16, timeout=3)
    assert row is None or not row["in_fib"]
    wait_kernel_route(lab.r, p, lambda k: k is None, timeout=2)
    lab.send(response([entry(p, metric=7)]), src=lab.P0)
    row = wait_rip_route(d, p, lambda r: r is not None and r["metric"] == 8, timeout=3)
    assert row["nexthop"] == lab.P0 and row["in_fib"], row
    k = wait_kernel_route(lab.r, p, timeout=2)
    assert k["gateways"] == [lab.P0]


# ---------------------------------------------------------------------------------------------
# which announcement wins
# ---------------------------------------------------------------------------------------------

def test_route_selection(topo, start_daemon, closing):
    """RFC 2453 3.9.2: a worse metric from another gateway is ignored; any metric from the
    current gateway is taken; a better metric from another gateway takes over; an equal metric
    from another gateway adds a next hop (ECMP); 16 from a gateway removes it."""
    lab = make_lab(topo, start_daemon)
    closing(lab)
    d = lab.d
    p = "198.19.73.0/24"

    def state():
        row = rip_routes(d).get(p)
        if row is None:
            return None
        return row["metric"], sorted(h["gateway"] for h in row["nexthops"]), row["in_fib"]

    def expect(metric, gateways, what):
        wait_for(lambda: state() == (metric, sorted(gateways), metric < 16), timeout=3,
                 what=f"{what}: {p} metric {metric} via {gateways} (now {state()})")
        if metric < 16:
            k = wait_kernel_route(lab.r, p, lambda k: k is not None and
                                  k["gateways"] == sorted(gateways), timeout=2)
            assert k["metric"] == 20

    lab.send(response([entry(p, metric=1)]), src=lab.P0B)
    expect(2, [lab.P0B], "first announcement")
    lab.send(response([entry(p, metric=5)]), src=lab.P0)
    lab.send(response([entry("198.19.199.0/24")]), src=lab.P0)      # a marker after it
    wait_rip_route(d, "198.19.199.0/24", timeout=3)
    assert state() == (2, [lab.P0B], True), f"a worse route from another gateway won: {state()}"
    lab.send(response([entry(p, metric=5)]), src=lab.P0B)
    expect(6, [lab.P0B], "worse metric from the current gateway")
    lab.send(response([entry(p, metric=2)]), src=lab.P0)
    expect(3, [lab.P0], "better metric from another gateway")
    lab.send(response([entry(p, metric=2)]), src=lab.P0B)
    expect(3, [lab.P0, lab.P0B], "equal metric from another gateway")
    lab.send(response([entry(p, metric=16)]), src=lab.P0)
    expect(3, [lab.P0B], "one gateway withdraws")
    lab.send(response([entry(p, metric=16)]), src=lab.P0B)
    wait_for(lambda: state() is None or state()[0] == 16, timeout=3, what="the route withdrawn")
    wait_kernel_route(lab.r, p, lambda k: k is None, timeout=2)


def test_interface_cost(topo, start_daemon, closing):
    """cost = 3 on eth0: received metrics grow by 3 (capped at 16: not installed), and eth0's
    own subnet is advertised elsewhere with metric 3."""
    lab = make_lab(topo, start_daemon, eth0={"cost": 3})
    closing(lab)
    d = lab.d
    lab.send(response([entry("198.19.74.0/24", metric=1), entry("198.19.75.0/24", metric=13),
                       entry("198.19.76.0/24", metric=12)]))
    row = wait_rip_route(d, "198.19.76.0/24", timeout=3)
    assert row["metric"] == 15 and row["in_fib"], row
    assert rip_routes(d)["198.19.74.0/24"]["metric"] == 4
    row = rip_routes(d).get("198.19.75.0/24")
    assert row is None or (row["metric"] == 16 and not row["in_fib"]), row
    assert "198.19.75.0/24" not in kernel_routes(lab.r)
    assert rip_routes(d)["198.18.5.0/24"]["metric"] == 3
    got, _ = whole_table(lab, iface_addr=lab.P1)
    assert got["198.18.5.0/24"].metric == 3, got
    assert got["198.19.74.0/24"].metric == 4, got


# ---------------------------------------------------------------------------------------------
# redistribution
# ---------------------------------------------------------------------------------------------

def add_other_routes(lab):
    """A non-RIP link ext0 198.18.9.1/24 with carrier, and kernel routes through it of proto
    static, boot and 99."""
    lab.r.stub("ext0")
    lab.r.addr_add("ext0", "198.18.9.1/24")
    lab.r.route_add("198.19.80.0/24", "via", "198.18.9.2", "proto", "static")
    lab.r.route_add("198.19.81.0/24", "via", "198.18.9.2", "proto", "boot")
    lab.r.route_add("198.19.82.0/24", "via", "198.18.9.2", "proto", "99")


@pytest.mark.parametrize("redistribute", [["connected", "static", "kernel"], ["static"], []],
                         ids=["all", "static", "none"])
def test_redistribution(topo, start_daemon, closing, redistribute):
    """`redistribute` adds connected subnets of other interfaces, kernel routes of proto static,
    and of proto kernel/boot, each with redistribute-metric; never other protocols' routes. The
    subnets of RIP interfaces are advertised in every case. A redistributed route that goes
    away is withdrawn."""
    lab = make_lab(topo, start_daemon, redistribute=redistribute, rip={"redistribute-metric": 3})
    closing(lab)
    d = lab.d
    add_other_routes(lab)
    wanted = {"198.18.9.0/24": "connected" in redistribute,
              "198.19.80.0/24": "static" in redistribute,
              "198.19.81.0/24": "kernel" in redistribute,
              "198.19.82.0/24": False}
    for prefix, present in wanted.items():
        if present:
            row = wait_rip_route(d, prefix, timeout=3)
            assert (row["source"], row["metric"]) == ("redistributed", 3), row
    time.sleep(0.5)
    routes = rip_routes(d)
    got, _ = whole_table(lab)
    for prefix, present in wanted.items():
        assert (prefix in routes) == present, (prefix, routes.get(prefix))
        assert (prefix in got) == present, (prefix, got.get(prefix))
        if present:
            assert got[prefix].metric == 3, got[prefix]
    for prefix in ("198.18.6.0/24", "198.18.7.0/24"):        # RIP interfaces: always
        assert got[prefix].metric == 1
    # routprotd does not install what it redistributes (the kernel has it already).
    assert set(kernel_routes(lab.r)) == set()
    if "static" in redistribute:
        cap = Capture(lab.p, "eth0")
        closing(cap)
        lab.r.ip("route", "del", "198.19.80.0/24", "proto", "static")
        wait_rip_route(d, "198.19.80.0/24", lambda r: r is None or r["metric"] == 16,
                       timeout=3)
        cap.wait(lambda ps: any(p.routes().get("198.19.80.0/24") == 16 for p in ps),
                 timeout=7, what="198.19.80.0/24 poisoned on eth0", src=lab.R0)


def test_redistributed_connected_follows_the_link(topo, start_daemon, closing):
    """A redistributed connected subnet goes when its link loses carrier and comes back with
    it."""
    lab = make_lab(topo, start_daemon, redistribute=["connected"])
    closing(lab)
    d = lab.d
    lab.r.stub("ext0")
    lab.r.addr_add("ext0", "198.18.9.1/24")
    wait_rip_route(d, "198.18.9.0/24", timeout=3)
    lab.r.link_down("ext0p")
    wait_rip_route(d, "198.18.9.0/24", lambda r: r is None or r["metric"] == 16, timeout=5)
    lab.r.link_up("ext0p")
    wait_rip_route(d, "198.18.9.0/24", lambda r: r is not None and r["metric"] == 1, timeout=5)


# ---------------------------------------------------------------------------------------------
# route limits
# ---------------------------------------------------------------------------------------------

def _announce(lab, src, prefixes, metric=1):
    """Responses of 25 entries from `src` on eth0 announcing `prefixes`."""
    for i in range(0, len(prefixes), 25):
        lab.send(response([entry(p, metric=metric) for p in prefixes[i:i + 25]]), src=src)


def _learned_from(d, gateway):
    return sorted(p for p, r in rip_routes(d).items()
                  if r["source"] == "rip" and r["metric"] < 16 and r["nexthop"] == gateway)


def test_route_limits(topo, start_daemon, closing):
    """max-routes-per-neighbor = 100 and max-routes = 150 on eth0: a neighbor announcing 300
    routes gets 100 into the table and the kernel, the other 200 are refused and counted (on the
    interface and the neighbor) and logged a few times only; the routes taken stay and are
    refreshed; a second neighbor fills the interface up to 150; a withdrawn route makes room."""
    lab = make_lab(topo, start_daemon, eth0={"max-routes-per-neighbor": 100,
                                             "max-routes": 150})
    closing(lab)
    d = lab.d
    flood = [f"198.19.{i // 64}.{(i % 64) * 4}/30" for i in range(300)]
    _announce(lab, lab.P0, flood)
    wait_for(lambda: d.interface("eth0")["rip"]["stats"]["rx_over_limit_routes"] >= 200,
             timeout=10, what="200 routes refused")
    taken = _learned_from(d, lab.P0)
    assert len(taken) == 100, len(taken)
    wait_for(lambda: len([p for p in kernel_routes(lab.r) if p in taken]) == 100, timeout=10,
             what="the 100 routes in the kernel")
    row = d.interface("eth0")["rip"]
    assert row["stats"]["rx_over_limit_routes"] == 200, row["stats"]
    assert (row["learned_routes"], row["max_routes"], row["max_routes_per_neighbor"]) == \
        (100, 150, 100), row
    nb = neighbors(d)[lab.P0]
    assert (nb["routes"], nb["over_limit_routes"]) == (100, 200), nb
    lines = d.log().count("max-routes-per-neighbor reached")
    assert 1 <= lines <= 10, lines

    # a refresh of what was taken is no new route: nothing more is refused
    _announce(lab, lab.P0, taken, metric=2)
    wait_rip_route(d, taken[-1], lambda r: r is not None and r["metric"] == 3, timeout=5)
    assert d.interface("eth0")["rip"]["stats"]["rx_over_limit_routes"] == 200

    # another neighbor: up to the interface's 150
    other = [f"198.19.{100 + i // 64}.{(i % 64) * 4}/30" for i in range(80)]
    _announce(lab, lab.P0B, other)
    wait_for(lambda: d.interface("eth0")["rip"]["stats"]["rx_over_limit_routes"] >= 230,
             timeout=10, what="30 routes of the second neighbor refused")
    assert len(_learned_from(d, lab.P0B)) == 50
    assert d.interface("eth0")["rip"]["learned_routes"] == 150
    assert "max-routes reached" in d.log()

    # a withdrawal makes room for one more
    lab.send(response([entry(taken[0], metric=16)]), src=lab.P0)
    lab.send(response([entry(other[-1])]), src=lab.P0B)
    wait_rip_route(d, other[-1], timeout=5)
    assert d.alive


# ---------------------------------------------------------------------------------------------
# a large table
# ---------------------------------------------------------------------------------------------

@pytest.mark.timeout(60)
def test_thousand_routes(topo, start_daemon, closing):
    """1000 routes in 40 packets are all learned and installed within seconds; a whole-table
    request gets them back in packets of at most 25 entries; withdrawn all at once, they all
    leave the kernel."""
    lab = make_lab(topo, start_daemon)
    closing(lab)
    d = lab.d
    base = int(ipaddress.ip_address("198.18.128.0"))
    prefixes = [f"{ipaddress.ip_address(base + (i << 4))}/28" for i in range(1000)]
    frames = [lab.frame(response([entry(p, metric=2) for p in prefixes[i:i + 25]]),
                      src=lab.P0B) for i in range(0, 1000, 25)]
    t0 = time.monotonic()
    lab.inj["eth0"].send_many(frames)
    wait_for(lambda: len(kernel_routes(lab.r)) == 1000, timeout=15, interval=0.2,
             what="1000 routes in the kernel")
    t_in = time.monotonic() - t0
    routes = rip_routes(d)
    assert all(routes[p]["metric"] == 3 and routes[p]["in_fib"] for p in prefixes)

    got, answers = whole_table(lab, iface_addr=lab.P1)
    assert all(1 <= len(a[3]) <= 25 for a in answers), [len(a[3]) for a in answers]
    assert len(answers) >= 40
    missing = [p for p in prefixes if p not in got]
    assert missing == [], f"{len(missing)} routes missing from the answer, e.g. {missing[:3]}"
    assert all(got[p].metric == 3 for p in prefixes)

    frames = [lab.frame(response([entry(p, metric=16) for p in prefixes[i:i + 25]]),
                        src=lab.P0B) for i in range(0, 1000, 25)]
    t1 = time.monotonic()
    lab.inj["eth0"].send_many(frames)
    wait_for(lambda: len(kernel_routes(lab.r)) == 0, timeout=15, interval=0.2,
             what="the 1000 routes to leave the kernel")
    t_out = time.monotonic() - t1
    assert t_in < 10 and t_out < 10, f"installed in {t_in:.1f} s, removed in {t_out:.1f} s"


def test_interface_deleted(topo, start_daemon, closing):
    """Deleting a RIP link withdraws the routes learned through it (gone from the table's FIB
    state and poisoned on the other interfaces); the others stay."""
    lab = make_lab(topo, start_daemon)
    closing(lab)
    d = lab.d
    cap = Capture(lab.r, "lan0p")
    closing(cap)
    lab.send(response([entry("198.19.90.0/24")]), iface="eth1")
    lab.send(response([entry("198.19.91.0/24")]))
    wait_rip_route(d, "198.19.90.0/24", timeout=3)
    wait_rip_route(d, "198.19.91.0/24", timeout=3)
    lab.inj["eth1"].close()
    t0 = time.monotonic()
    lab.r.link_del("eth1")
    row = wait_rip_route(d, "198.19.90.0/24", lambda r: r is None or r["metric"] == 16,
                         timeout=3)
    assert row is None or not row["in_fib"], row
    assert "198.19.90.0/24" not in kernel_routes(lab.r)
    cap.wait(lambda ps: any(p.routes().get("198.19.90.0/24") == 16 for p in ps), timeout=7,
             what="198.19.90.0/24 poisoned on lan0", src=lab.LAN, since=t0)
    row = rip_routes(d)["198.19.91.0/24"]
    assert row["in_fib"] and row["metric"] == 2, row
    net = rip_routes(d).get("198.18.7.0/24")
    assert net is None or (net["metric"] == 16 and not net["in_fib"]), net


def test_own_subnets_announced_by_a_neighbor(topo, start_daemon, closing):
    """A neighbor announcing routprotd's own connected subnets never displaces them: they stay
    connected with metric 1 and no proto rip route appears for them in the kernel."""
    lab = make_lab(topo, start_daemon)
    closing(lab)
    d = lab.d
    own = ["198.18.5.0/24", "198.18.6.0/24", "198.18.7.0/24"]
    lab.send(response([entry(p, metric=1) for p in own] + [entry("198.19.92.0/24")]))
    wait_rip_route(d, "198.19.92.0/24", timeout=3)
    routes = rip_routes(d)
    for p in own:
        assert (routes[p]["source"], routes[p]["metric"]) == ("connected", 1), routes[p]
    assert set(kernel_routes(lab.r)) == {"198.19.92.0/24"}


def test_unicast_response_and_secondary_subnet(topo, start_daemon, closing):
    """Responses sent to routprotd's address (unicast neighbors) are accepted like multicast
    ones, and so are those from a neighbor on a secondary subnet of the interface."""
    lab = make_lab(topo, start_daemon)
    closing(lab)
    d = lab.d
    lab.r.addr_add("eth0", "198.18.15.1/24")
    lab.p.addr_add("eth0", "198.18.15.2/24")
    d.wait_interface("eth0", lambda r: "198.18.15.1/24" in r["addresses"], timeout=3)
    lab.send(response([entry("198.19.93.0/24")]), unicast=True)
    lab.send(response([entry("198.19.94.0/24")]), src="198.18.15.2")
    row = wait_rip_route(d, "198.19.93.0/24", timeout=3)
    assert row["nexthop"] == lab.P0 and row["in_fib"], row
    row = wait_rip_route(d, "198.19.94.0/24", timeout=3)
    assert row["nexthop"] == "198.18.15.2" and row["in_fib"], row
    assert kernel_routes(lab.r)["198.19.94.0/24"]["gateways"] == ["198.18.15.2"]


@pytest.mark.timeout(60)
def test_restart_after_kill(topo, start_daemon, closing):
    """After SIGKILL (no clean stop: the control socket file is left behind) the daemon starts
    again, keeps the proto rip routes it finds while they are relearned, and removes after
    fib.stale-time (3 s) the one nobody announces any more."""
    lab = make_lab(topo, start_daemon, fib={"stale-time": 3})
    closing(lab)
    d = lab.d
    keep, stale = "198.19.95.0/24", "198.19.96.0/24"
    lab.send(response([entry(keep), entry(stale)]), src=lab.P0B)
    wait_rip_route(d, stale, timeout=3)
    wait_kernel_route(lab.r, stale, timeout=2)
    d.proc.kill()
    assert d.socket.exists()
    assert set(kernel_routes(lab.r)) == {keep, stale}
    mark = d.notify.count()
    d.start(wait_ready=False)
    d.wait_ready(after=mark)
    t_ready = time.monotonic()
    assert set(kernel_routes(lab.r)) == {keep, stale}, "routes lost at the restart"
    # The neighbor keeps announcing one of them; the other goes after stale-time.
    t_stale = None
    while time.monotonic() - t_ready < 8.0:
        lab.send(response([entry(keep)]), src=lab.P0B)
        kernel = kernel_routes(lab.r)
        assert keep in kernel, "a relearned route left the kernel"
        if stale not in kernel:
            t_stale = time.monotonic() - t_ready
            break
        time.sleep(0.2)
    assert t_stale is not None, f"stale {stale} still in the kernel 8 s after the restart"
    assert 2.0 <= t_stale <= 6.0, f"stale route removed {t_stale:.1f} s after READY"
    row = wait_rip_route(d, keep, lambda r: r is not None and r["in_fib"], timeout=2)
    assert row["metric"] == 2
    assert set(kernel_routes(lab.r)) == {keep}


# ---------------------------------------------------------------------------------------------
# the kernel table
# ---------------------------------------------------------------------------------------------

def test_fib_table_and_metric(topo, start_daemon, closing):
    """fib.table and fib.metric decide where learned routes go."""
    lab = make_lab(topo, start_daemon, fib={"table": 100, "metric": 30})
    closing(lab)
    d = lab.d
    lab.send(response([entry("198.19.98.0/24")]))
    wait_rip_route(d, "198.19.98.0/24", lambda r: r is not None and r["in_fib"], timeout=3)
    k = kernel_routes(lab.r, table=100)["198.19.98.0/24"]
    assert (k["metric"], k["gateways"]) == (30, [lab.P0]), k
    assert kernel_routes(lab.r) == {}, "a route in the main table"
    lab.send(response([entry("198.19.98.0/24", metric=16)]))
    wait_for(lambda: "198.19.98.0/24" not in kernel_routes(lab.r, table=100), timeout=3,
             what="the route withdrawn from table 100")


@pytest.mark.parametrize("metric", [20, 10], ids=["same-priority", "other-priority"])
def test_routes_of_other_protocols_untouched(topo, start_daemon, closing, metric):
    """An administrator's static route for a prefix RIP also learns is never replaced nor
    deleted by routprotd, even with routprotd's own priority (20); with another priority both
    routes live side by side."""
    lab = make_lab(topo, start_daemon)
    closing(lab)
    d = lab.d
    p = "198.19.97.0/24"
    lab.r.route_add(p, "via", lab.P0B, "proto", "static", "metric", str(metric))

    def static():
        return kernel_routes(lab.r, proto="static").get(p)

    lab.send(response([entry(p), entry("198.19.199.0/24")]))
    wait_rip_route(d, "198.19.199.0/24", timeout=3)
    wait_rip_route(d, p, timeout=3)
    time.sleep(0.5)
    s = static()
    assert s is not None and (s["metric"], s["gateways"]) == (metric, [lab.P0B]), \
        f"the static route was replaced: {s}; rip: {kernel_routes(lab.r).get(p)}"
    if metric != 20:
        k = wait_kernel_route(lab.r, p, timeout=2)
        assert (k["metric"], k["gateways"]) == (20, [lab.P0]), k
    lab.send(response([entry(p, metric=16)]))
    wait_rip_route(d, p, lambda r: r is None or r["metric"] == 16, timeout=3)
    time.sleep(0.5)
    s = static()
    assert s is not None and s["metric"] == metric, "the static route was deleted"
    assert p not in kernel_routes(lab.r)
    assert d.alive


def test_route_deleted_by_someone_else_is_written_back(topo, start_daemon, closing):
    """`ip route del` of one of routprotd's routes: the daemon writes it back at once and says
    so in its log; `show routes` keeps telling the truth meanwhile."""
    lab = make_lab(topo, start_daemon)
    closing(lab)
    d = lab.d
    p = "198.19.99.0/24"
    lab.send(response([entry(p)]))
    wait_kernel_route(lab.r, p, timeout=3)
    lab.r.ip("route", "del", p, "proto", "rip", "metric", "20")
    k = wait_kernel_route(lab.r, p, timeout=3, what=f"{p} written back")
    assert (k["gateways"], k["metric"]) == ([lab.P0], 20), k
    d.wait_log(f"{p} was deleted from the kernel by someone else", timeout=3)
    assert rip_routes(d)[p]["in_fib"] is True


def test_route_refused_for_a_static_one_comes_when_it_goes(topo, start_daemon, closing):
    """A static route at routprotd's table and priority keeps its place (the kernel refuses
    ours); when the administrator deletes it, routprotd's route takes the free place."""
    lab = make_lab(topo, start_daemon)
    closing(lab)
    d = lab.d
    p = "198.19.96.0/24"
    lab.r.route_add(p, "via", lab.P0B, "proto", "static", "metric", "20")
    lab.send(response([entry(p)]))
    wait_rip_route(d, p, timeout=3)
    d.wait_log(f"{p}: the kernel has another protocol's route", timeout=3)
    assert rip_routes(d)[p]["in_fib"] is False
    assert p not in kernel_routes(lab.r)

    lab.r.ip("route", "del", p, "proto", "static", "metric", "20")
    k = wait_kernel_route(lab.r, p, timeout=3, what=f"{p} installed once the place is free")
    assert (k["gateways"], k["metric"]) == ([lab.P0], 20), k
    wait_rip_route(d, p, lambda r: r is not None and r["in_fib"], timeout=3)


def test_route_replaced_by_someone_else_is_left_alone(topo, start_daemon, closing):
    """`ip route replace` of one of routprotd's routes with a static route at the same
    priority: routprotd leaves the static route alone, says so (log, `show routes`, the
    route_table counter) and writes its own route again once the static one is deleted."""
    lab = make_lab(topo, start_daemon)
    closing(lab)
    d = lab.d
    p = "198.19.95.0/24"
    lab.send(response([entry(p)]))
    wait_kernel_route(lab.r, p, timeout=3)
    lab.r.ip("route", "replace", p, "via", lab.P0B, "proto", "static", "metric", "20")
    d.wait_log(f"{p}: replaced in the kernel by a route of protocol 4", timeout=3)
    wait_rip_route(d, p, lambda r: r is not None and not r["in_fib"], timeout=3)
    assert d.data("show status")["route_table"]["replaced_by_others"] == 1
    lab.send(response([entry(p)]))
    time.sleep(0.5)
    s = kernel_routes(lab.r, proto="static").get(p)
    assert s is not None and s["gateways"] == [lab.P0B], s
    assert p not in kernel_routes(lab.r)

    lab.r.ip("route", "del", p, "proto", "static", "metric", "20")
    k = wait_kernel_route(lab.r, p, timeout=3, what=f"{p} written back")
    assert (k["gateways"], k["metric"]) == ([lab.P0], 20), k
    wait_rip_route(d, p, lambda r: r is not None and r["in_fib"], timeout=3)


def test_show_one_route(topo, start_daemon, closing):
    """`show routes PREFIX` gives that route (or nothing); `show routes ADDRESS` the longest
    reachable route containing the address, as the kernel would choose among RIP's routes."""
    lab = make_lab(topo, start_daemon)
    closing(lab)
    d = lab.d
    lab.send(response([entry("198.19.50.0/24"), entry("198.19.50.128/25")]))
    wait_rip_route(d, "198.19.50.128/25", timeout=3)

    def one(arg):
        rows = d.ctl("show routes", arg)
        assert len(rows) <= 1, rows
        return rows[0]["prefix"] if rows else None

    assert one("198.19.50.0/24") == "198.19.50.0/24"
    assert d.ctl("show routes", "198.19.50.0/24")[0]["in_fib"] is True
    assert one("198.19.50.200") == "198.19.50.128/25"
    assert one("198.19.50.5") == "198.19.50.0/24"
    assert one("198.18.5.77") == "198.18.5.0/24"          # the interface's own subnet
    assert one("198.19.50.0/23") is None
    assert one("198.19.51.1") is None
    plain = d.ctl_result("show routes", "198.19.50.200", json_output=False)
    assert plain.rc == 0 and "198.19.50.128/25" in plain.stdout, plain

    bad = d.ctl_result("show routes", "198.19.50.1/24")
    assert bad.rc == 1 and "not an IPv4 prefix" in bad.stderr, bad
    two = d.ctl_result("show routes", "198.19.50.0/24", "x")
    assert two.rc == 2, two

    # withdrawn (metric 16): the address falls back to the covering route
    lab.send(response([entry("198.19.50.128/25", metric=16)]))
    wait_rip_route(d, "198.19.50.128/25", lambda r: r is None or r["metric"] == 16, timeout=3)
    assert one("198.19.50.200") == "198.19.50.0/24"
    assert one("198.19.50.128/25") in ("198.19.50.128/25", None)
