# SPDX-License-Identifier: ISC
"""RIP receive checks against hand-made packets (RFC 2453 3.9.2 and routprotd's envelope rules).

A probe namespace sends crafted datagrams to routprotd. A packet that fails an envelope check is
dropped whole: the matching `drops` counter of `show status` goes up by one, nothing of it reaches
the table. An entry that fails a per-entry check is skipped and counted as a bad route of the
interface and of the neighbor, while the good entries of the same packet are installed.

Ordering is the proof: after each bad packet the probe sends a good "sentinel" response; once the
sentinel's route is in the table, the daemon has processed the bad packet before it.
"""

import itertools
import time

import pytest

from lib import craft
from lib.craft import ProbeLab, entry, header, response, v1_entry
from lib.peers import kernel_routes, neighbors, rip_config, rip_routes, rip_state, wait_rip_route
from lib.wait import wait_for

DROP_KEYS = ("not_rip_interface", "interface_down", "bad_source_port", "source_not_connected",
             "own_packets", "malformed", "bad_version", "authentication", "bad_command",
             "passive", "truncated", "replay")


def lab_config(lab, **iface0):
    eth0 = {"name": "eth0"}
    eth0.update(iface0)
    return rip_config([eth0, {"name": "eth1", "version": 1}, "lan0", "eth2"], timers=None,
                      router_id="198.18.5.1")


@pytest.fixture
def lab(topo, start_daemon):
    lab = ProbeLab(topo, start_daemon, lab_config, mtu=9000)
    yield lab
    lab.close()


_nets = itertools.count(1)


def fresh_prefix():
    """A /24 of 198.19.0.0/16 no other case of this run uses."""
    n = next(_nets)
    assert n < 250
    return f"198.19.{n}.0/24"


def drops(d):
    return dict(rip_state(d)["drops"])


def growth(before, after):
    """The drop counters that changed, with their increase."""
    return {k: after[k] - before[k] for k in DROP_KEYS if after[k] != before[k]}


def iface_stats(d, name="eth0"):
    return d.interface(name)["rip"]["stats"]


def sentinel(lab, iface="eth0", src=None):
    """Send a valid response with a fresh prefix and wait until it is learned: everything the
    probe sent before on that link has been processed."""
    prefix = fresh_prefix()
    if iface == "eth0":
        lab.send(response([entry(prefix, metric=1)]), src=src, iface=iface)
    else:
        lab.send(response([v1_entry(prefix.split("/")[0])], version=1), src=src, iface=iface,
                 dst="198.18.7.255")
    wait_rip_route(lab.d, prefix, lambda r: r is not None and r["metric"] == 2 and r["in_fib"],
                   timeout=5, what=f"sentinel {prefix} learned")
    return prefix


def assert_absent(d, ns, *prefixes):
    routes = rip_routes(d)
    kernel = kernel_routes(ns)
    for p in prefixes:
        assert p not in routes, f"{p} is in the RIP table: {routes[p]}"
        assert p not in kernel, f"{p} is in the kernel: {kernel[p]}"


def assert_installed(d, ns, prefix, metric, gateway, iface="eth0", tag=0):
    row = rip_routes(d).get(prefix)
    assert row is not None, f"{prefix} not learned; table: {sorted(rip_routes(d))}"
    assert (row["source"], row["metric"], row["nexthop"], row["interface"], row["tag"],
            row["in_fib"]) == ("rip", metric, gateway, iface, tag, True), row
    k = kernel_routes(ns).get(prefix)
    assert k is not None, f"{prefix} not in the kernel"
    assert k["gateways"] == [gateway] and k["metric"] == 20 and k["dev"] == iface, k


# ---------------------------------------------------------------------------------------------
# whole packets dropped
# ---------------------------------------------------------------------------------------------

def _good(prefix):
    return entry(prefix, metric=1)


