# SPDX-License-Identifier: ISC
"""The control socket and routprotctl: the wire protocol, its robustness against bad or
oversized requests and many clients, the JSON documents scripts rely on, and routprotctl's exit
codes."""

import json
import os
import re
import socket
import stat
import subprocess
import time

import pytest

from lib import process
from lib.addresses import host_addresses
from lib.routprotd import (CTL_DAEMON_ERROR, CTL_OK, CTL_UNREACHABLE, CTL_USAGE, ControlConnection,
                           base_env, ctl_binary, daemon_binary, ipv4_only, raw_exchange,
                           run_ctl, trace_config)
from lib.wait import wait_for

MAX_LINE = 65536
MAX_CLIENTS = 128
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

MALFORMED = [
    ("garbage-line", b"garbage\n"),
    ("binary-junk", b"\x00\xff\xfe\x80\x01junk\x7f\n"),
    ("invalid-utf8-json", b'{"command": "show \xff status", "args": []}\n'),
    ("not-an-object", b"[1, 2, 3]\n"),
    ("json-string", b'"show status"\n'),
    ("missing-command", b'{"args": []}\n'),
    ("command-not-a-string", b'{"command": 5, "args": []}\n'),
    ("args-not-an-array", b'{"command": "show status", "args": "x"}\n'),
    ("trailing-garbage", b'{"command": "show status", "args": []} trailing\n'),
    ("deeply-nested", b'{"command": "show status", "args": '
     + b"[" * 30000 + b"]" * 30000 + b"}\n"),
    ("nul-in-string", b'{"command": "show \\u0000status", "args": []}\n'),
    ("duplicate-key", b'{"command": "show status", "command": "reload", "args": []}\n'),
    ("empty-command", b'{"command": "", "args": []}\n'),
    ("oversized-without-newline", b"x" * 100_000),
    ("oversized-valid-json", b'{"command": "show status", "args": ["'
     + b"a" * 100_000 + b'"]}\n'),
]


def bad_requests(d):
    return d.status()["control"]["bad_requests"]


