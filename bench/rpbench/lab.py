# SPDX-License-Identifier: ISC
"""Namespaces, daemons and probes of the benchmark.

Namespaces come from the topology tests' library (tests/topo/lib/netns.py) under a prefix of their
own, rpbench-<pid>-<serial>-<tag>, so that the test suite's sweeps never touch a running benchmark
and the benchmark's own sweep (sweep_stale) removes what a killed run left behind. Every daemon
runs in the foreground inside its namespace and is ended when the namespace is deleted.

A scenario is two namespaces joined by one veth pair:

    sender   to-recv 198.18.9.1/24 ────── to-send 198.18.9.2/24   receiver
    (stub0 198.18.10.1/24 + stub0p when routprotd sends: its static routes go via 198.18.10.2)
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from lib import netns, process
from lib.peers import BIRD, Bird, Frr, frr_ripd_config, rip_config
from lib.routprotd import Routprotd, daemon_binary

from . import plan

BENCH_DIR = Path(__file__).resolve().parents[1]
NS_PREFIX = "rpbench-"
netns.RUN_PREFIX = f"{NS_PREFIX}{os.getpid()}-"

CLK_TCK = os.sysconf("SC_CLK_TCK")


def sweep_stale():
    """Remove namespaces and work directories of earlier benchmark runs that are gone."""
    gone = []
    for name in netns.list_namespaces():
        if not name.startswith(NS_PREFIX) or name.startswith(netns.RUN_PREFIX):
            continue
        owner = name[len(NS_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and not process.pid_alive(int(owner)):
            netns._remove_namespace(name)       # noqa: SLF001 - the library's own removal
            gone.append(name)
    for path in Path("/tmp").glob(f"{NS_PREFIX}*"):
        owner = path.name[len(NS_PREFIX):].split("-", 1)[0]
        if path.is_dir() and owner.isdigit() and not process.pid_alive(int(owner)):
            shutil.rmtree(path, ignore_errors=True)
            gone.append(str(path))
    return gone


# ---------------------------------------------------------------------------------------------
# /proc readings
# ---------------------------------------------------------------------------------------------

def proc_status(pid):
    """{field: value in kB} of the Vm* lines of /proc/PID/status ({} when gone)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("Vm"):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def cpu_seconds(pid):
    """utime + stime of a process in seconds (None when gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def udp_counters(ns):
    """The Udp: line of /proc/net/snmp inside `ns` as {name: int}."""
    text = ns.run("cat", "/proc/net/snmp").stdout
    rows = [line.split()[1:] for line in text.splitlines() if line.startswith("Udp:")]
    return dict(zip(rows[0], (int(v) for v in rows[1])))


def udp_delta(before, after):
    return {k: after.get(k, 0) - before.get(k, 0) for k in ("InErrors", "RcvbufErrors",
                                                             "InDatagrams")}


# ---------------------------------------------------------------------------------------------
# probes
# ---------------------------------------------------------------------------------------------

class Probe:
    """`python3 -m rpbench.probe ARGS` inside a namespace; its JSON lines collected by a thread."""

    def __init__(self, ns, *args):
        env = dict(os.environ, PYTHONPATH=str(BENCH_DIR))
        self.popen = subprocess.Popen(ns.exec_argv(["/usr/bin/python3", "-m", "rpbench.probe",
                                                    *args]),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      stdin=subprocess.DEVNULL, env=env, text=True,
                                      start_new_session=True)
        self.lines = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        if not self.wait(lambda e: e.get("ev") == "ready", 15):
            self.stop()
            raise RuntimeError(f"probe {args} did not start: {self.popen.stderr.read()}")

    def _read(self):
        for line in self.popen.stdout:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            with self.cond:
                self.lines.append(obj)
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait(self, pred, timeout, since=0):
        """The first line (from index `since`) for which pred(line) holds, waiting up to
        `timeout` seconds; None when none came."""
        deadline = time.monotonic() + timeout
        i = since
        with self.cond:
            while True:
                while i < len(self.lines):
                    if pred(self.lines[i]):
                        return self.lines[i]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or self.popen.poll() is not None:
                    return None
                self.cond.wait(min(left, 0.5))

    def mark(self):
        with self.cond:
            return len(self.lines)

    def snapshot(self, since=0):
        with self.cond:
            return list(self.lines[since:])

    def stop(self):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(3)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.thread.join(2)


class FibProbe(Probe):
    """Counts plan routes in a namespace's main table: fib(ns, n) for the first n entries."""

    def __init__(self, ns, n=0, start=0, prefixes=()):
        args = ["fib", "--plan", str(n), "--start", str(start)]
        for p in prefixes:
            args += ["--prefix", p]
        super().__init__(ns, *args)
        self.goal = self.lines[0]["goal"]

    def count(self):
        with self.cond:
            for line in reversed(self.lines):
                if "n" in line:
                    return line["n"]
        return 0

    def peak(self, since=0):
        return max((line.get("n", 0) for line in self.snapshot(since)), default=0)

    def wait_full(self, timeout, since=0):
        """Monotonic time the count reached the goal (after index `since`), or None."""
        line = self.wait(lambda e: e.get("ev") == "full", timeout, since)
        return line["t"] if line else None

    def wait_empty(self, timeout, since=0):
        line = self.wait(lambda e: e.get("ev") == "empty", timeout, since)
        return line["t"] if line else None