# id -> (drop counter, build(prefix) -> dict(payload=..., and send() keywords))
ENVELOPE = {
    "response-from-port-5200": ("bad_source_port",
                                lambda p: dict(payload=response([_good(p)]), sport=5200)),
    "response-from-high-port": ("bad_source_port",
                                lambda p: dict(payload=response([_good(p)]), sport=40000)),
    "source-off-subnet": ("source_not_connected",
                          lambda p: dict(payload=response([_good(p)]), src="198.18.77.2")),
    "source-on-another-rip-subnet": ("source_not_connected",
                                     lambda p: dict(payload=response([_good(p)]),
                                                    src="198.18.7.2")),
    "own-address-as-source": ("own_packets",
                              lambda p: dict(payload=response([_good(p)]), src="198.18.5.1")),
    "version-0": ("bad_version", lambda p: dict(payload=response([_good(p)], version=0))),
    "version-1-on-a-v2-interface": ("bad_version",
                                    lambda p: dict(payload=response([v1_entry(p[:-3])],
                                                                    version=1))),
    "unknown-command-99": ("bad_command",
                           lambda p: dict(payload=craft.message(99, [_good(p)]))),
    "v1-nonzero-header-bytes": ("malformed",
                                lambda p: dict(payload=response([v1_entry(p[:-3])], version=1,
                                                                zero=0x0101))),
    "3-bytes": ("malformed", lambda p: dict(payload=header()[:3])),
    "23-bytes-4+19": ("malformed", lambda p: dict(payload=header() + _good(p)[:19])),
    "43-bytes-4+20+19": ("malformed",
                         lambda p: dict(payload=header() + _good(p) + _good(p)[:19])),
    "26-entries": ("malformed",
                   lambda p: dict(payload=response([_good(p)] + [
                       entry(f"198.18.{200 + i // 10}.{(i % 10) * 16}/28") for i in range(25)]))),
    "zero-entries": ("malformed", lambda p: dict(payload=header())),
    "authentication-entry": ("authentication",
                             lambda p: dict(payload=response([craft.auth_entry(),
                                                              _good(p)]))),
    "oversized-datagram": ("truncated",
                           lambda p: dict(payload=response([_good(p)] * 80))),
}


NEIGHBOR_FAULTS = ("malformed", "bad_version", "authentication")


@pytest.mark.parametrize("case", list(ENVELOPE))
def test_packet_dropped_whole(lab, case):
    """The packet is dropped as a whole, counted under its reason (and nothing else), and the
    daemon goes on answering and learning."""
    counter, build = ENVELOPE[case]
    d = lab.d
    bad = fresh_prefix()
    spec = build(bad)
    payload = spec.pop("payload")
    before = drops(d)
    nb_before = neighbors(d).get(lab.P0, {}).get("bad_packets", 0)
    if_before = iface_stats(d)["rx_bad_packets"]
    lab.send(payload, **spec)
    sentinel(lab)
    after = drops(d)
    assert_absent(d, lab.r, bad)
    # A packet from a neighbor (on the subnet, from port 520) that fails a later check counts
    # against that neighbor; every drop on a RIP interface counts against the interface.
    if counter in NEIGHBOR_FAULTS and spec.get("sport", 520) == 520 and "src" not in spec:
        assert neighbors(d)[lab.P0]["bad_packets"] - nb_before == 1, neighbors(d)[lab.P0]
    if counter != "truncated":
        assert iface_stats(d)["rx_bad_packets"] - if_before >= 1, iface_stats(d)
    grown = growth(before, after)
    # The kernel loops the daemon's own multicasts back to it, counted under own_packets
    # whenever it sends (here: the triggered update for the sentinel), so that counter only
    # proves something for the own-address case.
    own = grown.pop("own_packets", 0)
    if counter == "own_packets":
        assert own >= 1 and grown == {}, f"drop counters that changed: {grown}, own {own}"
    else:
        assert grown == {counter: 1}, f"drop counters that changed: {grown}"


def test_update_response_with_bad_flush_dropped(topo, start_daemon):
    """RFC 2091 4.2: the flush flag of an Update Response is 0 or 1. One with flush 2 is
    dropped and counted as malformed: its route is not learned and no acknowledgement is sent;
    the next well-formed one is learned and acknowledged."""
    lab = ProbeLab(topo, start_daemon, lambda lab: lab_config(lab, mode="demand"))
    try:
        d = lab.d
        bad, good = fresh_prefix(), fresh_prefix()
        with craft.Capture(lab.p, "eth0") as cap:
            before = drops(d)
            lab.send(craft.update_response([entry(bad)], seq=77, flush=2), unicast=True)
            lab.send(craft.update_response([entry(good)], seq=78, flush=0), unicast=True)
            wait_rip_route(d, good, timeout=5)
            cap.wait(lambda ps: any(p.command == craft.CMD_UPDATE_ACK for p in ps),
                     what="the acknowledgement of the good Update Response", src=lab.R0)
            acks = [p for p in cap.rip(src=lab.R0, command=craft.CMD_UPDATE_ACK)]
        assert_absent(d, lab.r, bad)
        grown = growth(before, drops(d))
        grown.pop("own_packets", None)
        assert grown == {"malformed": 1}, grown
        assert acks, "no acknowledgement"
        assert all(p.raw[6:8] == (78).to_bytes(2, "big") for p in acks), \
            "the Update Response with flush 2 was acknowledged"
    finally:
        lab.close()


