# SPDX-License-Identifier: ISC
"""Other RIP speakers for the topology tests: BIRD 2 and FRR's ripd, each in a namespace.

Every instance runs in the foreground inside its namespace with files of its own under the
test's directory (configuration, control socket or vty socket directory, pid file, log), so that
several instances and the host's own services never meet. They are started through Netns.spawn(),
which ends them when the namespace is deleted, also when a test fails; stop() ends them earlier.

    bird = Bird(ns, workdir, bird_config(...)); bird.start()
    bird.routes()           {prefix: [BirdRoute, ...]} from `birdc show route`
    frr = Frr(ns, workdir, ripd_conf=frr_ripd_config(...)); frr.start()
    frr.rip_routes()        {prefix: FrrRipRoute} from `vtysh -c 'show ip rip'`

Both have .name and .log() so that the fixtures can attach their output to a failed test.
"""

import os
import pwd
import re
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from . import process
from .addresses import check_test_address
from .wait import Timeout, wait_for

BIRD = shutil.which("bird") or "/usr/sbin/bird"
BIRDC = shutil.which("birdc") or "/usr/sbin/birdc"
FRR_DIR = Path("/usr/lib/frr")
VTYSH = shutil.which("vtysh") or "/usr/bin/vtysh"

# FRR refuses to start as a user outside its vty group; its own user is in it.
FRR_USER = "frr"


def bird_available():
    return os.access(BIRD, os.X_OK) and os.access(BIRDC, os.X_OK)


def frr_available():
    return all(os.access(FRR_DIR / d, os.X_OK) for d in ("zebra", "ripd")) and \
        os.access(VTYSH, os.X_OK)


# ---------------------------------------------------------------------------------------------
# BIRD
# ---------------------------------------------------------------------------------------------

@dataclass
class BirdRoute:
    """One route of `birdc show route`: protocol, type, preference and metric, next hops."""
    prefix: str
    proto: str
    kind: str                       # unicast, blackhole, unreachable...
    primary: bool
    preference: int
    metric: int | None              # the RIP metric for RIP routes (the "/3" of "(120/3)")
    nexthops: list = field(default_factory=list)   # [(gateway or None, interface)]

    @property
    def gateways(self):
        return sorted(gw for gw, _ in self.nexthops if gw)


_BIRD_ROUTE = re.compile(r"^(?P<prefix>\S+)?\s+(?P<kind>\w+)\s+\[(?P<proto>\S+)\s[^\]]*\]"
                         r"\s*(?P<primary>\*)?\s*\((?P<pref>\d+)(?:/(?P<metric>\d+))?\)")
_BIRD_VIA = re.compile(r"^\s+via\s+(?P<gw>\S+)\s+on\s+(?P<dev>\S+)")
_BIRD_DEV = re.compile(r"^\s+dev\s+(?P<dev>\S+)")


def parse_bird_routes(text):
    """`birdc show route` text -> {prefix: [BirdRoute, ...]} (primary route first)."""
    routes = {}
    current = None
    prefix = None
    for line in text.splitlines():
        m = _BIRD_ROUTE.match(line)
        if m:
            if m.group("prefix"):
                prefix = m.group("prefix")
            if prefix is None:
                continue
            current = BirdRoute(prefix=prefix, proto=m.group("proto"), kind=m.group("kind"),
                                primary=bool(m.group("primary")),
                                preference=int(m.group("pref")),
                                metric=int(m.group("metric")) if m.group("metric") else None)
            routes.setdefault(prefix, []).append(current)
            continue
        m = _BIRD_VIA.match(line)
        if m and current is not None:
            current.nexthops.append((m.group("gw"), m.group("dev")))
            continue
        m = _BIRD_DEV.match(line)
        if m and current is not None:
            current.nexthops.append((None, m.group("dev")))
    for prefix in routes:
        routes[prefix].sort(key=lambda r: not r.primary)
    return routes


