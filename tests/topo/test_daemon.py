# SPDX-License-Identifier: ISC
"""The daemon as a service: start and stop, systemd notifications (READY, RELOADING, STOPPING,
WATCHDOG), one instance per socket, several instances in several namespaces."""

import grp
import os
import re
import signal
import socket
import stat
import time

from lib.routprotd import EXIT_CLEAN, EXIT_RUNTIME, brief, ipv4_only, trace_config, types

CONFIG = trace_config(["veth0", "veth1"])


def test_ready_after_the_first_dump(ns, start_daemon):
    """READY=1 comes once the control socket answers and the interfaces of the first netlink
    dump are known (the configured one already added to the protocol)."""
    ns.veth("veth0", "veth0p", up=True)
    ns.addr_add("veth0", "198.18.40.1/24")
    d = start_daemon(ns, CONFIG)
    ready = d.notify.find("READY", "1")
    assert len(ready) == 1
    row = d.interface("veth0")
    assert row["protocols"] == ["trace"] and ipv4_only(row["addresses"]) == ["198.18.40.1/24"]
    assert "START_COMPLETE" in types(d.events())
    assert d.status()["netlink"]["receive_buffer"] == 4 << 20, "default receive buffer: 4 MiB"


def test_sigterm_stops_cleanly(ns, start_daemon):
    """SIGTERM: STOPPING=1, STOP_PROTOCOL delivered, exit 0 and the control socket removed."""
    ns.veth("veth0", "veth0p")
    d = start_daemon(ns, CONFIG)
    after = d.notify.count()
    d.stop()
    assert d.notify.find("STOPPING", "1", after=after)
    assert "trace stopped" in d.log()


def test_sigint_stops_cleanly(ns, start_daemon):
    """SIGINT stops like SIGTERM: exit 0, socket removed."""
    d = start_daemon(ns, CONFIG)
    d.proc.send_signal(signal.SIGINT)
    assert d.wait_exit() == EXIT_CLEAN
    assert not d.socket.exists()
    assert d.notify.find("STOPPING", "1")


def test_reload_notifications(ns, start_daemon):
    """Each reload (SIGHUP or routprotctl reload) is bracketed by RELOADING=1 (with
    MONOTONIC_USEC, as systemd's notify-reload wants) and READY=1."""
    d = start_daemon(ns, CONFIG)
    for trigger in ("sighup", "ctl"):
        after = d.notify.count()
        if trigger == "sighup":
            d.send_signal(signal.SIGHUP)
        else:
            assert d.ctl("reload") == {"reloaded": True}
        i = d.notify.wait("RELOADING", "1", after=after)
        assert int(d.notify.messages[i].fields["MONOTONIC_USEC"]) > 0
        d.notify.wait("READY", "1", after=i + 1)