@pytest.mark.parametrize("payload", [m[1] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_request_gets_an_error_and_is_closed(lab, payload):
    """Each malformed or oversized request is answered with one {"ok": false, "error": ...} line,
    the connection is then closed by the daemon, bad_requests counts it, and the daemon goes on
    answering."""
    d = lab.d
    before = bad_requests(d)
    out, closed = raw_exchange(d.socket, payload, timeout=10)
    assert closed, f"connection left open after {payload[:40]!r}; got {out[:200]!r}"
    lines = out.splitlines()
    assert len(lines) == 1, out[:500]
    reply = json.loads(lines[0])
    assert reply["ok"] is False and isinstance(reply["error"], str) and reply["error"]
    assert bad_requests(d) == before + 1
    assert d.ctl("show status")["version"]


def test_oversized_request_names_the_limit(lab):
    """The error for a line over the limit says so."""
    out, closed = raw_exchange(lab.d.socket, b"{" * (MAX_LINE + 10), timeout=10)
    assert closed and str(MAX_LINE) in json.loads(out)["error"]


def test_long_request_under_the_limit_is_served(lab):
    """A well-formed request just under 64 KiB (padded with blanks) is served normally."""
    body = json.dumps({"command": "show status", "args": []})
    line = body[:-1] + " " * (MAX_LINE - len(body) - 10) + "}"
    with ControlConnection(lab.d.socket) as conn:
        conn.send_line(line.encode())
        reply = conn.read_line()
    assert reply["ok"] is True and reply["data"]["version"]


def test_unknown_command_keeps_the_connection(lab):
    """A well-formed request for an unknown command is an error reply, not a protocol error:
    the connection stays usable."""
    d = lab.d
    before = bad_requests(d)
    with ControlConnection(d.socket) as conn:
        reply = conn.request("no such command")
        assert reply["ok"] is False and "no such command" in reply["error"]
        assert conn.request("show status")["ok"] is True
    assert bad_requests(d) == before


@pytest.mark.parametrize("args", [[-1], ["abc"], [0], [1, 2], [None], [1e300], [1000001]],
                         ids=["negative", "text", "zero", "two", "null", "huge-float",
                              "above-limit"])
def test_bad_arguments_are_an_error_reply(lab, args):
    """Wrong arguments to a known command are an error reply on a connection that stays open."""
    with ControlConnection(lab.d.socket) as conn:
        conn.send_line(json.dumps({"command": "show events", "args": args}).encode())
        reply = conn.read_line()
        assert reply["ok"] is False and reply["error"]
        assert conn.request("show events", "1")["ok"] is True


def test_pipelined_and_fragmented_requests(lab):
    """Several requests in one write are answered in order; a request written a few bytes at a
    time is reassembled."""
    d = lab.d
    with ControlConnection(d.socket) as conn:
        conn.send_line(b'{"command": "show status", "args": []}\n'
                       b'{"command": "show events", "args": ["1"]}\n'
                       b'{"command": "show interfaces", "args": []}\n')
        replies = [conn.read_line() for _ in range(3)]
        assert [r["ok"] for r in replies] == [True, True, True]
        assert "version" in replies[0]["data"]
        assert len(replies[1]["data"]) == 1
        assert any(row["name"] == "veth0" for row in replies[2]["data"])

        request = b'{"command": "show status", "args": []}\n'
        for i in range(0, len(request), 5):
            conn.sock.sendall(request[i:i + 5])
            time.sleep(0.01)
        assert conn.read_line()["ok"] is True


def test_fifty_concurrent_clients(lab):
    """50 routprotctl show status at once: every one exits 0 with a complete document."""
    argv = [str(ctl_binary()), "-s", str(lab.d.socket), "--json", "show", "status"]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=base_env()) for _ in range(50)]
    results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
    for rc, out, err in results:
        assert rc == CTL_OK, err
        assert json.loads(out)["version"]
        assert not process.sanitizer_reports(err.decode())
    assert lab.d.status()["control"]["requests"] >= 50


def test_a_client_that_does_not_read_blocks_nobody(lab):
    """A client that pipelines hundreds of requests with large replies and never reads does not
    hold up the others; when it goes away the daemon forgets it."""
    d = lab.d
    d.ns.batch([f"addr add {a} dev veth0p"
                for a in host_addresses("198.18.33.0/24", 200, prefixlen=32)])
    d.wait_interface("veth0p", lambda r: len(r["addresses"]) == 200)
    hog = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    hog.connect(str(d.socket))
    hog.setblocking(False)
    request = b'{"command": "show interfaces", "args": []}\n'
    sent = 0
    try:
        for _ in range(400):
            try:
                sent += hog.send(request)
            except BlockingIOError:
                break
        assert sent > 0
        started = time.monotonic()
        for _ in range(5):
            assert d.ctl("show status")["version"]
        assert time.monotonic() - started < 10
    finally:
        hog.close()
    wait_for(lambda: d.status()["control"]["clients"] == 1, what="the hog to be forgotten")


def open_idle(path, n):
    """n connections that never send anything."""
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(str(path))
        socks.append(s)
    return socks


