# SPDX-License-Identifier: ISC
"""Network namespaces for the topology tests: links, addresses, commands and programs inside.

Every namespace is created here, named rptopo-<pytest pid>-<serial>[-<tag>], so that a sweep
can find what a run left behind: sweep_run() removes this run's namespaces, sweep_stale() those of
runs whose pytest process no longer exists. Links are created directly inside namespaces (never in
the host's), addresses and routes are checked against the test ranges (lib.addresses), and a
namespace's processes are ended before it is deleted.

The kernel here has veth and bridge links but no dummy, vrf, gre or ipip: a "stub network with
carrier" is a veth pair whose two ends are both up in the same namespace (Netns.stub()).
"""

import contextlib
import ctypes
import itertools
import json
import os
import signal
import threading
import time

from . import process
from .addresses import check_test_address, sort_key
from .wait import wait_for

NS_PREFIX = "rptopo-"
RUN_PREFIX = f"{NS_PREFIX}{os.getpid()}-"
NETNS_DIR = "/run/netns"
IFNAMSIZ = 16

_serial = itertools.count(1)
_serial_lock = threading.Lock()
_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNET = 0x40000000


def _next_name(tag):
    with _serial_lock:
        n = next(_serial)
    return f"{RUN_PREFIX}{n}" + (f"-{tag}" if tag else "")


def check_ifname(name):
    """Interface names are at most 15 bytes; fail early with a clear message."""
    if not name or len(name.encode()) >= IFNAMSIZ or "/" in name or name.strip() != name:
        raise ValueError(f"invalid interface name {name!r}")
    return name


