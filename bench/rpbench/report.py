# SPDX-License-Identifier: ISC
"""Results: the text report (machine, tables, ratios, targets), the CSV and the gnuplot chart."""

import csv
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

COLUMNS = [
    "section", "n", "daemon", "tuning", "peer", "what", "round", "sample", "table",
    "time_s", "from_start_s", "lag_s", "fib_s", "reached", "peak", "complete", "updates",
    "first_update", "after_first_update",
    "rss_kb", "hwm_kb", "rss_idle_kb", "bytes_per_route",
    "rcvbuf_errors", "in_errors", "in_datagrams",
    "sender_packets", "sender_rss_kb", "sender_hwm_kb", "tx_updates", "tx_triggered",
    "first_dump_s", "interval_s", "window_s", "cpu_s", "cpu_per_update_s", "cpu_pct",
    "rx_packets", "tx_packets", "dump_s", "dump_packets", "change_at_s", "during_dump",
    "packets_after", "untouched_ok", "rip_rx_dropped", "rip_drops", "fib_write_errors",
    "error",
]

RECEIVERS = ("routprotd", "BIRD", "FRR")


# ---------------------------------------------------------------------------------------------
# the machine
# ---------------------------------------------------------------------------------------------

def _first_line(argv):
    try:
        res = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (res.stdout or res.stderr).strip()
    return text.splitlines()[0] if text else "?"


def machine(repo):
    info = {}
    model, cores = "?", os.cpu_count()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["cpu"] = f"{model}, {cores} cores"
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
        info["ram"] = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        info["ram"] = "?"
    info["kernel"] = platform.release()
    try:
        info["debian"] = Path("/etc/debian_version").read_text().strip()
    except OSError:
        info["debian"] = "?"
    info["bird"] = _first_line(["bird", "--version"])
    info["frr"] = _first_line(["/usr/lib/frr/zebra", "--version"])
    commit = _first_line(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", str(repo), "diff", "--quiet", "HEAD", "--", "src"],
                           capture_output=True).returncode
    info["routprotd"] = commit + (" (src modified)" if dirty else "")
    return info


def loadavg():
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# ---------------------------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------------------------

def secs(v):
    if v is None:
        return "-"
    if v < 0.1:
        return f"{v * 1000:.0f} ms"
    if v < 10:
        return f"{v:.2f} s"
    return f"{v:.1f} s"


def mb(kb):
    return "-" if kb in (None, "") else f"{kb / 1024:.1f} MB"


def num(n):
    return f"{n:,}"


def outcome(r, cap):
    """A receiver's result: its time, or how far it got before the cap."""
    if r is None:
        return "-"
    if r.get("error"):
        return "error"
    if r.get("complete"):
        s = secs(r["time_s"])
        if r.get("updates", 1) > 1:
            s += f" ({r['updates']} upd.)"
        return s
    return f">{cap:.0f} s ({num(r.get('reached', 0))})"


def label(r):
    """A row's daemon, with the pacing it was given when not routprotd's default."""
    return f"{r['daemon']} ({r['tuning']})" if r.get("tuning") else r["daemon"]


def ratio(a, b, cap):
    """a/b of two rows' times; '>x' when a never finished (its cap is a lower bound)."""
    if not a or not b or a.get("error") or b.get("error") or not b.get("complete"):
        return "-"
    tb = b["time_s"]
    if tb is None or tb <= 0:
        return "-"
    if a.get("complete"):
        return f"{a['time_s'] / tb:,.1f}x"
    return f">{cap / tb:,.0f}x"


