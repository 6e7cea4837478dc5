# SPDX-License-Identifier: ISC
"""routprotd and routprotctl as the tests drive them.

Routprotd runs the daemon inside a namespace with a generated configuration, everything it needs
(config file, control socket, state directory, log, notification socket) in one per-test
directory. It waits for READY=1 on its own NOTIFY_SOCKET, talks to the control socket either through
the real routprotctl (ctl, ctl_result) or directly (query, raw), follows `show events` with a cursor
(mark / events_since / wait_events), and stops the daemon with SIGTERM expecting exit 0, a removed
socket and no sanitizer report.
"""

import json
import os
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from . import process
from .notify import NotifyListener
from .wait import Timeout, wait_for

REPO = Path(__file__).resolve().parents[3]

# Variables of a service manager that must not leak from the test runner into the daemon.
_SERVICE_ENV = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID",
                "LISTEN_FDNAMES", "ROUTPROTCTL_SOCKET")

# Exit codes of routprotd and routprotctl (INTERFACES.md).
EXIT_CLEAN, EXIT_CONFIG, EXIT_USAGE, EXIT_RUNTIME = 0, 1, 2, 3
CTL_OK, CTL_DAEMON_ERROR, CTL_USAGE, CTL_UNREACHABLE = 0, 1, 2, 3


def build_dir():
    """Where the binaries under test are: $ROUTPROTD_BUILD, default <repo>/build."""
    return Path(os.environ.get("ROUTPROTD_BUILD") or REPO / "build").resolve()


def daemon_binary():
    return build_dir() / "routprotd"


def ctl_binary():
    return build_dir() / "routprotctl"


def base_env(**extra):
    """The environment for the programs under test: ours without service-manager variables."""
    env = {k: v for k, v in os.environ.items() if k not in _SERVICE_ENV}
    env.update({k: str(v) for k, v in extra.items() if v is not None})
    return env


def sanitized_build():
    """Whether the daemon under test is built with AddressSanitizer (valgrind cannot run it)."""
    return b"__asan_init" in daemon_binary().read_bytes()


def valgrind_wrapper(log_path):
    """A wrapper (Routprotd(wrapper=...)) running the daemon under valgrind's memcheck: any
    error, or a definitely lost block, makes the exit status 99; the report goes to log_path."""
    return ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite",
            "--track-origins=yes", f"--log-file={log_path}"]


# ---- configuration text ----

def _libconfig_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


def trace_config(interfaces, verbose=None, router_id="198.18.255.1", receive_buffer=None,
                 extra=""):
    """A configuration running the trace protocol on `interfaces`.

    interfaces: names, or dicts of per-interface keys ({"name": "veth1", "verbose": True}).
    Each interface entry is on a line of its own, so that tests can point at lines.
    """
    lines = []
    if router_id:
        lines.append(f'router-id = "{router_id}";')
    if receive_buffer is not None:
        lines.append(f"netlink = {{ receive-buffer = {receive_buffer}; }};")
    lines.append("trace = {")
    if verbose is not None:
        lines.append(f"  verbose = {_libconfig_value(verbose)};")
    lines.append("  interfaces = (")
    entries = []
    for item in interfaces:
        keys = {"name": item} if isinstance(item, str) else dict(item)
        body = " ".join(f"{k} = {_libconfig_value(v)};" for k, v in keys.items())
        entries.append(f"    {{ {body} }}")
    lines.append(",\n".join(entries))
    lines.append("  );")
    lines.append("};")
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


# ---- control socket ----

class CtlError(AssertionError):
    """routprotctl did not exit 0 where the test needed it to."""


@dataclass
class CtlResult:
    """What one routprotctl run produced."""
    argv: list
    rc: int
    stdout: str
    stderr: str

    @property
    def data(self):
        """stdout parsed as JSON (for --json runs)."""
        return json.loads(self.stdout)


def run_ctl(socket_path, *args, json_output=True, timeout=40):
    """Run routprotctl -s SOCKET [--json] ARGS from the host namespace (the control socket is a
    filesystem path); returns a CtlResult. Sanitizer reports on its stderr fail the test."""
    argv = [str(ctl_binary()), "-s", str(socket_path)]
    if json_output:
        argv.append("--json")
    argv += [str(a) for a in args]
    res = process.run(argv, check=False, timeout=timeout, env=base_env())
    reports = process.sanitizer_reports(res.stderr)
    assert not reports, f"sanitizer report from routprotctl {args}:\n{res.stderr}"
    return CtlResult(argv, res.returncode, res.stdout, res.stderr)


