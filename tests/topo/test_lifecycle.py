# SPDX-License-Identifier: ISC
"""Configured interfaces that exist at start, appear later, disappear, are renamed or moved to
another namespace: AddInterface / DeleteInterface and the statuses around them."""

from lib.routprotd import brief, ipv4_only, trace_config, types

CONFIG = trace_config(["veth0", "veth1", "veth2"])


def only(events, interface):
    return [e for e in events if e.get("interface") == interface]


def make_ready(ns, name, address):
    """A veth pair `name`/`name`p, both up (carrier) and `address` on `name`."""
    ns.veth(name, name + "p", up=True)
    ns.addr_add(name, address)
    ns.wait_carrier(name)


def test_start_reports_the_interfaces_that_exist(ns, start_daemon):
    """At start each configured link that exists gets ADD_INTERFACE followed by its current
    ADDRESS_CHANGE, ENABLED and MEDIA_PRESENT; a down link only ADD_INTERFACE; a missing one
    nothing. START_PROTOCOL comes first and START_COMPLETE after every ADD_INTERFACE."""
    make_ready(ns, "veth0", "198.18.10.1/24")
    ns.addr_add("veth0", "198.18.10.129/25")
    ns.veth("veth1", "veth1p")
    d = start_daemon(ns, CONFIG)
    evs = d.events()
    assert evs[0]["type"] == "START_PROTOCOL" and evs[0]["protocol"] == "trace"
    assert evs[0]["interface"] is None
    assert types(evs, "veth0") == ["ADD_INTERFACE", "ADDRESS_CHANGE", "ENABLED", "MEDIA_PRESENT"]
    change = only(evs, "veth0")[1]
    assert ipv4_only(change["addresses"]) == ["198.18.10.1/24", "198.18.10.129/25"]
    assert change["addresses"][:2] == ipv4_only(change["addresses"])  # IPv4 first
    assert change["address_count"] == len(change["addresses"])
    assert only(evs, "veth0")[-1]["active"] is True
    assert types(evs, "veth1") == ["ADD_INTERFACE"]
    assert types(evs, "veth2") == []
    complete = types(evs).index("START_COMPLETE")
    assert all(e["type"] != "ADD_INTERFACE" for e in evs[complete:])
    assert d.interface("veth0")["ifindex"] == ns.ifindex("veth0")
    assert d.interface("veth0")["active"] is True
    assert d.interface("veth2") is None


def test_interface_appearing_later(ns, start_daemon):
    """A configured link created after start is added (ADD_INTERFACE alone while it is down and
    unaddressed), then its changes come as usual."""
    d = start_daemon(ns, CONFIG)
    mark = d.mark()
    ns.veth("veth2", "veth2p")
    evs = d.wait_events(mark, [("ADD_INTERFACE", "veth2")])
    assert evs[-1]["ifindex"] == ns.ifindex("veth2")
    ns.link_up("veth2p")
    ns.link_up("veth2")
    ns.addr_add("veth2", "198.18.12.1/24")
    d.wait_events(mark, [("ADD_INTERFACE", "veth2"), ("ENABLED", "veth2"),
                         ("MEDIA_PRESENT", "veth2"), ("ADDRESS_CHANGE", "veth2")])
    d.settle()
    assert brief(d.events_since(mark)) == [
        ("ADD_INTERFACE", "veth2"), ("ENABLED", "veth2"), ("MEDIA_PRESENT", "veth2"),
        ("ADDRESS_CHANGE", "veth2")]
    assert d.interface("veth2")["active"] is True
    assert d.interface("veth2")["protocols"] == ["trace"]


def test_interface_appearing_up_with_addresses(ns, start_daemon):
    """A link that gets a configured name while up, with carrier and addresses, is added with
    all its current state: ADD_INTERFACE, ADDRESS_CHANGE, ENABLED, MEDIA_PRESENT in that order."""
    d = start_daemon(ns, CONFIG)
    make_ready(ns, "new2", "198.18.13.1/24")
    d.settle()
    mark = d.mark()
    ns.rename("new2", "veth2")
    d.wait_events(mark, [("MEDIA_PRESENT", "veth2")])
    d.settle()
    evs = d.events_since(mark)
    assert types(evs) == ["ADD_INTERFACE", "ADDRESS_CHANGE", "ENABLED", "MEDIA_PRESENT"]
    assert evs[1]["addresses"] == ["198.18.13.1/24"]
    assert evs[-1]["active"] is True


