# SPDX-License-Identifier: ISC
"""Autostatic updates (RRAS DoUpdateRoutes) against BIRD 2, and the persistence of the routes
they produce.

    router (routprotd)                                 bird
      as0  198.18.10.1/24 (mode autostatic) ─────── to-r 198.18.10.2/24 (periodic RIP)
      lan0 198.18.20.1/24 (periodic, a stub)           static1: 198.19.11.0/24, 198.19.12.0/24

`routprotctl update-routes as0` makes routprotd ask BIRD for its whole table; the routes of the
answer replace the interface's autostatic set: kernel routes of protocol 210 ("autostatic") with
the fib metric, rows of `show autostatic`, and the state file STATEDIR/autostatic.json. The set
survives daemon restarts, kill -9, link bounces and a broken state file; it changes only through
another successful update or `clear autostatic`.
"""

import json
import os
import threading
import time

import pytest

from lib.peers import bird_config, kernel_routes, peers, rip_config  # noqa: F401
from lib.routprotd import brief
from lib.wait import stays, wait_for

AS_PROTO = "210"          # the kernel protocol number of autostatic routes
FIB_METRIC = 20
STALE_TIME = 3            # fib stale-time of lib.peers.rip_config

R_ADDR, B_ADDR = "198.18.10.1", "198.18.10.2"
LAN_ADDR = "198.18.20.1"
NET_A, NET_B, NET_C = "198.19.11.0/24", "198.19.12.0/24", "198.19.13.0/24"

# BIRD announces every 2 s, so unsolicited responses keep arriving during the tests.
BIRD_IFACE = "update time 2; timeout time 12; garbage time 6;"

UPDATE_OK, CAN_NOT_COMPLETE, NOT_CONNECTED, IN_PROGRESS = 0, 4, 5, 6