def raw_exchange(socket_path, payload, timeout=10.0, shutdown_write=False):
    """Connect to the control socket, send `payload` (bytes), read until the daemon closes the
    connection or `timeout` passes. Returns (bytes received, closed_by_daemon)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(socket_path))
        try:
            sock.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if shutdown_write:
            sock.shutdown(socket.SHUT_WR)
        chunks, closed = [], False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            chunks.append(chunk)
        return b"".join(chunks), closed
    finally:
        sock.close()


class ControlConnection:
    """One persistent connection to the control socket, JSON lines each way."""

    def __init__(self, socket_path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(str(socket_path))
        self._buf = b""

    def send_line(self, data):
        self.sock.sendall(data if data.endswith(b"\n") else data + b"\n")

    def read_line(self):
        """The next reply line parsed as JSON; None when the daemon closed the connection."""
        while b"\n" not in self._buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                return None
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def request(self, command, *args):
        self.send_line(json.dumps({"command": command, "args": [str(a) for a in args]}).encode())
        reply = self.read_line()
        if reply is None:
            raise ConnectionError(f"daemon closed the connection after {command!r}")
        return reply

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- events ----

def ipv4_only(addresses):
    """The IPv4 entries of an `addresses` list."""
    return [a for a in addresses if ":" not in a]


def without_ipv6_changes(events):
    """`events` without the ADDRESS_CHANGEs that change only IPv6 addresses or their flags
    ("families": ["ipv6"]).

    A veth link gets an IPv6 link-local address when it comes up with carrier, loses it when it
    goes down, and another ADDRESS_CHANGE follows when its duplicate address detection ends, at
    moments no test controls; tests about the IPv4 lifecycle read the events through this
    filter."""
    return [e for e in events
            if e.get("type") != "ADDRESS_CHANGE" or e.get("families") != ["ipv6"]]


def brief(events, interface=None):
    """[(type, interface), ...] of `events` (IPv6-only ADDRESS_CHANGEs left out, see
    without_ipv6_changes), only those of `interface` when given."""
    return [(e["type"], e.get("interface")) for e in without_ipv6_changes(events)
            if interface is None or e.get("interface") == interface]


def types(events, interface=None):
    """The event types, in order (IPv6-only ADDRESS_CHANGEs left out, see
    without_ipv6_changes), optionally only those of one interface."""
    return [e["type"] for e in without_ipv6_changes(events)
            if interface is None or e.get("interface") == interface]


# ---- the daemon ----

class Routprotd:
    """One routprotd instance in namespace `ns`, its files under `workdir`."""

    def __init__(self, ns, workdir, config, name="routprotd", debug=True, env=None,
                 socket_path=None, state_dir=None, extra_args=(), wrapper=(), cli_paths=True):
        self.ns = ns
        self.name = name
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.conf_path = self.dir / f"{name}.conf"
        self.socket = Path(socket_path) if socket_path else self.dir / f"{name}.sock"
        self.state_dir = Path(state_dir) if state_dir else self.dir / f"{name}.state"
        self.log_path = self.dir / f"{name}.log"
        self.notify_path = self.dir / f"{name}.notify"
        self.debug = debug
        self.extra_env = dict(env or {})
        self.extra_args = list(extra_args)
        self.wrapper = list(wrapper)
        self.cli_paths = cli_paths  # False: no -s/-S, the file's control.socket/state-dir apply
        self.proc = None
        self.notify = None
        self._final_log = None
        self.write_config(config)

    def __repr__(self):
        return f"<Routprotd {self.name} in {self.ns.name}>"

    # ---- life cycle ----

    def write_config(self, text, mode=0o600):
        """Replace the configuration file (for a later start or reload). Private by default:
        the daemon refuses authentication secrets in a file everyone can read."""
        self.conf_path.write_text(text)
        self.conf_path.chmod(mode)

    def argv(self):
        """The command line: wrapper (a program that execs the rest), routprotd and options."""
        argv = [str(daemon_binary()), "-c", str(self.conf_path)]
        if self.cli_paths:
            argv += ["-s", str(self.socket), "-S", str(self.state_dir)]
        if self.debug:
            argv.append("-d")
        return self.wrapper + argv + self.extra_args

    def start(self, wait_ready=True, timeout=None):
        """Start the daemon; with wait_ready, wait for READY=1 and the control socket."""
        if self.cli_paths:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        if self.notify is None:
            self.notify = NotifyListener(self.notify_path)
        env = base_env(NOTIFY_SOCKET=self.notify.path, **self.extra_env)
        self.proc = self.ns.spawn(self.argv(), self.name, self.log_path, env=env)
        if wait_ready:
            self.wait_ready(timeout or (60.0 if self.wrapper else 15.0))
        return self

    def wait_ready(self, timeout=15.0, after=0):
        """Wait for READY=1 (index >= after); fail at once, with the log, if the daemon exits."""
        deadline = time.monotonic() + timeout
        while True:
            if self.notify.find("READY", "1", after):
                break
            if not self.proc.alive:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode} before "
                                     f"READY=1; log:\n{self.log()}")
            if time.monotonic() >= deadline:
                raise Timeout(f"{self.name}: no READY=1 after {timeout} s; log:\n{self.log()}")
            time.sleep(0.02)
        assert self.socket.is_socket(), f"READY=1 but no control socket at {self.socket}"

    def wait_exit(self, timeout=15.0):
        """Wait for the daemon to end by itself; returns its exit status (log checked clean)."""
        rc = self.proc.wait(timeout)
        self.assert_no_sanitizer_report()
        return rc

    def stop(self, expect=EXIT_CLEAN, timeout=15.0):
        """SIGTERM; assert the exit status, the removed control socket and a clean log."""
        rc = self.proc.stop(signal.SIGTERM, timeout)
        self.assert_no_sanitizer_report()
        assert rc == expect, f"{self.name} exited with {rc}, expected {expect}; log:\n{self.log()}"
        if expect == EXIT_CLEAN:
            assert not self.socket.exists(), f"{self.socket} left behind after a clean stop"
        return rc

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    @property
    def pid(self):
        return self.proc.pid

    @property
    def alive(self):
        return self.proc is not None and self.proc.alive

    def close(self):
        """Cleanup: kill a daemon the test did not stop and close the notification socket."""
        if self.proc is not None and self.proc.alive:
            self.proc.kill()
        if self.notify is not None:
            self.notify.close()
        self._final_log = self.log()

    def callback_problems(self):
        """check_callback_sequence() over the whole history, when it still holds every event
        (the ring keeps the last 4096); [] otherwise."""
        events = self.events()
        if self.mark() != len(events):
            return []
        return check_callback_sequence(events)

    def log(self):
        """The daemon's stderr so far (kept after close(), for failure reports)."""
        if self._final_log is not None:
            return self._final_log
        return self.proc.output() if self.proc else ""

    def assert_no_sanitizer_report(self):
        reports = process.sanitizer_reports(self.log())
        assert not reports, f"sanitizer report from {self.name}:\n{self.log()[-20000:]}"

    def wait_log(self, text, timeout=5.0):
        """Wait until `text` is in the daemon's log; returns the log."""
        return self.proc.wait_output(text, timeout)

    # ---- control: through routprotctl ----

    def ctl_result(self, *args, json_output=True, timeout=40):
        """Run routprotctl against this daemon; returns CtlResult whatever the exit code.

        Each argument is split at blanks: ctl_result("show events", 3) runs
        `routprotctl ... show events 3`.
        """
        words = [w for a in args for w in str(a).split()]
        return run_ctl(self.socket, *words, json_output=json_output, timeout=timeout)

    def ctl(self, *args, timeout=40):
        """routprotctl --json ARGS (split as in ctl_result); returns the parsed JSON, CtlError
        unless it exits 0."""
        res = self.ctl_result(*args, timeout=timeout)
        if res.rc != 0:
            raise CtlError(f"routprotctl {' '.join(map(str, args))} exited {res.rc}\n"
                           f"stdout: {res.stdout}\nstderr: {res.stderr}")
        return res.data

    # ---- control: straight to the socket (fast, for polling) ----

    def query(self, command, *args, timeout=10.0):
        """One request over a fresh connection; returns the reply object."""
        with ControlConnection(self.socket, timeout) as conn:
            return conn.request(command, *args)

    def data(self, command, *args):
        """The `data` of a successful reply; AssertionError with the reply otherwise."""
        reply = self.query(command, *args)
        assert reply.get("ok") is True, f"{command} {args}: {reply}"
        return reply["data"]

    def status(self):
        return self.data("show status")

    def interfaces(self):
        """`show interfaces` as {name: row}."""
        return {row["name"]: row for row in self.data("show interfaces")}

    def interface(self, name):
        """The `show interfaces` row of `name`, or None."""
        return self.interfaces().get(name)

    def events(self, last=None):
        return self.data("show events", *([last] if last else []))

    # ---- following events ----

    def mark(self):
        """A cursor into the event history: the number of events recorded so far."""
        return self.status()["counters"]["history_total"]

    def events_since(self, mark):
        """The events recorded after `mark` (consistent: retried if the history moves between
        the two requests)."""
        for _ in range(50):
            total = self.mark()
            if total <= mark:
                return []
            events = self.events(total - mark)
            if self.mark() == total:
                assert len(events) == total - mark, (
                    f"history holds {len(events)} of the {total - mark} events since the mark")
                return events
        raise AssertionError("event history never stood still")

    def wait_events(self, mark, until, timeout=5.0, what=None):
        """Poll events_since(mark) until until(events) is true; returns the events.

        `until` may also be a list of (type, interface) pairs that must appear in that order
        (other events may come between them).
        """
        if not callable(until):
            wanted = list(until)
            what = what or f"events {wanted}"
            until_fn = lambda evs: contains_in_order(brief(evs), wanted)  # noqa: E731
        else:
            until_fn = until
        found = {}

        def probe():
            evs = self.events_since(mark)
            found["last"] = evs
            return until_fn(evs)

        try:
            wait_for(probe, timeout, interval=0.05, what=what or "events")
        except Timeout as exc:
            raise Timeout(f"{exc}\nevents since the mark: {brief(found.get('last', []))}") from None
        return found["last"]

    def settle(self, quiet=0.3, timeout=5.0):
        """Wait until no new event has been recorded for `quiet` seconds; returns the mark."""
        deadline = time.monotonic() + timeout
        last, since = self.mark(), time.monotonic()
        while True:
            time.sleep(0.05)
            now = self.mark()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return now
            if time.monotonic() >= deadline:
                raise Timeout(f"events kept coming for {timeout} s")

    def wait_interface(self, name, until, timeout=5.0, what=None):
        """Poll the `show interfaces` row of `name` until until(row) is true; returns the row."""
        def probe():
            row = self.interface(name)
            return row if row is not None and until(row) else None

        return wait_for(probe, timeout, what=what or f"interface {name} state")


