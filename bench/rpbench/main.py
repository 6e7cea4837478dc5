# SPDX-License-Identifier: ISC
"""tools/bench: run every scenario, print the report, write bench/results/<timestamp>.{csv,txt,png}.

    tools/bench              N = 1,000 / 10,000 / 100,000 (about 15 minutes)
    tools/bench --quick      N = 1,000 / 10,000, shorter steady-state and triggered runs
    tools/bench --cap 60     give up on a receiver after 60 s instead of 120 s
    tools/bench --only receive,send
                             run some sections only (receive, send, churn, steady, triggered)
    tools/bench --sizes 1000,50000
                             other table sizes (at most 110,000)
    tools/bench --no-plot    no PNG
    tools/bench --report bench/results/<timestamp>.json
                             print the report of an earlier run again

Everything lives in namespaces named rpbench-<pid>-*, removed at the end, on Ctrl-C and on
SIGTERM; a later run removes what a killed one left behind.
"""

import argparse
import atexit
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from lib import netns, process
from lib.peers import bird_available, frr_available
from lib.routprotd import daemon_binary

from . import lab as L
from . import plan, report, scenarios

SECTIONS = ("receive", "send", "churn", "steady", "triggered")
RESULTS = L.BENCH_DIR / "results"
REPO = L.BENCH_DIR.parent


def _terminate(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _sweep():
    process.kill_leftovers()
    netns.sweep_run()


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="tools/bench",
                                 description="routprotd, BIRD and FRR with large RIP tables")
    ap.add_argument("--quick", action="store_true", help="N = 1,000 and 10,000 only")
    ap.add_argument("--cap", type=float, default=120.0,
                    help="seconds after which a receiver is given up on (default 120)")
    ap.add_argument("--sizes", help="comma-separated table sizes instead of the default")
    ap.add_argument("--only", help=f"comma-separated sections of {', '.join(SECTIONS)}")
    ap.add_argument("--no-plot", action="store_true", help="do not draw the PNG")
    ap.add_argument("--out", type=Path, default=RESULTS, help="directory for the results")
    ap.add_argument("--report", type=Path, metavar="JSON",
                    help="only print the report of an earlier run from its .json file")
    args = ap.parse_args(argv)
    if args.sizes:
        args.sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",")})
    else:
        args.sizes = [1000, 10000] if args.quick else [1000, 10000, 100000]
    if max(args.sizes) > plan.SPARE_INDEX or min(args.sizes) < 1:
        ap.error(f"table sizes must be within 1..{plan.SPARE_INDEX:,}")
    args.only = set(args.only.split(",")) if args.only else set(SECTIONS)
    unknown = args.only - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections {', '.join(sorted(unknown))}")
    return args


class Runner:
    def __init__(self, ctx):
        self.ctx = ctx
        self.t0 = time.monotonic()

    def say(self, text):
        print(f"[{time.monotonic() - self.t0:6.1f} s] {text}", flush=True)

    def run(self, title, fn, *args, **kw):
        """One scenario; its failure becomes an error row, an interruption ends the run."""
        self.say(f"{title} ...")
        try:
            try:
                result = fn(self.ctx, *args, **kw)
            except L.DaemonDied as exc:
                # Something outside the benchmark ended a daemon (on Debian without systemd,
                # `/etc/init.d/bird stop` ends every BIRD of the machine): measure again.
                self.say(f"{title}: {exc}; once more")
                result = fn(self.ctx, *args, **kw)
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # noqa: BLE001 - reported, the run goes on
            traceback.print_exc()
            n = args[0] if args and isinstance(args[0], int) else None
            section = fn.__name__
            daemon = args[1] if len(args) > 1 and isinstance(args[1], str) else "routprotd"
            err = {"section": section, "n": n, "daemon": daemon,
                   "error": f"{type(exc).__name__}: {str(exc)[:300]}"}
            self.ctx.rows.append(err)
            self.say(f"{title}: ERROR {err['error']}")
            return [err]
        rows = [r for r in (result if isinstance(result, (list, tuple)) else [result]) if r]
        self.ctx.rows.extend(rows)
        for r in rows:
            self.say(f"  {summary(r, self.ctx.cap)}")
        return rows


def summary(r, cap):
    s = r["section"]
    if s in ("receive", "send"):
        text = f"{s} {r['n']:,} -> {report.label(r)}: {report.outcome(r, cap)}"
        if s == "send":
            text += f", first update: {'yes' if r.get('first_update') else 'no'}"
        return text + (f", RcvbufErrors {r.get('rcvbuf_errors')}, peak RSS "
                       f"{report.mb(r.get('hwm_kb'))}")
    if s == "kernel":
        return f"kernel: ip -batch of {r['n']:,} routes {report.secs(r['time_s'])}"
    if s == "churn":
        return (f"churn round {r['round']} {r['what']}: {report.secs(r.get('time_s'))} from the "
                f"first packet, {report.secs(r.get('from_start_s'))} from birdc")
    if s == "steady":
        return (f"steady: {r['cpu_per_update_s']:.3f} CPU s per update, {r['cpu_pct']:.2f} %, "
                f"{r['bytes_per_route']:.0f} bytes/route")
    if s == "triggered":
        return (f"triggered sample {r['sample']}: {report.secs(r.get('time_s'))} on the wire, "
                f"{r.get('packets_after')} dump packets after it")
    return str(r)


