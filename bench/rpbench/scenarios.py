# SPDX-License-Identifier: ISC
"""The measurements. Each scenario builds its own lab (two fresh namespaces), measures, and tears
it down; it returns result rows (dicts, see report.COLUMNS).

Times are taken on CLOCK_MONOTONIC. "From the first packet" means from the kernel receive
timestamp of the first RIP response of the sender that reached the receiver's link, which leaves
out how long the sender took to start; the seconds since the sender was started are kept as
well (from_start_s).
"""

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import lab as L
from . import plan


@dataclass
class Context:
    root: Path                       # work directory of the run
    cap: float = 120.0               # give up on a receiver after this many seconds
    say: callable = print
    rows: list = field(default_factory=list)


def row(section, n, daemon, **kw):
    r = {"section": section, "n": n, "daemon": daemon}
    r.update(kw)
    return r


def bursts(packets, gap=0.25):
    """Group packets into updates: [(start, end, packets, entries)], a new one after `gap` s
    of silence (a paced dump has no gap longer than a few milliseconds)."""
    out = []
    for p in packets:
        if not out or p["t"] - out[-1][1] > gap:
            out.append([p["t"], p["t"], 0, 0])
        out[-1][1] = p["t"]
        out[-1][2] += 1
        out[-1][3] += p["n"]
    return [tuple(b) for b in out]


def count_at(fib, t):
    """The probe's count at time t (its last sample at or before t)."""
    n = 0
    for line in fib.snapshot():
        if "n" in line and line["t"] <= t:
            n = line["n"]
    return n


def _udp(before, after):
    d = L.udp_delta(before, after)
    return {"rcvbuf_errors": d["RcvbufErrors"], "in_errors": d["InErrors"],
            "in_datagrams": d["InDatagrams"]}


def _routprotd_health(d):
    """Receive drops and FIB write errors routprotd counted (0 when all is well)."""
    st = d.rip_state()
    fib = d.status().get("fib", {})
    return {"rip_rx_dropped": st.get("rx_dropped", 0),
            "rip_drops": sum((st.get("drops") or {}).values()),
            "fib_write_errors": fib.get("write_errors", 0)}


def _start_receiver(lab, who, ns):
    if who == "routprotd":
        return lab.routprotd(ns, L.routprotd_config("to-send", plan.RECEIVER_ADDR))
    if who == "BIRD":
        return lab.bird(ns, L.bird_receiver_config())
    if who == "FRR":
        return lab.frr(ns)
    raise ValueError(who)


# ---------------------------------------------------------------------------------------------
# receive: a BIRD sender announces N routes to routprotd, BIRD or FRR
# ---------------------------------------------------------------------------------------------

def receive(ctx, n, who):
    lab = L.Lab(ctx.root)
    try:
        s, r = lab.pair()
        fib = lab.probe(L.FibProbe(r, n))
        cap = lab.probe(L.CapProbe(r, "to-send"))
        udp0 = L.udp_counters(r)
        d = _start_receiver(lab, who, r)
        time.sleep(0.5)
        rss_idle = d.rss_kb()
        t_start = time.monotonic()
        lab.bird(s, L.bird_sender_config({"st_table": plan.prefixes(n)}), name="sender")
        first = cap.first_after(t_start, plan.SENDER_ADDR, 30)
        t_ref = first["t"] if first else t_start
        t_full = fib.wait_full(max(0.0, t_ref + ctx.cap - time.monotonic()))
        t_end = t_full if t_full is not None else time.monotonic()
        if t_full is not None:
            time.sleep(1.0)     # let the table settle before reading memory
        lab.check_alive()
        pk = [p for p in cap.packets(src=plan.SENDER_ADDR) if p["t"] <= t_end]
        updates = len(bursts(pk))
        extra = {"rss_idle_kb": rss_idle, "sender_packets": len(pk),
                 "lag_s": t_full - pk[-1]["t"] if t_full is not None and pk else None}
        if who == "routprotd":
            extra.update(_routprotd_health(d))
        return row("receive", n, who, peer="BIRD sender",
                   time_s=None if t_full is None else t_full - t_ref,
                   from_start_s=None if t_full is None else t_full - t_start,
                   reached=n if t_full is not None else fib.count(), peak=fib.peak(),
                   complete=t_full is not None, updates=updates,
                   first_update=t_full is not None and updates == 1,
                   rss_kb=d.rss_kb(), hwm_kb=d.hwm_kb(), **_udp(udp0, L.udp_counters(r)),
                   **extra)
    finally:
        lab.close()


