# SPDX-License-Identifier: ISC
"""RIP authentication against real peers: RFC 2453 simple passwords and RFC 4822 Keyed-MD5 and
HMAC-SHA with BIRD 2 and FRR's ripd, both directions; wrong keys, unauthenticated peers and
secrets in a world-readable file refused; key rollover by lifetimes; full Keyed-MD5 updates
within 512 bytes (FRR learns all 33 routes); auth-sequence-reset checked."""

import contextlib
import datetime
import os
import subprocess
import tempfile

import pytest

from lib.peers import (bird_config, frr_ripd_config, kernel_routes, peers,  # noqa: F401
                       rip_config, rip_state)
from lib.routprotd import daemon_binary
from lib.wait import wait_for

R, P = "198.18.20.1", "198.18.20.2"          # routprotd and its peer on eth0
OURS = "198.19.41.0/24"                      # a stub subnet routprotd announces
THEIRS = "198.19.40.0/24"                    # a route the peer announces
SECRET = "s3cret"


@pytest.fixture
def pair(topo):
    """routprotd's namespace with eth0 to the peer's namespace, and a stub subnet."""
    r, p = topo.netns("router"), topo.netns("peer")
    r.veth("eth0", "eth0", peer_ns=p)
    r.addr_add("eth0", f"{R}/24")
    p.addr_add("eth0", f"{P}/24")
    r.link_up("eth0")
    p.link_up("eth0")
    r.veth("stub0", "stub1")
    r.link_up("stub0")
    r.link_up("stub1")
    r.addr_add("stub0", "198.19.41.1/24")
    r.wait_carrier("eth0")
    return r, p


def auth_keys(kind, secret=SECRET, extra=None):
    keys = {"authentication": kind}
    keys.update(extra or {})
    return keys


def start_router(start_daemon, r, iface_keys, key_block):
    """routprotd with the interface keys and a `keys = (...)` block written by hand (the
    harness writes lists of scalars only)."""
    text = rip_config([dict({"name": "eth0"}, **iface_keys)], router_id=R, timers=(2, 12, 4),
                      redistribute=["connected"])
    text = text.replace('{ name = "eth0";', '{ name = "eth0"; ' + key_block, 1)
    return start_daemon(r, text)


def key_block(secret=SECRET, key_id=1, simple=False, times=""):
    if simple:
        return f'keys = ( {{ secret = "{secret}"; }} );'
    return f'keys = ( {{ id = {key_id}; secret = "{secret}"; {times} }} );'


def converged(d, p_routes, r_ns):
    wait_for(lambda: THEIRS in kernel_routes(r_ns) or None, timeout=15,
             what=f"{THEIRS} learned by routprotd")
    wait_for(p_routes, timeout=15, what=f"{OURS} learned by the peer")
    assert rip_state(d)["drops"]["authentication"] == 0


BIRD_AUTH = {
    "simple": ('authentication plaintext; password "{s}";', "simple", {}, True),
    "md5": ('authentication cryptographic; password "{s}" {{ id 1; algorithm keyed md5; }};',
            "md5", {}, False),
    "md5-rfc-length": ('authentication cryptographic; password "{s}" '
                       '{{ id 1; algorithm keyed md5; }};', "md5", {"md5-auth-length": 16},
                       False),
    "hmac-sha1": ('authentication cryptographic; password "{s}" '
                  '{{ id 1; algorithm hmac sha1; }};', "hmac-sha1", {}, False),
    "hmac-sha256": ('authentication cryptographic; password "{s}" '
                    '{{ id 1; algorithm hmac sha256; }};', "hmac-sha256", {}, False),
    "hmac-sha512": ('authentication cryptographic; password "{s}" '
                    '{{ id 1; algorithm hmac sha512; }};', "hmac-sha512", {}, False),
}


def start_bird(peers, p, auth_options):
    return peers.bird(p, bird_config(P, {"eth0": "update time 2; timeout time 12; "
                                                 + auth_options}, static=[THEIRS]))


@pytest.mark.parametrize("kind", list(BIRD_AUTH))
def test_authentication_with_bird(pair, peers, start_daemon, kind):
    """Each authentication kind interoperates with BIRD both ways, and nothing is dropped."""
    r, p = pair
    bird_opts, ours, extra, simple = BIRD_AUTH[kind]
    bird = start_bird(peers, p, bird_opts.format(s=SECRET))
    d = start_router(start_daemon, r, auth_keys(ours, extra=extra), key_block(simple=simple))
    converged(d, lambda: bird.route(OURS), r)
    assert not bird.bad_packet_lines()


def frr_auth_config(mode):
    """ripd.conf with authentication on eth0: text, or md5 with a key chain in one of FRR's two
    length conventions."""
    head = []
    if mode == "text":
        head += ["interface eth0", " ip rip authentication mode text",
                 f" ip rip authentication string {SECRET}", "exit"]
    else:
        head += ["key chain kc", " key 1", f"  key-string {SECRET}", " exit", "exit",
                 "interface eth0", f" ip rip authentication mode md5 auth-length {mode}",
                 " ip rip authentication key-chain kc", "exit"]
    conf = frr_ripd_config(["eth0"], redistribute=("kernel",))
    return "\n".join(head) + "\n" + conf


@pytest.mark.parametrize("mode,ours", [("text", "simple"), ("old-ripd", "md5-20"),
                                       ("rfc", "md5-16")])