def table(headers, rows):
    widths = [max([len(str(h))] + [len(str(r[i])) for r in rows]) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa
    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def _find(rows, **kw):
    for r in rows:
        if all(r.get(k) == v for k, v in kw.items()):
            return r
    return None


# ---------------------------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------------------------

def render(rows, sizes, cap, info, meta):
    out = []
    out.append("routprotd benchmark")
    out.append("")
    for k in ("cpu", "ram", "kernel", "debian", "bird", "frr", "routprotd"):
        out.append(f"  {k:10} {info.get(k, '?')}")
    out.append(f"  {'run':10} {meta.get('command', '')}; {meta.get('duration', '?')}; "
               f"load average {meta.get('load_start', '?')} at the start, "
               f"{meta.get('load_end', '?')} at the end")
    out.append("")

    if any(r["section"] in ("receive", "kernel") for r in rows):
        out.extend(_receive_section(rows, sizes, cap))
    if any(r["section"] == "send" for r in rows):
        out.extend(_send_section(rows, cap))
    out.extend(_other_sections(rows, sizes))
    out.append("Targets")
    out.extend(f"  [{'met' if ok else 'NOT MET'}] {text}" for ok, text in targets(rows, sizes))
    errors = [r for r in rows if r.get("error")]
    if errors:
        out.append("")
        out.append("Errors")
        out.extend(f"  {r['section']} {r.get('n')} {r.get('daemon')}: {r['error']}"
                   for r in errors)
    return "\n".join(out) + "\n"


def _receive_section(rows, sizes, cap):
    out = []
    out.append("Receive: a BIRD sender announces N /32 routes over a veth; time from its first "
               "update packet")
    out.append(f"until the receiver's kernel FIB holds all N (given up after {cap:.0f} s: routes "
               "reached then).")
    kern = {n: _find(rows, section="kernel", n=n) for n in sizes}
    body = []
    for who in RECEIVERS:
        body.append([who] + [outcome(_find(rows, section="receive", n=n, daemon=who), cap)
                             for n in sizes])
    body.append(["kernel (ip -batch)"] + [secs(kern[n]["time_s"]) if kern[n] else "-"
                                          for n in sizes])
    for who in ("BIRD", "FRR"):
        body.append([f"{who} / routprotd"] + [
            ratio(_find(rows, section="receive", n=n, daemon=who),
                  _find(rows, section="receive", n=n, daemon="routprotd"), cap) for n in sizes])
    body.append(["routprotd / kernel"] + [
        ratio(_find(rows, section="receive", n=n, daemon="routprotd"), kern[n], cap)
        for n in sizes])
    out.append(table(["N"] + [num(n) for n in sizes], body))
    out.append("")
    det = []
    for n in sizes:
        for who in RECEIVERS:
            r = _find(rows, section="receive", n=n, daemon=who)
            if not r or r.get("error"):
                continue
            det.append([num(n), who, secs(r.get("from_start_s")), secs(r.get("lag_s")),
                        num(r.get("peak", 0)),
                        mb(r.get("hwm_kb")), r.get("rcvbuf_errors", "-"),
                        r.get("in_errors", "-"), r.get("in_datagrams", "-")])
    if det:
        out.append(table(["N", "receiver", "since sender start", "after its last packet",
                          "peak routes", "peak RSS", "RcvbufErrors", "InErrors", "InDatagrams"],
                         det))
        out.append("")
    return out


def _send_section(rows, cap):
    out = []
    out.append("Send: routprotd redistributes N static routes (default pacing: send-rate 1000/s, "
               "send-burst 32); time from")
    out.append("its first packet until the receiver's FIB holds all N; 'first update' = complete "
               "without a second dump.")
    det = []
    for r in sorted((r for r in rows if r["section"] == "send"),
                    key=lambda r: (r.get("n") or 0, bool(r.get("tuning")))):
        n = r.get("n") or 0
        if r.get("error"):
            det.append([num(n), label(r), "error", "", "", "", "", "", ""])
            continue
        det.append([num(n), label(r), outcome(r, cap), "yes" if r.get("first_update") else "no",
                    num(r.get("after_first_update", 0)), secs(r.get("first_dump_s")),
                    r.get("rcvbuf_errors", "-"), mb(r.get("hwm_kb")),
                    mb(r.get("sender_hwm_kb"))])
    out.append(table(["N", "receiver", "time", "first update", "after 1st update",
                      "1st dump took", "RcvbufErrors", "receiver RSS", "routprotd RSS"], det))
    out.append("")
    return out


def _other_sections(rows, sizes):
    out = []
    ch = [r for r in rows if r["section"] == "churn"]
    if ch:
        r0 = ch[0]
        out.append(f"Churn: the BIRD sender withdraws {num(r0['n'])} of its "
                   f"{num(r0.get('table', r0['n']))} routes (birdc disable), then announces them "
                   "again; routprotd receives.")
        out.append("Time until routprotd's FIB has converged, from BIRD's first packet carrying "
                   "the change and from the birdc command (BIRD holds triggered updates back).")
        det = []
        for r in ch:
            if r.get("error"):
                det.append([r.get("round", "-"), r.get("what", "-"), "error", "", ""])
                continue
            det.append([r["round"], r["what"], secs(r.get("time_s")), secs(r.get("from_start_s")),
                        "yes" if r.get("untouched_ok") else "NO"])
        out.append(table(["round", "change", "from first packet", "from birdc",
                          "other routes intact"], det))
        out.append("")

    st = _find(rows, section="steady")
    if st and not st.get("error"):
        out.append(f"Steady state: routprotd holding {num(st['n'])} routes, periodic updates every "
                   f"{st['interval_s']} s both ways (BIRD's to it, its own poisoned-reverse ones "
                   "back).")
        out.append(f"  CPU {st['cpu_s']:.2f} s over {st['window_s']:.0f} s: "
                   f"{st['cpu_per_update_s']:.3f} s per update interval, "
                   f"{st['cpu_pct']:.2f} % on average "
                   f"(received {num(st['rx_packets'])} packets, sent {num(st['tx_packets'])}); "
                   f"at update-interval 30 that is {st['cpu_pct'] * st['interval_s'] / 30:.2f} %")
        out.append(f"  RSS {mb(st['rss_kb'])} ({mb(st['rss_idle_kb'])} idle): "
                   f"{st['bytes_per_route']:.0f} bytes per route")
    mem = _find(rows, section="receive", n=max(sizes), daemon="routprotd")
    if mem and mem.get("complete") and mem.get("rss_idle_kb"):
        per = (mem["rss_kb"] - mem["rss_idle_kb"]) * 1024 / mem["n"]
        out.append(f"Memory: routprotd RSS {mb(mem['rss_idle_kb'])} idle, {mb(mem['rss_kb'])} "
                   f"with {num(mem['n'])} routes: {per:.0f} bytes per route "
                   f"(peak {mb(mem['hwm_kb'])})")
    out.append("")

    tr = [r for r in rows if r["section"] == "triggered"]
    if tr:
        out.append(f"Triggered update during a full dump: routprotd paces out {num(tr[0]['n'])} "
                   "routes to a BIRD receiver; a new static route is added")
        out.append("mid-dump (its prefix sorts before the table, so the dump has passed its "
                   "place). Time from `ip route add` to the route on the wire and in BIRD's FIB.")
        det = []
        for r in tr:
            if r.get("error"):
                det.append([r.get("sample", "-"), "error", "", "", "", ""])
                continue
            det.append([r["sample"], secs(r.get("change_at_s")), secs(r.get("time_s")),
                        secs(r.get("fib_s")), "yes" if r.get("during_dump") else "no",
                        num(r.get("packets_after", 0)), secs(r.get("dump_s"))])
        out.append(table(["sample", "change at", "on the wire", "in BIRD's FIB",
                          "before dump ended", "dump packets after it", "dump took"], det))
        out.append("")
    return out


def targets(rows, sizes):
    """[(met, text)] for the targets of the scale work that this run measured."""
    out = []
    for n, limit in ((10000, 0.5), (100000, 5.0)):
        r = _find(rows, section="receive", n=n, daemon="routprotd")
        if r and not r.get("error"):
            ok = bool(r.get("complete")) and r["time_s"] <= limit
            out.append((ok, f"receive {num(n)} routes from BIRD into the FIB in <= {limit} s: "
                            f"{secs(r.get('time_s'))} from the first packet, "
                            f"{secs(r.get('from_start_s'))} from BIRD's start"))
    rx = [r for r in rows if r["section"] == "receive" and r["daemon"] == "routprotd"
          and not r.get("error")]
    if rx:
        drops = sum(r.get("rcvbuf_errors", 0) + r.get("rip_rx_dropped", 0) for r in rx)
        out.append((drops == 0, f"no receive-buffer drops at routprotd: {drops} "
                                "(RcvbufErrors + RIP drops over every receive run)"))
    for who in ("BIRD", "FRR"):
        tx = [r for r in rows if r["section"] == "send" and r["daemon"] == who
              and not r.get("error") and not r.get("tuning")]
        if tx:
            bad = [num(r["n"]) for r in tx if not r.get("first_update")]
            out.append((not bad, f"a {who} receiver gets the whole table from routprotd's first "
                                 "update" + (f" (not at N = {', '.join(bad)})" if bad else "")))
    tr = [r for r in rows if r["section"] == "triggered" and not r.get("error")]
    if tr:
        worst = max((r.get("time_s") or float("inf")) for r in tr)
        ok = all(r.get("during_dump") for r in tr) and worst < 0.5
        out.append((ok, f"triggered updates not delayed behind a full dump: worst "
                        f"{secs(worst)}, ahead of the dump's end every time: "
                        f"{'yes' if all(r.get('during_dump') for r in tr) else 'no'}"))
    ch = [r for r in rows if r["section"] == "churn" and not r.get("error")]
    if ch:
        worst = max((r.get("time_s") or float("inf")) for r in ch)
        out.append((worst <= 1.0 and all(r.get("complete") for r in ch),
                    f"churn of {num(ch[0]['n'])} routes converges in <= 1 s: worst {secs(worst)} "
                    "from the first packet carrying the change"))
    return out


# ---------------------------------------------------------------------------------------------
# files
# ---------------------------------------------------------------------------------------------

def write_csv(path, rows):
    extra = sorted({k for r in rows for k in r} - set(COLUMNS))
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS + extra, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})