# ---------------------------------------------------------------------------------------------
# send: routprotd redistributes N static routes to a BIRD or FRR receiver
# ---------------------------------------------------------------------------------------------

def send(ctx, n, who, send_rate=None, send_burst=None):
    """Returns (send row, kernel row): the static routes are installed with `ip -batch`
    first, which is also the measure of what the kernel itself needs for N routes.
    send_rate/send_burst: other pacing than routprotd's defaults (1000/s, 32)."""
    pacing = {k: v for k, v in (("send_rate", send_rate), ("send_burst", send_burst)) if v}
    tuning = ", ".join(f"{k.replace('_', '-')} {v}" for k, v in pacing.items()) or None
    lab = L.Lab(ctx.root)
    try:
        s, r = lab.pair(stub=True)
        t_batch = L.timed_batch(s, L.static_batch(plan.prefixes(n)))
        kernel = row("kernel", n, "kernel", peer="ip -batch", time_s=t_batch, reached=n,
                     complete=True)
        fib = lab.probe(L.FibProbe(r, n))
        cap = lab.probe(L.CapProbe(r, "to-send"))
        udp0 = L.udp_counters(r)
        d = _start_receiver(lab, who, r)
        time.sleep(0.5)
        t_start = time.monotonic()
        snd = lab.routprotd(s, L.routprotd_config("to-recv", plan.SENDER_ADDR,
                                                  redistribute=["static"], **pacing),
                            name="sender")
        first = cap.first_after(t_start, plan.SENDER_ADDR, 30)
        t_ref = first["t"] if first else t_start
        t_full = fib.wait_full(max(0.0, t_ref + ctx.cap - time.monotonic()))
        lab.check_alive()
        stats = snd.iface_stats("to-recv")
        t_end = t_full if t_full is not None else time.monotonic()
        pk = [p for p in cap.packets(src=plan.SENDER_ADDR) if p["t"] <= t_end]
        ups = bursts(pk)
        after_first = count_at(fib, ups[0][1] + 1.0) if ups else 0
        if after_first == 0 and t_full is not None and len(ups) == 1:
            after_first = n
        first_update = t_full is not None and len(ups) == 1 and stats.get("tx_updates") == 1
        if tuning:
            kernel = []
        return row("send", n, who, peer="routprotd sender", tuning=tuning,
                   time_s=None if t_full is None else t_full - t_ref,
                   from_start_s=None if t_full is None else t_full - t_start,
                   reached=n if t_full is not None else fib.count(), peak=fib.peak(),
                   complete=t_full is not None, updates=len(ups), first_update=first_update,
                   after_first_update=min(after_first, n),
                   rss_kb=d.rss_kb(), hwm_kb=d.hwm_kb(), **_udp(udp0, L.udp_counters(r)),
                   sender_rss_kb=snd.rss_kb(), sender_hwm_kb=snd.hwm_kb(),
                   sender_packets=len(pk), tx_updates=stats.get("tx_updates"),
                   tx_triggered=stats.get("tx_triggered"),
                   first_dump_s=(ups[0][1] - ups[0][0]) if ups else None), kernel
    finally:
        lab.close()


# ---------------------------------------------------------------------------------------------
# churn: the BIRD sender withdraws C of its T routes, then announces them again
# ---------------------------------------------------------------------------------------------