def bird_config(router_id, interfaces, stubs=(), static=(), debug_rip=True, rip_options="",
                extra=""):
    """A BIRD 2 configuration: RIP on `interfaces`, the subnets of `stubs` and the blackhole
    routes `static` exported into RIP.

    interfaces: {name: "option; option;"} (BIRD's per-interface RIP options, for example
        "update time 2; timeout time 12;"), or a list of names with default options.
    static: prefixes of protocol `static1`; `birdc disable static1` withdraws them all.
    """
    check_test_address(router_id)
    if not isinstance(interfaces, dict):
        interfaces = {name: "" for name in interfaces}
    lines = [
        f"router id {router_id};",
        "log stderr all;",
        "protocol device { scan time 1; }",
    ]
    if stubs:
        pattern = ", ".join(f'"{s}"' for s in stubs)
        lines.append(f"protocol direct direct1 {{ ipv4; interface {pattern}; }}")
    lines.append("protocol static static1 {")
    lines.append("  ipv4;")
    for prefix in static:
        lines.append(f"  route {check_test_address(prefix)} blackhole;")
    lines.append("}")
    lines.append("protocol rip rip1 {")
    lines.append("  ipv4 { import all; export all; };")
    if debug_rip:
        lines.append("  debug { states, routes, events };")
    if rip_options:
        lines.append(f"  {rip_options}")
    for name, options in interfaces.items():
        lines.append(f'  interface "{name}" {{ {options} }};')
    lines.append("}")
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


class Bird:
    """One BIRD 2 daemon in `ns`: bird -f -c CONF -s SOCK -P PID, log on its stderr."""

    def __init__(self, ns, workdir, config, name="bird"):
        self.ns = ns
        self.name = name
        self.dir = Path(workdir) / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.conf = self.dir / "bird.conf"
        self.socket = self.dir / "bird.ctl"
        self.pidfile = self.dir / "bird.pid"
        self.log_path = self.dir / "bird.log"
        self.proc = None
        self.conf.write_text(config)

    def __repr__(self):
        return f"<Bird {self.name} in {self.ns.name}>"

    def start(self, timeout=10.0):
        res = self.ns.run(BIRD, "-p", "-c", self.conf, check=False)
        if res.returncode != 0:
            raise AssertionError(f"{self.name}: configuration rejected:\n{res.stderr}"
                                 f"{res.stdout}\n{self.conf.read_text()}")
        self.proc = self.ns.spawn([BIRD, "-f", "-c", self.conf, "-s", self.socket,
                                   "-P", self.pidfile], self.name, self.log_path)

        def up():
            if not self.proc.alive:
                raise AssertionError(f"{self.name} exited ({self.proc.returncode}):\n"
                                     f"{self.log()}")
            res = self.birdc_result("show", "status")
            return res.returncode == 0 and "Daemon is up and running" in res.stdout

        wait_for(up, timeout, what=f"{self.name} to answer on {self.socket}")
        return self

    @property
    def alive(self):
        return self.proc is not None and self.proc.alive

    def birdc_result(self, *words, timeout=10):
        # birdc talks to a unix socket: it needs no namespace.
        return process.run([BIRDC, "-s", str(self.socket), *[str(w) for w in words]],
                           check=False, timeout=timeout)

    def birdc(self, *words, timeout=10):
        """birdc -s SOCK WORDS; the output, AssertionError when birdc fails."""
        res = self.birdc_result(*words, timeout=timeout)
        if res.returncode != 0:
            raise AssertionError(f"birdc {' '.join(map(str, words))} exited {res.returncode}:\n"
                                 f"{res.stdout}{res.stderr}")
        return res.stdout

    def routes(self):
        """{prefix: [BirdRoute, ...]} of table master4, the primary route first."""
        return parse_bird_routes(self.birdc("show", "route"))

    def route(self, prefix):
        """The primary route of `prefix`, or None."""
        found = self.routes().get(prefix)
        return found[0] if found else None

    def wait_route(self, prefix, until=lambda r: r is not None, timeout=10.0, what=None):
        """Poll route(prefix) until until(route) is true; returns that route (or None)."""
        box = {}

        def probe():
            box["r"] = self.route(prefix)
            return until(box["r"])

        try:
            wait_for(probe, timeout, interval=0.1, what=what or f"{self.name}: {prefix}")
        except Timeout as exc:
            raise Timeout(f"{exc}\n{self.name} routes:\n{self.birdc('show', 'route')}") from None
        return box["r"]

    def reconfigure(self, config):
        """Replace the configuration and apply it with `birdc configure`."""
        self.conf.write_text(config)
        out = self.birdc("configure")
        assert "Reconfigured" in out or "Reconfiguration in progress" in out, out

    def disable(self, protocol):
        out = self.birdc("disable", protocol)
        assert "disabled" in out, out

    def enable(self, protocol):
        out = self.birdc("enable", protocol)
        assert "enabled" in out, out

    def log(self):
        return self.proc.output() if self.proc else ""

    def bad_packet_lines(self):
        """What BIRD's RIP said about packets it refused (it logs them as remote errors)."""
        return [line for line in self.log().splitlines()
                if re.search(r"rip1: (Bad|Invalid|Unknown|Authentication|Ignoring)", line)]

    def stop(self):
        if self.proc is not None and self.proc.alive:
            self.proc.stop(signal.SIGTERM, timeout=5)


