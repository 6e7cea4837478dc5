# SPDX-License-Identifier: ISC
"""Measuring helpers that run inside a namespace as programs of their own, so that their work
never competes for the orchestrator's interpreter:

    python3 -m rpbench.probe fib --plan N [--start S]
        Follows the kernel's IPv4 main table through an rtnetlink subscription (after one
        dump) and counts how many routes of the plan entries S .. S+N-1 are installed as /32
        unicast routes. Prints JSON lines: {"ev": "ready"|"n"|"full"|"empty"|"overrun", "t":
        CLOCK_MONOTONIC seconds, "n": count}. "full" is printed each time the count reaches N,
        "empty" each time it falls to 0, "n" when it changed (at most every 50 ms).

    python3 -m rpbench.probe cap --iface IF [--watch PREFIX ...]
        Captures the RIP packets (UDP port 520) on IF with the kernel's receive timestamps and
        prints one JSON line per packet: {"t", "src", "dst", "out" (sent by this side), "cmd",
        "n" (route entries), "hit": {prefix: metric} for the watched prefixes it carries}.

Both run until killed (SIGTERM or SIGINT). Times are CLOCK_MONOTONIC, the clock of
time.monotonic() in every process of the machine, so the orchestrator can subtract them from its
own.
"""

import argparse
import errno
import ipaddress
import json
import os
import select
import signal
import socket
import struct
import sys
import time

from . import plan

# rtnetlink
RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
RTMGRP_IPV4_ROUTE = 0x40
RTA_DST, RTA_TABLE = 1, 15
RT_TABLE_MAIN = 254
RTN_UNICAST = 1
SO_RCVBUFFORCE = 33
SO_TIMESTAMPNS = 35
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4

SOCKET_BUFFER = 256 << 20


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def _stop(signum, frame):
    raise SystemExit(0)


# ---------------------------------------------------------------------------------------------
# FIB watcher
# ---------------------------------------------------------------------------------------------

class FibCounter:
    """The set of target prefixes the kernel's main table holds, fed with rtnetlink messages."""

    def __init__(self, targets):
        self.targets = targets          # set of /32 addresses as 4-byte big-endian strings
        self.present = set()

    def feed(self, buf):
        """Apply every route message in `buf`; returns True when a dump ended in it."""
        targets, present = self.targets, self.present
        off, end = 0, len(buf)
        done = False
        while off + 16 <= end:
            mlen, mtype = struct.unpack_from("=IH", buf, off)
            if mlen < 16:
                break
            if mtype == RTM_NEWROUTE or mtype == RTM_DELROUTE:
                # struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type
                if buf[off + 16] == socket.AF_INET and buf[off + 17] == 32 and \
                        buf[off + 23] == RTN_UNICAST:
                    dst, table = self._attrs(buf, off + 28, off + mlen, buf[off + 20])
                    if dst is not None and table == RT_TABLE_MAIN and dst in targets:
                        if mtype == RTM_NEWROUTE:
                            present.add(dst)
                        else:
                            present.discard(dst)
            elif mtype == NLMSG_DONE:
                done = True
            elif mtype == NLMSG_ERROR:
                (code,) = struct.unpack_from("=i", buf, off + 16)
                if code:
                    raise OSError(-code, f"route dump: {os.strerror(-code)}")
                done = True
            off += (mlen + 3) & ~3
        return done

    @staticmethod
    def _attrs(buf, off, end, table):
        dst = None
        while off + 4 <= end:
            alen, atype = struct.unpack_from("=HH", buf, off)
            if alen < 4:
                break
            if atype == RTA_DST and alen == 8:
                dst = bytes(buf[off + 4:off + 8])
            elif atype == RTA_TABLE and alen == 8:
                (table,) = struct.unpack_from("=I", buf, off + 4)
            off += (alen + 3) & ~3
        return dst, table


def _netlink(groups=0):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, SOCKET_BUFFER)
    sock.bind((0, groups))
    return sock


