# SPDX-License-Identifier: ISC
"""RIP requests (RFC 2453 3.9.1) and what routprotd advertises, against a probe namespace.

The probe (lib.craft.ProbeLab) first plays a neighbor 198.18.5.3 that announces a few routes on
routprotd's eth0, then asks routprotd from 198.18.5.2 with ordinary UDP sockets, from port 520
(another router) or from a high port (a monitoring tool): the answer must come back to that
address and port, by unicast.
"""

import time

import pytest

from lib import craft
from lib.craft import CMD_RESPONSE, Capture, ProbeLab, UdpEndpoint, entry, request, response
from lib.peers import rip_config, rip_routes, rip_state, wait_rip_route

LEARNED = {"198.19.40.0/24": (3, 7), "198.19.41.0/24": (1, 0)}   # prefix: (metric sent, tag)


def config(lab, split_horizon=None, rip=None):
    eth0 = {"name": "eth0"}
    if split_horizon:
        eth0["split-horizon"] = split_horizon
    return rip_config([eth0, {"name": "eth1", "version": 1}, "lan0"], timers=None,
                      router_id=lab.R0, rip=rip)


def make_lab(topo, start_daemon, **kw):
    lab = ProbeLab(topo, start_daemon, lambda lab: config(lab, **kw))
    lab.send(response([entry(p, metric=m, tag=t) for p, (m, t) in LEARNED.items()]),
             src=lab.P0B)
    for p, (m, t) in LEARNED.items():
        wait_rip_route(lab.d, p, lambda r, m=m: r is not None and r["metric"] == m + 1,
                       timeout=5)
    return lab


@pytest.fixture
def lab(topo, start_daemon):
    lab = make_lab(topo, start_daemon)
    yield lab
    lab.close()


def answers_to(ep, payload, dst, timeout=2.0, settle=0.3):
    """Send `payload` from endpoint `ep` to `dst`:520 and collect the responses that come back
    (until none arrives for `settle` s after the first)."""
    ep.send(payload, dst)
    got = ep.receive(timeout=timeout, until=lambda a: len(a) >= 1)
    if got:
        got += ep.receive(timeout=settle)
    return got


def merged(answers):
    """{prefix: Entry} over the answers' entries."""
    out = {}
    for _, _, _, entries in answers:
        for e in entries:
            out[e.prefix] = e
    return out


@pytest.mark.parametrize("port,dst", [(520, "unicast"), (40000, "unicast"), (520, "multicast"),
                                      (40001, "multicast")])
def test_whole_table_request(lab, port, dst):
    """One entry, AFI 0, metric 16: the whole table comes back to the requester's address and
    port from port 520, with split horizon applied (routes learned on eth0 poisoned, the others
    with their metric), tags kept."""
    before = rip_state(lab.d)["queries"]
    requests_before = lab.d.interface("eth0")["rip"]["stats"]["rx_requests"]
    with UdpEndpoint(lab.p, lab.P0, port) as ep:
        target = lab.R0 if dst == "unicast" else craft.RIP_GROUP
        answers = answers_to(ep, request([craft.whole_table_entry()]), target)
    assert answers, "no answer to a whole-table request"
    for source, command, version, entries in answers:
        assert source == (lab.R0, 520), source
        assert (command, version) == (CMD_RESPONSE, 2)
        assert 1 <= len(entries) <= 25
    got = merged(answers)
    assert got["198.18.6.0/24"].metric == 1, got          # lan0, connected
    assert got["198.18.7.0/24"].metric == 1, got          # eth1, connected
    for p, (_, tag) in LEARNED.items():
        assert got[p].metric == 16, f"{p} learned on eth0 answered with {got[p]}"
        assert got[p].tag == tag, got[p]
    assert rip_state(lab.d)["queries"] == before + 1
    assert lab.d.interface("eth0")["rip"]["stats"]["rx_requests"] == requests_before + 1