class Netns:
    """One network namespace created by a test (loopback up), deleted by delete()."""

    def __init__(self, tag=""):
        self.name = _next_name(tag)
        process.run(["ip", "netns", "add", self.name])
        self.deleted = False
        self._procs = []
        try:
            self.ip("link", "set", "lo", "up")
        except BaseException:
            self.delete()
            raise

    def __repr__(self):
        return f"<Netns {self.name}>"

    # ---- commands inside ----

    def exec_argv(self, argv):
        """argv prefixed so that it runs inside this namespace."""
        return ["ip", "netns", "exec", self.name, *[str(a) for a in argv]]

    def run(self, *argv, check=True, timeout=60, input=None, env=None):
        """Run a command inside the namespace to completion (see process.run)."""
        return process.run(self.exec_argv(argv), check=check, timeout=timeout, input=input,
                           env=env)

    def ip(self, *args, check=True, timeout=60):
        """`ip -n NS ARGS`; returns the CompletedProcess."""
        return process.run(["ip", "-n", self.name, *[str(a) for a in args]], check=check,
                           timeout=timeout)

    def ip_json(self, *args):
        """`ip -n NS -j ARGS` parsed (a list; empty when ip printed nothing)."""
        out = self.ip("-j", *args).stdout.strip()
        return json.loads(out) if out else []

    def batch(self, lines, check=True, timeout=120):
        """Feed `ip -n NS -batch -` the given commands (one per item, without the leading "ip").

        One ip process applies them all back to back, which is how the tests produce bursts of
        netlink notifications. Addresses are the caller's responsibility to check.
        """
        text = "".join(line.rstrip("\n") + "\n" for line in lines)
        return process.run(["ip", "-n", self.name, "-batch", "-"], input=text, check=check,
                           timeout=timeout)

    def python(self, code, *args, timeout=60, check=True):
        """Run /usr/bin/python3 -c CODE ARGS inside the namespace (for example scapy code)."""
        return self.run("/usr/bin/python3", "-c", code, *args, timeout=timeout, check=check)

    def scapy(self, code, timeout=60, check=True):
        """Run scapy code inside the namespace in a fresh interpreter; returns CompletedProcess.

        The code runs after `from scapy.all import *` with scapy's own logging quietened; print
        what the test should read back (for example json.dumps of a result).
        """
        prologue = ("import logging, json, sys\n"
                    "logging.getLogger('scapy').setLevel(logging.ERROR)\n"
                    "from scapy.all import *\n")
        return self.python(prologue + code, timeout=timeout, check=check)

    @contextlib.contextmanager
    def entered(self):
        """Switch the calling thread into this namespace for the duration of the block.

        Sockets opened inside stay in the namespace after the block. Libraries that cache the
        interface list at import (scapy's conf.ifaces) must refresh it inside the block.
        """
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        try:
            target = os.open(os.path.join(NETNS_DIR, self.name), os.O_RDONLY)
            try:
                if _libc.setns(target, _CLONE_NEWNET) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"setns({self.name}): {os.strerror(err)}")
            finally:
                os.close(target)
            try:
                yield self
            finally:
                if _libc.setns(own, _CLONE_NEWNET) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"setns(back): {os.strerror(err)}")
        finally:
            os.close(own)

    def spawn(self, argv, name, log_path, env=None, cwd=None):
        """Start a long-running program inside the namespace; it is ended by delete().

        `ip netns exec` execs the program in place, so the Process's pid is the program's own.
        """
        proc = process.Process(self.exec_argv(argv), name, log_path, env=env, cwd=cwd)
        self._procs.append(proc)
        return proc

    # ---- links ----

    def veth(self, name, peer, peer_ns=None, up=False):
        """A veth pair: `name` here, `peer` in peer_ns (default: here). up=True sets both up."""
        check_ifname(name)
        check_ifname(peer)
        other = peer_ns or self
        args = ["link", "add", name, "type", "veth", "peer", "name", peer]
        if other is not self:
            args += ["netns", other.name]
        self.ip(*args)
        if up:
            self.link_up(name)
            other.link_up(peer)
        return name, peer

    def stub(self, name, peer=None):
        """A link with carrier and nothing behind it: a veth pair, both ends up in this
        namespace. Returns (name, peer); the peer defaults to name + "p"."""
        peer = peer or name + "p"
        return self.veth(name, peer, up=True)

    def bridge(self, name, up=True):
        """A bridge, up by default (a bridge has carrier once a port with carrier joins it)."""
        self.ip("link", "add", check_ifname(name), "type", "bridge")
        if up:
            self.link_up(name)
        return name

    def bridge_port(self, bridge, port):
        """Make `port` a port of `bridge` and set it up."""
        self.ip("link", "set", port, "master", bridge)
        self.link_up(port)

    def link_up(self, name):
        self.ip("link", "set", name, "up")

    def link_down(self, name):
        self.ip("link", "set", name, "down")

    def link_del(self, name):
        self.ip("link", "del", name)

    def rename(self, old, new):
        """Rename a link as it is (this kernel renames links that are up)."""
        self.ip("link", "set", old, "name", check_ifname(new))

    def move(self, name, other):
        """Move a link into another namespace (the kernel takes it down and drops addresses)."""
        self.ip("link", "set", name, "netns", other.name)

    def link(self, name):
        """`ip -j link show dev NAME` as a dict, or None when there is no such link."""
        res = self.ip("-j", "link", "show", "dev", name, check=False)
        if res.returncode != 0:
            return None
        data = json.loads(res.stdout or "[]")
        return data[0] if data else None

    def links(self):
        """All links as {name: ip -j link object}."""
        return {link["ifname"]: link for link in self.ip_json("link", "show")}

    def ifindex(self, name):
        link = self.link(name)
        if link is None:
            raise LookupError(f"no link {name} in {self.name}")
        return link["ifindex"]

    def carrier(self, name):
        """True when the kernel says the link has carrier (LOWER_UP)."""
        link = self.link(name)
        return bool(link) and "LOWER_UP" in link.get("flags", [])

    def wait_carrier(self, name, present=True, timeout=5.0):
        """Wait until the kernel's carrier state of `name` is `present` (linkwatch runs late)."""
        wait_for(lambda: self.carrier(name) == present, timeout,
                 what=f"carrier {'on' if present else 'off'} on {name} in {self.name}")

    # ---- addresses and routes ----

    def addr_add(self, name, prefix, *options):
        """`ip addr add PREFIX dev NAME OPTIONS` (options such as "nodad" for IPv6)."""
        self.ip("addr", "add", check_test_address(prefix), "dev", name, *options)

    def addr_del(self, name, prefix):
        self.ip("addr", "del", check_test_address(prefix), "dev", name)

    def addr_flush(self, name):
        self.ip("-4", "addr", "flush", "dev", name)

    def ipv4_addresses(self, name):
        """The IPv4 binding of `name` per the kernel: sorted ["a.b.c.d/len", ...]."""
        out = []
        for link in self.ip_json("-4", "addr", "show", "dev", name):
            for a in link.get("addr_info", []):
                if a.get("family") == "inet":
                    out.append(f"{a['local']}/{a['prefixlen']}")
        return sorted(out, key=sort_key)

    def addresses(self, name):
        """The whole binding of `name`, IPv4 then IPv6 (link-local included), as the daemon
        lists it: ["a.b.c.d/len", ..., "2001:db8::1/64", "fe80::.../64"]."""
        out = [f"{a['local']}/{a['prefixlen']}"
               for link in self.ip_json("addr", "show", "dev", name)
               for a in link.get("addr_info", []) if a.get("family") in ("inet", "inet6")]
        return sorted(out, key=sort_key)

    def ipv6_flags(self, name, address):
        """The kernel's flags of one IPv6 address of `name` ("tentative", "dadfailed"...), or
        None when it has no such address."""
        for link in self.ip_json("-6", "addr", "show", "dev", name):
            for a in link.get("addr_info", []):
                if a.get("local") == address:
                    return {k for k in ("tentative", "dadfailed", "deprecated") if a.get(k)}
        return None

    def route_add(self, prefix, *args):
        """`ip route add PREFIX ARGS` with PREFIX (and a `via` address, if any) checked."""
        check_test_address(prefix)
        words = list(args)
        if "via" in words:
            check_test_address(words[words.index("via") + 1])
        self.ip("route", "add", prefix, *words)

    def sysctl(self, key, value):
        """Set a sysctl inside the namespace (net.* keys are per namespace)."""
        self.run("sysctl", "-q", "-w", f"{key}={value}")

    # ---- teardown ----

    def pids(self):
        """Pids of the processes living in this namespace."""
        return namespace_pids(self.name)

    def delete(self):
        """End the programs started in the namespace, then any other process left in it (the
        tests' own, by pid), then delete it. Safe to call twice."""
        if self.deleted:
            return
        for proc in self._procs:
            if proc.alive:
                proc.send_signal(signal.SIGTERM)
        for proc in self._procs:
            try:
                proc.wait(timeout=3)
            except AssertionError:
                proc.kill()
        _remove_namespace(self.name)
        self.deleted = True


