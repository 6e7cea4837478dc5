# SPDX-License-Identifier: ISC
"""Autostatic updates and clears when the state directory cannot take a write: full (no
blocks), out of inodes, read-only, or removed.

The daemon runs in a mount namespace of its own (unshare -m) with a small tmpfs over its state
directory; the test reaches that tmpfs through /proc/PID/root and fills it, or remounts it
read-only with nsenter. Everything goes away with the daemon.

A change that cannot be written is refused as a whole: update-routes answers
ERROR_CAN_NOT_COMPLETE (exit 4) with the reason, clear autostatic exits 1 with the reason, and
the kernel, `show autostatic` and the state file keep the previous set, so a restart brings back
exactly what the daemon says it has. Once the directory takes writes again the next change goes
through.
"""

import errno
import json
import os
import shutil

import pytest

from lib.peers import peers  # noqa: F401 - fixture
from lib.wait import wait_for
from test_autostatic import (CAN_NOT_COMPLETE, NET_A, NET_B, NET_C, UPDATE_OK,  # noqa: F401
                             lab)

TMPFS_OPTS = "size=256k,nr_inodes=64,mode=0750"


def private_tmpfs_wrapper(state_dir, full=False):
    """A wrapper (see Routprotd) that starts the daemon in a private mount namespace with a
    small tmpfs over its state directory (full=True: filled up before the daemon starts)."""
    fill = 'dd if=/dev/zero of="$0/fill" bs=4096 2>/dev/null; ' if full else ""
    script = f'mount -t tmpfs -o {TMPFS_OPTS} routprotd-test "$0" && {{ {fill}exec "$@"; }}'
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script, str(state_dir)]


