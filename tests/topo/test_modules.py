# SPDX-License-Identifier: ISC
"""Protocol modules: routprotd loads NAME.so from its module directory (-M, or the build tree's
when it runs from there), refuses one it cannot use with a message naming it, and runs the
protocols the configuration names; `preference` of a section reaches the running protocol and
follows a reload."""

import os
import shutil

from lib import process
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
    d = module_dir(workdir, {"other.so": built("trace.so")})
    res = check(workdir, TRACE_ONLY, "-M", str(d))
    assert res.returncode == EXIT_CONFIG
    assert (f"protocol module {d}/other.so registers protocol 'trace': its file must be "
            "trace.so") in res.stderr, res.stderr


def test_shared_object_without_entry_refused(workdir):
    libm = next(p for p in ("/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/libm.so.6")
                if os.path.exists(p))
    d = module_dir(workdir, {"trace.so": built("trace.so"), "zz.so": libm})
    res = check(workdir, TRACE_ONLY, "-M", str(d))
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
