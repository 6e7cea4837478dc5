# SPDX-License-Identifier: ISC
"""Polling with a deadline: tests wait for a condition instead of sleeping and hoping."""

import time


class Timeout(AssertionError):
    """A condition did not become true in time (an assertion failure of the test)."""


def wait_for(probe, timeout=5.0, interval=0.05, what=None):
    """Call probe() until it returns a true value and return that value.

    Fails with Timeout after `timeout` seconds, quoting `what` and the last value seen (or the
    last exception probe() raised), so that the failure tells what was expected and what was there.
    """
    deadline = time.monotonic() + timeout
    last, error = None, None
    while True:
        try:
            last = probe()
            error = None
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 - reported below if it persists
            error = exc
        if time.monotonic() >= deadline:
            detail = f"last error: {error!r}" if error is not None else f"last value: {last!r}"
            raise Timeout(f"timed out after {timeout:.1f} s waiting for "
                          f"{what or getattr(probe, '__name__', 'condition')}; {detail}")
        time.sleep(interval)


def stays(probe, duration, interval=0.05):
    """True when probe() stays true for `duration` seconds (for "nothing else happens" checks)."""
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        if not probe():
            return False
        time.sleep(interval)
    return bool(probe())