class AsLab:
    """routprotd in namespace `r` with an autostatic interface towards BIRD in namespace `b`."""

    def __init__(self, topo, peers, start_daemon, workdir):
        self.topo = topo
        self.peers = peers
        self.start_daemon = start_daemon
        self.workdir = workdir
        self.r = topo.netns("router")
        self.b = topo.netns("bird")
        self.r.veth("as0", "to-r", peer_ns=self.b, up=True)
        self.r.addr_add("as0", f"{R_ADDR}/24")
        self.b.addr_add("to-r", f"{B_ADDR}/24")
        self.r.stub("lan0")
        self.r.addr_add("lan0", f"{LAN_ADDR}/24")
        self.r.wait_carrier("as0")
        self.b.wait_carrier("to-r")
        self.bird = None
        self.d = None

    # ---- the two routers ----

    def bird_config(self, static, iface=BIRD_IFACE):
        return bird_config(B_ADDR, {"to-r": iface}, static=static)

    def start_bird(self, static=(NET_A, NET_B), iface=BIRD_IFACE):
        self.bird_iface = iface
        self.bird = self.peers.bird(self.b, self.bird_config(static, iface))
        return self.bird

    def set_bird_static(self, static):
        self.bird.reconfigure(self.bird_config(static, self.bird_iface))

    def config(self, as0=None, rip=None, redistribute=None, extra_ifaces=(), timers=(5, 15, 10)):
        iface = {"name": "as0", "mode": "autostatic"}
        iface.update(as0 or {})
        keys = {"update-quiet": 300}
        keys.update(rip or {})
        return rip_config([iface, "lan0", *extra_ifaces], router_id=R_ADDR, rip=keys,
                          redistribute=redistribute, timers=timers)

    def start_router(self, **kw):
        self.d = self.start_daemon(self.r, self.config(**kw))
        self.d.wait_interface("as0", lambda row: row["active"], what="as0 active")
        return self.d

    def restart_router(self):
        """Start the same daemon (configuration, socket, state directory) again."""
        mark = self.d.notify.count()
        self.d.start(wait_ready=False)
        self.d.wait_ready(after=mark)
        return self.d

    # ---- what routprotd did ----

    def update(self, ifname="as0", timeout=None):
        args = ["update-routes", ifname]
        if timeout is not None:
            args += ["--timeout", str(timeout)]
        return self.d.ctl_result(*args)

    def update_ok(self, ifname="as0"):
        res = self.update(ifname)
        assert res.rc == UPDATE_OK, f"update-routes {ifname}: exit {res.rc}\n{res.stdout}" \
                                    f"{res.stderr}\n{self.d.log()[-4000:]}"
        return res.data

    def kernel(self):
        """{prefix: route} of the router's proto autostatic routes."""
        return kernel_routes(self.r, AS_PROTO)

    def autostatic(self, ifname="as0"):
        """{prefix: row} of `show autostatic` for one interface."""
        return {row["prefix"]: row for row in self.d.data("show autostatic")
                if row["interface"] == ifname}

    def state_path(self):
        return self.d.state_dir / "autostatic.json"

    def state(self):
        return json.loads(self.state_path().read_text())

    def state_routes(self, ifname="as0"):
        """{prefix: route} of the interface in the state file ({} when it is not there)."""
        for iface in self.state()["interfaces"]:
            if iface["name"] == ifname:
                return {r["prefix"]: r for r in iface["routes"]}
        return {}

    def wait_kernel(self, prefixes, timeout=10.0):
        """Wait until the proto autostatic routes are exactly `prefixes`; returns them."""
        want = set(prefixes)
        box = {}

        def probe():
            box["k"] = self.kernel()
            return set(box["k"]) == want

        try:
            wait_for(probe, timeout, interval=0.05, what=f"autostatic kernel routes {want}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nkernel: "
                                 f"{self.r.ip('-4', 'route', 'show').stdout}") from None
        return box["k"]

    def assert_stay(self, prefixes, seconds=STALE_TIME + 1.5):
        """The kernel keeps exactly `prefixes` as autostatic routes for `seconds` (past the
        fib stale-time, after which routes of ours nobody claims would be removed)."""
        want = set(prefixes)
        assert stays(lambda: set(self.kernel()) == want, seconds, interval=0.2), \
            f"autostatic routes changed: {sorted(self.kernel())}, expected {sorted(want)}"

    def assert_set(self, prefixes, metric=2, check_file=True):
        """The autostatic set of as0 is exactly `prefixes` (learned with `metric` via BIRD)
        in the kernel, in `show autostatic` and in the state file."""
        want = set(prefixes)
        kernel = self.wait_kernel(want)
        for prefix, route in kernel.items():
            assert route["gateway"] == B_ADDR, route
            assert route["dev"] == "as0", route
            assert route.get("metric") == FIB_METRIC, route
        rows = self.autostatic()
        assert set(rows) == want, rows
        for prefix, row in rows.items():
            assert row["nexthop"] == B_ADDR, row
            assert row["metric"] == metric, row
            assert row["in_fib"] is True, row
        if check_file:
            saved = self.state_routes()
            assert set(saved) == want, self.state()
            for prefix, r in saved.items():
                assert (r["nexthop"], r["metric"]) == (B_ADDR, metric), r


@pytest.fixture
def lab(topo, peers, start_daemon, workdir):  # noqa: F811 - peers is a fixture
    return AsLab(topo, peers, start_daemon, workdir)


def update_events(events, ifname="as0"):
    return [e for e in events if e.get("interface") == ifname and
            e["type"] in ("DO_UPDATE_ROUTES", "UPDATE_COMPLETE")]


# ---------------------------------------------------------------------------------------------
# updates
# ---------------------------------------------------------------------------------------------

