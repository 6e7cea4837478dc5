# SPDX-License-Identifier: ISC
"""Netlink overrun: when the kernel drops notifications (ENOBUFS) the daemon re-reads links and
addresses and reports the difference, so that its view ends equal to the kernel's.

The burst is made deterministic: the daemon is stopped with SIGSTOP, thousands of changes are
applied with one `ip -batch`, and SIGCONT lets it find its tiny receive buffer overrun.
"""

import signal

import pytest

from lib.addresses import host_addresses, sort_key
from lib.routprotd import added_interfaces, check_callback_sequence, trace_config, types
from lib.wait import wait_for

RESYNC_LOG = "re-reading links and addresses"


def kernel_view(ns):
    """{name: (ifindex, enabled, media_present, sorted IPv4 addresses)} as the kernel has it."""
    view = {}
    for link in ns.ip_json("addr", "show"):
        flags = link.get("flags", [])
        addrs = [f"{a['local']}/{a['prefixlen']}" for a in link.get("addr_info", [])
                 if a.get("family") == "inet"]
        view[link["ifname"]] = (link["ifindex"], "UP" in flags, "LOWER_UP" in flags,
                                sorted(addrs, key=sort_key))
    return view


def daemon_view(d):
    return {name: (r["ifindex"], r["enabled"], r["media_present"], r["addresses"])
            for name, r in d.interfaces().items()}


def views_agree(ns, d):
    return daemon_view(d) == kernel_view(ns)


def diff_views(ns, d):
    k, v = kernel_view(ns), daemon_view(d)
    return {n: {"kernel": k.get(n), "daemon": v.get(n)} for n in set(k) | set(v)
            if k.get(n) != v.get(n)}


@pytest.mark.timeout(120)
def test_overrun_resync_matches_the_kernel(ns, start_daemon):
    """3000 address additions on veth0, veth1 coming up and veth2 deleted while the daemon is
    stopped overrun its 4 KiB buffer; afterwards: the log line, overruns >= 1, `show interfaces`
    equal to `ip addr show` for every link, and the net changes reported as callbacks (a
    complete binding for veth0, ENABLED + MEDIA_PRESENT for veth1, DELETE_INTERFACE for veth2)."""
    for name in ("veth0", "veth1", "veth2"):
        ns.veth(name, name + "p")
    ns.link_up("veth0p")
    ns.link_up("veth0")
    ns.wait_carrier("veth0")
    d = start_daemon(ns, trace_config(["veth0", "veth1", "veth2"], receive_buffer=4096))
    assert d.status()["netlink"]["receive_buffer"] >= 4096
    addrs = host_addresses("198.18.32.0/20", 3000, prefixlen=32)
    veth1, veth2 = ns.ifindex("veth1"), ns.ifindex("veth2")
    mark = d.mark()

    d.send_signal(signal.SIGSTOP)
    try:
        ns.batch([f"addr add {a} dev veth0" for a in addrs]
                 + ["link set veth1p up", "link set veth1 up", "link set veth1 down",
                    "link set veth1 up", "link del veth2"])
    finally:
        d.send_signal(signal.SIGCONT)

    d.wait_log(RESYNC_LOG, timeout=10)
    wait_for(lambda: views_agree(ns, d), timeout=15, what="daemon view == kernel view")
    assert len(d.interface("veth0")["addresses"]) == 3000

    st = d.status()
    assert st["netlink"]["overruns"] >= 1 and st["netlink"]["resyncs"] >= 1, st["netlink"]
    assert st["counters"]["netlink_resyncs"] >= 1
    assert "notifications lost (receive buffer overrun #1)" in d.log()

    d.settle()
    evs = d.events_since(mark)
    assert check_callback_sequence(evs, {ns.ifindex("veth0"): "veth0", veth1: "veth1",
                                         veth2: "veth2"}) == []
    veth0 = [e for e in evs if e["interface"] == "veth0"]
    assert veth0 and all(e["type"] == "ADDRESS_CHANGE" for e in veth0), types(evs, "veth0")
    assert veth0[-1]["address_count"] == 3000
    assert len(veth0) < 200, "a resync reports the difference, not every lost message"
    veth1 = types(evs, "veth1")
    assert veth1[-2:] == ["ENABLED", "MEDIA_PRESENT"], veth1
    assert types(evs, "veth2")[-1:] == ["DELETE_INTERFACE"]
    assert d.interface("veth1")["enabled"] is True and d.interface("veth2") is None


@pytest.mark.timeout(120)
def test_overrun_on_removal_burst(ns, start_daemon):
    """The same the other way: 2000 of 2500 addresses deleted in one stopped burst; the daemon's
    binding ends equal to the kernel's 500."""
    ns.veth("veth0", "veth0p", up=True)
    addrs = host_addresses("198.18.48.0/20", 2500, prefixlen=32)
    ns.batch([f"addr add {a} dev veth0" for a in addrs])
    d = start_daemon(ns, trace_config(["veth0"], receive_buffer=4096))
    assert len(d.interface("veth0")["addresses"]) == 2500
    overruns = d.status()["netlink"]["overruns"]

    d.send_signal(signal.SIGSTOP)
    try:
        ns.batch([f"addr del {a} dev veth0" for a in addrs[:2000]])
    finally:
        d.send_signal(signal.SIGCONT)

    wait_for(lambda: d.interface("veth0")["addresses"] == ns.ipv4_addresses("veth0"),
             timeout=15, what="veth0 binding == kernel's")
    assert len(ns.ipv4_addresses("veth0")) == 500
    assert d.status()["netlink"]["overruns"] > overruns
    wait_for(lambda: views_agree(ns, d), timeout=5, what="daemon view == kernel view")


def test_resync_moves_a_name_by_deleting_before_adding(ns, start_daemon):
    """Names swapped while notifications are lost: veth0 renamed to veth9 and veth1 (the lower
    ifindex) renamed to veth0. After the resync the protocol must never hold two interfaces named
    veth0: the old veth0 is deleted before the link now called veth0 is added, as the live
    notification order would have it. (Interfaces are found by name in the configuration and the
    autostatic store, so a duplicate name picks the wrong link.)"""
    ns.veth("veth1", "veth1p", up=True)
    ns.veth("veth0", "veth0p", up=True)
    old0, old1 = ns.ifindex("veth0"), ns.ifindex("veth1")
    assert old1 < old0
    d = start_daemon(ns, trace_config(["veth0", "veth1"], receive_buffer=4096))
    before = added_interfaces(d.events())
    assert before == {old0: "veth0", old1: "veth1"}
    mark = d.mark()

    d.send_signal(signal.SIGSTOP)
    try:
        ns.batch(["link set veth0 name veth9", "link set veth1 name veth0"]
                 + [f"addr add {a} dev veth9"
                    for a in host_addresses("198.18.64.0/22", 600, prefixlen=32)])
    finally:
        d.send_signal(signal.SIGCONT)

    d.wait_log(RESYNC_LOG, timeout=10)
    wait_for(lambda: views_agree(ns, d), timeout=15, what="daemon view == kernel view")
    d.settle()
    evs = d.events_since(mark)
    assert added_interfaces(d.events()) == {old1: "veth0"}
    assert check_callback_sequence(evs, before) == [], [
        (e["type"], e["interface"], e["ifindex"]) for e in evs]