def snapshot_binaries(root):
    """Copy routprotd and routprotctl into the run's directory and use those copies, so that
    a rebuild of build/ during the run cannot mix two versions. Returns a description."""
    src = daemon_binary()
    dst = root / "bin"
    dst.mkdir()
    for name in ("routprotd", "routprotctl"):
        shutil.copy2(src.with_name(name), dst / name)
    os.environ["ROUTPROTD_BUILD"] = str(dst)
    digest = hashlib.sha256((dst / "routprotd").read_bytes()).hexdigest()[:12]
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(src.stat().st_mtime))
    return f"{src} built {built}, sha256 {digest}"


def keep_fastest_kernel(rows):
    """Each send run timed `ip -batch` for its table: keep the fastest per N."""
    best = {}
    for r in rows:
        if r["section"] == "kernel" and (r["n"] not in best or
                                         r["time_s"] < best[r["n"]]["time_s"]):
            best[r["n"]] = r
    rows[:] = [r for r in rows if r["section"] != "kernel" or best.get(r["n"]) is r]


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.report:
        saved = json.loads(args.report.read_text())
        print(report.render(saved["rows"], saved["sizes"], saved["cap"], saved["machine"],
                            saved["meta"]), end="")
        return 0
    problems = L.check_binaries()
    if os.geteuid() != 0:
        problems.append("run as root (network namespaces)")
    if not bird_available():
        problems.append("BIRD 2 is not installed (apt-get install bird2)")
    if not frr_available():
        problems.append("FRR is not installed (apt-get install frr)")
    if problems:
        for p in problems:
            print(f"bench: {p}", file=sys.stderr)
        return 2

    # SIGINT too: a shell that starts the benchmark in the background makes it ignore SIGINT.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    atexit.register(_sweep)
    gone = L.sweep_stale()
    if gone:
        print(f"removed leftovers of earlier runs: {' '.join(gone)}")

    root = Path(tempfile.mkdtemp(prefix=netns.RUN_PREFIX, dir="/tmp"))
    os.chmod(root, 0o755)
    binaries = snapshot_binaries(root)
    ctx = scenarios.Context(root=root, cap=args.cap)
    runner = Runner(ctx)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    info = report.machine(REPO)
    info["routprotd"] += f", binary {binaries}"
    meta = {"command": "tools/bench " + " ".join(sys.argv[1:] if argv is None else argv),
            "load_start": report.loadavg()}
    sizes, big = args.sizes, max(args.sizes)
    interrupted = False
    try:
        if "receive" in args.only:
            for n in sizes:
                for who in report.RECEIVERS:
                    runner.run(f"receive {n:,} routes from BIRD -> {who}", scenarios.receive,
                               n, who)
                if "send" not in args.only:
                    runner.run(f"kernel: ip -batch of {n:,} routes", scenarios.kernel, n)
        if "send" in args.only:
            for n in sizes:
                for who in ("BIRD", "FRR"):
                    runner.run(f"send {n:,} routes: routprotd -> {who}", scenarios.send, n, who)
            # The defaults suit FRR's ripd (a 41,600-byte socket buffer); BIRD takes twice
            # the pace.
            runner.run(f"send {big:,} routes: routprotd -> BIRD with send-rate 2000, "
                       "send-burst 64", scenarios.send, big, "BIRD", 2000, 64)
            keep_fastest_kernel(ctx.rows)
        if "churn" in args.only:
            table = big if big >= 10000 else 10000
            runner.run(f"churn: 10,000 of {table:,} routes withdrawn and re-announced",
                       scenarios.churn, table, min(10000, table))
        if "steady" in args.only:
            periods = 2 if args.quick else 4
            runner.run(f"steady state: {big:,} routes, updates every 10 s, CPU over "
                       f"{periods} updates", scenarios.steady, big, 10, periods)
        if "triggered" in args.only:
            runner.run(f"triggered update during a {big:,}-route dump", scenarios.triggered,
                       big, 10, 1 if args.quick else 3)
    except KeyboardInterrupt:
        interrupted = True
        print("\ninterrupted: cleaning up, reporting what was measured", file=sys.stderr)
    finally:
        _sweep()
        shutil.rmtree(root, ignore_errors=True)

    meta["load_end"] = report.loadavg()
    meta["duration"] = f"{(time.monotonic() - runner.t0) / 60:.1f} min"
    if interrupted:
        meta["duration"] += " (interrupted)"
    text = report.render(ctx.rows, sizes, args.cap, info, meta)
    print()
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    csv_path = args.out / f"{stamp}.csv"
    report.write_csv(csv_path, ctx.rows)
    (args.out / f"{stamp}.txt").write_text(text)
    (args.out / f"{stamp}.json").write_text(json.dumps(
        {"rows": ctx.rows, "sizes": sizes, "cap": args.cap, "machine": info, "meta": meta},
        indent=1) + "\n")
    print(f"results: {csv_path} and {csv_path.with_suffix('.txt')}")
    if not args.no_plot:
        try:
            if report.plot(csv_path.with_suffix(".png"), ctx.rows, sizes, args.cap):
                print(f"chart:   {csv_path.with_suffix('.png')}")
            else:
                print("chart:   none (gnuplot missing, or a single table size)")
        except RuntimeError as exc:
            print(f"chart:   failed: {exc}")
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