def check_callback_sequence(events, added=None):
    """Replay the interface callbacks of `events` as each protocol sees them and return the
    problems: ADD_INTERFACE for an index the protocol already has or under a name another of its
    interfaces has, a status or DELETE_INTERFACE for an index it does not have. `added` is
    {ifindex: name} (or {(protocol, ifindex): name}) before the first event, default none.
    An empty list means the sequence is consistent."""
    held = {}
    for key, name in (added or {}).items():
        held[key if isinstance(key, tuple) else (None, key)] = name

    def lookup(proto, index):
        for key in ((proto, index), (None, index)):
            if key in held:
                return key
        return None

    problems = []
    for i, e in enumerate(events):
        kind, index, name = e["type"], e.get("ifindex"), e.get("interface")
        proto = e.get("protocol")
        where = f"event {i} {kind} {name} (ifindex {index}, {proto})"
        key = lookup(proto, index)
        if kind == "ADD_INTERFACE":
            same_name = [k[1] for k, v in held.items() if v == name and k[0] in (proto, None)]
            if key is not None:
                problems.append(f"{where}: index already added")
            elif same_name:
                problems.append(f"{where}: name still held by added ifindex {same_name}")
            held[(proto, index)] = name
        elif kind == "DELETE_INTERFACE":
            if key is None:
                problems.append(f"{where}: index not added")
            else:
                del held[key]
        elif kind in ("ENABLED", "DISABLED", "MEDIA_PRESENT", "MEDIA_ABSENT",
                      "ADDRESS_CHANGE", "SET_INTERFACE_INFO"):
            if key is None:
                problems.append(f"{where}: index not added")
        elif kind == "STOP_PROTOCOL":
            for k in [k for k in held if k[0] in (proto, None)]:
                del held[k]
    return problems


def added_interfaces(events, protocol=None):
    """{ifindex: name} of the interfaces a protocol has after `events` (from the start);
    protocol=None merges all protocols."""
    added = {}
    for e in events:
        if protocol is not None and e.get("protocol") != protocol:
            continue
        if e["type"] == "ADD_INTERFACE":
            added[e["ifindex"]] = e["interface"]
        elif e["type"] == "DELETE_INTERFACE":
            added.pop(e.get("ifindex"), None)
        elif e["type"] == "STOP_PROTOCOL":
            added.clear()
    return added


def contains_in_order(items, wanted):
    """True when `wanted` is a subsequence of `items`."""
    it = iter(items)
    return all(any(x == w for x in it) for w in wanted)
