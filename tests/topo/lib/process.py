# SPDX-License-Identifier: ISC
"""Commands and long-running programs started by the tests.

run() executes a command to completion; Process wraps a program that keeps running (routprotd, later
BIRD or FRR) with its output in a log file. Every Process is remembered until it has been reaped, so
that a sweep at the end of the session can end whatever a failing test left behind: only the
processes the tests started, one by one, by their pid.
"""

import os
import signal
import subprocess
import threading
import time

from .wait import Timeout

_live = set()
_live_lock = threading.Lock()

# Lines by which AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer report a problem.
SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "WARNING: AddressSanitizer",
    "runtime error:",
    "SUMMARY: AddressSanitizer",
    "SUMMARY: UndefinedBehaviorSanitizer",
    "ThreadSanitizer",
    "MemorySanitizer",
)


def sanitizer_reports(text):
    """The lines of `text` that belong to a sanitizer report (empty list when clean)."""
    return [line for line in text.splitlines() if any(m in line for m in SANITIZER_MARKERS)]


class CommandError(AssertionError):
    """A command that had to succeed did not; the message carries its output."""


def run(argv, check=True, timeout=60, input=None, env=None):
    """Run argv to completion and return the CompletedProcess (text stdout/stderr).

    With check=True a non-zero exit raises CommandError quoting the command and both outputs.
    """
    proc = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout,
                          env=env, stdin=None if input is not None else subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise CommandError(f"command failed with exit {proc.returncode}: {' '.join(argv)}\n"
                           f"stdout: {proc.stdout.strip()}\nstderr: {proc.stderr.strip()}")
    return proc


class Process:
    """A program running in the background, stdout and stderr going to `log_path`.

    It gets its own session (process group), so a Ctrl-C on the terminal reaches pytest only
    and the harness stops the program itself.
    """

    def __init__(self, argv, name, log_path, env=None, cwd=None):
        self.argv = list(argv)
        self.name = name
        self.log_path = str(log_path)
        self._log = open(self.log_path, "wb")
        try:
            self.popen = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                          stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                          start_new_session=True)
        except BaseException:
            self._log.close()
            raise
        self.pid = self.popen.pid
        with _live_lock:
            _live.add(self)

    def __repr__(self):
        return f"<Process {self.name} pid {self.pid} rc {self.popen.returncode}>"

    @property
    def returncode(self):
        """Exit status once it has ended (negative: killed by that signal), else None."""
        return self.popen.poll()

    @property
    def alive(self):
        return self.popen.poll() is None

    def send_signal(self, sig):
        """Send `sig` to the program (not to its group) if it still runs."""
        if self.popen.poll() is None:
            self.popen.send_signal(sig)

    def wait(self, timeout=10.0):
        """Wait for the program to end and return its exit status; Timeout if it does not."""
        try:
            rc = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Timeout(f"{self.name} (pid {self.pid}) still running after {timeout} s") from None
        self._reaped()
        return rc

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Send `sig` and wait for the exit status. If the program does not end in time it is
        killed and Timeout is raised, so that a hanging stop fails the test."""
        self.send_signal(sig)
        try:
            return self.wait(timeout)
        except Timeout:
            self.kill()
            raise

    def kill(self):
        """SIGKILL and reap; for cleanup paths."""
        if self.popen.poll() is None:
            try:
                self.popen.kill()
            except ProcessLookupError:
                pass
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._reaped()

    def _reaped(self):
        if self.popen.poll() is not None:
            if not self._log.closed:
                self._log.close()
            with _live_lock:
                _live.discard(self)

    def output(self):
        """Everything the program wrote so far."""
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def wait_output(self, text, timeout=5.0):
        """Wait until `text` appears in the program's output; return the whole output."""
        deadline = time.monotonic() + timeout
        while True:
            out = self.output()
            if text in out:
                return out
            if time.monotonic() >= deadline:
                raise Timeout(f"{self.name}: {text!r} not in its output after {timeout} s; "
                              f"output:\n{out[-4000:]}")
            if not self.alive:
                out = self.output()
                if text in out:
                    return out
                raise AssertionError(f"{self.name} exited ({self.returncode}) without printing "
                                     f"{text!r}; output:\n{out[-4000:]}")
            time.sleep(0.05)


def kill_leftovers():
    """End every Process still running (SIGTERM, then SIGKILL after 3 s). Returns their names."""
    with _live_lock:
        procs = list(_live)
    for p in procs:
        p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 3
    for p in procs:
        try:
            p.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        p.kill()
    return [f"{p.name} (pid {p.pid})" for p in procs]


def pid_alive(pid):
    """True when a process with this pid exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