def test_update_installs_bird_routes(lab):
    """A successful update: exit 0, NO_ERROR, the routes BIRD announces become autostatic routes
    (kernel proto 210 with the fib metric via BIRD, `show autostatic` with metric 1 + cost,
    the state file), and the events record DO_UPDATE_ROUTES and UPDATE_COMPLETE NO_ERROR."""
    lab.start_bird()
    d = lab.start_router()
    assert lab.kernel() == {}
    assert lab.autostatic() == {}
    mark = d.mark()

    out = lab.update_ok()
    assert out == {"interface": "as0", "status": "NO_ERROR", "routes": 2}, out
    lab.assert_set({NET_A, NET_B})

    rows = lab.autostatic()
    for row in rows.values():
        assert row["tag"] == 0, row
        assert row["last_result"] == "NO_ERROR", row
        assert row["updated"].endswith("Z") and "T" in row["updated"], row

    doc = lab.state()
    assert doc["format"] == "routprotd-autostatic" and doc["version"] == 1, doc
    assert isinstance(doc["written"], str), doc
    assert sorted(os.listdir(d.state_dir)) == ["autostatic.json"], "temporary files left over"
    iface = [i for i in doc["interfaces"] if i["name"] == "as0"]
    assert len(iface) == 1 and iface[0]["updated"], doc
    for r in iface[0]["routes"]:
        assert set(r) >= {"prefix", "nexthop", "metric", "tag"}, r

    events = update_events(d.events_since(mark))
    assert [e["type"] for e in events] == ["DO_UPDATE_ROUTES", "UPDATE_COMPLETE"], events
    assert events[1]["status"] == "NO_ERROR", events
    # autostatic routes are not RIP routes: nothing of BIRD's ends in RIP's own table
    assert kernel_routes(lab.r, "rip") == {}


def test_update_replaces_the_set(lab):
    """A second update after BIRD changed its table leaves exactly BIRD's new routes: the one
    BIRD dropped leaves the kernel, `show autostatic` and the state file; the new one arrives."""
    lab.start_bird(static=(NET_A, NET_B))
    lab.start_router()
    lab.update_ok()
    lab.assert_set({NET_A, NET_B})

    lab.set_bird_static((NET_B, NET_C))
    lab.bird.wait_route(NET_A, lambda r: r is None, what="BIRD dropped its static route")
    lab.bird.wait_route(NET_C)
    # BIRD's triggered updates about the change are unsolicited: the set is not touched
    time.sleep(0.5)
    lab.assert_set({NET_A, NET_B})

    out = lab.update_ok()
    assert out["routes"] == 2, out
    lab.assert_set({NET_B, NET_C})


def test_update_without_answer_keeps_the_set(lab):
    """BIRD is gone: update-routes --timeout 2 ends with exit 4 (ERROR_CAN_NOT_COMPLETE) after
    about 2 s; the previous set stays in the kernel, `show autostatic` and the file. Without
    --timeout the rip section's update-timeout applies."""
    lab.start_bird()
    d = lab.start_router(rip={"update-timeout": 3})
    lab.update_ok()
    lab.assert_set({NET_A, NET_B})
    saved = lab.state_path().read_text()
    updated = {p: row["updated"] for p, row in lab.autostatic().items()}
    lab.bird.stop()
    mark = d.mark()

    started = time.monotonic()
    res = lab.update(timeout=2)
    took = time.monotonic() - started
    assert res.rc == CAN_NOT_COMPLETE, (res.rc, res.stdout, res.stderr)
    assert res.data["status"] == "ERROR_CAN_NOT_COMPLETE", res.data
    assert res.data["routes"] == 2, res.data
    assert 1.5 <= took <= 6, f"the update failed after {took:.1f} s, asked for 2 s"

    lab.assert_set({NET_A, NET_B})
    assert lab.state_path().read_text() == saved, "a failed update rewrote the state file"
    assert {row["last_result"] for row in lab.autostatic().values()} == \
        {"ERROR_CAN_NOT_COMPLETE"}
    assert {p: row["updated"] for p, row in lab.autostatic().items()} == updated, \
        "`updated` is the time of the last successful update"
    done = [e for e in update_events(d.events_since(mark)) if e["type"] == "UPDATE_COMPLETE"]
    assert [e["status"] for e in done] == ["ERROR_CAN_NOT_COMPLETE"], done

    started = time.monotonic()
    res = lab.update()
    took = time.monotonic() - started
    assert res.rc == CAN_NOT_COMPLETE, (res.rc, res.stdout, res.stderr)
    assert 2.5 <= took <= 7, f"update-timeout is 3 s, the update failed after {took:.1f} s"
    lab.assert_set({NET_A, NET_B})


