# SPDX-License-Identifier: ISC
"""routprotd features seen by real RIP peers and on the wire: passive interfaces and unicast
neighbors, RIPv1 with FRR, ECMP over two peers, split horizon and poisoned reverse.

Packets are captured in the peer's namespace (lib.craft.Capture), so what is asserted is what
reached the peer, not what routprotd meant to send.
"""

import time

import pytest

from lib import craft
from lib.craft import CMD_RESPONSE, RIP_GROUP, Capture, UdpEndpoint
from lib.peers import (Chain, bird_config, chain, frr_ripd_config, kernel_routes,  # noqa: F401
                       neighbors, peers, rip_config, rip_routes, rip_state, wait_kernel_route,
                       wait_rip_route)
from lib.wait import wait_for

FAST = (1, 15, 10)      # routprotd timers where periodic updates are part of what is checked


def check_envelope(pkts, version=2, dst=RIP_GROUP):
    """Every packet: UDP 520 -> 520, the expected destination and version, TTL 1, a zero
    must-be-zero field, 1..25 entries."""
    assert pkts
    for p in pkts:
        where = f"packet {p.src}:{p.sport} -> {p.dst}:{p.dport} v{p.version} cmd {p.command}"
        assert (p.sport, p.dport) == (520, 520), where
        assert p.dst == dst, where
        assert p.version == version, where
        assert p.zero == 0, where
        assert p.ttl == 1, f"{where}: TTL {p.ttl}"
        assert 1 <= len(p.entries) <= 25, f"{where}: {len(p.entries)} entries"
        assert len(p.raw) == 4 + 20 * len(p.entries), where


def full_update_after(cap, src, since, must_have, timeout=8.0):
    """The first response from `src` captured after `since` that mentions every prefix of
    `must_have` (a periodic update: the whole table); returns it."""
    pkts = cap.wait(lambda ps: any(set(must_have) <= set(p.routes()) for p in ps), timeout,
                    what=f"a full update from {src} with {sorted(must_have)}", src=src,
                    command=CMD_RESPONSE, since=since)
    return next(p for p in pkts if set(must_have) <= set(p.routes()))


# ---------------------------------------------------------------------------------------------
# passive interfaces and unicast neighbors
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("passive", [True, False], ids=["passive", "active"])
def test_unicast_neighbor(chain, passive):
    """With `neighbors`, every update sent on the interface also goes to the neighbor by
    unicast; a passive interface sends only those (no multicast at all), still learns from the
    link, and ignores requests (counted as drops.passive)."""
    chain.b.addr_add("to-router", "198.18.1.3/24")      # a requester that is no neighbor
    cap = Capture(chain.b, "to-router")
    try:
        chain.start_bird()
        t0 = time.monotonic()
        d = chain.start_router(bird_iface={"passive": passive, "neighbors": [Chain.B_R]},
                               timers=FAST)
        chain.converged()
        # BIRD hears routprotd's routes (for a passive interface: by unicast only).
        chain.bird.wait_route(Chain.NET_F, lambda r: r is not None and r.metric == 2,
                              timeout=10)
        # Two periodic updates' worth of traffic.
        time.sleep(2 * FAST[0] + 1)
        sent = cap.rip(src=Chain.R_B, since=t0)
        unicast = [p for p in sent if p.dst == Chain.B_R]
        multicast = [p for p in sent if p.dst == RIP_GROUP]
        other = [p for p in sent if p.dst not in (Chain.B_R, RIP_GROUP)]
        assert other == [], [(p.dst, p.command) for p in other]
        responses = [p for p in unicast if p.command == CMD_RESPONSE]
        assert len(responses) >= 2, f"{len(responses)} unicast responses to the neighbor"
        check_envelope(responses, dst=Chain.B_R)
        assert Chain.NET_F in craft.latest_routes(responses)
        if passive:
            assert multicast == [], f"{len(multicast)} multicast packets from a passive interface"
        else:
            mresp = [p for p in multicast if p.command == CMD_RESPONSE]
            assert len(mresp) >= 2, "no multicast updates on an active interface"
            check_envelope(mresp)
            # The unicast copies carry what the multicast updates carry.
            assert craft.latest_routes(mresp) == craft.latest_routes(responses)

        # A whole-table request from another address of the link.
        before = rip_state(d)["drops"]["passive"]
        with UdpEndpoint(chain.b, "198.18.1.3", port=40520) as ep:
            ep.send(craft.request([craft.whole_table_entry()]), Chain.R_B)
            answers = ep.receive(timeout=1.5, until=lambda a: len(a) >= 1)
        after = rip_state(d)["drops"]["passive"]
        if passive:
            assert answers == [], "a passive interface answered a request"
            assert after == before + 1
        else:
            assert answers and answers[0][1] == CMD_RESPONSE
            assert after == before
    finally:
        cap.close()


