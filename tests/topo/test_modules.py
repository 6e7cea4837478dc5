# SPDX-License-Identifier: ISC
"""Protocol modules: routprotd loads NAME.so from its module directory (-M, or the build tree's
when it runs from there) when the configuration has a NAME section, refuses one it cannot use
with a message naming it, and unloads it when a reload removes the section (its routes leave
the kernel, the daemon keeps running); `preference` of a section reaches the running protocol
and follows a reload."""

import os
import shutil

import pytest

from lib import process
from lib.craft import ProbeLab, entry, response
from lib.peers import rip_config, wait_kernel_route, wait_rip_route
from lib.routprotd import EXIT_CONFIG, base_env, build_dir, daemon_binary, trace_config

TRACE_ONLY = 'trace = { interfaces = ( { name = "veth0"; } ); };\n'


def check(workdir, text, *extra):
    path = workdir / "m.conf"
    path.write_text(text)
    return process.run([str(daemon_binary()), "-t", "-c", str(path), *extra], check=False,
                       env=base_env(), timeout=60)


def module_dir(workdir, files):
    """A module directory holding copies of the build tree's modules: {name in dir: source}."""
    d = workdir / "modules"
    d.mkdir()
    for name, source in files.items():
        shutil.copy(source, d / name)
    return d


def built(name):
    return build_dir() / ".libs" / name


def test_build_tree_modules_found_without_option(workdir):
    res = check(workdir, TRACE_ONLY + 'rip = { interfaces = ( { name = "veth1"; } ); };\n')
    assert res.returncode == 0, res.stderr


def test_module_dir_option_limits_the_protocols(workdir):
    d = module_dir(workdir, {"trace.so": built("trace.so")})
    assert check(workdir, TRACE_ONLY, "-M", str(d)).returncode == 0
    res = check(workdir, TRACE_ONLY + "rip = { };\n", "-M", str(d))
    assert res.returncode == EXIT_CONFIG
    assert "unknown top-level key 'rip'" in res.stderr, res.stderr


def test_module_under_another_name_refused(workdir):
    d = module_dir(workdir, {"other.so": built("trace.so"), "trace.so": built("trace.so")})
    assert check(workdir, TRACE_ONLY, "-M", str(d)).returncode == 0  # other.so not wanted
    res = check(workdir, TRACE_ONLY + "other = { };\n", "-M", str(d))
    assert res.returncode == EXIT_CONFIG
    assert (f"protocol module {d}/other.so registers protocol 'trace': its file must be "
            "trace.so") in res.stderr, res.stderr


def test_shared_object_without_entry_refused(workdir):
    libm = next(p for p in ("/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/libm.so.6")
                if os.path.exists(p))
    d = module_dir(workdir, {"trace.so": built("trace.so"), "zz.so": libm})
    res = check(workdir, TRACE_ONLY + "zz = { };\n", "-M", str(d))
    assert res.returncode == EXIT_CONFIG
    assert f"protocol module {d}/zz.so has no rp_module_register()" in res.stderr, res.stderr


def test_missing_module_dir_refused(workdir):
    res = check(workdir, TRACE_ONLY, "-M", str(workdir / "absent"))
    assert res.returncode == EXIT_CONFIG
    assert f"module directory {workdir / 'absent'}: No such file or directory" in res.stderr


def test_preference_in_status_and_after_reload(ns, start_daemon):
    ns.veth("veth0", "veth0p")
    d = start_daemon(ns, trace_config(["veth0"]))
    [trace] = [p for p in d.status()["protocols"] if p["name"] == "trace"]
    assert trace["preference"] == 120
    d.write_config(trace_config(["veth0"]).replace("trace = {", "trace = {\n  preference = 90;"))
    assert d.ctl("reload") == {"reloaded": True}
    [trace] = [p for p in d.status()["protocols"] if p["name"] == "trace"]
    assert trace["preference"] == 90
    assert d.alive


@pytest.mark.timeout(90)
def test_reload_unloads_and_reloads_rip(topo, start_daemon):
    """A reload without the rip section stops RIP, takes its routes out of the kernel and
    unloads rip.so; a reload that adds the section back loads and starts it again."""
    lab = ProbeLab(topo, start_daemon, lambda lab: rip_config(["eth0", "eth1", "lan0"],
                                                              router_id=ProbeLab.R0))
    try:
        d = lab.d
        lab.send(response([entry("198.19.80.0/24")]), src=lab.P0B)
        wait_rip_route(d, "198.19.80.0/24", timeout=5)
        wait_kernel_route(lab.r, "198.19.80.0/24", lambda k: k is not None, timeout=5)
        rip_text = d.conf_path.read_text()
        d.write_config(f'router-id = "{ProbeLab.R0}";\n'
                       'trace = { interfaces = ( { name = "lan0"; } ); };\n')
        assert d.ctl("reload") == {"reloaded": True}
        wait_kernel_route(lab.r, "198.19.80.0/24", lambda k: k is None, timeout=5)
        assert [p["name"] for p in d.status()["protocols"]] == ["trace"]
        assert "protocol module rip unloaded" in d.log()
        d.write_config(rip_text)
        assert d.ctl("reload") == {"reloaded": True}
        assert "trace" not in [p["name"] for p in d.status()["protocols"]]
        assert "protocol module trace unloaded" in d.log()
        lab.send(response([entry("198.19.81.0/24")]), src=lab.P0B)
        wait_kernel_route(lab.r, "198.19.81.0/24", lambda k: k is not None, timeout=5)
        assert d.alive
    finally:
        lab.close()
