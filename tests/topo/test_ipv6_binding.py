# SPDX-License-Identifier: ISC
"""IPv6 addresses in an interface's binding: the kernel's IPv6 addresses (link-local included)
and their duplicate address detection states reach the protocols through ADDRESS_CHANGE, and
show in `show interfaces` and `show events` after the IPv4 ones. Only IPv4 makes an interface
active."""

import re

from lib.peers import rip_config
from lib.routprotd import ipv4_only


def changes(events, name):
    """The ADDRESS_CHANGE events of interface `name`."""
    return [e for e in events if e["type"] == "ADDRESS_CHANGE" and e["interface"] == name]


def wait_change(d, mark, name, until, what):
    """Wait for an ADDRESS_CHANGE of `name` after `mark` for which until(event) is true."""
    evs = d.wait_events(mark, lambda evs: any(until(e) for e in changes(evs, name)), what=what)
    return next(e for e in changes(evs, name) if until(e))


def link_local(addresses):
    return [a for a in addresses if a.startswith("fe80:")]


def test_ipv6_addresses_reach_the_protocol(lab):
    """An IPv6 address added and removed is one ADDRESS_CHANGE each, carrying the whole binding:
    IPv4 first, then IPv6 with the kernel's link-local address marked; the trace protocol
    records the same binding; `show interfaces` lists it as the kernel has it."""
    ns, d = lab.ns, lab.d
    lab.bring_up("veth1", "198.18.50.1/24")
    row = d.wait_interface("veth1", lambda r: link_local(r["addresses"])
                           and r["address_flags"] == {link_local(r["addresses"])[0]:
                                                      ["link-local"]},
                           timeout=10, what="veth1's link-local address, its DAD done")
    ll = link_local(row["addresses"])[0]
    assert row["addresses"] == ["198.18.50.1/24", ll] == ns.addresses("veth1")
    ifindex = row["ifindex"]

    mark = d.mark()
    ns.addr_add("veth1", "2001:db8:50::1/64", "nodad")
    e = wait_change(d, mark, "veth1", lambda e: "2001:db8:50::1/64" in e["addresses"],
                    "ADDRESS_CHANGE with 2001:db8:50::1/64")
    assert e["addresses"] == ["198.18.50.1/24", "2001:db8:50::1/64", ll]
    assert e["address_count"] == 3 and e["active"] is True and e["protocol"] == "trace"
    assert e["address_flags"] == {ll: ["link-local"]} and e["families"] == ["ipv6"]
    d.wait_log(f"ADDRESS_CHANGE {ifindex} active=1 198.18.50.1/24 2001:db8:50::1/64 "
               f"{ll}[link-local]\n")
    row = d.interface("veth1")
    assert row["addresses"] == ["198.18.50.1/24", "2001:db8:50::1/64", ll]
    assert row["addresses"] == ns.addresses("veth1") and row["active"] is True
    assert "2001:db8:50::1/64" in d.ctl_result("show interfaces", json_output=False).stdout

    mark = d.mark()
    ns.addr_del("veth1", "2001:db8:50::1/64")
    e = wait_change(d, mark, "veth1", lambda e: "2001:db8:50::1/64" not in e["addresses"],
                    "ADDRESS_CHANGE without 2001:db8:50::1/64")
    assert e["addresses"] == ["198.18.50.1/24", ll]
    d.wait_log(f"ADDRESS_CHANGE {ifindex} active=1 198.18.50.1/24 {ll}[link-local]\n")
    assert d.interface("veth1")["addresses"] == ns.addresses("veth1")