# ---------------------------------------------------------------------------------------------
# RIPv1
# ---------------------------------------------------------------------------------------------

def test_ripv1_with_frr(chain):
    """FRR runs `version 1`, routprotd's interface towards it `version = 1`: routes flow both
    ways in RIPv1 (classful /24 networks), routprotd broadcasts version 1 packets with zero
    must-be-zero fields and sends no RIPv2 there, and FRR finds nothing wrong with them.
    RIPv1 cannot carry masks: a subnet of another network goes out as that classful network
    (never as a host route), a supernet not at all."""
    cap = Capture(chain.f, "to-router")
    try:
        chain.start_bird(static=[Chain.B_STATIC, "198.19.33.16/28", "198.18.64.0/18"])
        chain.start_frr(version=1)
        t0 = time.monotonic()
        d = chain.start_router(frr_iface={"version": 1}, timers=FAST)
        chain.converged()
        chain.frr.wait_rip_route(Chain.NET_B, lambda r: r is not None and r.metric == 2)
        kernel = kernel_routes(chain.r)
        for prefix in Chain.F_STUB, Chain.F_KERNEL:
            assert kernel[prefix]["gateways"] == [Chain.F_R] and kernel[prefix]["metric"] == 20
        assert neighbors(d)[Chain.F_R]["version"] == 1
        time.sleep(FAST[0] + 1)
        sent = cap.rip(src=Chain.R_F, since=t0)
        assert sent, "routprotd sent nothing towards FRR"
        assert [p for p in sent if p.version != 1] == [], "RIPv2 packets on a version 1 link"
        responses = [p for p in sent if p.command == CMD_RESPONSE]
        assert responses
        for p in responses:
            assert p.dst == "198.18.2.255", f"RIPv1 response sent to {p.dst}"
            assert (p.sport, p.dport) == (520, 520)
            for e in p.entries:
                assert (e.afi, e.tag, e.mask, e.nexthop) == (2, 0, "0.0.0.0", "0.0.0.0"), e
        last = craft.latest_routes(responses)
        assert last.get("198.19.1.0") == 2 and last.get("198.19.11.0") == 2, last
        assert chain.frr.rip_sources().get(Chain.R_F) == (0, 0), \
            chain.frr.vtysh("show ip rip status")
        assert rip_routes(d)[Chain.F_STUB]["metric"] == 2
        frr = chain.frr.rip_routes()
        assert frr.get("198.19.33.0/24") is not None and frr["198.19.33.0/24"].metric == 3, frr
        assert not [p for p in frr if p.startswith("198.19.33.") and p != "198.19.33.0/24"]
        assert not [p for p in frr if p.startswith("198.18.64.")], frr
        assert all(e.address != "198.18.64.0" for p in sent for e in p.entries)
    finally:
        cap.close()


# ---------------------------------------------------------------------------------------------
# ECMP
# ---------------------------------------------------------------------------------------------

ECMP_PREFIX = "198.19.50.0/24"
LAN_R, LAN_B, LAN_F = "198.18.3.1", "198.18.3.2", "198.18.3.3"


def lan(topo, bridge_on_router=False):
    """routprotd, BIRD and FRR on one Ethernet segment 198.18.3.0/24: a bridge in a namespace
    of its own with routprotd's veth `lan` as a port, or (bridge_on_router) the bridge `lan`
    itself in routprotd's namespace as its RIP interface. Returns the three namespaces."""
    r, b, f = topo.netns("router"), topo.netns("bird"), topo.netns("frr")
    if bridge_on_router:
        sw = r
        r.bridge("lan")
    else:
        sw = topo.netns("switch")
        sw.bridge("br0")
        r.veth("lan", "p-router", peer_ns=sw)
        r.link_up("lan")
        sw.bridge_port("br0", "p-router")
    bridge = "lan" if bridge_on_router else "br0"
    sw.veth("p-bird", "to-lan", peer_ns=b)
    sw.veth("p-frr", "to-lan", peer_ns=f)
    for port in ("p-bird", "p-frr"):
        sw.bridge_port(bridge, port)
    r.addr_add("lan", f"{LAN_R}/24")
    for ns, addr in ((b, LAN_B), (f, LAN_F)):
        ns.addr_add("to-lan", f"{addr}/24")
        ns.link_up("to-lan")
        ns.wait_carrier("to-lan")
    r.wait_carrier("lan")
    return r, b, f