class CapProbe(Probe):
    """RIP packets seen on an interface of a namespace."""

    def __init__(self, ns, iface, watch=()):
        args = ["cap", "--iface", iface]
        for p in watch:
            args += ["--watch", p]
        super().__init__(ns, *args)

    def packets(self, src=None, since=0, cmd=2):
        return [p for p in self.snapshot(since) if "src" in p and (src is None or p["src"] == src)
                and (cmd is None or p["cmd"] == cmd)]

    def first_after(self, t, src, timeout, cmd=2):
        """The first response from `src` carrying routes with a timestamp >= t, or None."""
        line = self.wait(lambda p: p.get("src") == src and p.get("cmd") == cmd and
                         p.get("n", 0) > 0 and p["t"] >= t, timeout)
        return line


# ---------------------------------------------------------------------------------------------
# daemons
# ---------------------------------------------------------------------------------------------

class DaemonDied(RuntimeError):
    """A daemon ended during a measurement: the scenario's numbers mean nothing."""

    def __init__(self, daemon):
        tail = " | ".join(daemon.log().strip().splitlines()[-4:])
        super().__init__(f"{daemon.kind} ({daemon.name}) ended during the measurement; "
                         f"its last words: {tail[-600:]}")
        self.daemon = daemon


class Daemon:
    """What the scenarios need of any RIP daemon: its processes, memory, CPU, stop."""

    kind = "?"

    def pids(self):
        raise NotImplementedError

    def rss_kb(self):
        return sum(proc_status(p).get("VmRSS", 0) for p in self.pids())

    def hwm_kb(self):
        return sum(proc_status(p).get("VmHWM", 0) for p in self.pids())

    def cpu(self):
        return sum(cpu_seconds(p) or 0.0 for p in self.pids())

    def alive(self):
        raise NotImplementedError

    def stop(self):
        raise NotImplementedError


class RoutprotdDaemon(Daemon):
    kind = "routprotd"

    def __init__(self, ns, workdir, config, name="routprotd"):
        self.name = name
        self.d = Routprotd(ns, workdir, config, name=name, debug=False)
        self.d.start(timeout=30)

    def pids(self):
        return [self.d.pid]

    def alive(self):
        return self.d.alive

    def rip_state(self):
        for p in self.d.data("show status")["protocols"]:
            if p["name"] == "rip":
                return p["state"]
        return {}

    def status(self):
        return self.d.data("show status")

    def iface_stats(self, name):
        row = self.d.interface(name) or {}
        return (row.get("rip") or {}).get("stats", {})

    def log(self):
        return self.d.log()

    def stop(self):
        if self.d.alive:
            try:
                self.d.stop(timeout=30)
            finally:
                self.d.close()
        else:
            self.d.close()