def closed_with(sock, error, timeout=30):
    """The daemon sent {"ok": false, "error": error...} on `sock` and closed it."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    lines = data.splitlines()
    return len(lines) == 1 and json.loads(lines[0])["error"].startswith(error)


@pytest.mark.parametrize("first_bytes", [b"", b'{"command": "show'], ids=["idle", "partial"])
def test_idle_clients_do_not_lock_out_the_operator(lab, first_bytes):
    """130 connections that send nothing (or the start of a request and no more, as a client
    sending a byte now and then): routprotctl show status and reload still answer, each time
    in place of the connection idle the longest, which is told why and closed; nobody is
    refused."""
    d = lab.d
    idle = open_idle(d.socket, MAX_CLIENTS + 2)
    try:
        for s in idle:
            try:
                s.send(first_bytes)
            except OSError:  # already closed to make room for the last ones
                pass
        wait_for(lambda: d.ctl("show status")["control"]["evicted"] >= 3,
                 what="the daemon making room", timeout=20)
        res = run_ctl(d.socket, "reload")
        assert res.rc == CTL_OK, res.stderr
        control = d.ctl("show status")["control"]
        assert control["rejected"] == 0, control
        assert control["clients"] == MAX_CLIENTS, control
        assert closed_with(idle[0], "closed to make room for another client")
        assert closed_with(idle[1], "closed to make room for another client")
    finally:
        for s in idle:
            s.close()


def timeout_daemon(ns, start_daemon, idle, request):
    return start_daemon(ns, trace_config(["lo"], extra=f"control = {{ idle-timeout = {idle}; "
                                                       f"request-timeout = {request}; }};"))


def test_idle_clients_are_closed(ns, start_daemon):
    """control.idle-timeout: 127 connections that never send a request (the 128th asks for
    the status) are told so and closed after it; each is counted in control.idle_timeouts."""
    d = timeout_daemon(ns, start_daemon, idle=2, request=30)
    idle = open_idle(d.socket, MAX_CLIENTS - 1)
    try:
        wait_for(lambda: d.status()["control"]["idle_timeouts"] >= MAX_CLIENTS - 1,
                 what="idle connections closed", timeout=30)
        assert all(closed_with(s, "no request within 2 s") for s in idle)
        assert d.status()["control"]["clients"] == 1
        assert d.ctl("show status")["control"]["evicted"] == 0
    finally:
        for s in idle:
            s.close()


def test_slowloris_clients_do_not_lock_out_and_are_closed(ns, start_daemon):
    """128 clients sending a request a byte a second: routprotctl still answers while they
    trickle, and each of them is closed control.request-timeout after its first byte, counted
    in control.request_timeouts."""
    d = timeout_daemon(ns, start_daemon, idle=60, request=3)
    slow = open_idle(d.socket, MAX_CLIENTS)
    try:
        for s in slow:
            s.send(b"{")
        assert run_ctl(d.socket, "show", "status").rc == CTL_OK
        for _ in range(20):
            if d.status()["control"]["request_timeouts"] >= MAX_CLIENTS - 1:
                break
            for s in slow:
                try:
                    s.send(b" ")
                except OSError:
                    pass
            time.sleep(1)
        control = d.status()["control"]
        assert control["request_timeouts"] >= MAX_CLIENTS - 1, control
        assert control["clients"] == 1, control
        assert control["idle_timeouts"] == 0, control
        assert sum(closed_with(s, "request not completed within 3 s") for s in slow) \
            >= MAX_CLIENTS - 1
    finally:
        for s in slow:
            s.close()


def test_socket_mode(lab):
    """The control socket is created with mode 0660."""
    assert stat.S_IMODE(os.stat(lab.d.socket).st_mode) == 0o660


# ---- JSON documents ----

def test_show_status_keys(ns, start_daemon):
    """`show status --json` has the version, uptime, router id, protocols and the netlink,
    counters and control sections with their keys; receive_buffer is the configured size."""
    ns.veth("veth0", "veth0p")
    d = start_daemon(ns, trace_config(["veth0"], receive_buffer=1 << 20))
    st = d.ctl("show status")
    version = process.run([str(daemon_binary()), "-V"]).stdout.split()[-1]
    assert st["version"] == version
    assert isinstance(st["uptime"], int) and st["uptime"] >= 0
    assert st["router_id"] == "198.18.255.1"
    assert [p["name"] for p in st["protocols"]] == ["trace"]
    assert st["protocols"][0]["running"] is True
    assert set(st["netlink"]) >= {"messages", "overruns", "resyncs", "errors", "receive_buffer"}
    assert st["netlink"]["receive_buffer"] == 1 << 20
    assert st["netlink"]["overruns"] == 0 and st["netlink"]["errors"] == 0
    assert set(st["counters"]) >= {"callbacks", "events_drained", "link_updates",
                                   "netlink_resyncs", "history_total"}
    assert set(st["control"]) >= {"socket", "connections", "requests", "bad_requests",
                                  "rejected", "clients"}
    assert st["control"]["socket"] == str(d.socket)
    for section in ("netlink", "counters"):
        assert all(isinstance(v, int) for v in st[section].values()), st[section]


def test_show_interfaces_keys(lab):
    """`show interfaces --json` rows carry the contract's keys with the kernel's values; the
    configured ones have the trace protocol's row."""
    lab.bring_up("veth0", "198.18.30.1/24")
    rows = {r["name"]: r for r in lab.d.ctl("show interfaces")}
    assert set(rows) >= {"lo", "veth0", "veth0p", "veth1", "veth1p"}
    for name, row in rows.items():
        assert set(row) >= {"name", "ifindex", "enabled", "media_present", "addresses", "mode",
                            "active", "mtu", "protocols"}, row
        link = lab.ns.link(name)
        assert row["ifindex"] == link["ifindex"] and row["mtu"] == link["mtu"]
        assert row["mode"] is None
        v4 = lab.ns.ipv4_addresses(name)
        assert row["addresses"][:len(v4)] == v4 == ipv4_only(row["addresses"])  # IPv4 first
        assert set(row["addresses"]) <= set(lab.ns.addresses(name)), row  # then IPv6
    v0 = rows["veth0"]
    assert (v0["enabled"], v0["media_present"], v0["active"]) == (True, True, True)
    assert v0["protocols"] == ["trace"] and v0["trace"]["verbose"] is False
    assert rows["veth1"]["protocols"] == ["trace"] and rows["veth1"]["trace"]["verbose"] is True
    assert rows["veth1"]["active"] is False and rows["lo"]["protocols"] == []


