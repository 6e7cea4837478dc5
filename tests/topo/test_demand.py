# SPDX-License-Identifier: ISC
"""Triggered RIP on a demand circuit (RFC 2091) between routprotd and BIRD 2 (`demand circuit`).

    router (routprotd)                         bird
      dm0  198.18.40.1/30 (mode demand) ─── va 198.18.40.2/30 (demand circuit yes)
      lan0 198.18.41.1/24 (a stub,              static1: 198.19.21.0/24, 198.19.22.0/24
           redistribute connected)

When the circuit comes up both sides exchange their whole tables with Update Request / Update
Response / Update Acknowledge; afterwards only changes cross the link and nothing at all is sent
while nothing changes. Learned routes do not age (presumption of reachability): even with RIP
timers of a few seconds on both sides they stay as long as the circuit is up.
"""

import json
import time

import pytest

from lib.craft import Capture
from lib.peers import bird_config, kernel_routes, peers, rip_config, rip_routes  # noqa: F401
from lib.wait import stays, wait_for

AS_PROTO = "210"
FIB_METRIC = 20

R_ADDR, B_ADDR = "198.18.40.1", "198.18.40.2"
LINK_NET = "198.18.40.0/30"
LAN_NET, LAN_ADDR = "198.18.41.0/24", "198.18.41.1/24"
LAN2_NET, LAN2_ADDR = "198.18.42.0/24", "198.18.42.1/24"
NET_A, NET_B = "198.19.21.0/24", "198.19.22.0/24"

# RFC 2091 commands
UPDATE_REQUEST, UPDATE_RESPONSE, UPDATE_ACK = 9, 10, 11

# How long a change may take to cross the circuit: it is sent at once and acknowledged.
PROPAGATION = 6.0


class DemandLab:
    """routprotd on a demand circuit to BIRD; start() starts both and waits for convergence."""

    def __init__(self, topo, peers, start_daemon):
        self.peers = peers
        self.start_daemon = start_daemon
        self.r = topo.netns("router")
        self.b = topo.netns("bird")
        self.r.veth("dm0", "va", peer_ns=self.b, up=True)
        self.r.addr_add("dm0", f"{R_ADDR}/30")
        self.b.addr_add("va", f"{B_ADDR}/30")
        self.r.stub("lan0")
        self.r.addr_add("lan0", LAN_ADDR)
        self.r.wait_carrier("dm0")
        self.b.wait_carrier("va")
        self.bird = None
        self.d = None
        self.bird_options = ""

    def bird_config(self, static):
        return bird_config(B_ADDR, {"va": f"demand circuit yes; {self.bird_options}"},
                           static=static)

    def start_bird(self, static=(NET_A, NET_B), options=""):
        self.bird_options = options
        self.bird = self.peers.bird(self.b, self.bird_config(static))
        return self.bird

    def set_bird_static(self, static):
        self.bird.reconfigure(self.bird_config(static))

    def start_router(self, timers=(5, 15, 10), rip=None):
        config = rip_config([{"name": "dm0", "mode": "demand"}], router_id=R_ADDR,
                            timers=timers, redistribute=["connected"],
                            rip={"update-quiet": 300, **(rip or {})})
        self.d = self.start_daemon(self.r, config)
        return self.d

    def start(self, timers=(5, 15, 10), bird_options=""):
        self.start_bird(options=bird_options)
        self.start_router(timers=timers)
        self.converged()
        return self.d

    # ---- state ----

    def demand(self):
        """The RFC 2091 counters of dm0 (show interfaces row["rip"]["demand"])."""
        return self.d.interface("dm0")["rip"]["demand"]

    def rip_kernel(self):
        return kernel_routes(self.r, "rip")

    def router_has(self, prefix):
        """routprotd routes `prefix` through BIRD: table row (metric 2) and kernel route."""
        row = rip_routes(self.d).get(prefix)
        k = self.rip_kernel().get(prefix)
        return (row is not None and row["source"] == "rip" and row["metric"] == 2 and
                row["nexthop"] == B_ADDR and row["in_fib"] and k is not None and
                k.get("gateway") == B_ADDR and k.get("metric") == FIB_METRIC)

    def router_lacks(self, prefix):
        """routprotd no longer routes `prefix`: no kernel route, row absent or unreachable."""
        row = rip_routes(self.d).get(prefix)
        return prefix not in self.rip_kernel() and (row is None or row["metric"] >= 16)

    def bird_has(self, prefix, metric=2):
        r = self.bird.route(prefix)
        return r is not None and r.proto == "rip1" and r.metric == metric and \
            r.gateways == [R_ADDR]

    def bird_lacks(self, prefix):
        r = self.bird.route(prefix)
        return r is None or r.proto != "rip1" or (r.metric or 0) >= 16

    def wait(self, probe, what, timeout=PROPAGATION):
        try:
            wait_for(probe, timeout, interval=0.1, what=what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.describe()}") from None

    def describe(self):
        """Both sides' view, for failure messages (whatever still runs)."""
        parts = []
        for label, get in (("routprotd routes", lambda: sorted(rip_routes(self.d).items())),
                           ("routprotd kernel", lambda: sorted(self.rip_kernel())),
                           ("demand", self.demand),
                           ("bird", lambda: "\n" + self.bird.birdc("show", "route"))):
            try:
                parts.append(f"{label}: {get()}")
            except Exception as exc:  # noqa: BLE001 - a stopped program has no view
                parts.append(f"{label}: ({exc.__class__.__name__})")
        return "\n".join(parts)

    def converged(self, timeout=15.0):
        """Both tables exchanged and every Update Response acknowledged."""
        self.wait(lambda: all(self.router_has(p) for p in (NET_A, NET_B)),
                  "routprotd to learn BIRD's routes", timeout)
        self.wait(lambda: self.bird_has(LAN_NET), "BIRD to learn routprotd's lan0", timeout)
        self.wait(lambda: (lambda dm: dm["answered"] and not dm["outstanding"])(self.demand()),
                  "the initial exchange to be acknowledged", timeout)