class QuietBird(Bird):
    """lib.peers.Bird started without the separate parse run (configurations of 100,000 routes
    take a while to read) and with failures that quote the log, not the configuration."""

    def start(self, timeout=10.0):
        self.proc = self.ns.spawn([BIRD, "-f", "-c", self.conf, "-s", self.socket,
                                   "-P", self.pidfile], self.name, self.log_path)

        def up():
            if not self.proc.alive:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}): "
                                   f"{self.log()[-2000:]}")
            res = self.birdc_result("show", "status")
            return res.returncode == 0 and "Daemon is up and running" in res.stdout

        deadline = time.monotonic() + timeout
        while not up():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer within {timeout} s: "
                                   f"{self.log()[-2000:]}")
            time.sleep(0.02)
        return self


class BirdDaemon(Daemon):
    kind = "BIRD"

    def __init__(self, ns, workdir, config, name="bird"):
        self.name = name
        self.b = QuietBird(ns, workdir, config, name=name)
        self.b.start(timeout=60)

    def pids(self):
        return [self.b.proc.pid]

    def alive(self):
        return self.b.alive

    def birdc(self, *words):
        return self.b.birdc(*words, timeout=60)

    def log(self):
        return self.b.log()

    def stop(self):
        try:
            self.b.stop()
        except AssertionError:
            self.b.proc.kill()


class FrrDaemon(Daemon):
    kind = "FRR"

    def __init__(self, ns, workdir, ripd_conf, interfaces, name="frr"):
        self.name = name
        self.f = Frr(ns, workdir, ripd_conf, name=name)
        self.f.start(interfaces, timeout=30)

    def pids(self):
        return [p.pid for p in self.f.procs.values()]

    def alive(self):
        return self.f.alive

    def log(self):
        return self.f.log()

    def stop(self):
        try:
            self.f.stop()
        except AssertionError:
            for p in self.f.procs.values():
                p.kill()


# ---------------------------------------------------------------------------------------------
# configurations
# ---------------------------------------------------------------------------------------------

# Everything but debugging and tracing: start, shutdown and refused packets show in the log.
BIRD_LOG = "{ info, remote, warning, error, auth, fatal, bug }"


def bird_sender_config(groups, iface="to-recv", router_id=plan.SENDER_ADDR, update_time=30):
    """BIRD announcing static blackhole routes over RIP on `iface`.

    groups: {static protocol name: [prefix, ...]}; `birdc disable NAME` withdraws one group.
    """
    lines = [f"router id {router_id};", f"log stderr {BIRD_LOG};",
             "protocol device { scan time 10; }"]
    for name, prefixes in groups.items():
        lines.append(f"protocol static {name} {{")
        lines.append("  ipv4;")
        lines.extend(f"  route {p} blackhole;" for p in prefixes)
        lines.append("}")
    lines += ["protocol rip rip1 {",
              "  ipv4 { import all; export all; };",
              f'  interface "{iface}" {{ update time {update_time}; }};',
              "}"]
    return "\n".join(lines) + "\n"


def bird_receiver_config(iface="to-send", router_id=plan.RECEIVER_ADDR):
    """BIRD learning RIP on `iface` and installing what it learns in the kernel's main table."""
    return "\n".join([
        f"router id {router_id};",
        f"log stderr {BIRD_LOG};",
        "protocol device { scan time 10; }",
        "protocol kernel kernel1 { ipv4 { import none; export all; }; }",
        "protocol rip rip1 {",
        "  ipv4 { import all; export all; };",
        f'  interface "{iface}";',
        "}",
    ]) + "\n"


def frr_receiver_config(iface="to-send"):
    """ripd with FRR's defaults (timers 30/180/120) running RIP on `iface`."""
    return frr_ripd_config([iface], timers=None, redistribute=(), debug=False)