def churn(ctx, table, churned, rounds=2):
    lab = L.Lab(ctx.root)
    rows = []
    try:
        s, r = lab.pair()
        fib = lab.probe(L.FibProbe(r, churned))
        rest = lab.probe(L.FibProbe(r, table - churned, start=churned)) if table > churned \
            else None
        cap = lab.probe(L.CapProbe(r, "to-send"))
        d = lab.routprotd(r, L.routprotd_config("to-send", plan.RECEIVER_ADDR))
        groups = {"st_churn": plan.prefixes(churned)}
        if table > churned:
            groups["st_base"] = plan.prefixes(table - churned, churned)
        snd = lab.bird(s, L.bird_sender_config(groups), name="sender")
        if fib.wait_full(ctx.cap) is None or (rest and rest.wait_full(ctx.cap) is None):
            raise RuntimeError(f"churn: routprotd did not learn the {table} routes")
        time.sleep(2.0)
        for rnd in range(1, rounds + 1):
            for verb, what in (("disable", "withdraw"), ("enable", "announce")):
                mark = fib.mark()
                t_cmd = time.monotonic()
                snd.birdc(verb, "st_churn")
                if verb == "disable":
                    t_done = fib.wait_empty(ctx.cap, mark)
                else:
                    t_done = fib.wait_full(ctx.cap, mark)
                first = cap.first_after(t_cmd, plan.SENDER_ADDR, 5)
                rows.append(row("churn", churned, "routprotd", peer="BIRD sender",
                                what=what, round=rnd, table=table,
                                time_s=None if t_done is None or first is None
                                else t_done - first["t"],
                                from_start_s=None if t_done is None else t_done - t_cmd,
                                complete=t_done is not None,
                                reached=fib.count() if verb == "enable" else
                                churned - fib.count(),
                                untouched_ok=rest.count() == rest.goal if rest else True))
                time.sleep(1.5)
        lab.check_alive()
        for r_ in rows:
            r_.update(_routprotd_health(d))
        return rows
    finally:
        lab.close()


# ---------------------------------------------------------------------------------------------
# steady state: routprotd holding N routes, periodic updates both ways every `interval` s
# ---------------------------------------------------------------------------------------------

def steady(ctx, n, interval=10, periods=4):
    lab = L.Lab(ctx.root)
    try:
        s, r = lab.pair()
        fib = lab.probe(L.FibProbe(r, n))
        d = lab.routprotd(r, L.routprotd_config("to-send", plan.RECEIVER_ADDR,
                                                update_interval=interval,
                                                timeout=max(180, 6 * interval)))
        rss_idle = d.rss_kb()
        lab.bird(s, L.bird_sender_config({"st_table": plan.prefixes(n)}, update_time=interval),
                 name="sender")
        if fib.wait_full(ctx.cap) is None:
            raise RuntimeError(f"steady: routprotd did not learn the {n} routes")
        # The start-up transients (triggered updates both ways) are over after one period.
        time.sleep(interval + 2)
        st0, if0 = d.rip_state(), d.iface_stats("to-send")
        c0, t0 = d.cpu(), time.monotonic()
        time.sleep(periods * interval)
        c1, t1 = d.cpu(), time.monotonic()
        lab.check_alive()
        st1, if1 = d.rip_state(), d.iface_stats("to-send")
        rss = d.rss_kb()
        cpu = c1 - c0
        return [row("steady", n, "routprotd", peer="BIRD sender", interval_s=interval,
                    window_s=t1 - t0, cpu_s=cpu, cpu_per_update_s=cpu * interval / (t1 - t0),
                    cpu_pct=100.0 * cpu / (t1 - t0),
                    rx_packets=st1["rx_packets"] - st0["rx_packets"],
                    tx_packets=if1.get("tx_packets", 0) - if0.get("tx_packets", 0),
                    tx_updates=if1.get("tx_updates", 0) - if0.get("tx_updates", 0),
                    reached=fib.count(), complete=fib.count() == n, rss_kb=rss,
                    hwm_kb=d.hwm_kb(), rss_idle_kb=rss_idle,
                    bytes_per_route=(rss - rss_idle) * 1024 / n, **_routprotd_health(d))]
    finally:
        lab.close()