def test_watchdog_pings(ns, start_daemon):
    """With WATCHDOG_USEC=200000 the daemon sends WATCHDOG=1 about every 100 ms (at least more
    often than every 200 ms)."""
    d = start_daemon(ns, CONFIG, env={"WATCHDOG_USEC": "200000"})
    start = d.notify.count()
    time.sleep(1.0)  # measuring a rate: the window is the point, not a wait for a state
    pings = d.notify.find("WATCHDOG", "1", after=start)
    assert len(pings) >= 4, f"{len(pings)} WATCHDOG=1 in 1 s"
    gaps = sorted(b.received - a.received for a, b in zip(pings, pings[1:]))
    assert gaps[len(gaps) // 2] < 0.2, gaps


def test_watchdog_for_own_pid_only(ns, topo, start_daemon):
    """WATCHDOG_PID naming another process disables the pings; naming the daemon's pid keeps
    them. (One daemon per network namespace: the second runs in a namespace of its own.)"""
    other = start_daemon(topo.netns("other"), CONFIG, name="other",
                         env={"WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"})
    own = start_daemon(ns, CONFIG, name="own", env={"WATCHDOG_USEC": "200000"},
                       wrapper=["sh", "-c", 'WATCHDOG_PID=$$ exec "$@"', "sh"])
    own.notify.wait("WATCHDOG", "1", timeout=5)
    time.sleep(0.6)  # three watchdog periods for the other one to (wrongly) ping
    assert not other.notify.find("WATCHDOG")


def test_no_watchdog_without_watchdog_usec(ns, start_daemon):
    """Without WATCHDOG_USEC nothing but READY=1 is sent while idle."""
    d = start_daemon(ns, CONFIG)
    time.sleep(0.5)
    assert not d.notify.find("WATCHDOG")


def test_second_instance_in_the_same_namespace(ns, start_daemon):
    """Two daemons in one network namespace would fight over port 520 and the kernel's routes:
    the second, even with its own socket and state directory, exits 3 and says why; the first
    goes on."""
    first = start_daemon(ns, CONFIG)
    second = start_daemon(ns, CONFIG, name="second", start=False)
    second.start(wait_ready=False)
    assert second.wait_exit() == EXIT_RUNTIME, second.log()
    assert "another routprotd runs in this network namespace" in second.log()
    assert not second.notify.find("READY")
    assert first.ctl("show status")["version"]


def test_second_instance_on_the_same_socket(ns, start_daemon):
    """A second daemon given a socket that a running one serves exits 3 without removing or
    disturbing it: the first keeps its socket and answers."""
    ns.veth("veth0", "veth0p")
    first = start_daemon(ns, CONFIG)
    inode = first.socket.stat().st_ino
    second = start_daemon(ns, CONFIG, name="second", socket_path=first.socket, start=False)
    second.start(wait_ready=False)
    assert second.wait_exit() == EXIT_RUNTIME, second.log()
    assert str(first.socket) in second.log()
    assert not second.notify.find("READY")
    assert first.socket.exists() and first.socket.stat().st_ino == inode
    assert first.ctl("show status")["control"]["socket"] == str(first.socket)
    assert first.interface("veth0")["protocols"] == ["trace"]


def test_stale_socket_file_is_replaced(ns, start_daemon, workdir):
    """A socket file left by a crashed daemon (nobody listening) does not prevent a start."""
    path = workdir / "stale.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    s.close()
    d = start_daemon(ns, CONFIG, socket_path=path)
    assert d.ctl("show status")["version"]


def test_instances_in_two_namespaces(topo, start_daemon):
    """Two daemons in two namespaces (own -s and -S) each see only their namespace's links."""
    a, b = topo.netns("a"), topo.netns("b")
    a.veth("veth0", "veth0p")
    b.veth("veth0", "veth0p")
    da = start_daemon(a, CONFIG, name="a")
    db = start_daemon(b, CONFIG, name="b")
    mark_a, mark_b = da.mark(), db.mark()
    a.link_up("veth0")
    da.wait_events(mark_a, [("ENABLED", "veth0")])
    db.settle()
    assert db.events_since(mark_b) == []
    assert da.interface("veth0")["ifindex"] == a.ifindex("veth0")
    assert db.interface("veth0")["enabled"] is False
    b.veth("veth1", "veth1p")
    db.wait_events(mark_b, [("ADD_INTERFACE", "veth1")])
    assert da.interface("veth1") is None
    assert brief(da.events_since(mark_a)) == [("ENABLED", "veth0")]


def test_socket_and_state_dir_from_the_file(ns, start_daemon, workdir):
    """Without -s/-S the daemon uses control.socket and state-dir from the file (creating the
    state directory); the socket gets control.group and mode 0660."""
    sock, state = workdir / "from-file.sock", workdir / "from-file-state"
    config = trace_config(["veth0"], extra=f'state-dir = "{state}";\n'
                                          f'control = {{ socket = "{sock}"; group = "daemon"; }};')
    d = start_daemon(ns, config, socket_path=sock, state_dir=state, cli_paths=False)
    st = os.stat(sock)
    assert stat.S_IMODE(st.st_mode) == 0o660
    assert st.st_gid == grp.getgrnam("daemon").gr_gid
    assert state.is_dir()
    assert d.ctl("show status")["control"]["socket"] == str(sock)


def test_command_line_overrides_the_file(ns, start_daemon, workdir):
    """-s and -S win over control.socket and state-dir in the file."""
    config = trace_config(["veth0"], extra=f'state-dir = "{workdir / "unused-state"}";\n'
                                          f'control = {{ socket = "{workdir / "unused.sock"}"; }};')
    d = start_daemon(ns, config)
    assert d.ctl("show status")["control"]["socket"] == str(d.socket)
    assert not (workdir / "unused.sock").exists()
    assert not (workdir / "unused-state").exists()


LOG_LINE = re.compile(r"^(DEBUG|INFO|NOTICE|WARNING|ERROR) [A-Za-z0-9_.-]+: \S")


def test_log_lines_and_levels(ns, start_daemon):
    """Every log line is `LEVEL component: message`; log.level = warning hides the notices and
    below, -d shows debug lines whatever the file says."""
    ns.veth("veth0", "veth0p", up=True)
    config = trace_config(["veth0"], extra='log = { level = "warning"; };')
    quiet = start_daemon(ns, config, name="quiet", debug=False)
    quiet.ctl("reload")
    quiet.stop()
    assert not re.search(r"^(DEBUG|INFO|NOTICE) ", quiet.log(), re.M), quiet.log()

    loud = start_daemon(ns, config, name="loud", debug=True)
    ns.addr_add("veth0", "198.18.41.1/24")
    loud.wait_interface("veth0", lambda r: r["active"])
    loud.ctl("reload")
    loud.stop()
    lines = loud.log().splitlines()
    assert any(line.startswith("DEBUG ") for line in lines)
    bad = [line for line in lines if not LOG_LINE.match(line)]
    assert not bad, bad