def _dump(counter):
    """Refill the counter from a full dump of the IPv4 routes."""
    sock = _netlink()
    try:
        req = struct.pack("=IHHII", 16 + 12, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
        req += struct.pack("=BBBBBBBBI", socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0)
        sock.send(req)
        counter.present.clear()
        while True:
            data = sock.recv(1 << 20)
            if counter.feed(memoryview(data)):
                return
    finally:
        sock.close()


def run_fib(args):
    targets = {plan.address(i).to_bytes(4, "big") for i in range(args.start, args.start + args.plan)}
    for p in args.prefix:
        targets.add(ipaddress.IPv4Network(p).network_address.packed)
    goal = len(targets)
    counter = FibCounter(targets)
    mon = _netlink(RTMGRP_IPV4_ROUTE)
    _dump(counter)
    count = len(counter.present)
    emit({"ev": "ready", "t": time.monotonic(), "n": count, "goal": goal})
    if count == goal:
        emit({"ev": "full", "t": time.monotonic(), "n": count})
    last_emit, last_count = 0.0, count
    while True:
        ready, _, _ = select.select([mon], [], [], 0.05)
        if ready:
            try:
                while True:
                    data = mon.recv(1 << 20, socket.MSG_DONTWAIT)
                    counter.feed(memoryview(data))
            except BlockingIOError:
                pass
            except OSError as exc:
                if exc.errno != errno.ENOBUFS:
                    raise
                emit({"ev": "overrun", "t": time.monotonic(), "n": len(counter.present)})
                _dump(counter)
        now = time.monotonic()
        count = len(counter.present)
        if count != last_count:
            if count == goal:
                emit({"ev": "full", "t": now, "n": count})
            elif count == 0:
                emit({"ev": "empty", "t": now, "n": count})
            if now - last_emit >= 0.05 or count in (0, goal):
                emit({"ev": "n", "t": now, "n": count})
                last_emit, last_count = now, count


# ---------------------------------------------------------------------------------------------
# RIP capture
# ---------------------------------------------------------------------------------------------

def parse_rip(data, watch):
    """(src, dst, cmd, entries, hits) of an IPv4/UDP/RIP packet, or None."""
    if len(data) < 20 or data[0] >> 4 != 4 or data[9] != 17:
        return None
    ihl = (data[0] & 0x0F) * 4
    src, dst = socket.inet_ntoa(data[12:16]), socket.inet_ntoa(data[16:20])
    udp = data[ihl:]
    if len(udp) < 8:
        return None
    sport, dport = struct.unpack_from("!HH", udp, 0)
    if 520 not in (sport, dport):
        return None
    rip = udp[8:]
    if len(rip) < 4:
        return None
    cmd = rip[0]
    entries, hits = 0, {}
    for off in range(4, len(rip) - 19, 20):
        afi = struct.unpack_from("!H", rip, off)[0]
        if afi == 0xFFFF:
            continue
        entries += 1
        if watch:
            addr = rip[off + 4:off + 8]
            if addr in watch:
                hits[watch[addr]] = struct.unpack_from("!I", rip, off + 16)[0]
    return src, dst, cmd, entries, hits


def run_cap(args):
    watch = {}
    for p in args.watch:
        net = ipaddress.IPv4Network(p)
        watch[net.network_address.packed] = str(net)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
    sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.bind((args.iface, ETH_P_IP))
    # Kernel timestamps are CLOCK_REALTIME: shift them onto CLOCK_MONOTONIC.
    offset = time.time() - time.monotonic()
    emit({"ev": "ready", "t": time.monotonic()})
    while True:
        data, anc, _, addr = sock.recvmsg(65535, 64)
        t = None
        for level, kind, value in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= 16:
                sec, nsec = struct.unpack_from("=qq", value)
                t = sec + nsec / 1e9 - offset
        if t is None:
            t = time.monotonic()
        parsed = parse_rip(data, watch)
        if parsed is None:
            continue
        src, dst, cmd, entries, hits = parsed
        line = {"t": round(t, 6), "src": src, "dst": dst, "out": addr[2] == PACKET_OUTGOING,
                "cmd": cmd, "n": entries}
        if hits:
            line["hit"] = hits
        emit(line)


def main(argv=None):
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    ap = argparse.ArgumentParser(prog="rpbench.probe")
    sub = ap.add_subparsers(dest="what", required=True)
    f = sub.add_parser("fib", help="count plan routes in the kernel's main table")
    f.add_argument("--plan", type=int, default=0, help="the first N plan entries")
    f.add_argument("--start", type=int, default=0, help="plan index of the first entry")
    f.add_argument("--prefix", action="append", default=[], help="another /32 to count")
    c = sub.add_parser("cap", help="capture RIP packets on an interface")
    c.add_argument("--iface", required=True)
    c.add_argument("--watch", action="append", default=[], help="report this prefix's metric")
    args = ap.parse_args(argv)
    try:
        (run_fib if args.what == "fib" else run_cap)(args)
    except (SystemExit, KeyboardInterrupt, BrokenPipeError):
        pass


if __name__ == "__main__":
    main()