class Disk:
    """The daemon's state directory as the daemon sees it, and ways to break it."""

    def __init__(self, lab):
        self.lab = lab
        self.d = lab.d
        self.path = f"/proc/{self.d.pid}/root{self.d.state_dir}"
        self.fillers = []

    def files(self):
        return sorted(p for p in os.listdir(self.path) if p != "fill")

    def state_routes(self, ifname="as0"):
        with open(f"{self.path}/autostatic.json") as f:
            doc = json.load(f)
        for iface in doc["interfaces"]:
            if iface["name"] == ifname:
                return {r["prefix"] for r in iface["routes"]}
        return set()

    def fill_blocks(self):
        """Write a file until the tmpfs has no block left."""
        fd = os.open(f"{self.path}/fill", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
        finally:
            os.close(fd)

    def fill_inodes(self):
        """Create empty files until the tmpfs has no inode left."""
        os.mkdir(f"{self.path}/fill")
        for i in range(1000):
            try:
                open(f"{self.path}/fill/{i}", "w").close()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                return
        raise AssertionError("the tmpfs never ran out of inodes")

    def read_only(self, ro=True):
        self.lab.r.run("nsenter", "-t", self.d.pid, "-m", "mount", "-o",
                       f"remount,{'ro' if ro else 'rw'}", self.d.state_dir)

    def break_(self, kind):
        getattr(self, {"full": "fill_blocks", "inodes": "fill_inodes",
                       "readonly": "read_only"}[kind])()

    def repair(self, kind):
        if kind == "readonly":
            self.read_only(False)
        else:
            target = f"{self.path}/fill"
            (shutil.rmtree if kind == "inodes" else os.unlink)(target)


def start(lab):
    lab.start_bird()
    lab.d = lab.start_daemon(lab.r, lab.config(),
                             wrapper=private_tmpfs_wrapper(lab.workdir / "routprotd.state"))
    lab.d.wait_interface("as0", lambda row: row["active"], what="as0 active")
    lab.update_ok()
    disk = Disk(lab)
    lab.wait_kernel({NET_A, NET_B})
    assert disk.state_routes() == {NET_A, NET_B}
    return disk


def assert_unchanged(lab, disk, prefixes):
    """The previous set everywhere: kernel, `show autostatic`, state file; no temporary."""
    assert set(lab.kernel()) == prefixes
    assert set(lab.autostatic()) == prefixes
    assert disk.state_routes() == prefixes
    assert disk.files() == ["autostatic.json"], disk.files()


def state_file_status(lab):
    return lab.d.status()["state_file"]


@pytest.mark.parametrize("kind", ["full", "inodes", "readonly"])
def test_update_refused_when_the_state_file_cannot_be_written(lab, kind):
    """update-routes whose result cannot be written: exit 4, ERROR_CAN_NOT_COMPLETE with the
    reason (on stderr and as `reason`), the previous set stays in kernel, view and file, the
    failure is counted in `show status` state_file; after repair the update goes through."""
    disk = start(lab)
    lab.set_bird_static((NET_A, NET_C))
    disk.break_(kind)

    res = lab.update()
    assert res.rc == CAN_NOT_COMPLETE, f"exit {res.rc}\n{res.stdout}{res.stderr}"
    assert res.data["status"] == "ERROR_CAN_NOT_COMPLETE", res.data
    assert res.data["routes"] == 2, res.data
    assert "state file" in res.data["reason"], res.data
    assert "state file" in res.stderr, res.stderr
    assert_unchanged(lab, disk, {NET_A, NET_B})
    row = lab.autostatic()[NET_A]
    assert row["last_result"] == "ERROR_CAN_NOT_COMPLETE" and row["saved"] is True, row
    status = state_file_status(lab)
    assert status["saved"] is True and status["write_failures"] >= 1, status
    assert status["last_error"], status

    disk.repair(kind)
    out = lab.update_ok()
    assert out["status"] == "NO_ERROR" and "reason" not in out, out
    lab.wait_kernel({NET_A, NET_C})
    assert disk.state_routes() == {NET_A, NET_C}
    assert state_file_status(lab)["last_error"] is None


@pytest.mark.parametrize("kind", ["full", "readonly"])
def test_clear_refused_when_the_state_file_cannot_be_written(lab, kind):
    """clear autostatic whose result cannot be written: exit 1 with the reason, nothing
    removed anywhere; after repair it clears."""
    disk = start(lab)
    disk.break_(kind)

    res = lab.d.ctl_result("clear", "autostatic", "as0")
    assert res.rc == 1, f"exit {res.rc}\n{res.stdout}{res.stderr}"
    assert "state file" in res.stderr and "2 routes stay" in res.stderr, res.stderr
    assert_unchanged(lab, disk, {NET_A, NET_B})

    disk.repair(kind)
    assert lab.d.ctl("clear", "autostatic", "as0")["removed"] == 2
    lab.wait_kernel(set())
    assert disk.state_routes() == set()


def test_leftover_temporary_removed_at_start(lab):
    """A temporary file a crash left in the state directory is removed at start (and said so
    in the log); the state file itself is used."""
    lab.start_bird()
    d = lab.start_router()
    lab.update_ok()
    d.stop()
    tmp = d.state_dir / ".autostatic.json.tmp"
    tmp.write_text('{"format": "routprotd-aut')
    lab.restart_router()
    d.wait_log("left by an interrupted write")
    assert not tmp.exists()
    lab.assert_set({NET_A, NET_B})


def test_removed_state_directory(lab):
    """The state directory removed under a running daemon: update-routes exit 4 and clear
    exit 1, nothing changes; once the directory is back both work."""
    lab.start_bird()
    d = lab.start_router()
    lab.update_ok()
    lab.set_bird_static((NET_A, NET_C))
    shutil.rmtree(d.state_dir)

    res = lab.update()
    assert res.rc == CAN_NOT_COMPLETE and "No such file" in res.stderr, res.stderr
    res = d.ctl_result("clear", "autostatic", "as0")
    assert res.rc == 1 and "No such file" in res.stderr, res.stderr
    assert set(lab.kernel()) == {NET_A, NET_B}
    assert set(lab.autostatic()) == {NET_A, NET_B}

    d.state_dir.mkdir()
    assert lab.update().rc == UPDATE_OK
    lab.assert_set({NET_A, NET_C})


def test_recovered_set_not_saved_is_retried(lab):
    """The one case where the file cannot be refused a change: sets recovered from the kernel
    at start (no state file) when the directory is full. The routes stay in effect, `show
    status` says state_file.saved false (and every `show autostatic` row saved false) with the
    reason, and the daemon writes the file again every retry_interval until it works."""
    lab.r.ip("route", "add", NET_A, "via", "198.18.10.2", "dev", "as0", "proto", "210",
             "metric", "20")
    lab.d = lab.start_daemon(lab.r, lab.config(), wrapper=private_tmpfs_wrapper(
        lab.workdir / "routprotd.state", full=True))
    lab.d.wait_interface("as0", lambda row: row["active"], what="as0 active")
    disk = Disk(lab)
    status = state_file_status(lab)
    assert status["saved"] is False and status["write_failures"] >= 1, status
    assert "No space left on device" in status["last_error"], status
    rows = lab.autostatic()
    assert set(rows) == {NET_A} and rows[NET_A]["saved"] is False, rows
    assert set(lab.kernel()) == {NET_A}
    assert "autostatic.json" not in disk.files()

    disk.repair("full")
    wait_for(lambda: state_file_status(lab)["saved"], timeout=status["retry_interval"] + 10,
             what="the state file written again")
    assert disk.state_routes() == {NET_A}
    assert state_file_status(lab)["last_error"] is None
    assert lab.autostatic()[NET_A]["saved"] is True
    lab.d.wait_log("state file written again")