def routprotd_config(iface, router_id, update_interval=30, timeout=180, garbage=120,
                     redistribute=None, receive_buffer=8388608, send_rate=1000, send_burst=32):
    return rip_config([iface], router_id=router_id, timers=(update_interval, timeout, garbage),
                      redistribute=redistribute, fib={"table": 254, "metric": 20},
                      rip={"receive-buffer": receive_buffer, "send-rate": send_rate,
                           "send-burst": send_burst})


# ---------------------------------------------------------------------------------------------
# the lab
# ---------------------------------------------------------------------------------------------

class Lab:
    """The namespaces and daemons of one scenario; close() removes them all."""

    def __init__(self, root):
        self.topo = netns.Topology()
        self.dir = Path(tempfile.mkdtemp(prefix="s", dir=root))
        os.chmod(self.dir, 0o755)
        self.daemons = []
        self.probes = []

    def pair(self, stub=False):
        """Sender and receiver namespaces joined by to-recv/to-send; with `stub`, the sender
        also gets stub0 (198.18.10.1/24) for static routes via 198.18.10.2."""
        self.s = self.topo.netns("snd")
        self.r = self.topo.netns("rcv")
        self.s.veth("to-recv", "to-send", peer_ns=self.r, up=True)
        self.s.addr_add("to-recv", f"{plan.SENDER_ADDR}/24")
        self.r.addr_add("to-send", f"{plan.RECEIVER_ADDR}/24")
        if stub:
            self.s.stub("stub0")
            self.s.addr_add("stub0", f"{plan.STUB_ADDR}/24")
        self.s.wait_carrier("to-recv")
        self.r.wait_carrier("to-send")
        return self.s, self.r

    def add(self, daemon):
        self.daemons.append(daemon)
        return daemon

    def probe(self, probe):
        self.probes.append(probe)
        return probe

    def routprotd(self, ns, config, name="routprotd"):
        return self.add(RoutprotdDaemon(ns, self.dir, config, name=name))

    def bird(self, ns, config, name="bird"):
        return self.add(BirdDaemon(ns, self.dir, config, name=name))

    def frr(self, ns, iface="to-send", name="frr"):
        return self.add(FrrDaemon(ns, self.dir, frr_receiver_config(iface), [iface], name=name))

    def check_alive(self):
        """DaemonDied when a daemon of the scenario is no longer running."""
        for d in self.daemons:
            if not d.alive():
                raise DaemonDied(d)

    def close(self):
        for p in self.probes:
            try:
                p.stop()
            except Exception:  # noqa: BLE001 - the namespace removal ends it anyway
                pass
        for d in reversed(self.daemons):
            try:
                d.stop()
            except Exception:  # noqa: BLE001 - same
                pass
        self.topo.cleanup()


def static_batch(prefixes, verb="add"):
    """`ip -batch` lines for static routes of `prefixes` via the stub gateway."""
    return [f"route {verb} {p} via {plan.STUB_GW} dev stub0 proto static" for p in prefixes]


def timed_batch(ns, lines):
    """Apply `ip -batch` lines; returns the wall time in seconds."""
    t0 = time.monotonic()
    ns.batch(lines, timeout=600)
    return time.monotonic() - t0


def check_binaries():
    """Problems that prevent a run: missing binaries or a sanitizer build."""
    problems = []
    for binary in (daemon_binary(), daemon_binary().with_name("routprotctl")):
        if not os.access(binary, os.X_OK):
            problems.append(f"{binary} is missing: build first (see README.md, Build)")
    if not problems:
        res = process.run(["nm", "-D", str(daemon_binary())], check=False)
        if "__asan_init" in res.stdout or "__ubsan" in res.stdout:
            problems.append(f"{daemon_binary()} is a sanitizer build: benchmark a plain build "
                            "(set ROUTPROTD_BUILD to its directory)")
    return problems