def test_update_on_admin_down_link_not_connected(lab):
    """routprotd's side of the link is admin down: exit 5 (ERROR_INTERFACE_NOT_CONNECTED) at
    once, nothing changes."""
    lab.start_bird()
    d = lab.start_router()
    lab.update_ok()
    lab.r.link_down("as0")
    d.wait_interface("as0", lambda row: not row["enabled"], what="as0 disabled")
    res = lab.update()
    assert res.rc == NOT_CONNECTED, (res.rc, res.stdout, res.stderr)
    assert res.data == {"interface": "as0", "status": "ERROR_INTERFACE_NOT_CONNECTED",
                        "routes": 2}, res.data
    assert set(lab.state_routes()) == {NET_A, NET_B}


def test_update_without_carrier_not_connected(lab):
    """BIRD's side of the link is down (no carrier on as0): exit 5."""
    lab.start_bird()
    d = lab.start_router()
    lab.b.link_down("to-r")
    lab.r.wait_carrier("as0", present=False)
    d.wait_interface("as0", lambda row: not row["media_present"], what="as0 without carrier")
    started = time.monotonic()
    res = lab.update()
    assert res.rc == NOT_CONNECTED, (res.rc, res.stdout, res.stderr)
    assert res.data["status"] == "ERROR_INTERFACE_NOT_CONNECTED", res.data
    assert time.monotonic() - started < 3
    assert lab.autostatic() == {}


def test_concurrent_updates_in_progress(lab):
    """While an update runs (a long quiet period keeps it open), a second update-routes on the
    same interface gets exit 6 (ERROR_UPDATE_IN_PROGRESS); the first one then succeeds."""
    # BIRD's periodic updates would restart the quiet period: make them rare
    lab.start_bird(iface="update time 30;")
    d = lab.start_router(rip={"update-quiet": 4000})
    mark = d.mark()
    first = {}
    worker = threading.Thread(target=lambda: first.setdefault("res", lab.update()))
    worker.start()
    try:
        d.wait_events(mark, lambda evs: any(e["type"] == "DO_UPDATE_ROUTES" for e in evs),
                      what="the first update started")
        second = lab.update()
    finally:
        worker.join(timeout=30)
    assert second.rc == IN_PROGRESS, (second.rc, second.stdout, second.stderr)
    assert second.data["interface"] == "as0", second.data
    assert second.data["status"] == "ERROR_UPDATE_IN_PROGRESS", second.data
    assert "res" in first, "the first update-routes never returned"
    assert first["res"].rc == UPDATE_OK, (first["res"].rc, first["res"].stdout,
                                         first["res"].stderr)
    assert first["res"].data["routes"] == 2
    lab.assert_set({NET_A, NET_B})


def test_stop_during_update_answers_the_waiting_client(lab):
    """The daemon stops (SIGTERM) while update-routes waits on a silent neighbor: the client
    still gets an answer, ERROR_CAN_NOT_COMPLETE (exit 4), not a closed connection, and the
    daemon exits 0."""
    lab.start_bird()
    d = lab.start_router(rip={"update-timeout": 60})
    lab.update_ok()
    lab.bird.stop()
    mark = d.mark()
    waiting = {}
    worker = threading.Thread(target=lambda: waiting.setdefault("res", lab.update()))
    worker.start()
    try:
        d.wait_events(mark, lambda evs: any(e["type"] == "DO_UPDATE_ROUTES" for e in evs),
                      what="the update started")
        d.stop()
    finally:
        worker.join(timeout=30)
    res = waiting.get("res")
    assert res is not None, "update-routes never returned"
    assert res.rc == CAN_NOT_COMPLETE, (res.rc, res.stdout, res.stderr)
    assert res.data["status"] == "ERROR_CAN_NOT_COMPLETE", res.data
    assert res.data["routes"] == 2, res.data