def test_packet_on_a_rip_interface_that_is_not_running(lab):
    """A RIP interface that is up with carrier but has no address does not run: a broadcast
    response arriving there is dropped as interface_down."""
    d = lab.d
    lab.r.veth("eth2", "eth2", peer_ns=lab.p, up=True)
    lab.p.addr_add("eth2", "198.18.8.2/24")
    lab.p.wait_carrier("eth2")
    d.wait_interface("eth2", lambda r: r["enabled"] and r["media_present"], what="eth2 up")
    assert d.interface("eth2")["active"] is False
    bad = fresh_prefix()
    before = drops(d)
    with craft.Injector(lab.p, "eth2") as inj:
        inj.send(response([entry(bad)]), "198.18.8.2", "255.255.255.255")
    sentinel(lab)
    grown = growth(before, drops(d))
    grown.pop("own_packets", None)
    assert grown == {"interface_down": 1}, grown
    assert_absent(d, lab.r, bad)


def test_packet_on_an_interface_without_rip(topo, start_daemon):
    """A response broadcast on a link RIP does not run on is dropped as not_rip_interface."""
    lab = ProbeLab(topo, start_daemon,
                   lambda lab: rip_config([{"name": "eth1", "version": 1}, "lan0"], timers=None,
                                          router_id="198.18.5.1"))
    try:
        d = lab.d
        bad = fresh_prefix()
        before = drops(d)
        lab.send(response([entry(bad)]), dst="255.255.255.255", dst_mac=craft.BROADCAST_MAC)
        sentinel(lab, iface="eth1")
        after = drops(d)
        grown = growth(before, after)
        grown.pop("own_packets", None)
        assert grown == {"not_rip_interface": 1}, grown
        assert_absent(d, lab.r, bad)
    finally:
        lab.close()


# ---------------------------------------------------------------------------------------------
# single entries skipped
# ---------------------------------------------------------------------------------------------

# id -> build() -> the bad entry (the prefix it would install, when it has one)
BAD_ENTRIES = {
    "afi-7": lambda p: entry(p, afi=7),
    "afi-0-in-a-response": lambda p: entry(p, afi=0),
    "class-d": lambda p: entry("224.1.2.0/24"),
    "class-d-host": lambda p: entry("239.1.1.1/32"),
    "class-e": lambda p: entry("240.0.0.0/8"),
    "loopback": lambda p: entry("127.0.0.0/8"),
    "loopback-host": lambda p: entry("127.0.0.1/32"),
    "net-0": lambda p: entry("0.1.0.0/16"),
    "net-0-host": lambda p: entry("0.0.0.7/32"),
    "host-bits-set": lambda p: entry(address=p[:-4] + "1", mask="255.255.255.0"),
    "mask-shorter-than-address": lambda p: entry(address=p[:-3], mask="255.255.0.0"),
    "non-contiguous-mask": lambda p: entry(address=p[:-3], mask="255.0.255.0"),
    "metric-0": lambda p: entry(p, metric=0),
    "metric-17": lambda p: entry(p, metric=17),
    "metric-huge": lambda p: entry(p, metric=0x01000001),
}


