# SPDX-License-Identifier: ISC
"""Reload (routprotctl reload and SIGHUP): parse the file afresh, apply only the difference, keep
the running configuration when the new file is bad."""

import os
import signal

import pytest

from lib.routprotd import CTL_DAEMON_ERROR, brief, trace_config

BASE = ["veth0", {"name": "veth1", "verbose": True}]


@pytest.fixture
def lab_config():
    return trace_config(BASE)


@pytest.fixture
def running(lab):
    """The lab with veth0, veth1 (and an unconfigured veth2) up, addressed and active."""
    lab.ns.veth("veth2", "veth2p")
    lab.bring_up("veth0", "198.18.20.1/24")
    lab.bring_up("veth1", "198.18.21.1/24")
    lab.ns.link_up("veth2p")
    lab.ns.link_up("veth2")
    lab.ns.addr_add("veth2", "198.18.22.1/24")
    lab.d.wait_interface("veth2", lambda r: r["media_present"] and r["addresses"])
    lab.d.settle()
    return lab


def reload_ctl(d, config):
    """Write `config`, reload through routprotctl (must succeed), return the events it caused."""
    mark = d.mark()
    d.write_config(config)
    assert d.ctl("reload") == {"reloaded": True}
    d.settle()
    return d.events_since(mark)


def reload_sighup(d, config):
    """Write `config`, send SIGHUP, wait for RELOADING=1 then READY=1; return the events."""
    mark = d.mark()
    after = d.notify.count()
    d.write_config(config)
    d.send_signal(signal.SIGHUP)
    reloading = d.notify.wait("RELOADING", "1", after=after)
    d.notify.wait("READY", "1", after=reloading + 1)
    d.settle()
    return d.events_since(mark)


def test_reload_changes_only_the_changed_interface(running):
    """routprotctl reload with only veth0's settings changed: exactly one SET_INTERFACE_INFO for
    veth0, nothing for veth1 (no flap), and the new setting is in effect."""
    d = running.d
    evs = reload_ctl(d, trace_config([{"name": "veth0", "verbose": True},
                                      {"name": "veth1", "verbose": True}]))
    assert brief(evs) == [("SET_INTERFACE_INFO", "veth0")]
    assert d.interface("veth0")["trace"]["verbose"] is True
    assert d.interface("veth1")["active"] is True


def test_sighup_changes_only_the_changed_interface(running):
    """SIGHUP with only veth1's settings changed: RELOADING=1, READY=1 and exactly one
    SET_INTERFACE_INFO for veth1."""
    d = running.d
    evs = reload_sighup(d, trace_config(["veth0", {"name": "veth1", "verbose": False}]))
    assert brief(evs) == [("SET_INTERFACE_INFO", "veth1")]
    assert d.interface("veth1")["trace"]["verbose"] is False
    assert d.interface("veth0")["trace"]["verbose"] is False


def test_reload_of_an_unchanged_file_does_nothing(running):
    """Reloading the running file calls nothing at all."""
    d = running.d
    assert reload_ctl(d, trace_config(BASE)) == []
    assert reload_sighup(d, trace_config(BASE)) == []


def test_reload_global_setting_reaches_inheriting_interfaces_only(running):
    """A global verbose change is SET_GLOBAL_INFO, plus SET_INTERFACE_INFO for veth0 that
    inherits it; veth1 sets verbose itself and hears nothing."""
    d = running.d
    evs = reload_ctl(d, trace_config(BASE, verbose=True))
    assert brief(evs) == [("SET_GLOBAL_INFO", None), ("SET_INTERFACE_INFO", "veth0")]
    assert d.interface("veth0")["trace"]["verbose"] is True


def test_reload_adds_an_interface(running):
    """A newly configured interface is added with its current state; the others hear nothing."""
    d = running.d
    evs = reload_ctl(d, trace_config(BASE + ["veth2"]))
    assert brief(evs) == [("ADD_INTERFACE", "veth2"), ("ADDRESS_CHANGE", "veth2"),
                          ("ENABLED", "veth2"), ("MEDIA_PRESENT", "veth2")]
    assert evs[1]["addresses"] == ["198.18.22.1/24"]
    assert d.interface("veth2")["protocols"] == ["trace"]
    assert d.interface("veth2")["active"] is True


def test_reload_removes_an_interface(running):
    """An interface dropped from the file is DISABLED then DELETE_INTERFACE; the link stays
    in `show interfaces`, without protocols."""
    d = running.d
    evs = reload_ctl(d, trace_config(["veth0"]))
    assert brief(evs) == [("DISABLED", "veth1"), ("DELETE_INTERFACE", "veth1")]
    row = d.interface("veth1")
    assert row["protocols"] == [] and "trace" not in row and row["active"] is False


