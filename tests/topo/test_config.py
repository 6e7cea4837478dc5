# SPDX-License-Identifier: ISC
"""Configuration errors are reported as FILE:LINE: message, by `routprotd -t` (exit 1) and at
start (logged as `ERROR conf: FILE:LINE: message`, exit 1, nothing started); valid files pass."""

import os

import pytest

from lib import process
from lib.wait import wait_for
from lib.routprotd import (EXIT_CLEAN, EXIT_CONFIG, EXIT_USAGE, REPO, base_env, daemon_binary,
                           trace_config)

# (id, file text, line of the error, message the daemon must print for it)
BAD_CONFIGS = [
    ("syntax-error",
     'router-id = "198.18.0.1";\n'
     'fib = { table = ; };\n',
     2, "syntax error"),
    ("unknown-top-level-key",
     'router-id = "198.18.0.1";\n'
     '\n'
     'bogus-key = 5;\n',
     3, "unknown top-level key 'bogus-key'"),
    ("unknown-interface-key",
     'trace = {\n'
     '  interfaces = (\n'
     '    { name = "veth0";\n'
     '      colour = "blue"; }\n'
     '  );\n'
     '};\n',
     4, "unknown key 'colour'"),
    ("wrong-type-integer",
     'fib = {\n'
     '  table = "main";\n'
     '};\n',
     2, "'table' must be an integer"),
    ("wrong-type-bool",
     'trace = {\n'
     '  verbose = "yes";\n'
     '  interfaces = ( { name = "veth0"; } );\n'
     '};\n',
     2, "'verbose' must be true or false"),
    ("out-of-range-receive-buffer",
     'router-id = "198.18.0.1";\n'
     'netlink = { receive-buffer = 100; };\n',
     2, "'receive-buffer' must be between 4096 and 1073741824"),
    ("out-of-range-fib-table",
     'fib = { metric = 20;\n'
     '        table = 0; };\n',
     2, "'table' must be between 1 and 4294967295"),
    ("out-of-range-64-bit-literal",
     'fib = { table = 254;\n'
     '        metric = 4294967297L; };\n',
     2, "'metric' must be between 0 and 4294967295"),
    # libconfig 1.5 keeps a plain decimal literal above 2^31 in 32 bits: 4294967297 reads as 1.
    # The file says something out of range, so it must be refused, not run with metric 1.
    ("out-of-range-wrapping-literal",
     'fib = { table = 254;\n'
     '        metric = 4294967297; };\n',
     2, "'metric'"),
    ("out-of-range-wrapping-table",
     'fib = { table = 4294967550; };\n',
     1, "'table'"),
    # The same for an authentication key id, outside any table of settings.
    ("out-of-range-wrapping-key-id",
     'rip = { interfaces = ( { name = "veth0"; authentication = "md5";\n'
     '  keys = ( { secret = "k";\n'
     '             id = 4294967297; } ); } ); };\n',
     3, "'id' must be between 0 and 255 (got 4294967297"),
    ("duplicate-interface",
     'trace = {\n'
     '  interfaces = (\n'
     '    { name = "veth0"; },\n'
     '    { name = "veth1"; },\n'
     '    { name = "veth0"; verbose = true; }\n'
     '  );\n'
     '};\n',
     5, "'veth0' is listed twice"),
    ("bad-router-id",
     'router-id = "198.18.0";\n',
     1, "'router-id' is not an IPv4 address"),
    ("bad-log-level",
     'log = { level = "loud"; };\n',
     1, "'level' must be one of"),
    ("interface-name-too-long",
     'trace = { interfaces = ( { name = "averyveryverylongname0"; } ); };\n',
     1, "not a valid interface name"),
    ("unknown-control-group",
     'router-id = "198.18.0.1";\n'
     'control = { group = "no-such-group-rpt"; };\n',
     2, "unknown group 'no-such-group-rpt'"),
    ("interface-without-name",
     'trace = { interfaces = ( { verbose = true; } ); };\n',
     1, "interface without 'name'"),
    ("filter-prefix-with-host-bits",
     'rip = { interfaces = ( { name = "veth0";\n'
     '  accept-only = [ "198.19.0.0/16", "198.19.1.1/24" ]; } ); };\n',
     2, "'accept-only': \"198.19.1.1/24\" has host bits set; the network is 198.19.1.0/24"),
    ("filter-not-a-prefix",
     'rip = { interfaces = ( { name = "veth0";\n'
     '  announce-except = [ "198.19.300.0/24" ]; } ); };\n',
     2, "'announce-except' is not an IPv4 prefix"),
    ("filter-duplicate",
     'rip = { interfaces = ( { name = "veth0";\n'
     '  accept-peers = [ "198.18.1.2", "198.18.1.2/32" ]; } ); };\n',
     2, "'accept-peers' lists 198.18.1.2/32 twice"),
    ("redistribute-tag-out-of-range",
     'rip = { redistribute-tag = 65536;\n'
     '  interfaces = ( { name = "veth0"; } ); };\n',
     1, "'redistribute-tag' must be between 0 and 65535"),
    ("redistribute-group-unknown-source",
     'rip = { interfaces = ( { name = "veth0"; } );\n'
     '  redistribute = ( "connected", { source = "ospf"; tag = 3; } ); };\n',
     2, "'source' must be one of: connected, static, kernel, autostatic"),
    ("redistribute-group-tag-out-of-range",
     'rip = { interfaces = ( { name = "veth0"; } );\n'
     '  redistribute = ( { source = "static"; tag = -1; } ); };\n',
     2, "'tag' must be between 0 and 65535"),
    ("redistribute-group-without-source",
     'rip = { interfaces = ( { name = "veth0"; } );\n'
     '  redistribute = ( { tag = 3; } ); };\n',
     2, "'redistribute' group without 'source'"),
    ("redistribute-source-twice",
     'rip = { interfaces = ( { name = "veth0"; } );\n'
     '  redistribute = ( "static", { source = "static"; tag = 3; } ); };\n',
     2, "'redistribute' lists \"static\" twice"),
    ("redistribute-unknown-name",
     'rip = { interfaces = ( { name = "veth0"; } );\n'
     '  redistribute = [ "bgp" ]; };\n',
     2, "'redistribute' values must be among: connected, static, kernel, autostatic"),
    ("max-routes-negative",
     'rip = { max-routes-per-neighbor = -1;\n'
     '  interfaces = ( { name = "veth0"; } ); };\n',
     1, "'max-routes-per-neighbor' must be between 0 and 100000000"),
    ("interface-max-routes-too-large",
     'rip = { interfaces = ( { name = "veth0";\n'
     '  max-routes = 100000001; } ); };\n',
     2, "'max-routes' must be between 0 and 100000000"),
    ("filter-not-an-array",
     'rip = { interfaces = ( { name = "veth0";\n'
     '  ignore-peers = "198.18.1.2"; } ); };\n',
     2, "'ignore-peers' must be an array of IPv4 prefixes"),
]