@pytest.mark.parametrize("case", list(BAD_ENTRIES))
def test_bad_entry_skipped_good_ones_kept(lab, case):
    """[good, bad, good]: both good entries are installed (metric + cost, via the sender, proto
    rip metric 20 in the kernel), the bad one is not, and exactly one bad route is counted on
    the interface and on the neighbor; no packet is dropped."""
    d = lab.d
    good1, bad, good2 = fresh_prefix(), fresh_prefix(), fresh_prefix()
    bad_entry = BAD_ENTRIES[case](bad)
    before_if = iface_stats(d)
    before_nb = neighbors(d).get(lab.P0, {}).get("bad_routes", 0)
    before_drops = drops(d)
    lab.send(response([entry(good1, metric=1), bad_entry, entry(good2, metric=4)]))
    wait_rip_route(d, good2, timeout=5)
    assert_installed(d, lab.r, good1, 2, lab.P0)
    assert_installed(d, lab.r, good2, 5, lab.P0)
    assert_absent(d, lab.r, bad)
    routes = rip_routes(d)
    learned = sorted(p for p, r in routes.items() if r["source"] == "rip")
    assert learned == sorted([good1, good2]), f"learned: {learned}"
    after_if = iface_stats(d)
    assert after_if["rx_bad_routes"] - before_if["rx_bad_routes"] == 1, after_if
    nb = neighbors(d)[lab.P0]
    assert nb["bad_routes"] - before_nb == 1, nb
    assert nb["bad_packets"] == 0, nb
    grown = growth(before_drops, drops(d))
    grown.pop("own_packets", None)
    assert grown == {}, f"packets dropped: {grown}"


BAD_V1_ENTRIES = {
    "v1-nonzero-tag": lambda a: entry(address=a, mask="0.0.0.0", tag=7),
    "v1-nonzero-mask": lambda a: entry(address=a, mask="255.255.255.0"),
    "v1-nonzero-next-hop": lambda a: entry(address=a, mask="0.0.0.0", nexthop="198.18.7.2"),
}


@pytest.mark.parametrize("case", list(BAD_V1_ENTRIES))
def test_ripv1_packet_with_nonzero_mbz_dropped_whole(lab, case):
    """RFC 1058 3.4 (quoted by RFC 2453 5): a RIPv1 message with a must-be-zero field set in
    any entry is discarded whole: the good entry of the packet is not learned either, and the
    packet counts as malformed."""
    d = lab.d
    good, bad = fresh_prefix(), fresh_prefix()
    before = drops(d)
    nb_before = neighbors(d).get(lab.P1, {}).get("bad_packets", 0)
    lab.send(response([v1_entry(good[:-3]), BAD_V1_ENTRIES[case](bad[:-3])], version=1),
             iface="eth1", dst="198.18.7.255")
    sentinel(lab, iface="eth1")
    assert_absent(d, lab.r, good, bad)
    grown = growth(before, drops(d))
    grown.pop("own_packets", None)
    assert grown == {"malformed": 1}, grown
    assert neighbors(d)[lab.P1]["bad_packets"] - nb_before == 1


# version -> header must-be-zero field
HIGHER_VERSIONS = {"v2-nonzero-header": (2, 0x0101), "v3": (3, 0),
                   "v3-nonzero-header": (3, 0xffff), "v255": (255, 0x8000)}


@pytest.mark.parametrize("case", list(HIGHER_VERSIONS))
def test_version_2_and_above_processed_as_version_2(lab, case):
    """RFC 2453 5 (quoting RFC 1058): a message of a version above 1 is not discarded for a
    non-zero must-be-zero field, and a version above 2 is processed as version 2 (here on an
    interface that accepts version 2 only): its route is learned, nothing is dropped."""
    d = lab.d
    version, zero = HIGHER_VERSIONS[case]
    prefix = fresh_prefix()
    before = drops(d)
    lab.send(response([entry(prefix, metric=3, tag=5)], version=version, zero=zero))
    wait_rip_route(d, prefix, timeout=5)
    assert_installed(d, lab.r, prefix, 4, lab.P0, tag=5)
    grown = growth(before, drops(d))
    grown.pop("own_packets", None)
    assert grown == {}, grown


def test_version_3_request_answered_as_version_2(lab):
    """A whole-table request of version 3 is answered, with a version 2 response."""
    with craft.UdpEndpoint(lab.p, lab.P0, port=5555) as ep:
        ep.send(craft.request([craft.whole_table_entry()], version=3), lab.R0)
        got = ep.receive(timeout=5, until=bool)
    assert got, "no answer to a version 3 request"
    _, command, version, entries = got[0]
    assert (command, version) == (craft.CMD_RESPONSE, 2), got[0]
    assert entries, got[0]