# ---------------------------------------------------------------------------------------------
# FRR: zebra + ripd
# ---------------------------------------------------------------------------------------------

@dataclass
class FrrRipRoute:
    """One line of `show ip rip`."""
    code: str          # R(n), C(i), C(r), S(r), R(s)...
    prefix: str
    nexthop: str
    metric: int
    source: str        # "self" or the neighbor it came from
    tag: int


def parse_frr_rip(text):
    """`show ip rip` text -> {prefix: [FrrRipRoute, ...]} (several with allow-ecmp)."""
    routes = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) < 6 or not re.match(r"^[A-Z]\([a-z]\)$", words[0]):
            continue
        r = FrrRipRoute(code=words[0], prefix=words[1], nexthop=words[2], metric=int(words[3]),
                        source=words[4], tag=int(words[5]))
        routes.setdefault(r.prefix, []).append(r)
    return routes


_FRR_SOURCE = re.compile(r"^\s+(?P<gw>\d+\.\d+\.\d+\.\d+)\s+(?P<bp>\d+)\s+(?P<br>\d+)\s+")


def frr_ripd_config(interfaces, timers=(5, 15, 10), redistribute=("connected", "kernel"),
                    routes=(), version=None, extra=(), debug=True):
    """ripd.conf: RIP on `interfaces` (list of names), timers basic UPDATE TIMEOUT GARBAGE (FRR's
    minimum is 5 s each), `redistribute` sources, RIP static routes `routes` (ripd's own `route`
    command), `version` 1 or 2 (None: FRR's default, send 2 and receive both), `extra` lines
    inside `router rip`."""
    lines = ["hostname ripd", "log stdout debugging"]
    if debug:
        lines += ["debug rip events", "debug rip packet", "debug rip zebra"]
    lines.append("router rip")
    for name in interfaces:
        lines.append(f" network {name}")
    for what in redistribute:
        lines.append(f" redistribute {what}")
    for prefix in routes:
        lines.append(f" route {check_test_address(prefix)}")
    if timers:
        lines.append(" timers basic {} {} {}".format(*timers))
    if version:
        lines.append(f" version {version}")
    lines += [f" {line}" for line in extra]
    lines.append("exit")
    return "\n".join(lines) + "\n"