def test_show_events_last_n(lab):
    """`show events N` is the last N events, oldest first, each with an ISO 8601 UTC time with
    milliseconds; asking for more than recorded gives all."""
    d = lab.d
    lab.bring_up("veth0", "198.18.31.1/24")
    lab.ns.link_down("veth0")
    d.wait_interface("veth0", lambda r: not r["enabled"])
    d.settle()
    everything = d.ctl("show events")
    assert len(everything) >= 6
    assert d.ctl("show events", 3) == everything[-3:]
    assert d.ctl("show events", 1) == everything[-1:]
    assert d.ctl("show events", 100000) == everything
    times = [e["time"] for e in everything]
    assert all(ISO_MS.match(t) for t in times), times
    assert times == sorted(times)
    for e in everything:
        assert {"time", "type", "interface"} <= set(e)


@pytest.mark.timeout(120)
def test_event_history_keeps_the_last_4096(ns, start_daemon):
    """4200 address changes in one burst: the default 4 MiB buffer takes them without overrun,
    history_total counts them all and `show events` holds exactly the newest 4096, in order,
    each ADDRESS_CHANGE with its whole address_count and at most 32 addresses listed."""
    ns.veth("veth0", "veth0p")
    d = start_daemon(ns, trace_config(["veth0"]))
    base = d.mark()
    addrs = host_addresses("198.18.128.0/20", 2100, prefixlen=32)
    ns.batch([f"addr add {a} dev veth0" for a in addrs]
             + [f"addr del {a} dev veth0" for a in addrs])
    wait_for(lambda: d.mark() >= base + 4200, timeout=60, what="4200 ADDRESS_CHANGE recorded")
    d.settle()
    assert d.mark() == base + 4200
    assert d.status()["netlink"]["overruns"] == 0
    events = d.ctl("show events")
    assert len(events) == 4096
    expected = list(range(1, 2101)) + list(range(2099, -1, -1))
    assert [e["address_count"] for e in events] == expected[-4096:]
    assert all(len(e["addresses"]) == min(32, e["address_count"]) for e in events)
    assert d.ctl("show events", 2) == events[-2:]