@pytest.mark.parametrize("port", [520, 40002])
def test_specific_request(lab, port):
    """Entries asked for one by one are answered in order with the metric of the table (no split
    horizon), 16 for an unknown prefix, to the requester's address and port."""
    ask = [entry("198.19.40.0/24", metric=16), entry("198.18.6.0/24", metric=16),
           entry("198.19.99.0/24", metric=16), entry("198.19.41.0/24", metric=16)]
    with UdpEndpoint(lab.p, lab.P0, port) as ep:
        answers = answers_to(ep, request(ask), lab.R0)
    assert len(answers) == 1, answers
    source, command, version, entries = answers[0]
    assert source == (lab.R0, 520)
    assert (command, version) == (CMD_RESPONSE, 2)
    assert [(e.prefix, e.metric) for e in entries] == [
        ("198.19.40.0/24", 4), ("198.18.6.0/24", 1), ("198.19.99.0/24", 16),
        ("198.19.41.0/24", 2)]


def test_specific_answer_counted_as_sent(lab):
    """An answer to a request for specific entries counts in the interface's tx_packets."""
    stats = lab.d.interface("eth0")["rip"]["stats"]
    with UdpEndpoint(lab.p, lab.P0, 40004) as ep:
        answers = answers_to(ep, request([entry("198.19.40.0/24", metric=16)]), lab.R0)
    assert len(answers) == 1, answers
    after = lab.d.interface("eth0")["rip"]["stats"]
    # other packets (triggered or periodic updates) may have gone out meanwhile, but never
    # more than a few: at least the answer is counted
    assert after["tx_packets"] - stats["tx_packets"] >= 1, (stats, after)
    assert after["tx_errors"] == stats["tx_errors"]


def test_back_to_back_requests_all_counted(topo, start_daemon):
    """50 whole-table requests back to back from one address and port, with pacing slow enough
    that answers queue up: each request is answered by an answer of its own, merged into an
    answer to the same requester that has not started (requests_merged), or refused
    (requests_unanswered); none goes uncounted, and queries counts the answered ones."""
    lab = make_lab(topo, start_daemon, rip={"send-rate": 10, "send-burst": 1})
    try:
        d = lab.d
        stats = d.interface("eth0")["rip"]["stats"]
        queries = rip_state(d)["queries"]
        with UdpEndpoint(lab.p, lab.P0, 40005) as ep:
            for _ in range(50):
                ep.send(request([craft.whole_table_entry()]), lab.R0)
            answers = ep.receive(timeout=3.0)
        after = d.interface("eth0")["rip"]["stats"]
        grown = {k: after[k] - stats[k] for k in ("rx_requests", "requests_merged",
                                                   "requests_unanswered")}
        assert grown["rx_requests"] == 50, grown
        # the table fits one packet: one packet per answer
        assert len(answers) + grown["requests_merged"] + grown["requests_unanswered"] == 50, \
            (len(answers), grown)
        assert grown["requests_merged"] >= 1, grown
        assert rip_state(d)["queries"] - queries == 50 - grown["requests_unanswered"]
    finally:
        lab.close()


def test_empty_request_is_ignored(lab):
    """A request without entries gets no answer; the daemon goes on answering others."""
    with UdpEndpoint(lab.p, lab.P0, 40003) as ep:
        assert answers_to(ep, craft.header(craft.CMD_REQUEST), lab.R0, timeout=1.0) == []
        assert answers_to(ep, request([craft.whole_table_entry()]), lab.R0)


def test_ripv1_whole_table_request(lab):
    """A version 1 whole-table request on the RIPv1 interface is answered in RIPv1: zero
    mask, next hop and tag."""
    with UdpEndpoint(lab.p, lab.P1, 520) as ep:
        answers = answers_to(ep, request([craft.whole_table_entry()], version=1), lab.R1)
    assert answers
    for source, command, version, entries in answers:
        assert source == (lab.R1, 520)
        assert (command, version) == (CMD_RESPONSE, 1)
        for e in entries:
            assert (e.afi, e.tag, e.mask, e.nexthop) == (2, 0, "0.0.0.0", "0.0.0.0"), e
    got = merged(answers)
    assert got["198.19.40.0"].metric == 4 and got["198.18.6.0"].metric == 1, got


