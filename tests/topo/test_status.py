# SPDX-License-Identifier: ISC
"""InterfaceStatus from the real kernel: ENABLED, DISABLED, MEDIA_PRESENT, MEDIA_ABSENT and
ADDRESS_CHANGE, one callback per transition, as the trace protocol records them.

Carrier changes pass through the kernel's linkwatch, which may deliver them about a second late:
the tests wait for events (bounded) and never rely on timing.
"""

from lib.routprotd import brief, types
from lib.wait import wait_for


def only(events, interface):
    """The events of one interface."""
    return [e for e in events if e.get("interface") == interface]


def test_admin_up_and_down_without_carrier(lab):
    """`ip link set up/down` on a link whose peer is down gives exactly ENABLED then DISABLED,
    inactive both times (no carrier, no address), and nothing for the other interface."""
    d, ns = lab.d, lab.ns
    mark = d.mark()
    ns.link_up("veth0")
    evs = d.wait_events(mark, [("ENABLED", "veth0")])
    assert evs[0]["active"] is False and evs[0]["ifindex"] == ns.ifindex("veth0")
    row = d.interface("veth0")
    assert row["enabled"] is True and row["media_present"] is False and row["active"] is False

    ns.link_down("veth0")
    d.wait_events(mark, [("ENABLED", "veth0"), ("DISABLED", "veth0")])
    d.settle()
    assert brief(d.events_since(mark)) == [("ENABLED", "veth0"), ("DISABLED", "veth0")]
    assert d.interface("veth0")["enabled"] is False


def test_carrier_follows_the_peer(lab):
    """With veth0 up, its peer going down/up is MEDIA_ABSENT/MEDIA_PRESENT on veth0 (through
    linkwatch), without any ENABLED/DISABLED for veth0."""
    d, ns = lab.d, lab.ns
    ns.link_up("veth0")
    mark = d.mark()
    ns.link_up("veth0p")
    d.wait_events(mark, [("MEDIA_PRESENT", "veth0")])
    assert d.interface("veth0")["media_present"] is True

    ns.link_down("veth0p")
    d.wait_events(mark, [("MEDIA_PRESENT", "veth0"), ("MEDIA_ABSENT", "veth0")])
    assert d.interface("veth0")["media_present"] is False
    ns.link_up("veth0p")
    d.wait_events(mark, [("MEDIA_PRESENT", "veth0"), ("MEDIA_ABSENT", "veth0"),
                         ("MEDIA_PRESENT", "veth0")])
    d.settle()
    evs = only(d.events_since(mark), "veth0")
    assert types(evs) == ["MEDIA_PRESENT", "MEDIA_ABSENT", "MEDIA_PRESENT"]
    assert all(e["active"] is False for e in evs), "no address: never active"


def test_active_needs_enabled_media_and_address(lab):
    """`active` in the status callbacks turns true only with IFF_UP, carrier and an IPv4
    address, and false again when any of them goes."""
    d, ns = lab.d, lab.ns
    mark = d.mark()
    ns.addr_add("veth0", "198.18.1.1/24")
    evs = d.wait_events(mark, [("ADDRESS_CHANGE", "veth0")])
    assert evs[-1]["active"] is False and evs[-1]["addresses"] == ["198.18.1.1/24"]

    lab.bring_up("veth0")
    evs = only(d.wait_events(mark, [("MEDIA_PRESENT", "veth0")]), "veth0")
    assert types(evs) == ["ADDRESS_CHANGE", "ENABLED", "MEDIA_PRESENT"]
    assert [e["active"] for e in evs] == [False, False, True]
    assert d.interface("veth0")["active"] is True

    ns.link_down("veth0p")
    evs = only(d.wait_events(mark, [("MEDIA_ABSENT", "veth0")]), "veth0")
    assert evs[-1]["active"] is False
    assert d.interface("veth0")["active"] is False


def test_address_changes_carry_the_whole_sorted_binding(lab):
    """Each address added or removed is one ADDRESS_CHANGE with every IPv4 address of the link,
    sorted, then its IPv6 link-local one, address_count equal to its length, and equal to what
    the kernel has."""
    d, ns = lab.d, lab.ns
    lab.bring_up("veth0")
    ll = lab.wait_link_local("veth0")
    steps = [
        ("add", "198.51.100.9/25"),
        ("add", "198.18.1.1/24"),
        ("add", "192.0.2.200/30"),
        ("add", "198.18.1.77/24"),       # secondary in 198.18.1.0/24
        ("del", "198.51.100.9/25"),
        ("del", "198.18.1.77/24"),
        ("del", "192.0.2.200/30"),
        ("del", "198.18.1.1/24"),
    ]
    for op, prefix in steps:
        mark = d.mark()
        (ns.addr_add if op == "add" else ns.addr_del)("veth0", prefix)
        expected = ns.ipv4_addresses("veth0") + [ll]
        d.wait_events(mark, lambda evs: any(
            e["type"] == "ADDRESS_CHANGE" and e["addresses"] == expected for e in evs),
            what=f"ADDRESS_CHANGE {expected} after {op} {prefix}")
        d.settle(quiet=0.2)
        evs = d.events_since(mark)
        assert brief(evs) == [("ADDRESS_CHANGE", "veth0")], f"{op} {prefix}: {evs}"
        ev = evs[0]
        assert ev["address_count"] == len(expected)
        assert ev["active"] is bool(expected[:-1])
        assert d.interface("veth0")["addresses"] == expected == ns.addresses("veth0")
    assert expected == [ll] and d.interface("veth0")["addresses"] == [ll]