def test_authentication_with_frr(pair, peers, start_daemon, mode, ours):
    """Clear-text and Keyed-MD5 (in both of FRR's length conventions) with FRR's ripd."""
    r, p = pair
    p.ip("route", "add", "blackhole", THEIRS)
    frr = peers.frr(p, frr_auth_config(mode), interfaces=["eth0"])
    kind = "simple" if ours == "simple" else "md5"
    extra = {"md5-auth-length": int(ours[-2:])} if kind == "md5" else {}
    d = start_router(start_daemon, r, auth_keys(kind, extra=extra),
                     key_block(simple=kind == "simple"))
    converged(d, lambda: frr.rip_route(OURS), r)


def test_wrong_key_refused_both_ways(pair, peers, start_daemon):
    """A peer with another secret: nothing is learned either way; routprotd counts the drops
    and says why."""
    r, p = pair
    bird = start_bird(peers, p, 'authentication cryptographic; password "other" '
                                '{ id 1; algorithm hmac sha256; };')
    d = start_router(start_daemon, r, auth_keys("hmac-sha256"), key_block())
    wait_for(lambda: rip_state(d)["drops"]["authentication"] >= 2 or None, timeout=15,
             what="authentication drops")
    assert THEIRS not in kernel_routes(r)
    assert bird.route(OURS) is None
    assert "wrong digest" in d.log()


def test_unauthenticated_peer_refused(pair, peers, start_daemon):
    """routprotd authenticates; the peer does not: its packets are dropped ("no
    authentication") and nothing it says is learned."""
    r, p = pair
    start_bird(peers, p, "")
    d = start_router(start_daemon, r, auth_keys("md5"), key_block())
    wait_for(lambda: rip_state(d)["drops"]["authentication"] >= 2 or None, timeout=15,
             what="authentication drops")
    assert THEIRS not in kernel_routes(r)
    assert "no authentication" in d.log()


def check_config(path):
    return subprocess.run([str(daemon_binary()), "-t", "-c", path], capture_output=True,
                          text=True, timeout=10)


@contextlib.contextmanager
def config_file(iface_text, mode=0o600):
    """A configuration file with RIP on eth0 and `iface_text` in its entry; yields its path."""
    text = rip_config([{"name": "eth0"}], router_id=R).replace(
        '{ name = "eth0";', '{ name = "eth0"; ' + iface_text, 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "routprotd.conf")
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        yield path


def test_secrets_in_a_world_readable_file_refused():
    """The configuration check refuses keys in a file everyone can read, naming the file; the
    same file private is valid."""
    with config_file('authentication = "md5"; ' + key_block(), mode=0o644) as path:
        res = check_config(path)
        assert res.returncode == 1, res.stderr
        assert path in res.stderr and "everyone can read" in res.stderr
        os.chmod(path, 0o600)
        res = check_config(path)
        assert res.returncode == 0, res.stderr


def utc(delta_s):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta_s)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_key_rollover(pair, peers, start_daemon):
    """Key 1 stops being sent after a few seconds and key 2 starts: a peer that knows only
    key 2 hears nothing from us before the rollover and everything after."""
    r, p = pair
    bird = start_bird(peers, p, 'authentication cryptographic; password "two" '
                                '{ id 2; algorithm hmac sha256; };')
    switch = utc(6)
    block = (f'keys = ( {{ id = 1; secret = "one"; send-until = "{switch}"; }}, '
             f'{{ id = 2; secret = "two"; send-from = "{switch}"; }} );')
    start_router(start_daemon, r, auth_keys("hmac-sha256"), block)
    assert bird.route(OURS) is None
    bird.wait_route(OURS, timeout=20, what=f"{OURS} at BIRD after the rollover")


MANY = [f"198.19.{n}.0/24" for n in range(100, 132)]  # 32 more stub subnets announced


@pytest.mark.parametrize("mode,md5_len", [("rfc", 16), ("old-ripd", 20)])
def test_full_md5_updates_fit_frr(pair, peers, start_daemon, mode, md5_len):
    """33 routes with Keyed-MD5: every datagram stays within 512 bytes of RIP payload (23
    entries, not 24, with the authentication entry and trailer), so FRR's ripd, which drops
    larger packets, learns every route."""
    r, p = pair
    for prefix in MANY:
        r.addr_add("stub0", prefix.replace(".0/24", ".1/24"))
    p.ip("route", "add", "blackhole", THEIRS)
    frr = peers.frr(p, frr_auth_config(mode), interfaces=["eth0"])
    start_router(start_daemon, r, auth_keys("md5", extra={"md5-auth-length": md5_len}),
                 key_block())
    wanted = set(MANY) | {OURS}
    wait_for(lambda: wanted <= set(frr.rip_routes()) or None, timeout=30,
             what=f"all {len(wanted)} routes learned by FRR")


@pytest.mark.parametrize("kind,value,valid", [
    ("md5", "true", True), ("hmac-sha256", "false", True), ("hmac-sha512", "600", True),
    ("md5", "0", False), ("md5", '"soon"', False), ("simple", "true", False)])
def test_auth_sequence_reset_checked(kind, value, valid):
    """auth-sequence-reset is true, false or seconds (1..86400), and only with cryptographic
    authentication; a wrong value is refused with its line."""
    block = key_block(simple=kind == "simple")
    with config_file(f'authentication = "{kind}"; {block} auth-sequence-reset = {value};') \
            as path:
        res = check_config(path)
    assert (res.returncode == 0) == valid, res.stderr
    if not valid:
        assert "auth-sequence-reset" in res.stderr and path in res.stderr