class Frr:
    """zebra and ripd of FRR in `ns`, with their own vty socket directory, zserv socket, pid
    files and configuration files; both log to their stdout (the Process log)."""

    def __init__(self, ns, workdir, ripd_conf, zebra_conf="", name="frr"):
        self.ns = ns
        self.name = name
        self.dir = Path(workdir) / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.zserv = self.dir / "zserv.api"
        self.procs = {}
        (self.dir / "zebra.conf").write_text("hostname zebra\nlog stdout informational\n" +
                                             zebra_conf)
        (self.dir / "ripd.conf").write_text(ripd_conf)
        user = pwd.getpwnam(FRR_USER)
        # The daemons drop privileges to the frr user: it must own its directory.
        os.chown(self.dir, user.pw_uid, user.pw_gid)
        for f in self.dir.iterdir():
            os.chown(f, user.pw_uid, user.pw_gid)
        # The parent directory must be traversable for the frr user (workdirs are 0700).
        parent = self.dir.parent
        os.chmod(parent, os.stat(parent).st_mode | 0o011)

    def __repr__(self):
        return f"<Frr {self.name} in {self.ns.name}>"

    def _argv(self, daemon):
        return [FRR_DIR / daemon, "-f", self.dir / f"{daemon}.conf",
                "-i", self.dir / f"{daemon}.pid", "-z", self.zserv,
                "--vty_socket", self.dir, "-u", FRR_USER, "-g", FRR_USER, "-P", "0",
                "--log", "stdout"]

    def _start_one(self, daemon, ready, timeout):
        proc = self.ns.spawn(self._argv(daemon), f"{self.name}-{daemon}",
                             self.dir / f"{daemon}.log")
        self.procs[daemon] = proc

        def up():
            if not proc.alive:
                raise AssertionError(f"{self.name}: {daemon} exited ({proc.returncode}):\n"
                                     f"{proc.output()}")
            return ready()

        wait_for(up, timeout, what=f"{self.name}: {daemon} to come up")

    def start(self, interfaces=(), timeout=10.0):
        """Start zebra, then ripd; wait until ripd runs RIP on each of `interfaces` (it does
        once zebra has told it about them: before that it neither sends nor answers)."""
        self._start_one("zebra", lambda: self.zserv.is_socket() and
                        (self.dir / "zebra.vty").is_socket(), timeout)
        self._start_one("ripd", lambda: (self.dir / "ripd.vty").is_socket() and
                        "rip" in self.vtysh_result("show ip rip status").stdout.lower(), timeout)
        for name in interfaces:
            wait_for(lambda: re.search(rf"^\s+{re.escape(name)}\s+\d",
                                       self.vtysh("show ip rip status"), re.M),
                     timeout, interval=0.05, what=f"{self.name}: ripd running on {name}")
        return self

    @property
    def alive(self):
        return bool(self.procs) and all(p.alive for p in self.procs.values())

    def vtysh_result(self, *commands, timeout=10):
        argv = [VTYSH, "--vty_socket", str(self.dir)]
        for c in commands:
            argv += ["-c", c]
        return process.run(argv, check=False, timeout=timeout)

    def vtysh(self, *commands, timeout=10):
        """vtysh --vty_socket DIR -c C1 -c C2...; its output, AssertionError when it fails or
        a command is refused."""
        res = self.vtysh_result(*commands, timeout=timeout)
        text = res.stdout + res.stderr
        if res.returncode != 0 or "% Unknown command" in text or "% Invalid" in text:
            raise AssertionError(f"vtysh {commands} exited {res.returncode}:\n{text}")
        return res.stdout

    def configure(self, *lines):
        """Apply configuration lines (each as typed after `configure terminal`)."""
        return self.vtysh("configure terminal", *lines, "end")

    def rip_routes(self):
        """{prefix: FrrRipRoute} of `show ip rip` (the first line of each prefix)."""
        return {p: rs[0] for p, rs in parse_frr_rip(self.vtysh("show ip rip")).items()}

    def rip_route(self, prefix):
        return self.rip_routes().get(prefix)

    def wait_rip_route(self, prefix, until=lambda r: r is not None, timeout=10.0, what=None):
        """Poll rip_route(prefix) until until(route) is true; returns that route (or None)."""
        box = {}

        def probe():
            box["r"] = self.rip_route(prefix)
            return until(box["r"])

        try:
            wait_for(probe, timeout, interval=0.1, what=what or f"{self.name}: {prefix}")
        except Timeout as exc:
            raise Timeout(f"{exc}\n{self.name} show ip rip:\n"
                          f"{self.vtysh('show ip rip')}") from None
        return box["r"]

    def rip_sources(self):
        """{gateway: (bad packets, bad routes)} of `show ip rip status`: what ripd thought of
        each neighbor's packets."""
        out = {}
        for line in self.vtysh("show ip rip status").splitlines():
            m = _FRR_SOURCE.match(line)
            if m:
                out[m.group("gw")] = (int(m.group("bp")), int(m.group("br")))
        return out

    def log(self):
        return "\n".join(f"--- {name} ---\n{p.output()}" for name, p in self.procs.items())

    def stop(self):
        for daemon in ("ripd", "zebra"):
            proc = self.procs.get(daemon)
            if proc is not None and proc.alive:
                proc.stop(signal.SIGTERM, timeout=5)