def test_link_deleted_during_update_ends_it(lab):
    """The link goes away while update-routes waits on a silent neighbor: the client hears
    the update fail at once instead of waiting out the timeout (ERROR_CAN_NOT_COMPLETE when the
    kernel reports the lost address first, as it does, or ERROR_INTERFACE_NOT_CONNECTED when
    the link's deletion comes first), and once the link is back the next update works (the
    old one leaves nothing behind)."""
    lab.start_bird()
    d = lab.start_router(rip={"update-timeout": 60})
    lab.update_ok()
    lab.bird.stop()
    mark = d.mark()
    waiting = {}
    worker = threading.Thread(target=lambda: waiting.setdefault("res", lab.update()))
    worker.start()
    try:
        d.wait_events(mark, lambda evs: any(e["type"] == "DO_UPDATE_ROUTES" for e in evs),
                      what="the update started")
        started = time.monotonic()
        lab.r.link_del("as0")
        worker.join(timeout=30)
    finally:
        worker.join(timeout=30)
    res = waiting.get("res")
    assert res is not None, "update-routes never returned"
    assert time.monotonic() - started < 10, "the client waited for the update's timeout"
    assert res.rc in (CAN_NOT_COMPLETE, NOT_CONNECTED), (res.rc, res.stdout, res.stderr)
    assert res.data["status"] in ("ERROR_CAN_NOT_COMPLETE", "ERROR_INTERFACE_NOT_CONNECTED"), \
        res.data

    lab.r.veth("as0", "to-r", peer_ns=lab.b, up=True)
    lab.r.addr_add("as0", f"{R_ADDR}/24")
    lab.b.addr_add("to-r", f"{B_ADDR}/24")
    lab.r.wait_carrier("as0")
    lab.start_bird(static=(NET_A,))
    d.wait_interface("as0", lambda row: row["active"], what="as0 active again")
    assert lab.update_ok()["routes"] == 1
    lab.assert_set({NET_A})


def test_update_ends_while_neighbor_keeps_announcing(lab):
    """BIRD announces every second, more often than the quiet period (1.5 s) that ends an
    update: the update must still end within its timeout with BIRD's routes (BIRD did answer),
    and must not leave the interface busy for the next update."""
    lab.start_bird(iface="update time 1; timeout time 6; garbage time 4;")
    lab.start_router(rip={"update-quiet": 1500})
    started = time.monotonic()
    res = lab.update(timeout=3)
    took = time.monotonic() - started
    assert res.rc == UPDATE_OK and took <= 6, (
        f"update-routes --timeout 3 with a neighbor that answered: exit {res.rc} after "
        f"{took:.1f} s\n{res.stdout}{res.stderr}")
    assert res.data["routes"] == 2, res.data
    res = lab.update(timeout=3)
    assert res.rc != IN_PROGRESS, f"the interface stayed busy after the update: {res.stdout}"


def test_update_unknown_or_periodic_interface(lab):
    """update-routes on an interface routprotd does not know, or on a periodic RIP interface:
    exit 1 with a message on stderr."""
    lab.start_bird()
    lab.start_router()
    for name in ("nosuch0", "lan0"):
        res = lab.update(name)
        assert res.rc == 1, (name, res.rc, res.stdout, res.stderr)
        assert res.stderr.strip(), f"no message for {name}"
    # usage errors of routprotctl
    for args in (["update-routes"], ["update-routes", "as0", "--timeout", "soon"]):
        res = lab.d.ctl_result(*args)
        assert res.rc == 2, (args, res.rc, res.stdout, res.stderr)
    assert lab.autostatic("lan0") == {}
    assert lab.kernel() == {}


