# SPDX-License-Identifier: ISC
"""The harness itself: the guard-rails every other test relies on."""

import os
import socket

import pytest

from lib import netns, process
from lib.wait import wait_for
from lib.addresses import check_test_address, host_addresses, is_test_address


def test_only_test_addresses_are_accepted():
    """Addresses outside 198.18.0.0/15, the TEST-NETs, 2001:db8::/32 and IPv6 link-local are
    refused before reaching ip."""
    for ok in ("198.18.0.1/24", "198.19.255.254", "192.0.2.1/32", "198.51.100.0/24",
               "203.0.113.9/30", "224.0.0.9", "2001:db8::1", "2001:db8:50::1/64", "fe80::1/64"):
        assert is_test_address(ok), ok
    for bad in ("10.0.0.1/8", "192.168.1.1/24", "172.16.0.1", "8.8.8.8", "198.20.0.1/24",
                "198.16.0.0/14", "0.0.0.0/0", "2001:db9::1", "2001:db8::/31", "::/0", "::1",
                "ff02::1"):
        assert not is_test_address(bad), bad
        with pytest.raises(ValueError):
            check_test_address(bad)
    assert host_addresses("198.18.7.0/24", 3, prefixlen=32) == [
        "198.18.7.1/32", "198.18.7.2/32", "198.18.7.3/32"]


def test_namespace_links_and_cleanup(topo):
    """Links are made inside test namespaces only; deleting a namespace ends what runs in it."""
    a = topo.netns("a")
    b = topo.netns("b")
    assert a.name.startswith(netns.RUN_PREFIX) and a.name in netns.list_namespaces()
    a.veth("x0", "y0", peer_ns=b, up=True)
    a.addr_add("x0", "198.18.9.1/30")
    b.addr_add("y0", "198.18.9.2/30")
    b.wait_carrier("y0")
    assert a.ipv4_addresses("x0") == ["198.18.9.1/30"]
    with pytest.raises(ValueError):
        a.addr_add("x0", "10.1.1.1/24")

    sleeper = b.spawn(["sleep", "600"], "sleeper", os.devnull)
    # `ip netns exec` execs the program in place: the pid is the program's own.
    wait_for(lambda: sleeper.pid in b.pids(), what="the spawned pid inside the namespace")
    b.delete()
    assert not sleeper.alive
    assert b.name not in netns.list_namespaces()
    # The kernel dismantles a deleted namespace asynchronously.
    wait_for(lambda: a.link("x0") is None, what="the veth pair to go with the peer namespace")


def test_entered_switches_only_inside_the_block(topo):
    """Netns.entered() moves the calling thread into the namespace and back."""
    a = topo.netns("e")
    a.stub("s0")
    own = os.readlink("/proc/thread-self/ns/net")
    with a.entered():
        inside = os.readlink("/proc/thread-self/ns/net")
        names = {name for _, name in socket.if_nameindex()}
    assert inside != own
    assert names == {"lo", "s0", "s0p"}
    assert os.readlink("/proc/thread-self/ns/net") == own


def test_scapy_runs_inside_a_namespace(topo):
    """Scapy code runs in a fresh interpreter inside a namespace and sees its links."""
    a = topo.netns("s")
    a.stub("s0")
    out = a.scapy("print(json.dumps(sorted(get_if_list())))").stdout
    assert "s0" in out and "s0p" in out


def test_sanitizer_reports_are_recognised():
    """The lines by which ASan, LSan and UBSan report are found in a log; ordinary lines not."""
    log = ("INFO rm: veth0: added to trace (ifindex 3)\n"
           "==123==ERROR: LeakSanitizer: detected memory leaks\n"
           "src/core/rm.c:10:5: runtime error: signed integer overflow\n"
           "SUMMARY: AddressSanitizer: 77 byte(s) leaked in 1 allocation(s).\n")
    assert len(process.sanitizer_reports(log)) == 3
    assert process.sanitizer_reports("NOTICE routprotd: stopped\n") == []