# ---------------------------------------------------------------------------------------------
# triggered update during a full dump
# ---------------------------------------------------------------------------------------------

def triggered(ctx, n, interval=10, samples=3, send_rate=1000):
    """routprotd sends N routes to a BIRD receiver with update-interval `interval`. A quarter
    into a periodic dump (at most 0.5 s), a static route whose prefix sorts before the whole
    table is added: the dump has passed its place, so only a triggered update can bring it
    before the next periodic one. Measured: from `ip route add` to the route on the wire, and
    into BIRD's FIB; and how much of the dump was still to come."""
    into_dump = min(0.5, 0.25 * n / 25 / send_rate)
    lab = L.Lab(ctx.root)
    rows = []
    try:
        s, r = lab.pair(stub=True)
        L.timed_batch(s, L.static_batch(plan.prefixes(n)))
        spares = [plan.spare_prefix(k) for k in range(samples)]
        fib = lab.probe(L.FibProbe(r, n))
        spare_fib = [lab.probe(L.FibProbe(r, 0, prefixes=[p])) for p in spares]
        cap = lab.probe(L.CapProbe(r, "to-send", watch=spares))
        lab.bird(r, L.bird_receiver_config())
        lab.routprotd(s, L.routprotd_config("to-recv", plan.SENDER_ADDR,
                                            update_interval=interval, redistribute=["static"],
                                            send_rate=send_rate), name="sender")
        t_full = fib.wait_full(ctx.cap)
        if t_full is None:
            raise RuntimeError("triggered: the receiver did not learn the table")
        after = t_full + 0.5
        for k, prefix in enumerate(spares):
            start = cap.first_after(after, plan.SENDER_ADDR, 3 * interval)
            if start is None:
                raise RuntimeError("triggered: no periodic update came")
            while time.monotonic() < start["t"] + into_dump:
                time.sleep(0.002)
            mark = cap.mark()
            t_change = time.monotonic()
            s.ip("route", "add", prefix, "via", plan.STUB_GW, "dev", "stub0", "proto", "static")
            seen = cap.wait(lambda p, pfx=prefix: p.get("src") == plan.SENDER_ADDR and
                            (p.get("hit") or {}).get(pfx, 16) < 16, 3 * interval, mark)
            t_fib = spare_fib[k].wait_full(3 * interval)
            # The dump: the sender's packets from its start until a silence, without the
            # triggered update itself.
            while True:
                time.sleep(0.3)
                pk = [p for p in cap.packets(src=plan.SENDER_ADDR)
                      if p["t"] >= start["t"] and p is not seen]
                dump = bursts(pk, gap=0.25)[:1]
                if dump and time.monotonic() - dump[0][1] > 0.3:
                    break
            d_start, d_end, d_pk, _ = dump[0]
            after_it = len([p for p in pk if seen and seen["t"] < p["t"] <= d_end])
            rows.append(row("triggered", n, "routprotd", peer="BIRD receiver", sample=k + 1,
                            time_s=None if seen is None else seen["t"] - t_change,
                            fib_s=None if t_fib is None else t_fib - t_change,
                            complete=seen is not None, dump_s=d_end - d_start,
                            dump_packets=d_pk, change_at_s=t_change - d_start,
                            during_dump=seen is not None and seen["t"] < d_end,
                            packets_after=after_it))
            after = d_end + 0.5
        lab.check_alive()
        return rows
    finally:
        lab.close()


# ---------------------------------------------------------------------------------------------
# the kernel alone
# ---------------------------------------------------------------------------------------------

def kernel(ctx, n):
    """`ip -batch` adding N static routes in a fresh namespace (what the send runs also
    measure, for runs without them)."""
    lab = L.Lab(ctx.root)
    try:
        s, _ = lab.pair(stub=True)
        return row("kernel", n, "kernel", peer="ip -batch",
                   time_s=L.timed_batch(s, L.static_batch(plan.prefixes(n))), reached=n,
                   complete=True)
    finally:
        lab.close()