def test_unsolicited_responses_ignored(lab):
    """BIRD's periodic responses reach the autostatic interface, are counted as
    ignored_unsolicited and change nothing: no route is learned without an update, and after
    an update BIRD's later announcements (even of a changed table) leave the set as it is."""
    lab.start_bird()
    d = lab.start_router()

    def ignored():
        return d.interface("as0")["rip"]["stats"]["ignored_unsolicited"]

    first = ignored()
    wait_for(lambda: ignored() >= first + 2, 10, what="BIRD's periodic updates counted")
    assert lab.kernel() == {} and lab.autostatic() == {}
    assert not any(row["source"] == "rip" for row in d.data("show routes")), \
        d.data("show routes")

    lab.update_ok()
    lab.set_bird_static((NET_A, NET_B, NET_C))
    lab.bird.wait_route(NET_C)
    now = ignored()
    wait_for(lambda: ignored() >= now + 2, 10, what="more periodic updates counted")
    lab.assert_set({NET_A, NET_B})


# ---------------------------------------------------------------------------------------------
# persistence
# ---------------------------------------------------------------------------------------------

def test_routes_survive_clean_stop_and_restart(lab):
    """SIGTERM leaves the autostatic routes in the kernel; the next start lists them in
    `show autostatic` (in the FIB) and keeps them installed, without any update."""
    lab.start_bird()
    d = lab.start_router()
    lab.update_ok()
    lab.assert_set({NET_A, NET_B})
    updated = {p: row["updated"] for p, row in lab.autostatic().items()}
    lab.bird.stop()

    d.stop()
    assert set(lab.kernel()) == {NET_A, NET_B}, "a clean stop removed the autostatic routes"

    lab.restart_router()
    lab.assert_set({NET_A, NET_B})
    assert {p: row["updated"] for p, row in lab.autostatic().items()} == updated
    lab.assert_stay({NET_A, NET_B})


def test_routes_restored_after_kill_and_flush(lab):
    """kill -9, then `ip route flush proto 210`: the next start reinstalls the routes from the
    state file before any RIP exchange (BIRD is gone)."""
    lab.start_bird()
    d = lab.start_router()
    lab.update_ok()
    lab.assert_set({NET_A, NET_B})
    lab.bird.stop()

    d.proc.kill()
    lab.r.ip("route", "flush", "proto", AS_PROTO)
    assert lab.kernel() == {}

    lab.restart_router()
    lab.assert_set({NET_A, NET_B})
    lab.assert_stay({NET_A, NET_B})


def test_routes_reinstalled_after_link_bounce(lab):
    """Admin down flushes the routes through as0 in the kernel; admin up brings them back
    (the set itself never changes)."""
    lab.start_bird()
    d = lab.start_router()
    lab.update_ok()
    lab.assert_set({NET_A, NET_B})

    lab.r.link_down("as0")
    lab.wait_kernel(set())
    d.wait_interface("as0", lambda row: not row["enabled"], what="as0 down")
    assert set(lab.autostatic()) == {NET_A, NET_B}
    assert set(lab.state_routes()) == {NET_A, NET_B}

    lab.r.link_up("as0")
    lab.assert_set({NET_A, NET_B})


def test_routes_follow_the_address(lab):
    """An up link with carrier but no address cannot carry the routes (the kernel refuses a
    gateway it cannot reach); they leave with the last address and come back with the first,
    including after a restart with the address still missing."""
    lab.start_bird()
    d = lab.start_router()
    lab.update_ok()
    lab.assert_set({NET_A, NET_B})
    lab.bird.stop()

    lab.r.addr_del("as0", f"{R_ADDR}/24")
    lab.wait_kernel(set())
    assert set(lab.autostatic()) == {NET_A, NET_B}
    lab.r.addr_add("as0", f"{R_ADDR}/24")
    lab.assert_set({NET_A, NET_B})

    d.stop()
    lab.r.addr_del("as0", f"{R_ADDR}/24")
    lab.r.ip("route", "flush", "proto", AS_PROTO)
    lab.restart_router()
    lab.assert_stay(set(), seconds=1.0)
    lab.r.addr_add("as0", f"{R_ADDR}/24")
    lab.assert_set({NET_A, NET_B})
    lab.assert_stay({NET_A, NET_B})


def test_routes_never_age(lab):
    """With RIP's timeout at 3 s and garbage at 2 s, autostatic routes are still there well
    after both, BIRD having gone away."""
    lab.start_bird()
    lab.start_router(timers=(1, 3, 2))
    lab.update_ok()
    lab.bird.stop()
    time.sleep(6)
    lab.assert_set({NET_A, NET_B})