def test_reload_removes_a_disabled_interface_without_disabled(lab):
    """An interface that is down when it leaves the configuration just gets DELETE_INTERFACE."""
    d = lab.d
    d.settle()
    evs = reload_ctl(d, trace_config(["veth0"]))
    assert brief(evs) == [("DELETE_INTERFACE", "veth1")]


def test_reload_of_an_absent_interface_applies_when_it_appears(lab):
    """Settings changed for a configured interface that does not exist call nothing; the link
    appearing later is added with the new settings."""
    d, ns = lab.d, lab.ns
    reload_ctl(d, trace_config(BASE + [{"name": "veth2", "verbose": False}]))
    evs = reload_ctl(d, trace_config(BASE + [{"name": "veth2", "verbose": True}]))
    assert evs == []
    mark = d.mark()
    ns.veth("veth2", "veth2p")
    d.wait_events(mark, [("ADD_INTERFACE", "veth2")])
    assert d.interface("veth2")["trace"]["verbose"] is True


def test_reload_moves_the_protocol_to_another_interface(running):
    """Replacing veth1 by veth2 in the file: veth1 is disabled and deleted, veth2 added with its
    state; veth0 hears nothing."""
    d = running.d
    evs = reload_ctl(d, trace_config(["veth0", {"name": "veth2", "verbose": True}]))
    assert brief(evs) == [("DISABLED", "veth1"), ("DELETE_INTERFACE", "veth1"),
                          ("ADD_INTERFACE", "veth2"), ("ADDRESS_CHANGE", "veth2"),
                          ("ENABLED", "veth2"), ("MEDIA_PRESENT", "veth2")]


def test_reload_stops_and_starts_the_protocol(running):
    """Removing the trace section stops the protocol after deleting its interfaces; putting it
    back starts it again with its interfaces."""
    d = running.d
    evs = reload_ctl(d, 'router-id = "198.18.255.1";\n')
    assert brief(evs) == [("DISABLED", "veth0"), ("DELETE_INTERFACE", "veth0"),
                          ("DISABLED", "veth1"), ("DELETE_INTERFACE", "veth1"),
                          ("STOP_PROTOCOL", None)]
    assert d.status()["protocols"] == [] or not any(
        p["running"] for p in d.status()["protocols"])
    evs = reload_ctl(d, trace_config(["veth1"]))
    assert [e["type"] for e in evs] == ["START_PROTOCOL", "ADD_INTERFACE", "ADDRESS_CHANGE",
                                        "ENABLED", "MEDIA_PRESENT", "START_COMPLETE"]


def test_reload_changes_router_id(running):
    """router-id takes effect on reload; without it the highest IPv4 address is the id."""
    d = running.d
    reload_ctl(d, trace_config(BASE, router_id="198.18.200.1"))
    assert d.status()["router_id"] == "198.18.200.1"
    reload_ctl(d, trace_config(BASE, router_id=None))
    assert d.status()["router_id"] == "198.18.22.1"


def test_bad_reload_keeps_the_running_config(running):
    """A broken file: routprotctl reload exits 1, prints FILE:LINE: message on stderr, the JSON
    reply carries data.errors; nothing is called and the running configuration stays, so that a
    later good reload is diffed against it."""
    d = running.d
    before = d.interfaces()
    mark = d.mark()
    d.write_config(trace_config(BASE) + "fib = { table = ; };\n")
    res = d.ctl_result("reload")
    assert res.rc == CTL_DAEMON_ERROR
    line = len(trace_config(BASE).splitlines()) + 1
    where = f"{d.conf_path}:{line}: syntax error"
    assert where in res.stderr
    reply = res.data
    assert reply["ok"] is False and any(where in e for e in reply["data"]["errors"])
    plain = d.ctl_result("reload", json_output=False)
    assert plain.rc == CTL_DAEMON_ERROR and where in plain.stderr

    d.settle()
    assert d.events_since(mark) == []
    assert d.interfaces() == before
    assert d.alive

    evs = reload_ctl(d, trace_config([{"name": "veth0", "verbose": True},
                                      {"name": "veth1", "verbose": True}]))
    assert brief(evs) == [("SET_INTERFACE_INFO", "veth0")]


def test_bad_reload_reports_text_that_is_not_utf8(running):
    """A refused file whose message quotes bytes that are not UTF-8 (a Latin-1 value): the
    client still gets every problem, with those bytes shown as '?'."""
    d = running.d
    d.write_config(trace_config(BASE))
    d.conf_path.write_bytes(d.conf_path.read_bytes() + b'log = { level = "d\xe9bug"; };\n')
    res = d.ctl_result("reload")
    assert res.rc == CTL_DAEMON_ERROR, res
    errors = res.data["data"]["errors"]
    assert len(errors) == 1 and "(got \"d?bug\")" in errors[0], errors
    assert "1 problem" in res.data["error"], res.data
    assert d.alive