def wait_gone_or_poisoned(get, timeout, what):
    """Poll get() (a route object with .metric, or None) until the route is gone or has metric
    16; returns the seconds it took."""
    start = time.monotonic()
    wait_for(lambda: (lambda r: r is None or r.metric >= 16)(get()), timeout, interval=0.1,
             what=what)
    return time.monotonic() - start


# ---------------------------------------------------------------------------------------------
# routprotd's side: RIP configuration, kernel routes, the fixtures
# ---------------------------------------------------------------------------------------------

def _conf_value(value):
    """A libconfig value: bool, int, string, dict (a group), list (an array of scalars, or a
    list `( ... )` when it holds groups)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{ " + " ".join(f"{k} = {_conf_value(v)};" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_conf_value(v) for v in value)
        return f"( {inner} )" if any(isinstance(v, dict) for v in value) else f"[{inner}]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def rip_config(interfaces, router_id="198.18.255.1", timers=(5, 15, 10), redistribute=None,
               fib=None, rip=None, extra=""):
    """A routprotd configuration running RIP on `interfaces`.

    interfaces: names, or dicts of per-interface keys ({"name": "eth0", "passive": True,
        "neighbors": ["198.18.1.2"]}); each entry on a line of its own.
    timers: (update-interval, timeout, garbage) of the rip section, or None for the defaults.
    fib: keys of the fib section (default: metric 20, a short stale-time).
    rip: more keys of the rip section.
    """
    lines = []
    if router_id:
        lines.append(f'router-id = "{check_test_address(router_id)}";')
    fib_keys = {"metric": 20, "stale-time": 3}
    fib_keys.update(fib or {})
    lines.append("fib = { " + " ".join(f"{k} = {_conf_value(v)};" for k, v in fib_keys.items())
                 + " };")
    keys = {}
    if timers:
        keys.update({"update-interval": timers[0], "timeout": timers[1], "garbage": timers[2]})
    if redistribute is not None:
        keys["redistribute"] = list(redistribute)
    keys.update(rip or {})
    lines.append("rip = {")
    for k, v in keys.items():
        lines.append(f"  {k} = {_conf_value(v)};")
    lines.append("  interfaces = (")
    entries = []
    for item in interfaces:
        ikeys = {"name": item} if isinstance(item, str) else dict(item)
        entries.append("    { " + " ".join(f"{k} = {_conf_value(v)};" for k, v in ikeys.items())
                       + " }")
    lines.append(",\n".join(entries))
    lines.append("  );")
    lines.append("};")
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


def kernel_routes(ns, proto="rip", table=None):
    """The IPv4 routes of `proto` in `ns` as {prefix: route object of `ip -j route`}; a route
    object gains "gateways" (sorted gateway addresses, one per next hop)."""
    args = ["-4", "route", "show", "proto", proto]
    if table is not None:
        args += ["table", str(table)]
    out = {}
    for r in ns.ip_json(*args):
        dst = r["dst"]
        if dst == "default":
            dst = "0.0.0.0/0"
        elif "/" not in dst:
            dst += "/32"
        r.setdefault("protocol", proto)   # ip leaves out what the filter fixed
        hops = r.get("nexthops") or [r]
        r["gateways"] = sorted(h["gateway"] for h in hops if h.get("gateway"))
        out[dst] = r
    return out


def rip_routes(daemon):
    """routprotd's `show routes` as {prefix: row}."""
    return {row["prefix"]: row for row in daemon.data("show routes")}


def rip_state(daemon):
    """The `state` object of the rip protocol in `show status`."""
    for p in daemon.data("show status")["protocols"]:
        if p["name"] == "rip":
            return p["state"]
    raise AssertionError("no rip protocol in show status")