def test_interface_deleted(ns, start_daemon):
    """Deleting a configured link that is up ends in DELETE_INTERFACE, with DISABLED before it;
    the kernel's own link-down may add MEDIA_ABSENT and ADDRESS_CHANGEs that only remove
    addresses (IPv6 ones may go before IPv4 ones), nothing else.
    The other interfaces hear nothing; a link created again under the name is added anew."""
    make_ready(ns, "veth0", "198.18.14.1/24")
    make_ready(ns, "veth1", "198.18.15.1/24")
    d = start_daemon(ns, CONFIG)
    old_index = ns.ifindex("veth0")
    mark = d.mark()
    ns.link_del("veth0")
    d.wait_events(mark, [("DELETE_INTERFACE", "veth0")])
    d.settle()
    evs = d.events_since(mark)
    assert {e["interface"] for e in evs} == {"veth0"}, brief(evs)
    seq = types(evs)
    assert seq[-1] == "DELETE_INTERFACE" and seq.count("DELETE_INTERFACE") == 1
    assert seq.count("DISABLED") == 1 and seq.index("DISABLED") < len(seq) - 1
    assert set(seq) <= {"DISABLED", "MEDIA_ABSENT", "ADDRESS_CHANGE", "DELETE_INTERFACE"}, seq
    bound = None
    for e in evs:
        if e["type"] == "ADDRESS_CHANGE":
            assert bound is None or set(e["addresses"]) <= bound, e
            assert ipv4_only(e["addresses"]) in ([], ["198.18.14.1/24"]), e
            assert e["address_count"] == len(e["addresses"])
            bound = set(e["addresses"])
        assert e["ifindex"] == old_index
    assert d.interface("veth0") is None and d.interface("veth0p") is None

    mark = d.mark()
    ns.veth("veth0", "veth0p")
    evs = d.wait_events(mark, [("ADD_INTERFACE", "veth0")])
    assert evs[-1]["ifindex"] == ns.ifindex("veth0")


def test_interface_deleted_while_down(ns, start_daemon):
    """A configured link that is down and unaddressed just gets DELETE_INTERFACE."""
    ns.veth("veth1", "veth1p")
    d = start_daemon(ns, CONFIG)
    mark = d.mark()
    ns.link_del("veth1")
    d.wait_events(mark, [("DELETE_INTERFACE", "veth1")])
    d.settle()
    assert brief(d.events_since(mark)) == [("DELETE_INTERFACE", "veth1")]


def test_renamed_away_and_back(ns, start_daemon):
    """Renaming a configured link that is up to an unconfigured name is DISABLED then
    DELETE_INTERFACE (the link itself lives on, unconfigured); renaming it back adds it again
    with its current state."""
    make_ready(ns, "veth0", "198.18.16.1/24")
    d = start_daemon(ns, CONFIG)
    index = ns.ifindex("veth0")
    mark = d.mark()
    ns.rename("veth0", "away0")
    d.wait_events(mark, [("DELETE_INTERFACE", "veth0")])
    d.settle()
    assert brief(d.events_since(mark)) == [("DISABLED", "veth0"), ("DELETE_INTERFACE", "veth0")]
    assert d.interface("veth0") is None
    away = d.interface("away0")
    assert away["ifindex"] == index and away["protocols"] == [] and away["active"] is False

    mark = d.mark()
    ns.rename("away0", "veth0")
    d.wait_events(mark, [("MEDIA_PRESENT", "veth0")])
    d.settle()
    evs = d.events_since(mark)
    assert types(evs) == ["ADD_INTERFACE", "ADDRESS_CHANGE", "ENABLED", "MEDIA_PRESENT"]
    assert all(e["ifindex"] == index for e in evs)
    assert ipv4_only(evs[1]["addresses"]) == ["198.18.16.1/24"]
    assert d.interface("veth0")["active"] is True


def test_renamed_from_one_configured_name_to_another(ns, start_daemon):
    """veth1 renamed to the configured (absent) name veth2: deleted as veth1, added as veth2 with
    the same ifindex."""
    make_ready(ns, "veth1", "198.18.17.1/24")
    d = start_daemon(ns, CONFIG)
    index = ns.ifindex("veth1")
    mark = d.mark()
    ns.rename("veth1", "veth2")
    d.wait_events(mark, [("DELETE_INTERFACE", "veth1"), ("MEDIA_PRESENT", "veth2")])
    d.settle()
    evs = d.events_since(mark)
    assert brief(evs) == [("DISABLED", "veth1"), ("DELETE_INTERFACE", "veth1"),
                          ("ADD_INTERFACE", "veth2"), ("ADDRESS_CHANGE", "veth2"),
                          ("ENABLED", "veth2"), ("MEDIA_PRESENT", "veth2")]
    assert all(e["ifindex"] == index for e in evs)


def test_moved_to_another_namespace_and_back(topo, ns, start_daemon):
    """A link moved out of the daemon's namespace disappears (DISABLED, DELETE_INTERFACE); moved
    back it is added again, down and without addresses (the kernel resets both on a move)."""
    make_ready(ns, "veth0", "198.18.18.1/24")
    d = start_daemon(ns, CONFIG)
    other = topo.netns("other")
    mark = d.mark()
    ns.move("veth0", other)
    d.wait_events(mark, [("DELETE_INTERFACE", "veth0")])
    d.settle()
    seq = types(d.events_since(mark))
    assert seq[0] == "DISABLED" and seq[-1] == "DELETE_INTERFACE", seq
    assert set(seq) <= {"DISABLED", "MEDIA_ABSENT", "ADDRESS_CHANGE", "DELETE_INTERFACE"}, seq

    mark = d.mark()
    other.move("veth0", ns)
    d.wait_events(mark, [("ADD_INTERFACE", "veth0")])
    d.settle()
    assert brief(d.events_since(mark)) == [("ADD_INTERFACE", "veth0")]
    row = d.interface("veth0")
    assert row["enabled"] is False and row["addresses"] == []
