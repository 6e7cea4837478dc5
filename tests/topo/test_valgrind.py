# SPDX-License-Identifier: ISC
"""routprotd under valgrind's memcheck through one realistic session: RIP with Keyed-MD5 both
ways with BIRD 2 on a periodic interface and an autostatic one, an update-routes, a reload, a
clean stop. valgrind's exit status (99 on any error or definitely lost block) and its report
must be clean.

    router (routprotd under valgrind)                  bird
      eth0 198.18.32.1/24 (periodic, md5)  ─────────── eth0 198.18.32.2/24
      as0  198.18.33.1/24 (autostatic, md5) ────────── as1  198.18.33.2/24
      lan0 198.19.34.1/24 (a stub, redistributed)      static1: 198.19.35.0/24
"""

import shutil

import pytest

from lib.peers import (bird_available, bird_config, kernel_routes, peers,  # noqa: F401
                       rip_config, rip_routes, wait_rip_route)
from lib.routprotd import sanitized_build, valgrind_wrapper
from lib.wait import wait_for

R0, B0 = "198.18.32.1", "198.18.32.2"
R1, B1 = "198.18.33.1", "198.18.33.2"
OURS, THEIRS = "198.19.34.0/24", "198.19.35.0/24"
SECRET = "s3cret"
KEYS = f'keys = ( {{ id = 1; secret = "{SECRET}"; }} );'
BIRD_IFACE = ('update time 2; timeout time 12; authentication cryptographic; '
              f'password "{SECRET}" {{ id 1; algorithm keyed md5; }};')

pytestmark = [
    pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind not installed"),
    pytest.mark.skipif(not bird_available(), reason="BIRD 2 not installed"),
]


def router_config(cost=1):
    text = rip_config([{"name": "eth0", "authentication": "md5", "cost": cost},
                       {"name": "as0", "mode": "autostatic", "authentication": "md5"}],
                      router_id=R0, timers=(2, 12, 4), redistribute=["connected"],
                      rip={"update-quiet": 500})
    return text.replace('authentication = "md5";', f'authentication = "md5"; {KEYS}')


def valgrind_errors(report):
    """The lines of a valgrind report that tell of a problem (its --quiet report is empty
    when there is none)."""
    return [line for line in report.splitlines() if line.strip("= 0123456789")]


@pytest.mark.timeout(240)
def test_session_under_valgrind(topo, peers, start_daemon, workdir):
    if sanitized_build():
        pytest.skip("an AddressSanitizer build does not run under valgrind")
    r, b = topo.netns("router"), topo.netns("bird")
    r.veth("eth0", "eth0", peer_ns=b, up=True)
    r.veth("as0", "as1", peer_ns=b, up=True)
    for ns, ifname, addr in ((r, "eth0", R0), (b, "eth0", B0), (r, "as0", R1), (b, "as1", B1)):
        ns.addr_add(ifname, f"{addr}/24")
    r.stub("lan0")
    r.addr_add("lan0", "198.19.34.1/24")
    r.wait_carrier("eth0")
    r.wait_carrier("as0")
    bird = peers.bird(b, bird_config(B0, {"eth0": BIRD_IFACE, "as1": BIRD_IFACE},
                                     static=[THEIRS]))
    report = workdir / "valgrind.log"
    d = start_daemon(r, router_config(), wrapper=valgrind_wrapper(report))

    wait_for(lambda: THEIRS in kernel_routes(r) or None, timeout=60,
             what=f"{THEIRS} learned from BIRD over Keyed-MD5")
    bird.wait_route(OURS, timeout=60, what=f"{OURS} learned by BIRD over Keyed-MD5")
    res = d.ctl_result("update-routes", "as0")
    assert res.rc == 0, f"update-routes: exit {res.rc}\n{res.stdout}{res.stderr}"
    # the kernel writes go out after the reply (as in test_autostatic's wait_kernel)
    wait_for(lambda: THEIRS in kernel_routes(r, "210"), timeout=30,
             what="the autostatic route in the kernel after update-routes")
    metric = rip_routes(d)[THEIRS]["metric"]
    d.write_config(router_config(cost=2))
    assert d.ctl("reload") == {"reloaded": True}
    wait_rip_route(d, THEIRS, until=lambda row: row and row["metric"] == metric + 1,
                   timeout=30, what=f"{THEIRS} one hop further after the reload (cost 2)")

    d.stop(timeout=120)  # valgrind's exit status: 0, not 99
    text = report.read_text()
    assert not valgrind_errors(text), f"valgrind report:\n{text}"