def test_bad_sighup_keeps_the_running_config(running):
    """SIGHUP with a bad file logs `ERROR conf: FILE:LINE: message`, calls nothing, keeps
    running and says READY=1 again."""
    d = running.d
    evs = reload_sighup(d, trace_config(BASE) + "unknown-thing = 1;\n")
    assert evs == []
    line = len(trace_config(BASE).splitlines()) + 1
    assert (f"ERROR conf: {d.conf_path}:{line}: unknown top-level key 'unknown-thing'"
            in d.log())
    assert d.alive and d.interface("veth1")["protocols"] == ["trace"]
    ready = d.notify.find("READY", "1")[-1]
    assert "fail" in ready.fields.get("STATUS", ""), ready.fields


# Files a reload must refuse without harm. Each entry writes the file (in the daemon's
# directory) and returns the message expected: FILE:LINE: ... or FILE: ... for the main file.
def _include_directory(d):
    (d.dir / "conf.d").mkdir()
    text = trace_config(BASE) + '@include "conf.d"\n'
    d.write_config(text)
    return (f"{d.conf_path}:{len(text.splitlines())}: cannot open include file "
            f"{d.dir}/conf.d: not a regular file (a directory)")


def _include_fifo(d):
    os.mkfifo(d.dir / "pipe")
    text = trace_config(BASE) + '@include "pipe"\n'
    d.write_config(text)
    return (f"{d.conf_path}:{len(text.splitlines())}: cannot open include file "
            f"{d.dir}/pipe: not a regular file (a FIFO)")


def _main_fifo(d):
    d.conf_path.unlink()
    os.mkfifo(d.conf_path)
    return f"{d.conf_path}: cannot read: not a regular file (a FIFO)"


def _too_large(d):
    d.write_config(trace_config(BASE) + ("# " + "x" * 61 + "\n") * 20000)
    return f"{d.conf_path}: cannot read: too large"


def _control_character(d):
    text = trace_config(BASE).replace('"veth1"', '"veth1\\x1b[2J"')
    d.write_config(text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "\\x1b" in ln)
    return f"{d.conf_path}:{line}: a string holds the control character 0x1b (written \\x1b)"


BAD_FILES = {"include-directory": _include_directory, "include-fifo": _include_fifo,
             "main-fifo": _main_fifo, "too-large": _too_large,
             "control-character": _control_character}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_reload_of_a_file_that_cannot_be_read_keeps_running(running, kind):
    """An @include naming a directory (libconfig's scanner used to exit the process on it) or a
    FIFO (a read that never ends), the file itself a FIFO, a file over 1 MiB, a control
    character in a string: routprotctl reload and SIGHUP are both refused at once with the
    problem (FILE:LINE where there is a line); the daemon keeps running and answering with the
    old configuration, and a later good reload is diffed against it."""
    d = running.d
    before = d.interfaces()
    mark = d.mark()
    where = BAD_FILES[kind](d)

    res = d.ctl_result("reload", timeout=10)
    assert res.rc == CTL_DAEMON_ERROR, res
    assert where in res.stderr, res.stderr
    assert any(where in e for e in res.data["data"]["errors"]), res.data
    assert d.alive

    after = d.notify.count()
    d.send_signal(signal.SIGHUP)
    reloading = d.notify.wait("RELOADING", "1", after=after)
    d.notify.wait("READY", "1", after=reloading + 1)
    assert f"ERROR conf: {where}" in d.log()
    assert d.alive

    d.settle()
    assert d.events_since(mark) == []
    assert d.interfaces() == before
    assert d.status()["protocols"]
    if d.conf_path.is_fifo():
        d.conf_path.unlink()
    evs = reload_ctl(d, trace_config([{"name": "veth0", "verbose": True},
                                      {"name": "veth1", "verbose": True}]))
    assert brief(evs) == [("SET_INTERFACE_INFO", "veth0")]


def test_reload_with_a_protocol_that_cannot_start(running):
    """A reload adding RIP while UDP port 520 is taken: routprotctl exits 1 and says the new
    configuration is in effect but for the failed part (the trace change is applied); the
    daemon keeps running, and a later reload of the same file starts RIP once the port is
    free."""
    import socket

    d = running.d
    rip = 'rip = { interfaces = ( { name = "veth2"; } ); };'
    new = trace_config(["veth0", {"name": "veth1", "verbose": False}], extra=rip)
    with running.ns.entered():
        holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        holder.bind(("0.0.0.0", 520))
        d.write_config(new)
        res = d.ctl_result("reload", json_output=False)
        assert res.rc == CTL_DAEMON_ERROR, res
        assert "configuration reloaded with 1 problem; the rest of the new configuration " \
               "is in effect" in res.stderr, res.stderr
        assert "a configured protocol failed to start" in res.stderr, res.stderr
        assert d.interface("veth1")["trace"]["verbose"] is False
        assert d.alive
    finally:
        holder.close()
    assert d.ctl("reload") == {"reloaded": True}
    d.wait_interface("veth2", lambda r: "rip" in r["protocols"], what="RIP on veth2")