@pytest.fixture
def lab(topo, peers, start_daemon):  # noqa: F811 - peers is a fixture
    return DemandLab(topo, peers, start_daemon)


def test_demand_convergence_both_ways(lab):
    """The initial exchange with BIRD: BIRD's static routes reach routprotd's kernel as proto rip
    (metric 1 + cost, via BIRD), routprotd's connected lan0 reaches BIRD, and the RFC 2091
    counters show responses and acknowledgements in both directions, without losses."""
    d = lab.start()
    dm = lab.demand()
    assert dm["answered"] is True and dm["unreachable"] is False, dm
    assert dm["outstanding"] is False, dm
    assert dm["tx_responses"] >= 1 and dm["rx_acks"] >= 1, dm
    assert dm["rx_responses"] >= 1 and dm["tx_acks"] >= 1, dm
    assert dm["stray_acks"] == 0, dm
    row = d.interface("dm0")
    assert row["mode"] == "demand" and row["active"] is True, row
    assert lab.bird_has(LAN_NET)
    # no plain RIP (commands 1 and 2) is accepted or sent on the circuit
    assert not lab.bird.bad_packet_lines(), lab.bird.bad_packet_lines()


def test_demand_idle_silence(lab):
    """After the initial exchange nothing is sent on the circuit while nothing changes: a
    15 s capture on dm0 (with RIP timers of 2 s on both sides) sees no RIP packet at all."""
    lab.start(timers=(2, 6, 4), bird_options="update time 2; timeout time 6; garbage time 4;")
    with Capture(lab.r, "dm0") as cap:
        # the tail of the initial exchange (BIRD holds its triggered updates for a second)
        # may still be under way: the window opens once the link has been quiet for 3 s
        opened = time.monotonic()

        def quiet():
            last = max([p.time for p in cap.rip()], default=opened)
            return time.monotonic() - last >= 3.0

        wait_for(quiet, 12, interval=0.1, what="the end of the initial exchange")
        start = time.monotonic()
        time.sleep(15)
        seen = cap.rip(since=start)
    assert seen == [], [(round(p.time - start, 2), p.src, p.dst, p.command, p.routes())
                        for p in seen]
    assert lab.router_has(NET_A) and lab.bird_has(LAN_NET)