def neighbors(daemon):
    """`show neighbors` as {address: row}."""
    return {row["address"]: row for row in daemon.data("show neighbors")}


def wait_rip_route(daemon, prefix, until=lambda r: r is not None, timeout=10.0, what=None):
    """Poll routprotd's row of `prefix` (None when absent) until until(row); returns it."""
    box = {}

    def probe():
        box["r"] = rip_routes(daemon).get(prefix)
        return until(box["r"])

    try:
        wait_for(probe, timeout, interval=0.05, what=what or f"routprotd route {prefix}")
    except Timeout as exc:
        raise Timeout(f"{exc}\nroutprotd routes: {sorted(rip_routes(daemon).items())}") from None
    return box["r"]


def wait_kernel_route(ns, prefix, until=lambda r: r is not None, timeout=10.0, what=None,
                      proto="rip"):
    """Poll the kernel's `proto` route of `prefix` until until(route or None); returns it."""
    box = {}

    def probe():
        box["r"] = kernel_routes(ns, proto).get(prefix)
        return until(box["r"])

    try:
        wait_for(probe, timeout, interval=0.05, what=what or f"kernel route {prefix}")
    except Timeout as exc:
        raise Timeout(f"{exc}\nkernel: {ns.ip('-4', 'route', 'show', 'table', 'all').stdout}") \
            from None
    return box["r"]


class PeerFactory:
    """Starts BIRD and FRR instances for one test and ends them when it is over."""

    def __init__(self, request, workdir):
        self.request = request
        self.workdir = workdir
        self.started = []

    def _track(self, peer):
        self.started.append(peer)
        logs = getattr(self.request.node, "rpt_logs", None)
        if logs is None:
            logs = self.request.node.rpt_logs = []
        logs.append(peer)
        return peer

    def bird(self, ns, config, name="bird"):
        return self._track(Bird(ns, self.workdir, config, name=name)).start()

    def frr(self, ns, ripd_conf, zebra_conf="", name="frr", interfaces=()):
        return self._track(Frr(ns, self.workdir, ripd_conf, zebra_conf,
                               name=name)).start(interfaces)

    def stop_all(self):
        for peer in reversed(self.started):
            try:
                peer.stop()
            except Exception:  # noqa: BLE001 - the namespace sweep kills what is left
                pass


@pytest.fixture
def peers(request, workdir):
    """Factory of the test's BIRD and FRR instances: peers.bird(ns, config), peers.frr(ns,
    ripd_conf). Their logs are attached to a failed test's report; all end with the test."""
    if not bird_available() or not frr_available():
        pytest.fail("the RIP interoperability tests need bird2 and frr installed")
    factory = PeerFactory(request, workdir)
    yield factory
    factory.stop_all()


# ---------------------------------------------------------------------------------------------
# BIRD - routprotd - FRR
# ---------------------------------------------------------------------------------------------