def start_lan_peers(peers, b, f, frr_announces=True):
    """BIRD and FRR on the LAN, both announcing ECMP_PREFIX with metric 1."""
    if frr_announces:
        f.ip("route", "add", "blackhole", ECMP_PREFIX)
    bird = peers.bird(b, bird_config(LAN_B, {"to-lan": Chain.BIRD_TIMERS}, static=[ECMP_PREFIX]))
    frr = peers.frr(f, frr_ripd_config(["to-lan"], redistribute=("kernel",)),
                    interfaces=["to-lan"])
    return bird, frr


def test_ecmp_over_two_peers(topo, peers, start_daemon):
    """BIRD and FRR on one LAN with routprotd both announce 198.19.50.0/24 with metric 1: the
    kernel gets one proto rip route with both as next hops; when BIRD withdraws, only FRR's
    next hop is left; when it announces again, both are back."""
    r, b, f = lan(topo)
    bird, frr = start_lan_peers(peers, b, f)
    d = start_daemon(r, rip_config(["lan"], router_id=LAN_R, rip={"ecmp": 4}))

    both = [LAN_B, LAN_F]
    k = wait_kernel_route(r, ECMP_PREFIX, lambda k: k is not None and k["gateways"] == both,
                          timeout=10, what="a multipath route via BIRD and FRR")
    assert k["metric"] == 20 and k["protocol"] == "rip"
    assert all(h["dev"] == "lan" for h in k["nexthops"]), k
    row = wait_rip_route(d, ECMP_PREFIX, lambda r: r is not None and len(r["nexthops"]) == 2,
                         timeout=5)
    ifindex = r.ifindex("lan")
    assert row["metric"] == 2 and row["in_fib"] and row["source"] == "rip", row
    assert sorted(row["nexthops"], key=lambda h: h["gateway"]) == [
        {"gateway": gw, "ifindex": ifindex} for gw in both], row

    t0 = time.monotonic()
    bird.disable("static1")
    k = wait_kernel_route(r, ECMP_PREFIX, lambda k: k is not None and k["gateways"] == [LAN_F],
                          timeout=10, what="the route via FRR alone")
    assert time.monotonic() - t0 < 10
    assert k["metric"] == 20
    row = wait_rip_route(d, ECMP_PREFIX, lambda r: r is not None and len(r["nexthops"]) == 1,
                         timeout=5)
    assert row["nexthops"] == [{"gateway": LAN_F, "ifindex": ifindex}], row
    assert row["metric"] == 2 and row["in_fib"], row

    bird.enable("static1")
    wait_kernel_route(r, ECMP_PREFIX, lambda k: k is not None and k["gateways"] == both,
                      timeout=10, what="both next hops again")
    assert frr.alive and bird.alive


def test_ecmp_limit_one(topo, peers, start_daemon):
    """With ecmp = 1 the same two announcements give a single next hop."""
    r, b, f = lan(topo)
    start_lan_peers(peers, b, f)
    d = start_daemon(r, rip_config(["lan"], router_id=LAN_R, rip={"ecmp": 1}))
    heard = wait_for(lambda: len(neighbors(d)) == 2 and neighbors(d), timeout=10,
                     what="both peers heard")
    assert set(heard) == {LAN_B, LAN_F}
    wait_kernel_route(r, ECMP_PREFIX, timeout=10)
    time.sleep(1.0)
    k = kernel_routes(r)[ECMP_PREFIX]
    assert len(k["gateways"]) == 1, k
    assert len(rip_routes(d)[ECMP_PREFIX]["nexthops"]) == 1


def test_rip_on_a_bridge_interface(topo, peers, start_daemon):
    """A bridge is an interface like any other: RIP runs on it and learns from the peers on its
    ports."""
    r, b, f = lan(topo, bridge_on_router=True)
    start_lan_peers(peers, b, f, frr_announces=False)
    d = start_daemon(r, rip_config(["lan"], router_id=LAN_R))
    row = d.wait_interface("lan", lambda row: row["active"], timeout=3,
                           what="the bridge running RIP")
    assert row["mode"] == "periodic"
    wait_kernel_route(r, ECMP_PREFIX, lambda k: k is not None and k["gateways"] == [LAN_B],
                      timeout=10)