def plot(path, rows, sizes, cap):
    """A PNG with two panels (receive and send times against N, log-log); capped runs are
    drawn at the cap. Returns False when gnuplot is not there."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot or len(sizes) < 2:
        return False
    data = Path(tempfile.mkdtemp(prefix="rpbench-plot-")) / "series.dat"
    series = [("receive", d, f"{d} receiving from BIRD") for d in RECEIVERS] + \
             [("send", d, f"routprotd sending to {d}") for d in ("BIRD", "FRR")] + \
             [("kernel", "kernel", "kernel, ip -batch")]
    blocks = []
    for section, daemon, title in series:
        lines = [f"# {title}"]
        for n in sizes:
            r = _find(rows, section=section, n=n, daemon=daemon, tuning=None)
            if r and not r.get("error"):
                t = r["time_s"] if r.get("complete") else cap
                lines.append(f"{n} {max(t, 1e-3):.6f} {0 if r.get('complete') else 1}")
        blocks.append("\n".join(lines))
    data.write_text("\n\n\n".join(blocks) + "\n")
    idx = {(s, d): i for i, (s, d, _) in enumerate(series)}

    colors = {"routprotd": "#7b2cbf", "BIRD": "#2a9d8f", "FRR": "#e76f51", "kernel": "#6c757d"}

    def curve(section, daemon, title, style):
        i = idx[(section, daemon)]
        return (f"'{data}' index {i} using 1:2 with linespoints {style} "
                f"lc rgb '{colors[daemon]}' title '{title}'")

    script = f"""