def check_config(path, timeout=60):
    return process.run([str(daemon_binary()), "-t", "-c", str(path)], check=False,
                       env=base_env(), timeout=timeout)


@pytest.mark.parametrize("text,line,message", [c[1:] for c in BAD_CONFIGS],
                         ids=[c[0] for c in BAD_CONFIGS])
def test_check_mode_reports_file_and_line(workdir, text, line, message):
    """`routprotd -t` prints the error as FILE:LINE: message on stderr and exits 1."""
    path = workdir / "bad.conf"
    path.write_text(text)
    res = check_config(path)
    assert res.returncode == EXIT_CONFIG, res
    assert f"{path}:{line}: " in res.stderr, res.stderr
    error_line = next(ln for ln in res.stderr.splitlines() if ln.startswith(f"{path}:{line}: "))
    assert message in error_line, res.stderr
    assert "configuration is valid" not in res.stdout
    assert not process.sanitizer_reports(res.stderr)


@pytest.mark.parametrize("text,line,message", [c[1:] for c in BAD_CONFIGS],
                         ids=[c[0] for c in BAD_CONFIGS])
def test_start_with_bad_config_exits_1(ns, start_daemon, text, line, message):
    """Started with the same file, the daemon logs `ERROR conf: FILE:LINE: message`, exits 1,
    never says READY=1 and leaves no control socket."""
    d = start_daemon(ns, text, start=False)
    d.start(wait_ready=False)
    wait_for(lambda: not d.alive or d.notify.find("READY"), timeout=15,
             what="the daemon to exit (or, wrongly, to get ready)")
    assert not d.notify.find("READY"), f"started with a bad file; log:\n{d.log()}"
    rc = d.wait_exit()
    assert rc == EXIT_CONFIG, d.log()
    assert f"ERROR conf: {d.conf_path}:{line}: " in d.log()
    assert message in d.log()
    assert not d.notify.find("READY")
    assert not d.socket.exists()


def test_all_errors_of_a_file_are_reported(workdir):
    """Independent errors in different sections are all reported, each with its own line."""
    path = workdir / "multi.conf"
    path.write_text('bogus-key = 5;\n'
                    'log = { level = "loud"; };\n'
                    'fib = { table = 0; };\n'
                    'trace = {\n'
                    '  interfaces = ( { name = "veth0"; },\n'
                    '                 { name = "veth0"; } );\n'
                    '};\n')
    res = check_config(path)
    assert res.returncode == EXIT_CONFIG
    for line in (1, 2, 3, 6):
        assert f"{path}:{line}: " in res.stderr, res.stderr