def namespace_pids(name):
    res = process.run(["ip", "netns", "pids", name], check=False)
    return [int(p) for p in res.stdout.split() if p.isdigit()]


def _remove_namespace(name):
    """Kill what still runs inside (SIGKILL by pid: only the tests put processes there), then
    `ip netns del`, retrying briefly while the kernel finishes with the last process."""
    for pid in namespace_pids(name):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 5
    while True:
        res = process.run(["ip", "netns", "del", name], check=False)
        if res.returncode == 0 or not os.path.exists(os.path.join(NETNS_DIR, name)):
            return
        if time.monotonic() >= deadline:
            raise process.CommandError(f"cannot delete namespace {name}: {res.stderr.strip()}")
        time.sleep(0.1)


def list_namespaces():
    """Names of all named network namespaces."""
    try:
        return sorted(os.listdir(NETNS_DIR))
    except FileNotFoundError:
        return []


def sweep_run():
    """Remove every namespace of this run that is still there. Returns their names."""
    gone = [n for n in list_namespaces() if n.startswith(RUN_PREFIX)]
    for name in gone:
        _remove_namespace(name)
    return gone


def sweep_stale():
    """Remove namespaces left by earlier runs whose pytest process has ended."""
    gone = []
    for name in list_namespaces():
        if not name.startswith(NS_PREFIX) or name.startswith(RUN_PREFIX):
            continue
        owner = name[len(NS_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and not process.pid_alive(int(owner)):
            _remove_namespace(name)
            gone.append(name)
    return gone


class Topology:
    """The namespaces of one test; cleanup() deletes them all (a fixture's finalizer)."""

    def __init__(self):
        self.namespaces = []

    def netns(self, tag=""):
        ns = Netns(tag)
        self.namespaces.append(ns)
        return ns

    def cleanup(self):
        errors = []
        for ns in reversed(self.namespaces):
            try:
                ns.delete()
            except Exception as exc:  # noqa: BLE001 - delete the rest, then report
                errors.append(f"{ns.name}: {exc}")
        if errors:
            raise AssertionError("namespace cleanup failed: " + "; ".join(errors))