def test_demand_routes_never_age(lab):
    """Presumption of reachability: with routprotd's timeout at 6 s (update-interval 2) and
    BIRD's at 6 s, the routes learned over the silent circuit stay in both tables for 20 s."""
    lab.start(timers=(2, 6, 4), bird_options="update time 2; timeout time 6; garbage time 4;")

    def all_there():
        return all(lab.router_has(p) for p in (NET_A, NET_B)) and lab.bird_has(LAN_NET)

    assert stays(all_there, 20, interval=1.0), (
        f"routes aged out: routprotd {sorted(rip_routes(lab.d).items())}\n"
        f"bird:\n{lab.bird.birdc('show', 'route')}")


def test_demand_changes_propagate(lab):
    """Only changes cross the circuit, both ways and promptly: a static route removed at BIRD
    leaves routprotd's kernel within a few seconds; a subnet added on routprotd's side
    (redistribute connected) appears at BIRD; each change is acknowledged."""
    lab.start()
    before = lab.demand()

    lab.set_bird_static((NET_A,))
    lab.wait(lambda: lab.router_lacks(NET_B), f"{NET_B} withdrawn at routprotd")
    assert lab.router_has(NET_A)

    lab.r.stub("lan1")
    lab.r.addr_add("lan1", LAN2_ADDR)
    lab.wait(lambda: lab.bird_has(LAN2_NET), f"{LAN2_NET} announced to BIRD")
    lab.wait(lambda: not lab.demand()["outstanding"], "the change acknowledged")

    after = lab.demand()
    assert after["rx_responses"] > before["rx_responses"], (before, after)
    assert after["tx_responses"] > before["tx_responses"], (before, after)
    assert after["rx_acks"] > before["rx_acks"], (before, after)
    assert after["tx_acks"] > before["tx_acks"], (before, after)


def test_demand_retransmits_until_acknowledged(lab):
    """BIRD is gone: a change routprotd sends is not acknowledged and goes out again every 5 s
    with the same sequence number (counted as retransmits, the response stays outstanding);
    when BIRD is back, the circuit re-synchronises and nothing stays outstanding."""
    lab.start()
    lab.bird.stop()
    with Capture(lab.r, "dm0") as cap:
        lab.r.stub("lan1")
        lab.r.addr_add("lan1", LAN2_ADDR)
        lab.wait(lambda: lab.demand()["retransmits"] >= 1, "a retransmission", timeout=9)
        sent = cap.rip(src=R_ADDR, command=UPDATE_RESPONSE)
    assert lab.demand()["outstanding"] is True, lab.demand()
    assert len(sent) >= 2, sent
    # RFC 2091 header after the RIP header: version, flush, 16-bit sequence number
    assert sent[-1].raw == sent[-2].raw, "the retransmission differs from the original"
    gap = sent[-1].time - sent[-2].time
    assert 4.0 <= gap <= 6.5, f"retransmitted after {gap:.1f} s, not 5 s"

    lab.bird = lab.peers.bird(lab.b, lab.bird_config((NET_A, NET_B)), name="bird-again")
    lab.wait(lambda: lab.bird_has(LAN2_NET) and lab.bird_has(LAN_NET),
             "routprotd's table at the new BIRD", timeout=12)
    lab.wait(lambda: not lab.demand()["outstanding"], "nothing outstanding", timeout=12)