def test_dad_tentative_then_valid(lab):
    """An address under duplicate address detection is bound as tentative; DAD ending is an
    ADDRESS_CHANGE of its own that shows it valid."""
    ns, d = lab.ns, lab.d
    lab.bring_up("veth1", "198.18.51.1/24")
    mark = d.mark()
    ns.addr_add("veth1", "2001:db8:51::1/64")
    e = wait_change(d, mark, "veth1", lambda e: "2001:db8:51::1/64" in e["addresses"],
                    "ADDRESS_CHANGE with 2001:db8:51::1/64")
    assert "tentative" in e["address_flags"]["2001:db8:51::1/64"]
    e = wait_change(d, mark, "veth1",
                    lambda e: "2001:db8:51::1/64" in e["addresses"]
                    and "2001:db8:51::1/64" not in e["address_flags"],
                    "2001:db8:51::1/64 valid after DAD")
    assert ns.ipv6_flags("veth1", "2001:db8:51::1") == set()
    assert e["addresses"][0] == "198.18.51.1/24" and e["active"] is True
    ifindex = d.interface("veth1")["ifindex"]
    log = d.log()
    tentative = log.index(f"ADDRESS_CHANGE {ifindex} active=1 198.18.51.1/24 "
                          "2001:db8:51::1/64[tentative]")
    valid = re.compile(f"ADDRESS_CHANGE {ifindex} active=1 198\\.18\\.51\\.1/24 "
                       "2001:db8:51::1/64[ \n]")
    assert valid.search(log, tentative), "trace recorded the address valid after DAD"


def test_dad_failure_is_bound_as_dadfailed(lab):
    """An address the peer already has fails DAD: the binding says so."""
    ns, d = lab.ns, lab.d
    lab.bring_up("veth1", "198.18.52.1/24")
    ns.addr_add("veth1p", "2001:db8:52::1/64", "nodad")
    mark = d.mark()
    ns.addr_add("veth1", "2001:db8:52::1/64")
    wait_change(d, mark, "veth1",
                lambda e: "dadfailed" in e["address_flags"].get("2001:db8:52::1/64", []),
                "2001:db8:52::1/64 dadfailed")
    assert "dadfailed" in ns.ipv6_flags("veth1", "2001:db8:52::1")
    assert d.interface("veth1")["active"] is True


def test_ipv6_alone_does_not_make_an_interface_active(lab):
    """A link up with only IPv6 addresses is bound (ADDRESS_CHANGE with them) but not active;
    its first IPv4 address makes it active."""
    ns, d = lab.ns, lab.d
    mark = d.mark()
    lab.bring_up("veth0")
    ns.addr_add("veth0", "2001:db8:53::1/64", "nodad")
    e = wait_change(d, mark, "veth0", lambda e: "2001:db8:53::1/64" in e["addresses"],
                    "ADDRESS_CHANGE with 2001:db8:53::1/64")
    assert e["active"] is False and ipv4_only(e["addresses"]) == []
    assert d.interface("veth0")["active"] is False
    mark = d.mark()
    ns.addr_add("veth0", "198.18.53.1/24")
    e = wait_change(d, mark, "veth0", lambda e: "198.18.53.1/24" in e["addresses"],
                    "ADDRESS_CHANGE with 198.18.53.1/24")
    assert e["active"] is True and e["addresses"][:2] == ["198.18.53.1/24", "2001:db8:53::1/64"]
    assert e["families"] == ["ipv4"]


def test_rip_ignores_ipv6_only_changes(ns, start_daemon):
    """RIP routes IPv4: an IPv6 address coming and going on its interface (an ADDRESS_CHANGE
    whose IPv4 part stays) sends no request and no triggered update and withdraws nothing."""
    ns.veth("veth0", "veth0p", up=True)
    ns.addr_add("veth0", "198.18.54.1/24")
    d = start_daemon(ns, rip_config(["veth0"], timers=None))
    d.wait_interface("veth0", lambda r: r["active"] and link_local(r["addresses"])
                     and r["address_flags"] == {link_local(r["addresses"])[0]: ["link-local"]},
                     timeout=10, what="veth0 active, its link-local address valid")
    d.settle(quiet=0.5)
    before = d.interface("veth0")["rip"]["stats"]
    mark = d.mark()
    ns.addr_add("veth0", "2001:db8:54::1/64", "nodad")
    ns.addr_del("veth0", "2001:db8:54::1/64")
    d.wait_events(mark, lambda evs: [e["protocol"] for e in changes(evs, "veth0")]
                  == ["rip", "rip"], what="two ADDRESS_CHANGEs to rip")
    d.settle(quiet=0.5)
    after = d.interface("veth0")["rip"]["stats"]
    for key in ("tx_requests", "tx_triggered"):
        assert after[key] == before[key], (key, before, after)
    assert "withdrawing" not in d.log()
    assert d.interface("veth0")["active"] is True