def test_tags_kept_in_updates(topo, start_daemon):
    """A route learned with a tag is advertised on the other interfaces with the same tag and
    its metric, next hop 0.0.0.0 (the gateway is not on their subnets)."""
    lab = ProbeLab(topo, start_daemon, config)
    cap = Capture(lab.r, "lan0p")
    try:
        lab.send(response([entry("198.19.40.0/24", metric=3, tag=0xBEEF)]), src=lab.P0B)
        pkts = cap.wait(lambda ps: any("198.19.40.0/24" in p.routes() for p in ps), timeout=8,
                        what="198.19.40.0/24 advertised on lan0", src=lab.LAN,
                        command=CMD_RESPONSE)
        e = next(e for p in pkts for e in p.entries if e.prefix == "198.19.40.0/24")
        assert (e.metric, e.tag, e.nexthop) == (4, 0xBEEF, "0.0.0.0"), e
        assert rip_routes(lab.d)["198.19.40.0/24"]["tag"] == 0xBEEF
    finally:
        cap.close()
        lab.close()


def test_next_hop_field_on_the_outgoing_subnet(topo, start_daemon):
    """Without split horizon, a route learned from 198.18.5.3 on eth0 is advertised on eth0 with
    next hop 198.18.5.3 (the gateway is on that subnet: others should go there directly); a
    route learned on eth1 goes out on eth0 with next hop 0.0.0.0."""
    lab = make_lab(topo, start_daemon, split_horizon="off")
    try:
        lab.send(response([craft.v1_entry("198.19.45.0", metric=1)], version=1), iface="eth1",
                 dst="198.18.7.255")
        wait_rip_route(lab.d, "198.19.45.0/24", timeout=5)
        with UdpEndpoint(lab.p, lab.P0, 40004) as ep:
            got = merged(answers_to(ep, request([craft.whole_table_entry()]), lab.R0))
        for p, (m, tag) in LEARNED.items():
            assert (got[p].metric, got[p].nexthop, got[p].tag) == (m + 1, lab.P0B, tag), got[p]
        assert (got["198.19.45.0/24"].metric, got["198.19.45.0/24"].nexthop) == (2, "0.0.0.0")
    finally:
        lab.close()


def test_triggered_update_is_prompt_and_held(topo, start_daemon):
    """A change is sent at once (well before the 30 s periodic update); changes that follow
    within the hold time (1-5 s) are coalesced into later triggered updates carrying only the
    changed routes."""
    lab = ProbeLab(topo, start_daemon, config)
    cap = Capture(lab.r, "lan0p")
    try:
        time.sleep(1.0)     # start-up settled (the start-up update is no triggered one)
        t0 = time.monotonic()
        lab.send(response([entry("198.19.60.0/24", metric=1)]), src=lab.P0B)
        first = cap.wait(lambda ps: any("198.19.60.0/24" in p.routes() for p in ps), timeout=3,
                         what="the triggered update", src=lab.LAN, command=CMD_RESPONSE,
                         since=t0)
        t1 = next(p.time for p in first if "198.19.60.0/24" in p.routes())
        assert t1 - t0 < 1.0, f"first triggered update after {t1 - t0:.2f} s"
        trig = next(p for p in first if "198.19.60.0/24" in p.routes())
        assert set(trig.routes()) == {"198.19.60.0/24"}, trig.routes()
        # Two more changes right away: they must wait for the hold, then go out together.
        lab.send(response([entry("198.19.61.0/24", metric=1)]), src=lab.P0B)
        lab.send(response([entry("198.19.62.0/24", metric=1)]), src=lab.P0B)
        later = cap.wait(lambda ps: any({"198.19.61.0/24", "198.19.62.0/24"} <= set(p.routes())
                                        for p in ps) or
                         ("198.19.61.0/24" in craft.latest_routes(ps) and
                          "198.19.62.0/24" in craft.latest_routes(ps)),
                         timeout=7, what="the held triggered update", src=lab.LAN,
                         command=CMD_RESPONSE, since=t1 + 0.001)
        t2 = min(p.time for p in later if {"198.19.61.0/24", "198.19.62.0/24"} &
                 set(p.routes()))
        assert 0.9 <= t2 - t1 <= 5.5, f"held triggered update {t2 - t1:.2f} s after the first"
        together = [p for p in later if {"198.19.61.0/24", "198.19.62.0/24"} <= set(p.routes())]
        assert together, "the two changes were not coalesced into one update"
        assert "198.19.60.0/24" not in together[0].routes(), together[0].routes()
    finally:
        cap.close()
        lab.close()
