# SPDX-License-Identifier: ISC
"""Fixtures of the topology tests.

- topo:         the test's namespaces (lib.netns.Topology), all deleted when the test ends
- ns:           one namespace
- workdir:      a short per-test directory under /tmp (unix socket paths stay < 108 bytes)
- start_daemon: start_daemon(ns, config_text, ...) -> lib.routprotd.Routprotd, stopped with SIGTERM
                at the end of the test, which must give exit 0 and a log free of sanitizer reports
- lab:          a namespace with two veth pairs (veth0/veth0p, veth1/veth1p, all down) and a daemon
                running the trace protocol on veth0 and veth1

Logs of every daemon a failed test started are attached to its report. A test that runs longer
than its timeout (marker `timeout(SECONDS)`, default 90) fails. The namespaces and processes of
this run are swept at the end of the session (and at interpreter exit, and on SIGTERM), and
leftovers of earlier runs whose pytest is gone are swept at the start.
"""

import atexit
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest

from lib import netns, process
from lib.routprotd import Routprotd, build_dir, ctl_binary, daemon_binary, trace_config

DEFAULT_TIMEOUT = 90
LOG_TAIL = 30000
WORK_ROOT = "/tmp"  # short paths: unix socket names are limited to 107 bytes


def _sweep():
    left = process.kill_leftovers()
    gone = netns.sweep_run()
    return left, gone


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config):
    config.addinivalue_line("markers", "timeout(seconds): fail the test after this many seconds")
    atexit.register(_sweep)
    signal.signal(signal.SIGTERM, _on_sigterm)


def pytest_sessionstart(session):
    problems = []
    if os.geteuid() != 0:
        problems.append("the topology tests create network namespaces: run them as root")
    for binary in (daemon_binary(), ctl_binary()):
        if not os.access(binary, os.X_OK):
            problems.append(f"{binary} not found (build first, or set ROUTPROTD_BUILD)")
    if problems:
        pytest.exit("; ".join(problems), returncode=3)
    stale = netns.sweep_stale() + sweep_stale_workdirs()
    if stale:
        print(f"\nremoved leftovers of earlier runs: {' '.join(stale)}")


def sweep_stale_workdirs():
    """Remove per-test directories of earlier runs whose pytest process has ended."""
    gone = []
    for path in Path(WORK_ROOT).glob(f"{netns.NS_PREFIX}*"):
        owner = path.name[len(netns.NS_PREFIX):].split("-", 1)[0]
        if path.is_dir() and owner.isdigit() and not process.pid_alive(int(owner)):
            shutil.rmtree(path, ignore_errors=True)
            gone.append(str(path))
    return gone


def pytest_report_header(config):
    return f"routprotd binaries: {build_dir()}; namespace prefix: {netns.RUN_PREFIX}"


@pytest.fixture(scope="session", autouse=True)
def _session_sweep():
    """At the end of the session nothing of this run may be left: end and report leftovers."""
    yield
    left, gone = _sweep()
    if left or gone:
        print(f"\nsession sweep ended processes {left} and removed namespaces {gone}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Per-test timeout through SIGALRM, so that a hang fails one test and cleanup still runs."""
    marker = item.get_closest_marker("timeout")
    seconds = int(marker.args[0]) if marker else DEFAULT_TIMEOUT

    def expired(signum, frame):
        raise TimeoutError(f"test did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the logs of the programs a failed test started."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rpt_call_failed = report.failed
    if report.failed:
        for owner in getattr(item, "rpt_logs", []):
            text = owner.log()
            if len(text) > LOG_TAIL:
                text = "[...]\n" + text[-LOG_TAIL:]
            report.sections.append((f"{owner.name} log", text))


@pytest.fixture
def topo():
    t = netns.Topology()
    yield t
    t.cleanup()


@pytest.fixture
def ns(topo):
    return topo.netns("lab")


@pytest.fixture
def workdir():
    path = Path(tempfile.mkdtemp(prefix=netns.RUN_PREFIX, dir=WORK_ROOT))
    yield path
    if not os.environ.get("RPT_KEEP"):
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def start_daemon(request, topo, workdir):
    """Factory: start_daemon(ns, config, name="routprotd", wait_ready=True, start=True, **kw).

    Every daemon still running at the end must have delivered a consistent callback sequence
    (no status for an interface not added, no two added interfaces with one name, ...), is
    stopped with SIGTERM and must exit 0 with its socket removed; every daemon's log must be
    free of sanitizer reports.
    """
    daemons = []
    request.node.rpt_logs = getattr(request.node, "rpt_logs", [])

    def start(ns, config, name="routprotd", wait_ready=True, start=True, **kw):
        d = Routprotd(ns, workdir, config, name=name, **kw)
        daemons.append(d)
        request.node.rpt_logs.append(d)
        if start:
            d.start(wait_ready=wait_ready)
        return d

    yield start
    errors = []
    for d in daemons:
        try:
            if d.alive and not getattr(request.node, "rpt_call_failed", False):
                problems = d.callback_problems()
                if problems:
                    errors.append(f"{d.name}: inconsistent callbacks: {problems}")
            if d.alive:
                d.stop()
            elif d.proc is not None:
                d.assert_no_sanitizer_report()
        except Exception as exc:  # noqa: BLE001 - stop the other daemons, then report
            errors.append(f"{d.name}: {exc!r}" if not isinstance(exc, AssertionError)
                          else f"{d.name}: {exc}")
        finally:
            d.close()
    if errors:
        pytest.fail("daemon teardown: " + "\n".join(errors), pytrace=False)


class Lab:
    """veth0/veth0p and veth1/veth1p in one namespace, all down; routprotd traces veth0, veth1."""

    def __init__(self, ns, daemon):
        self.ns = ns
        self.d = daemon

    def bring_up(self, name, address=None):
        """Both ends of `name`'s pair up (so it gets carrier), optionally with an address; waits
        until the daemon reports it active."""
        self.ns.link_up(name + "p")
        self.ns.link_up(name)
        if address:
            self.ns.addr_add(name, address)
        self.d.wait_interface(name, lambda r: r["enabled"] and r["media_present"]
                              and (r["active"] or not address), what=f"{name} up")

    def wait_link_local(self, name):
        """Wait until `name` (up, with carrier) has the kernel's IPv6 link-local address and
        its duplicate address detection has ended, so that no IPv6 ADDRESS_CHANGE is still to
        come; returns the address ("fe80::.../64")."""
        def valid(row):
            ll = [a for a in row["addresses"] if a.startswith("fe80:")]
            return ll and row["address_flags"] == {ll[0]: ["link-local"]}

        row = self.d.wait_interface(name, valid, timeout=10,
                                    what=f"{name}'s link-local address, its DAD done")
        return [a for a in row["addresses"] if a.startswith("fe80:")][0]


@pytest.fixture
def lab_config():
    """The configuration the lab daemon starts with (override in a test module if needed)."""
    return trace_config(["veth0", {"name": "veth1", "verbose": True}])


@pytest.fixture
def lab(ns, start_daemon, lab_config):
    ns.veth("veth0", "veth0p")
    ns.veth("veth1", "veth1p")
    return Lab(ns, start_daemon(ns, lab_config))