class Chain:
    """A line of three routers, each in its own namespace:

        bird  stub0 198.19.1.1/24, blackhole 198.19.11.0/24 (static1)
              to-router 198.18.1.2/24 ─── to-bird 198.18.1.1/24   router (routprotd)
                                          to-frr  198.18.2.1/24 ─── to-router 198.18.2.2/24  frr
                                          stub0 198.19.2.1/24, blackhole 198.19.12.0/24 (kernel)

    BIRD exports its stub subnet and static route into RIP with metric 1; FRR's ripd
    redistributes its connected subnets and kernel routes with metric 1. start_bird(),
    start_frr() and start_router() take the options that a test changes.
    """

    R_B, B_R = "198.18.1.1", "198.18.1.2"
    R_F, F_R = "198.18.2.1", "198.18.2.2"
    NET_B, NET_F = "198.18.1.0/24", "198.18.2.0/24"
    B_STUB, B_STATIC = "198.19.1.0/24", "198.19.11.0/24"
    F_STUB, F_KERNEL = "198.19.2.0/24", "198.19.12.0/24"

    BIRD_TIMERS = "update time 2; timeout time 15; garbage time 6;"
    FRR_TIMERS = (5, 15, 10)

    def __init__(self, topo, peers, start_daemon):
        self.peers = peers
        self.start_daemon = start_daemon
        self.r = topo.netns("router")
        self.b = topo.netns("bird")
        self.f = topo.netns("frr")
        self.r.veth("to-bird", "to-router", peer_ns=self.b, up=True)
        self.r.veth("to-frr", "to-router", peer_ns=self.f, up=True)
        self.r.addr_add("to-bird", f"{self.R_B}/24")
        self.b.addr_add("to-router", f"{self.B_R}/24")
        self.r.addr_add("to-frr", f"{self.R_F}/24")
        self.f.addr_add("to-router", f"{self.F_R}/24")
        self.b.stub("stub0")
        self.b.addr_add("stub0", "198.19.1.1/24")
        self.f.stub("stub0")
        self.f.addr_add("stub0", "198.19.2.1/24")
        self.f.ip("route", "add", "blackhole", self.F_KERNEL)
        for ns, name in ((self.b, "to-router"), (self.f, "to-router"), (self.r, "to-bird"),
                         (self.r, "to-frr")):
            ns.wait_carrier(name)
        self.bird = self.frr = self.d = None

    def start_bird(self, iface_options=None, static=None):
        options = self.BIRD_TIMERS if iface_options is None else iface_options
        config = bird_config(self.B_R, {"to-router": options}, stubs=["stub0"],
                             static=[self.B_STATIC] if static is None else static)
        self.bird = self.peers.bird(self.b, config)
        return self.bird

    def start_frr(self, version=None, extra=(), timers=None):
        conf = frr_ripd_config(["to-router"], timers=timers or self.FRR_TIMERS,
                               redistribute=("connected", "kernel"), version=version,
                               extra=extra)
        self.frr = self.peers.frr(self.f, conf, interfaces=["to-router"])
        return self.frr

    def router_config(self, bird_iface=None, frr_iface=None, **kw):
        to_bird = {"name": "to-bird"}
        to_bird.update(bird_iface or {})
        to_frr = {"name": "to-frr"}
        to_frr.update(frr_iface or {})
        kw.setdefault("router_id", self.R_B)
        return rip_config([to_bird, to_frr], **kw)

    def start_router(self, bird_iface=None, frr_iface=None, **kw):
        self.d = self.start_daemon(self.r, self.router_config(bird_iface, frr_iface, **kw))
        return self.d

    def start_all(self, **router_kw):
        self.start_bird()
        self.start_frr()
        return self.start_router(**router_kw)

    # ---- what everybody learned ----

    def wait_router_learned(self, expected, timeout=10.0):
        """expected: {prefix: (metric, gateway)} of RIP routes routprotd must have (in the FIB)."""
        def probe():
            routes = rip_routes(self.d)
            return all(p in routes and routes[p]["source"] == "rip" and routes[p]["in_fib"] and
                       (routes[p]["metric"], routes[p]["nexthop"]) == want
                       for p, want in expected.items())

        try:
            wait_for(probe, timeout, interval=0.1, what=f"routprotd to learn {expected}")
        except Timeout as exc:
            raise Timeout(f"{exc}\nroutprotd: {sorted(rip_routes(self.d).items())}") from None

    def converged(self, timeout=15.0):
        """Wait until routprotd has the routes of the peers that run (metric 2, in the FIB),
        and each peer those of the other (metric 3)."""
        expected = {}
        if self.bird:
            expected.update({self.B_STUB: (2, self.B_R), self.B_STATIC: (2, self.B_R)})
        if self.frr:
            expected.update({self.F_STUB: (2, self.F_R), self.F_KERNEL: (2, self.F_R)})
        self.wait_router_learned(expected, timeout)
        if self.bird and self.frr:
            for p in (self.F_STUB, self.F_KERNEL):
                self.bird.wait_route(p, lambda r: r is not None and r.metric == 3, timeout)
            for p in (self.B_STUB, self.B_STATIC):
                self.frr.wait_rip_route(p, lambda r: r is not None and r.metric == 3, timeout)


@pytest.fixture
def chain(topo, peers, start_daemon):
    """BIRD - routprotd - FRR in three namespaces, nothing started yet (see Chain)."""
    return Chain(topo, peers, start_daemon)
