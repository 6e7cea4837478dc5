# SPDX-License-Identifier: ISC
"""RFC 4822 replay protection against crafted packets: a probe namespace signs RIP responses with
HMAC-SHA-256 (lib.craft.signed) and plays them to routprotd again, byte for byte.

    router eth0 198.18.5.1/24 (hmac-sha256, timers 2/6/4) ─ veth ─ probe eth0 198.18.5.2/24

A byte-identical copy of an accepted packet (same sequence number, same digest) is refused and
counted, however often it comes; it refreshes nothing, so the route times out. An old packet
(lower sequence number) stays refused after any silence — the route timeout, the garbage time,
the neighbor row forgotten — unless auth-sequence-reset allows a restarted sender.
"""

import time

import pytest

from lib import craft
from lib.craft import ProbeLab, entry
from lib.peers import neighbors, rip_config, rip_routes, rip_state
from lib.wait import stays, wait_for

SECRET = "s3cret"
TIMEOUT, GARBAGE = 6, 4
X = "198.19.60.0/24"


def config_for(reset=None):
    def config(lab):
        eth0 = {"name": "eth0", "authentication": "hmac-sha256"}
        if reset is not None:
            eth0["auth-sequence-reset"] = reset
        text = rip_config([eth0, "lan0"], timers=(2, TIMEOUT, GARBAGE), router_id=lab.R0)
        return text.replace('authentication = "hmac-sha256";',
                            'authentication = "hmac-sha256"; '
                            f'keys = ( {{ id = 1; secret = "{SECRET}"; }} );', 1)
    return config


@pytest.fixture
def make_lab(topo, start_daemon):
    labs = []

    def make(reset=None):
        lab = ProbeLab(topo, start_daemon, config_for(reset))
        labs.append(lab)
        return lab
    yield make
    for lab in labs:
        lab.close()


def announce(seq, metric=1):
    return craft.signed(craft.CMD_RESPONSE, [entry(X, metric=metric)], SECRET, seq)


def usable(d):
    row = rip_routes(d).get(X)
    return row is not None and row["metric"] < 16


def eth0_stats(d):
    return d.interface("eth0")["rip"]["stats"]


@pytest.mark.timeout(60)
def test_identical_copies_refused_and_counted(make_lab):
    """The accepted packet played again every half second: each copy is refused and counted
    (drops.replay, the interface's rx_replays, the neighbor's replays), none refreshes the
    route, which times out."""
    lab = make_lab()
    d = lab.d
    packet = announce(int(time.time()))
    lab.send(packet)
    wait_for(lambda: usable(d), timeout=5, what=f"{X} learned from the signed packet")
    copies = 0
    deadline = time.monotonic() + TIMEOUT + 6
    while usable(d) and time.monotonic() < deadline:
        lab.send(packet)
        copies += 1
        time.sleep(0.5)
    assert not usable(d), f"{copies} copies of the packet kept {X} alive"
    wait_for(lambda: rip_state(d)["drops"]["replay"] == copies, timeout=3,
             what=f"{copies} replays counted")
    assert rip_state(d)["drops"]["authentication"] == 0
    assert eth0_stats(d)["rx_replays"] == copies
    assert neighbors(d)[lab.P0]["replays"] == copies
    assert "identical packet at the same sequence number" in d.log()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("reset,accepted", [(None, False), (True, True)])
def test_old_packet_after_silence(make_lab, reset, accepted):
    """The neighbor announces X, withdraws it with a newer packet and falls silent: it goes
    down after the timeout and is forgotten after the garbage time. The old announcement played
    then stays refused — unless auth-sequence-reset = true lets a sender that was silent for the
    timeout start again from a lower number."""
    lab = make_lab(reset)
    d = lab.d
    seq = int(time.time())
    old = announce(seq)
    lab.send(old)
    wait_for(lambda: usable(d), timeout=5, what=f"{X} learned")
    lab.send(announce(seq + 10, metric=16))
    wait_for(lambda: not usable(d), timeout=5, what=f"{X} withdrawn")
    wait_for(lambda: neighbors(d).get(lab.P0, {}).get("state") == "down",
             timeout=TIMEOUT + 4, what=f"{lab.P0} down after {TIMEOUT} s of silence")
    assert f"neighbor {lab.P0} on eth0 is down" in d.log()
    wait_for(lambda: lab.P0 not in neighbors(d), timeout=GARBAGE + 4,
             what=f"{lab.P0} forgotten after {GARBAGE} s down")
    lab.send(old)
    if accepted:
        wait_for(lambda: usable(d), timeout=5, what="the restarted sender heard")
        return
    assert stays(lambda: not usable(d), 2), f"the old packet re-installed {X}"
    assert rip_state(d)["drops"]["replay"] == 1
    assert "sequence number went down" in d.log()