def test_human_output(lab):
    """Without --json routprotctl prints aligned tables and key: value lines."""
    lab.bring_up("veth0", "198.18.32.1/24")
    out = lab.d.ctl_result("show", "interfaces", json_output=False)
    assert out.rc == CTL_OK
    header, *rows = out.stdout.splitlines()
    assert header.split()[:2] == ["NAME", "INDEX"]
    veth0 = next(r for r in rows if r.split()[0] == "veth0")
    assert "198.18.32.1/24" in veth0
    columns = [header.index(word) for word in header.split()]
    for row in rows:
        for col in columns[1:]:
            assert row[col - 1] == " ", f"column {col} not aligned in {row!r}"
    out = lab.d.ctl_result("show", "events", json_output=False)
    assert out.rc == CTL_OK and out.stdout.split()[:3] == ["TIME", "TYPE", "INTERFACE"]
    out = lab.d.ctl_result("show", "status", json_output=False)
    assert out.rc == CTL_OK and re.search(r"^version:\s+\S+", out.stdout, re.M)


# ---- routprotctl exit codes ----

def test_ctl_unreachable_when_the_socket_is_missing(workdir):
    """No socket: exit 3, and the message names the path."""
    path = workdir / "absent.sock"
    res = run_ctl(path, "show", "status")
    assert res.rc == CTL_UNREACHABLE and str(path) in res.stderr and res.stdout == ""


def test_ctl_unreachable_when_nobody_listens(workdir):
    """A stale socket file nobody listens on: exit 3 with the path."""
    path = workdir / "stale.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    s.close()
    res = run_ctl(path, "show", "status")
    assert res.rc == CTL_UNREACHABLE and str(path) in res.stderr


@pytest.mark.parametrize("args", [
    [], ["bogus"], ["show"], ["show", "bogus"], ["show", "events", "abc"],
    ["show", "events", "0"], ["show", "events", "-3"], ["show", "events", "1000001"],
    ["show", "status", "extra"],
    ["reload", "now"], ["update-routes"], ["--timeout", "5", "show", "status"],
    ["--no-such-option", "show", "status"], ["update-routes", "veth0", "--timeout", "0"],
], ids=lambda a: " ".join(a) or "no-args")
def test_ctl_usage_errors_exit_2(workdir, args):
    """Bad command lines exit 2 before any connection is tried (the socket does not exist)."""
    res = run_ctl(workdir / "absent.sock", *args, json_output=False)
    assert res.rc == CTL_USAGE, res
    assert res.stderr.strip()


def test_ctl_socket_option_without_value():
    """-s without a value is a usage error."""
    res = process.run([str(ctl_binary()), "-s"], check=False, env=base_env())
    assert res.returncode == CTL_USAGE


def test_ctl_daemon_error_exits_1(lab):
    """A request the daemon refuses (update-routes on an unknown interface) exits 1 with the
    daemon's message on stderr; with --json stdout is still one JSON document."""
    res = lab.d.ctl_result("update-routes", "nosuch0")
    assert res.rc == CTL_DAEMON_ERROR and res.stderr.strip()
    assert json.loads(res.stdout)["ok"] is False
    plain = lab.d.ctl_result("update-routes", "nosuch0", json_output=False)
    assert plain.rc == CTL_DAEMON_ERROR and plain.stderr.strip()


def test_ctl_socket_from_environment(lab):
    """Without -s, routprotctl uses $ROUTPROTCTL_SOCKET."""
    res = process.run([str(ctl_binary()), "--json", "show", "status"], check=False,
                      env=base_env(ROUTPROTCTL_SOCKET=lab.d.socket))
    assert res.returncode == CTL_OK and json.loads(res.stdout)["version"]


def test_ctl_help_and_version():
    """-h and -V exit 0."""
    assert "show status" in process.run([str(ctl_binary()), "-h"], env=base_env()).stdout
    assert process.run([str(ctl_binary()), "-V"], env=base_env()).stdout.strip()