# ---------------------------------------------------------------------------------------------
# split horizon
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["poisoned-reverse", "simple", "off"])
def test_split_horizon_on_the_wire(chain, mode):
    """What routprotd tells BIRD in a periodic update: routes learned from BIRD with metric 16
    (poisoned reverse, the default), left out (simple), or with their metric and BIRD itself as
    the next hop (off: the gateway is on the outgoing subnet). FRR's routes always with metric
    2 and next hop 0.0.0.0, routprotd's other subnet with metric 1."""
    cap = Capture(chain.b, "to-router")
    try:
        chain.start_bird()
        chain.start_frr()
        iface = {} if mode == "poisoned-reverse" else {"split-horizon": mode}
        chain.start_router(bird_iface=iface, timers=FAST)
        chain.converged()
        since = time.monotonic()
        p = full_update_after(cap, Chain.R_B, since, [Chain.F_STUB, Chain.F_KERNEL, Chain.NET_F])
        check_envelope(cap.rip(src=Chain.R_B))
        got = {e.prefix: e for e in p.entries}
        for prefix in Chain.F_STUB, Chain.F_KERNEL:
            assert (got[prefix].metric, got[prefix].nexthop) == (2, "0.0.0.0"), got[prefix]
        assert got[Chain.NET_F].metric == 1
        learned_from_bird = (Chain.B_STUB, Chain.B_STATIC)
        if mode == "poisoned-reverse":
            for prefix in learned_from_bird:
                assert prefix in got and got[prefix].metric == 16, (prefix, got.get(prefix))
        elif mode == "simple":
            for prefix in learned_from_bird:
                assert prefix not in got, got[prefix]
            # ...in any packet sent after convergence
            later = cap.rip(src=Chain.R_B, since=since)
            assert not any(pr in pkt.routes() for pkt in later for pr in learned_from_bird)
        else:
            for prefix in learned_from_bird:
                assert (got[prefix].metric, got[prefix].nexthop) == (2, Chain.B_R), got[prefix]
        # BIRD keeps preferring its own routes.
        assert chain.bird.route(Chain.B_STATIC).proto == "static1"
        assert chain.bird.route(Chain.B_STUB).proto == "direct1"
    finally:
        cap.close()


# ---------------------------------------------------------------------------------------------
# what routprotd sends by itself
# ---------------------------------------------------------------------------------------------

def is_whole_table_request(p):
    return p.command == craft.CMD_REQUEST and len(p.entries) == 1 and \
        (p.entries[0].afi, p.entries[0].metric) == (0, 16)


def test_start_activation_and_periodic_updates(chain):
    """At start, and again when the interface becomes active after being down, routprotd sends
    a whole-table request and a full update at once; in between, full updates come every
    update-interval (1 s here), randomised a little but never synchronised to a fixed beat."""
    cap = Capture(chain.b, "to-router")
    try:
        t0 = time.monotonic()
        chain.start_router(timers=(1, 15, 10))
        first = cap.wait(lambda ps: any(is_whole_table_request(p) for p in ps) and
                         any(Chain.NET_F in p.routes() for p in ps if p.command == 2),
                         timeout=1.5, what="a request and a full update at start",
                         src=Chain.R_B, since=t0)
        check_envelope(first)
        time.sleep(4.5)
        periodic = [p.time for p in cap.rip(src=Chain.R_B, command=CMD_RESPONSE, since=t0)
                    if Chain.NET_F in p.routes()]
        gaps = [b - a for a, b in zip(periodic[1:], periodic[2:])]
        assert len(gaps) >= 3, f"periodic updates at {[round(t - t0, 2) for t in periodic]}"
        assert all(0.5 <= g <= 1.5 for g in gaps), gaps
        assert abs(sum(gaps) / len(gaps) - 1) <= 0.3, gaps
        assert len({round(g, 2) for g in gaps}) > 1, f"updates on a fixed beat: {gaps}"

        chain.r.link_down("to-bird")
        chain.r.link_up("to-bird")
        d = chain.d
        d.wait_interface("to-bird", lambda r: r["active"], timeout=5, what="to-bird active")
        t1 = time.monotonic()
        again = cap.wait(lambda ps: any(is_whole_table_request(p) for p in ps) and
                         any(Chain.NET_F in p.routes() for p in ps if p.command == 2),
                         timeout=1.5, what="a request and a full update on activation",
                         src=Chain.R_B, since=t1 - 0.5)
        check_envelope(again)
    finally:
        cap.close()