CORRUPT = {
    "garbage": "\x00\x01 this is not JSON {{{",
    "foreign": json.dumps({"format": "someone-else", "version": 1, "interfaces": []}),
    "version99": json.dumps({"format": "routprotd-autostatic", "version": 99,
                             "written": "2026-01-01T00:00:00Z", "interfaces": []}),
    "bad-prefix": json.dumps({"format": "routprotd-autostatic", "version": 1,
                              "written": "2026-01-01T00:00:00Z",
                              "interfaces": [{"name": "as0", "updated": "2026-01-01T00:00:00Z",
                                              "routes": [{"prefix": "198.19.300.0/24",
                                                          "nexthop": B_ADDR, "metric": 2,
                                                          "tag": 0}]}]}),
}


@pytest.mark.parametrize("kind", sorted(CORRUPT))
def test_corrupt_state_file_recovered_from_kernel(lab, kind):
    """A state file that cannot be used (garbage, another program's format, a newer version,
    a bad prefix) is logged, renamed to autostatic.json.bad-<UTC time>, and the sets are
    recovered from the kernel's proto autostatic routes (metric 1); a new valid state file is
    written and the daemon keeps running and updating."""
    lab.start_bird()
    d = lab.start_router()
    lab.update_ok()
    lab.assert_set({NET_A, NET_B})
    d.stop()
    bad = CORRUPT[kind]
    lab.state_path().write_text(bad)

    lab.restart_router()
    d.wait_log("unusable state file")
    aside = sorted(p.name for p in d.state_dir.iterdir()
                   if p.name.startswith("autostatic.json.bad-"))
    assert len(aside) == 1, sorted(os.listdir(d.state_dir))
    stamp = aside[0][len("autostatic.json.bad-"):]
    assert len(stamp) == 16 and stamp[8] == "T" and stamp.endswith("Z"), aside
    assert (d.state_dir / aside[0]).read_text() == bad

    lab.assert_set({NET_A, NET_B}, metric=1)
    doc = lab.state()
    assert doc["format"] == "routprotd-autostatic" and doc["version"] == 1, doc

    # and the daemon goes on: a new update restores the learned metrics
    out = lab.update_ok()
    assert out["routes"] == 2
    lab.assert_set({NET_A, NET_B}, metric=2)


# ---------------------------------------------------------------------------------------------
# update-on-connect, clear
# ---------------------------------------------------------------------------------------------

def test_update_on_connect(lab):
    """update-on-connect: bringing the link up starts an update by itself; the routes arrive
    without any command and the events show UPDATE_COMPLETE NO_ERROR (without a
    DO_UPDATE_ROUTES from an operator)."""
    lab.r.link_down("as0")
    lab.start_bird()
    d = lab.start_daemon(lab.r, lab.config(as0={"update-on-connect": True}))
    lab.d = d
    d.wait_interface("as0", lambda row: not row["enabled"], what="as0 down")
    time.sleep(0.5)
    assert lab.kernel() == {}
    mark = d.mark()

    lab.r.link_up("as0")
    lab.wait_kernel({NET_A, NET_B}, timeout=15)
    events = d.wait_events(mark, lambda evs: any(e["type"] == "UPDATE_COMPLETE" and
                                                 e.get("interface") == "as0" for e in evs),
                           what="UPDATE_COMPLETE on as0")
    done = [e for e in events if e["type"] == "UPDATE_COMPLETE"]
    assert done[0]["status"] == "NO_ERROR", done
    assert "DO_UPDATE_ROUTES" not in [e["type"] for e in events], events
    lab.assert_set({NET_A, NET_B})

    # the carrier comes back after BIRD's side was down: connected again, a new update
    lab.b.link_down("to-r")
    d.wait_interface("as0", lambda row: not row["media_present"], what="as0 without carrier")
    lab.set_bird_static((NET_A, NET_C))
    mark = d.mark()
    lab.b.link_up("to-r")
    d.wait_events(mark, lambda evs: any(e["type"] == "UPDATE_COMPLETE" and
                                        e.get("interface") == "as0" for e in evs),
                  timeout=15, what="UPDATE_COMPLETE after the carrier came back")
    lab.assert_set({NET_A, NET_C})


