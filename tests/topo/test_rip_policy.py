# SPDX-License-Identifier: ISC
"""Route policy per interface (routprotd.conf(5), "Route policy"): accept and announce filters,
host-route switches and the neighbors listened to, with BIRD and FRR as the neighbors
(lib.peers.Chain: BIRD - routprotd - FRR), and reloads that change a policy taking effect at
once: what the new policy refuses is withdrawn (on the accept side) or sent once as unreachable
(on the announce side), what it now allows is asked for or sent in a triggered update.
"""

import time

from lib.craft import ProbeLab, entry, response
from lib.peers import Chain, chain, kernel_routes, peers, rip_config, rip_routes  # noqa: F401
from lib.wait import stays, wait_for

HOST = "198.19.13.7/32"   # a host route BIRD announces in these tests


def router_iface(d, name):
    return d.interface(name)["rip"]


def reload(d, config):
    d.write_config(config)
    assert d.ctl("reload") == {"reloaded": True}


def wait_kernel(chain, want, timeout=8.0):
    """routprotd's proto rip routes learned from BIRD are exactly `want`."""
    def probe():
        got = {p for p in kernel_routes(chain.r) if p.startswith("198.19.1")}
        return got == set(want)

    wait_for(probe, timeout, interval=0.1,
             what=f"routprotd's kernel routes from BIRD to be {sorted(want)} "
                  f"(now {sorted(kernel_routes(chain.r))})")


def test_accept_filters_and_host_routes(chain):
    """accept-only / accept-except / accept-host-routes decide what routprotd takes from BIRD;
    refused entries are counted; a reload lifting an exception brings the route at once (the
    neighbor is asked again), one adding an exception withdraws the route at once."""
    chain.start_bird(static=[Chain.B_STATIC, HOST])
    keys = {"accept-only": ["198.19.0.0/16"], "accept-except": [Chain.B_STATIC],
            "accept-host-routes": False}
    d = chain.start_router(bird_iface=keys)
    wait_kernel(chain, {Chain.B_STUB})
    assert stays(lambda: set(kernel_routes(chain.r)) == {Chain.B_STUB}, 2.5, interval=0.2), \
        sorted(kernel_routes(chain.r))
    row = router_iface(d, "to-bird")
    assert row["stats"]["rx_filtered_routes"] >= 2, row["stats"]
    assert row["stats"]["rx_bad_routes"] == 0
    assert row["policy"]["accept_only"] == ["198.19.0.0/16"]
    assert row["policy"]["accept_except"] == [Chain.B_STATIC]
    assert row["policy"]["accept_host_routes"] is False

    # lifted: BIRD's answer to routprotd's request brings them within a moment
    reload(d, chain.router_config(bird_iface={"accept-only": ["198.19.0.0/16"]}))
    wait_kernel(chain, {Chain.B_STUB, Chain.B_STATIC, HOST}, timeout=3.0)
    # a new exception: withdrawn at once, not after the timeout
    t0 = time.monotonic()
    reload(d, chain.router_config(bird_iface={"accept-except": [Chain.B_STUB]}))
    wait_kernel(chain, {Chain.B_STATIC, HOST}, timeout=3.0)
    assert time.monotonic() - t0 < 3.0
    assert rip_routes(d)[Chain.B_STUB]["metric"] == 16


def test_announce_filters_seen_by_frr(chain):
    """announce-except keeps a route away from FRR while the others reach it; a reload that
    refuses another route makes FRR drop it at once (routprotd sends it as unreachable; FRR's
    own timeout would take 15 s), and the route lifted from the filter reaches FRR by a
    triggered update."""
    chain.start_bird()
    chain.start_frr()
    d = chain.start_router(frr_iface={"announce-except": [Chain.B_STATIC]})
    chain.frr.wait_rip_route(Chain.B_STUB, lambda r: r is not None and r.metric == 3,
                             timeout=15)
    assert stays(lambda: chain.frr.rip_route(Chain.B_STATIC) is None, 3.0, interval=0.3), \
        chain.frr.rip_route(Chain.B_STATIC)
    bird_learned = chain.bird.wait_route(Chain.F_STUB, lambda r: r is not None, timeout=10)
    assert bird_learned.metric == 3

    t0 = time.monotonic()
    reload(d, chain.router_config(frr_iface={"announce-except": [Chain.B_STUB]}))
    chain.frr.wait_rip_route(Chain.B_STUB, lambda r: r is None or r.metric == 16, timeout=4)
    chain.frr.wait_rip_route(Chain.B_STATIC, lambda r: r is not None and r.metric == 3,
                             timeout=4)
    assert time.monotonic() - t0 < 5.0
    # BIRD's side was never filtered
    assert chain.bird.route(Chain.F_STUB) is not None


def make_probe_lab(topo, start_daemon, eth0_keys):
    iface = {"name": "eth0"}
    iface.update(eth0_keys)
    return ProbeLab(topo, start_daemon,
                    lambda lab: rip_config([iface, "eth1", "lan0"], router_id=ProbeLab.R0))


def test_accepted_and_ignored_peers(topo, start_daemon):
    """ignore-peers: announcements of that neighbor are dropped whole and counted (not as bad
    packets); others on the link are heard. accept-peers: only the neighbors listed are."""
    lab = make_probe_lab(topo, start_daemon, {"ignore-peers": [ProbeLab.P0B]})
    try:
        d = lab.d
        lab.send(response([entry("198.19.41.0/24")]), src=lab.P0B)
        lab.send(response([entry("198.19.42.0/24")]), src=lab.P0)
        wait_for(lambda: "198.19.42.0/24" in rip_routes(d), 3, what="the route of P0")
        wait_for(lambda: router_iface(d, "eth0")["stats"]["rx_ignored_peer"] >= 1, 3,
                 what="the ignored neighbor counted")
        assert "198.19.41.0/24" not in rip_routes(d)
        row = router_iface(d, "eth0")
        assert row["stats"]["rx_bad_packets"] == 0, row["stats"]
        assert row["policy"]["ignore_peers"] == [ProbeLab.P0B + "/32"]

        reload(d, rip_config([{"name": "eth0", "accept-peers": ["198.18.5.3/32"]}, "eth1",
                              "lan0"], router_id=ProbeLab.R0))
        # the path through the neighbor no longer listened to goes at once
        wait_for(lambda: rip_routes(d).get("198.19.42.0/24", {}).get("metric") == 16, 3,
                 what="the route of P0 withdrawn")
        lab.send(response([entry("198.19.41.0/24")]), src=lab.P0B)
        wait_for(lambda: "198.19.41.0/24" in rip_routes(d), 3, what="the route of P0B")
        assert d.alive
    finally:
        lab.close()
