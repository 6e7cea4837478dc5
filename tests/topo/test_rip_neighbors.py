# SPDX-License-Identifier: ISC
"""The neighbor table's life with BIRD 2 as the neighbor (timers 2/6/4 on routprotd):

    router eth0 198.18.44.1/24 (periodic) ── bird eth0 198.18.44.2/24
    router dm0  198.18.45.1/30 (demand)   ── bird dm1  198.18.45.2/30 (demand circuit yes)

A periodic neighbor that stops is shown down after the timeout (state in `show neighbors`, a
column in its table, an info log line) and forgotten after the garbage time; a demand-circuit
neighbor stays up through any silence (RFC 2091: silence is the steady state).
"""

import pytest

from lib.peers import bird_config, neighbors, peers, rip_config  # noqa: F401
from lib.wait import stays, wait_for

R0, B0 = "198.18.44.1", "198.18.44.2"
R1, B1 = "198.18.45.1", "198.18.45.2"
TIMEOUT, GARBAGE = 6, 4


@pytest.fixture
def pair(topo):
    r, b = topo.netns("router"), topo.netns("bird")
    r.veth("eth0", "eth0", peer_ns=b, up=True)
    r.veth("dm0", "dm1", peer_ns=b, up=True)
    for ns, ifname, addr in ((r, "eth0", f"{R0}/24"), (b, "eth0", f"{B0}/24"),
                             (r, "dm0", f"{R1}/30"), (b, "dm1", f"{B1}/30")):
        ns.addr_add(ifname, addr)
    r.wait_carrier("eth0")
    r.wait_carrier("dm0")
    return r, b


def start_both(pair, peers, start_daemon):
    r, b = pair
    bird = peers.bird(b, bird_config(B0, {"eth0": "update time 2; timeout time 12;",
                                          "dm1": "demand circuit yes;"},
                                     static=["198.19.44.0/24"]))
    d = start_daemon(r, rip_config(["eth0", {"name": "dm0", "mode": "demand"}], router_id=R0,
                                   timers=(2, TIMEOUT, GARBAGE), redistribute=["connected"]))
    for addr in (B0, B1):
        wait_for(lambda a=addr: neighbors(d).get(a, {}).get("state") == "up", timeout=15,
                 what=f"{addr} up")
    return bird, d


@pytest.mark.timeout(60)
def test_stopped_neighbor_down_then_forgotten(pair, peers, start_daemon):
    bird, d = start_both(pair, peers, start_daemon)
    bird.stop()
    wait_for(lambda: neighbors(d)[B0]["state"] == "down", timeout=TIMEOUT + 4,
             what=f"{B0} down")
    assert f"INFO rip: neighbor {B0} on eth0 is down" in d.log()
    table = d.ctl_result("show neighbors", json_output=False).stdout
    assert "STATE" in table.splitlines()[0]
    assert any(line.split()[:3] == [B0, "eth0", "down"] for line in table.splitlines()), table
    wait_for(lambda: B0 not in neighbors(d), timeout=GARBAGE + 4, what=f"{B0} forgotten")
    assert f"neighbor {B0} on eth0 forgotten" in d.log()


@pytest.mark.timeout(60)
def test_demand_neighbor_stays_up_through_silence(pair, peers, start_daemon):
    _, d = start_both(pair, peers, start_daemon)
    # nothing crosses the circuit while nothing changes
    assert stays(lambda: neighbors(d)[B1]["state"] == "up", TIMEOUT + GARBAGE + 2, interval=0.5), \
        neighbors(d)[B1]
    assert neighbors(d)[B1]["last_heard"] > TIMEOUT