def test_check_mode_accepts_a_valid_file(workdir):
    """A valid file: "FILE: configuration is valid" on stdout, nothing on stderr, exit 0."""
    path = workdir / "good.conf"
    path.write_text(trace_config(["veth0", {"name": "veth1", "verbose": True}], verbose=False,
                                 receive_buffer=1 << 20,
                                 extra='log = { level = "notice"; };\n'
                                       'fib = { table = 100; metric = 30; };\n'
                                       'state-dir = "/nonexistent/state";\n'))
    res = check_config(path)
    assert res.returncode == EXIT_CLEAN, res.stderr
    assert res.stdout.strip() == f"{path}: configuration is valid"
    assert res.stderr == ""


def test_installed_config_is_valid_and_inert(ns, start_daemon):
    """etc/routprotd.conf, installed as /etc/routprotd/routprotd.conf, passes the check, and a
    daemon started with it runs no protocol (no RIP on whatever interfaces the machine has)
    yet answers `show status`."""
    path = REPO / "etc" / "routprotd.conf"
    res = check_config(path)
    assert res.returncode == EXIT_CLEAN, res.stderr
    ns.veth("eth0", "eth0p")
    ns.link_up("eth0")
    d = start_daemon(ns, path.read_text())
    status = d.status()
    assert status["protocols"] == [], status
    assert d.ctl_result("show status", json_output=False).rc == 0
    assert d.interface("eth0")["protocols"] == []


def test_full_example_config_is_valid():
    """etc/routprotd.conf.example, the documented example with every setting, passes the
    check."""
    res = check_config(REPO / "etc" / "routprotd.conf.example")
    assert res.returncode == EXIT_CLEAN, res.stderr
    assert "rip = {" in (REPO / "etc" / "routprotd.conf.example").read_text()


def test_unreadable_file(workdir):
    """A missing file is a configuration error naming the file, in check mode and at start."""
    path = workdir / "missing.conf"
    res = check_config(path)
    assert res.returncode == EXIT_CONFIG
    assert f"{path}: " in res.stderr and "cannot read" in res.stderr


def test_check_mode_refuses_what_is_not_a_regular_file(workdir):
    """An @include naming a directory: exit 1 with FILE:LINE naming it (libconfig's scanner
    used to exit 2, "input in flex scanner failed"); an @include naming a FIFO, or the file
    itself a FIFO: exit 1 at once rather than waiting for a writer."""
    path = workdir / "inc.conf"
    (workdir / "conf.d").mkdir()
    os.mkfifo(workdir / "pipe")
    for name, kind in (("conf.d", "a directory"), ("pipe", "a FIFO")):
        path.write_text(f'router-id = "198.18.0.1";\n@include "{name}"\n')
        res = check_config(path, timeout=10)
        assert res.returncode == EXIT_CONFIG, res
        assert (f"{path}:2: cannot open include file {workdir}/{name}: not a regular file "
                f"({kind})") in res.stderr, res.stderr
    res = check_config(workdir / "pipe", timeout=10)
    assert res.returncode == EXIT_CONFIG, res
    assert f"{workdir}/pipe: cannot read: not a regular file (a FIFO)" in res.stderr


def test_check_mode_names_an_include_it_may_not_read(workdir):
    """Run by a user who may read the main file but not the file it includes: exit 1, and the
    message names the included file and why (libconfig said only "cannot open include
    file")."""
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                 str(daemon_binary())]
    if process.run(as_nobody + ["-V"], check=False, env=base_env(), timeout=10).returncode:
        pytest.skip("the build cannot be run by an unprivileged user from here")
    workdir.chmod(0o755)
    path = workdir / "main.conf"
    path.write_text('router-id = "198.18.0.1";\n@include "private.conf"\n')
    path.chmod(0o644)
    (workdir / "private.conf").write_text("log = { level = \"info\"; };\n")
    (workdir / "private.conf").chmod(0o600)
    res = process.run(as_nobody + ["-t", "-c", str(path)], check=False, env=base_env(),
                      timeout=10)
    assert res.returncode == EXIT_CONFIG, res
    assert (f"{path}:2: cannot open include file {workdir}/private.conf: Permission denied"
            in res.stderr), res.stderr


@pytest.mark.parametrize("args", [["--bogus"], ["-c"], ["extra-argument"], ["-x"]])
def test_usage_errors_exit_2(args):
    """Unknown options, a missing option argument or a stray argument: usage on stderr, exit 2."""
    res = process.run([str(daemon_binary()), *args], check=False, env=base_env())
    assert res.returncode == EXIT_USAGE, res
    assert "usage" in res.stderr.lower()


def test_version_and_help():
    """-V prints the version, -h the usage, both exit 0."""
    res = process.run([str(daemon_binary()), "-V"], env=base_env())
    assert res.stdout.startswith("routprotd ")
    res = process.run([str(daemon_binary()), "-h"], env=base_env())
    assert "--check-config" in res.stdout