def test_update_on_connect_not_started_by_address_loss(lab):
    """An update-on-connect interface that loses its address is disconnected: no update is
    started for it, so no failed UPDATE_COMPLETE is recorded and the last result of the set
    stays NO_ERROR."""
    lab.start_bird()
    d = lab.start_daemon(lab.r, lab.config(as0={"update-on-connect": True}))
    lab.d = d
    lab.wait_kernel({NET_A, NET_B}, timeout=15)
    d.wait_events(0, lambda evs: any(e["type"] == "UPDATE_COMPLETE" for e in evs),
                  what="the update at start")
    mark = d.settle()

    lab.r.addr_del("as0", f"{R_ADDR}/24")
    d.wait_interface("as0", lambda row: not row["active"], what="as0 inactive")
    time.sleep(0.5)
    events = d.events_since(mark)
    assert [e for e in events if e["type"] == "UPDATE_COMPLETE"] == [], brief(events)
    assert {row["last_result"] for row in lab.autostatic().values()} == {"NO_ERROR"}


def test_clear_autostatic(lab):
    """clear autostatic as0 removes the set from the kernel, `show autostatic` and the state
    file and says how many went; an unknown interface is an error (exit 1)."""
    lab.start_bird()
    d = lab.start_router()
    lab.update_ok()
    lab.assert_set({NET_A, NET_B})

    out = d.ctl("clear autostatic as0")
    assert out == {"interface": "as0", "removed": 2}, out
    lab.wait_kernel(set())
    assert lab.autostatic() == {}
    assert lab.state_routes() == {}

    res = d.ctl_result("clear autostatic nosuch0")
    assert res.rc == 1, (res.rc, res.stdout, res.stderr)
    assert res.stderr.strip()
    # a known interface without autostatic routes: nothing to remove, no error
    assert d.ctl("clear autostatic lan0") == {"interface": "lan0", "removed": 0}

    # cleared routes stay cleared across a restart
    d.stop()
    lab.restart_router()
    assert lab.kernel() == {} and lab.autostatic() == {}


# ---------------------------------------------------------------------------------------------
# redistribution
# ---------------------------------------------------------------------------------------------

def test_redistribute_autostatic_to_periodic_neighbor(lab, topo):
    """With redistribute = ["autostatic"], the autostatic routes are announced on a periodic
    interface towards a second BIRD with their learned metric (BIRD's 1 + cost 3): BIRD sees
    learned + 1; `clear autostatic` withdraws them there."""
    far = topo.netns("bird2")
    lab.r.veth("pr0", "to-r", peer_ns=far, up=True)
    lab.r.addr_add("pr0", "198.18.30.1/24")
    far.addr_add("to-r", "198.18.30.2/24")
    lab.r.wait_carrier("pr0")
    bird2 = lab.peers.bird(far, bird_config("198.18.30.2", {"to-r": BIRD_IFACE}),
                           name="bird2")
    lab.start_bird()
    d = lab.start_router(as0={"cost": 3}, redistribute=["autostatic"], extra_ifaces=["pr0"])
    lab.update_ok()
    lab.assert_set({NET_A, NET_B}, metric=4)
    for prefix in (NET_A, NET_B):
        r = bird2.wait_route(prefix, lambda r: r is not None and r.metric == 5, timeout=15)
        assert r.gateways == ["198.18.30.1"], r
    rows = {row["prefix"]: row for row in d.data("show routes")}
    assert rows[NET_A]["source"] == "autostatic", rows[NET_A]

    # cleared autostatic routes are withdrawn from the periodic neighbor
    d.ctl("clear autostatic as0")
    for prefix in (NET_A, NET_B):
        bird2.wait_route(prefix, lambda r: r is None or r.metric >= 16, timeout=10)