def test_admin_down_with_carrier_orders_disabled_before_media_absent(lab):
    """Admin down on a link with carrier clears UP and LOWER_UP in one notification: DISABLED
    comes before MEDIA_ABSENT; admin up brings ENABLED then MEDIA_PRESENT."""
    d, ns = lab.d, lab.ns
    lab.bring_up("veth0", "198.18.2.1/24")
    mark = d.mark()
    ns.link_down("veth0")
    d.wait_events(mark, [("DISABLED", "veth0"), ("MEDIA_ABSENT", "veth0")])
    ns.link_up("veth0")
    d.wait_events(mark, [("DISABLED", "veth0"), ("MEDIA_ABSENT", "veth0"), ("ENABLED", "veth0"),
                         ("MEDIA_PRESENT", "veth0")])
    d.settle()
    evs = only(d.events_since(mark), "veth0")
    assert types(evs) == ["DISABLED", "MEDIA_ABSENT", "ENABLED", "MEDIA_PRESENT"]
    assert [e["active"] for e in evs] == [False, False, False, True]
    # the kernel keeps the address across admin down: no ADDRESS_CHANGE
    assert d.interface("veth0")["addresses"] == ["198.18.2.1/24"]


def test_quick_carrier_flap_is_reported_at_the_next_notification(lab):
    """A peer down/up faster than linkwatch may reach us as no carrier change at all (the kernel
    may not even send a notification for the link). The next notification for the link (here an
    MTU change) carries the kernel's carrier counter, from which the daemon reports the hidden
    flap: exactly one MEDIA_ABSENT then one MEDIA_PRESENT, ending active."""
    d, ns = lab.d, lab.ns
    lab.bring_up("veth0", "198.18.3.1/24")
    for attempt in range(3):
        mark = d.mark()
        ns.batch(["link set veth0p down", "link set veth0p up",
                  f"link set veth0 mtu {1400 - attempt}"])
        d.wait_events(mark, [("MEDIA_ABSENT", "veth0"), ("MEDIA_PRESENT", "veth0")])
        d.wait_interface("veth0", lambda r: r["mtu"] == 1400 - attempt)
        d.settle(quiet=1.2)  # a late linkwatch notification must not add anything
        evs = only(d.events_since(mark), "veth0")
        assert types(evs) == ["MEDIA_ABSENT", "MEDIA_PRESENT"], f"attempt {attempt}"
        assert evs[-1]["active"] is True
        assert d.interface("veth0")["media_present"] is True


def test_coalesced_carrier_flap_is_reported_from_its_own_notification(lab, workdir):
    """Each quick peer down/up is reported as MEDIA_ABSENT then MEDIA_PRESENT. Often linkwatch
    coalesces the two carrier changes into one RTM_NEWLINK for veth0 that shows carrier on with
    the kernel's carrier counter 2 higher; that notification is "the next notification" and must
    be enough. (`ip monitor` confirms the kernel sent a notification for veth0 each time; the
    loop goes on until three flaps came as a single notification, or 40 tries.)"""
    d, ns = lab.d, lab.ns
    lab.bring_up("veth0", "198.18.3.1/24")
    monitor = ns.spawn(["ip", "monitor", "link", "dev", "veth0"], "ip-monitor",
                       workdir / "monitor.log")
    lab.d.settle()
    coalesced = 0
    for attempt in range(40):
        if coalesced >= 3:
            break
        seen = len(monitor.output().splitlines())
        mark = d.mark()
        ns.batch(["link set veth0p down", "link set veth0p up"])
        lines = wait_for(lambda: [ln for ln in monitor.output().splitlines()[seen:]
                                  if "LOWER_UP" in ln], timeout=5,
                         what="the kernel's notification of veth0 carrier on")
        down_lines = [ln for ln in monitor.output().splitlines()[seen:] if "NO-CARRIER" in ln]
        coalesced += not down_lines
        d.wait_events(mark, [("MEDIA_ABSENT", "veth0"), ("MEDIA_PRESENT", "veth0")],
                      timeout=3, what=f"the flap of attempt {attempt} "
                                      f"(kernel notifications for veth0: "
                                      f"{down_lines + lines})")
        d.settle()
        assert types(only(d.events_since(mark), "veth0")) == ["MEDIA_ABSENT", "MEDIA_PRESENT"]
    assert d.interface("veth0")["media_present"] is True


def test_changes_on_unconfigured_links_reach_no_protocol(lab):
    """Links the configuration does not name (the veth peers) change state without any callback,
    yet `show interfaces` follows them."""
    d, ns = lab.d, lab.ns
    mark = d.mark()
    ns.link_up("veth1p")
    ns.addr_add("veth1p", "198.18.4.2/24")
    d.wait_interface("veth1p", lambda r: r["enabled"] and r["addresses"] == ["198.18.4.2/24"])
    d.settle()
    assert d.events_since(mark) == []
    row = d.interface("veth1p")
    assert row["protocols"] == [] and row["active"] is False and row["mode"] is None


def test_point_to_point_addresses_report_the_local_address(lab):
    """`ip addr add LOCAL peer PEER/len` binds LOCAL/len: the binding carries the local address,
    not the peer's."""
    d, ns = lab.d, lab.ns
    mark = d.mark()
    ns.ip("addr", "add", "198.18.5.1", "peer", "198.18.5.2/32", "dev", "veth0")
    ns.ip("addr", "add", "198.18.6.1", "peer", "198.18.7.0/24", "dev", "veth0")
    evs = d.wait_events(mark, lambda evs: len(evs) == 2, what="two ADDRESS_CHANGE")
    assert [e["addresses"] for e in evs] == [["198.18.5.1/32"],
                                             ["198.18.5.1/32", "198.18.6.1/24"]]
    assert d.interface("veth0")["addresses"] == ns.ipv4_addresses("veth0")