def test_accepted_edge_entries(lab):
    """What must not be refused: the default route, a host route, metric 16 for an unknown
    route (nothing to install, no bad route), metric 15 + cost reaching 16 (unreachable, not
    installed), a tag (kept)."""
    d = lab.d
    host = "198.19.240.7/32"
    tagged = fresh_prefix()
    unknown16 = fresh_prefix()
    far = fresh_prefix()
    lab.send(response([entry("0.0.0.0/0", metric=1), entry(host, metric=2),
                       entry(unknown16, metric=16), entry(far, metric=15),
                       entry(tagged, metric=1, tag=0xBEEF)]))
    wait_rip_route(d, tagged, timeout=5)
    assert_installed(d, lab.r, "0.0.0.0/0", 2, lab.P0)
    assert_installed(d, lab.r, host, 3, lab.P0)
    assert_installed(d, lab.r, tagged, 2, lab.P0, tag=0xBEEF)
    for p in (unknown16, far):
        row = rip_routes(d).get(p)
        assert row is None or (row["metric"] == 16 and not row["in_fib"]), row
        assert p not in kernel_routes(lab.r)
    assert iface_stats(d)["rx_bad_routes"] == 0
    assert neighbors(d)[lab.P0]["bad_routes"] == 0


def test_next_hop_field(lab):
    """A next hop on the receiving subnet is used as the gateway; one off the subnet, or our
    own address, means "via the sender"; 0.0.0.0 is the sender."""
    d = lab.d
    on, off, own, zero = (fresh_prefix() for _ in range(4))
    lab.send(response([entry(on, nexthop=lab.P0B), entry(off, nexthop="198.18.99.9"),
                       entry(own, nexthop=lab.R0), entry(zero)]))
    wait_rip_route(d, zero, timeout=5)
    assert_installed(d, lab.r, on, 2, lab.P0B)
    assert_installed(d, lab.r, off, 2, lab.P0)
    assert_installed(d, lab.r, own, 2, lab.P0)
    assert_installed(d, lab.r, zero, 2, lab.P0)
    assert iface_stats(d)["rx_bad_routes"] == 0


# ---------------------------------------------------------------------------------------------
# a flood
# ---------------------------------------------------------------------------------------------

@pytest.mark.timeout(60)
def test_flood_of_malformed_packets(lab):
    """3000 malformed packets of several kinds: every one is counted, the daemon answers the
    control socket throughout, learns the next good packet, and logs only a few lines about
    them."""
    d = lab.d
    kinds = [
        response([entry("198.19.250.0/24")], version=0),
        header()[:3],
        header() + b"\x00" * 19,
        response([v1_entry("198.19.251.0")], version=1, zero=1),
    ]
    frames = [lab.frame(kinds[i % len(kinds)]) for i in range(3000)]
    def decode_drops():
        """Packets refused by the decoder: malformed, or of an unknown version."""
        c = drops(d)
        return c["malformed"] + c["bad_version"]

    before = decode_drops()
    log_before = d.log().count("dropped packet")
    slowest = 0.0
    sent = 0
    for chunk in range(0, len(frames), 250):
        sent += lab.inj["eth0"].send_many(frames[chunk:chunk + 250])
        t0 = time.monotonic()
        rip_state(d)
        slowest = max(slowest, time.monotonic() - t0)
    assert sent == len(frames)
    counted = wait_for(lambda: (lambda n: n if n >= before + sent * 0.95 else None)(
        decode_drops()), timeout=10, what="the malformed packets to be counted")
    assert counted - before <= sent
    assert slowest < 1.0, f"show status took {slowest:.2f} s during the flood"
    sentinel(lab)
    lines = d.log().count("dropped packet") - log_before
    assert 1 <= lines <= 50, f"{lines} 'dropped packet' log lines for {sent} packets"
    assert d.alive


def test_25_entries_accepted(lab):
    """25 entries is the most a packet may carry: all of them are learned."""
    d = lab.d
    prefixes = [f"198.18.{210 + i // 10}.{(i % 10) * 16}/28" for i in range(25)]
    before = drops(d)
    lab.send(response([entry(p, metric=1) for p in prefixes]))
    wait_rip_route(d, prefixes[-1], timeout=5)
    routes = rip_routes(d)
    assert all(routes.get(p, {}).get("metric") == 2 for p in prefixes)
    assert set(prefixes) <= set(kernel_routes(lab.r))
    grown = growth(before, drops(d))
    grown.pop("own_packets", None)
    assert grown == {}