def test_demand_interface_flap(lab):
    """routprotd's dm0 goes admin down: BIRD's routes are withdrawn at routprotd (gone from the
    kernel) and BIRD drops routprotd's routes; dm0 up again: a fresh exchange re-synchronises
    both sides. Losing and regaining the carrier does the same."""
    lab.start()
    before = lab.demand()

    lab.r.link_down("dm0")
    lab.wait(lambda: all(lab.router_lacks(p) for p in (NET_A, NET_B)),
             "BIRD's routes withdrawn at routprotd")
    lab.wait(lambda: lab.bird_lacks(LAN_NET), "routprotd's lan0 gone at BIRD", timeout=10)

    lab.r.link_up("dm0")
    lab.converged()
    after = lab.demand()
    assert after["rx_responses"] > before["rx_responses"], (before, after)
    assert after["tx_responses"] > before["tx_responses"], (before, after)

    # the same with the carrier: BIRD's side of the link goes down and up
    lab.b.link_down("va")
    lab.wait(lambda: all(lab.router_lacks(p) for p in (NET_A, NET_B)),
             "BIRD's routes withdrawn when the carrier went")
    lab.b.link_up("va")
    lab.converged()


def test_update_routes_on_demand_interface(lab):
    """update-routes on a demand interface runs an RFC 2091 exchange (Update Request, BIRD's
    flushing answer): NO_ERROR, and BIRD's routes become autostatic routes of dm0 (show
    autostatic, state file, kernel proto autostatic, which is preferred to the RIP route)."""
    d = lab.start()
    with Capture(lab.r, "dm0") as cap:
        res = d.ctl_result("update-routes", "dm0", "--timeout", "10")
        requests = cap.rip(src=R_ADDR, command=UPDATE_REQUEST)
    assert res.rc == 0, (res.rc, res.stdout, res.stderr, d.log()[-3000:])
    assert res.data == {"interface": "dm0", "status": "NO_ERROR", "routes": 2}, res.data
    assert requests, "no Update Request was sent for the update"

    rows = {row["prefix"]: row for row in d.data("show autostatic")
            if row["interface"] == "dm0"}
    assert set(rows) == {NET_A, NET_B}, rows
    for row in rows.values():
        assert (row["nexthop"], row["metric"], row["in_fib"]) == (B_ADDR, 2, True), row
    wait_for(lambda: set(kernel_routes(lab.r, AS_PROTO)) == {NET_A, NET_B}, 5,
             what="autostatic kernel routes of dm0")
    saved = [i for i in json.loads(
        (d.state_dir / "autostatic.json").read_text())["interfaces"] if i["name"] == "dm0"]
    assert len(saved) == 1 and {r["prefix"] for r in saved[0]["routes"]} == {NET_A, NET_B}, saved
    # the circuit itself carries on: routes still learned by RIP, nothing left unacknowledged
    lab.wait(lambda: not lab.demand()["outstanding"], "nothing outstanding")
    assert {NET_A, NET_B} <= set(rip_routes(d))


def test_demand_peer_restart_resynchronises(lab):
    """BIRD restarts with one static route fewer: its new Update Request gets routprotd's whole
    table, its flushing answer refreshes what it still has, and the route it no longer has is
    withdrawn at routprotd (the flush hold is 10 s)."""
    lab.start()
    lab.bird.stop()
    lab.bird = lab.peers.bird(lab.b, lab.bird_config((NET_A,)), name="bird-again")
    lab.wait(lambda: lab.bird_has(LAN_NET), "routprotd's table sent to the new BIRD")
    lab.wait(lambda: lab.router_lacks(NET_B), f"{NET_B} flushed at routprotd", timeout=16)
    assert lab.router_has(NET_A)
    assert lab.demand()["rx_requests"] >= 1, lab.demand()


def test_demand_peer_goodbye_withdraws_its_routes(lab):
    """A clean stop of BIRD sends an empty flushing Update Response (its goodbye, the same packet
    routprotd sends when it stops): everything learned from BIRD is withdrawn at routprotd
    once the flush hold (10 s) is over, and no packet of BIRD's is dropped as malformed."""
    d = lab.start()
    lab.bird.stop()
    lab.wait(lambda: all(lab.router_lacks(p) for p in (NET_A, NET_B)),
             "BIRD's routes withdrawn after its goodbye", timeout=15)
    assert "malformed" not in d.log(), d.log()[-2000:]