def test_ripv1_compatible_with_frr(chain):
    """version = "1-compatible": RIPv2 packets sent to the subnet's broadcast address, which
    FRR (receiving versions 1 and 2) learns from."""
    cap = Capture(chain.f, "to-router")
    try:
        chain.start_bird()
        chain.start_frr()
        t0 = time.monotonic()
        chain.start_router(frr_iface={"version": "1-compatible"})
        chain.converged()
        sent = cap.rip(src=Chain.R_F, command=CMD_RESPONSE, since=t0)
        check_envelope(sent, version=2, dst="198.18.2.255")
        assert chain.frr.rip_sources().get(Chain.R_F) == (0, 0)
    finally:
        cap.close()


# ---------------------------------------------------------------------------------------------
# discard routes redistributed
# ---------------------------------------------------------------------------------------------

DISCARD = {"198.18.64.0/20": "blackhole", "198.19.60.0/24": "unreachable",
           "198.19.61.0/24": "prohibit"}


def test_discard_routes_redistributed(topo, peers, start_daemon):
    """Kernel routes of proto static of the types blackhole, unreachable and prohibit (the
    usual summary or discard routes) are redistributed with `redistribute = ["static"]`: BIRD
    and FRR learn them with routprotd as the next hop, and lose them when they are deleted."""
    r, b, f = lan(topo)
    for prefix, kind in DISCARD.items():
        r.ip("route", "add", kind, prefix, "proto", "static")
    bird = peers.bird(b, bird_config(LAN_B, {"to-lan": Chain.BIRD_TIMERS}))
    frr = peers.frr(f, frr_ripd_config(["to-lan"], redistribute=()), interfaces=["to-lan"])
    d = start_daemon(r, rip_config(["lan"], router_id=LAN_R, redistribute=["static"]))
    for prefix in DISCARD:
        row = wait_rip_route(d, prefix, timeout=5)
        assert (row["source"], row["metric"]) == ("redistributed", 1), row
        got = bird.wait_route(prefix, lambda x: x is not None and x.proto == "rip1",
                              timeout=15, what=f"BIRD learns {prefix}")
        assert got.gateways == [LAN_R] and got.metric == 2, got
        got = frr.wait_rip_route(prefix, timeout=15, what=f"FRR learns {prefix}")
        assert (got.nexthop, got.metric) == (LAN_R, 2), got
    assert set(kernel_routes(r)) == set(), "routprotd installed what it redistributes"
    r.ip("route", "del", "blackhole", "198.18.64.0/20", "proto", "static")
    bird.wait_route("198.18.64.0/20", lambda x: x is None or x.proto != "rip1", timeout=20,
                    what="BIRD loses 198.18.64.0/20")
    assert bird.route("198.19.60.0/24") is not None
    assert bird.alive and frr.alive


def test_redistributed_routes_carry_the_configured_tag(topo, peers, start_daemon):
    """RFC 2453 4.2: redistributed routes carry `redistribute-tag`, or the tag given to their
    source in the list form of `redistribute`; BIRD and FRR show the tags they received (and
    the subnets of RIP interfaces keep tag 0)."""
    r, b, f = lan(topo)
    r.ip("route", "add", "blackhole", "198.19.62.0/24", "proto", "static")
    r.ip("route", "add", "blackhole", "198.19.63.0/24")          # proto boot: "kernel"
    frr = peers.frr(f, frr_ripd_config(["to-lan"], redistribute=()), interfaces=["to-lan"])
    bird = peers.bird(b, bird_config(LAN_B, {"to-lan": Chain.BIRD_TIMERS}))
    start_daemon(r, rip_config(["lan"], router_id=LAN_R,
                               redistribute=["kernel", {"source": "static", "tag": 7}],
                               rip={"redistribute-tag": 9}))
    for prefix, tag in (("198.19.62.0/24", 7), ("198.19.63.0/24", 9)):
        bird.wait_route(prefix, lambda x: x is not None and x.proto == "rip1", timeout=15)
        shown = bird.birdc("show", "route", "all", prefix)
        assert f"RIP.tag: {tag:04x}" in shown, shown
    got = frr.wait_rip_route("198.19.62.0/24", timeout=15)
    assert (got.nexthop, got.tag) == (LAN_R, 7), got
    got = frr.wait_rip_route("198.19.63.0/24", timeout=15)
    assert (got.nexthop, got.tag) == (LAN_R, 9), got
    assert frr.rip_route("198.18.3.0/24") is None or frr.rip_route("198.18.3.0/24").tag == 0