set terminal pngcairo size 1200,500 font ',10'
set output '{path}'
set multiplot layout 1,2
set logscale xy
set grid
set key bottom right
set xlabel 'routes (N)'
set ylabel 'seconds until the receiver FIB holds all N'
set xrange [{sizes[0] / 1.5}:{sizes[-1] * 1.5}]
set xtics ({', '.join(f"'{n:,}' {n}" for n in sizes)})
set yrange [0.005:{cap * 3}]
set arrow from {sizes[0] / 1.5},{cap} to {sizes[-1] * 1.5},{cap} nohead dashtype 2
set label 'gave up ({cap:.0f} s)' at {sizes[0] / 1.4},{cap * 1.6}
set title 'Receiving a table from a BIRD sender'
plot {curve('receive', 'routprotd', 'routprotd', 'lw 2 pt 7')}, \\
     {curve('receive', 'BIRD', 'BIRD 2', 'lw 2 pt 5')}, \\
     {curve('receive', 'FRR', 'FRR ripd', 'lw 2 pt 9')}, \\
     {curve('kernel', 'kernel', 'kernel limit (ip -batch)', 'lw 1 dt 3 pt 1')}
set title 'routprotd sending its table (1000 packets/s, bursts of 32)'
plot {curve('send', 'BIRD', 'to BIRD 2', 'lw 2 pt 5')}, \\
     {curve('send', 'FRR', 'to FRR ripd', 'lw 2 pt 9')}, \\
     {curve('kernel', 'kernel', 'kernel limit (ip -batch)', 'lw 1 dt 3 pt 1')}
unset multiplot
"""
    res = subprocess.run([gnuplot], input=script, capture_output=True, text=True)
    shutil.rmtree(data.parent, ignore_errors=True)
    if res.returncode != 0:
        raise RuntimeError(f"gnuplot: {res.stderr.strip()}")
    return True
