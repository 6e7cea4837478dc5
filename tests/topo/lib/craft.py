# SPDX-License-Identifier: ISC
"""Hand-made RIP packets and a link-level view of what RIP speakers send.

RIP messages are built byte by byte here (struct), so that a test can get every field wrong on
purpose; scapy frames them (Ether / IP / UDP with correct checksums) and an AF_PACKET socket opened
inside the test's namespace puts them on the wire unchanged, whatever source address or port they
claim. A Capture collects the RIP packets seen on one link of a namespace, decoded into Rip
objects, for assertions about what a router sent.

    inj = Injector(ns, "eth0")
    inj.send(response([entry("198.19.40.0/24", metric=1)]), src="198.18.5.2")
    with Capture(ns, "eth0") as cap:
        ...
    cap.rip(src="198.18.5.1")
"""

import hashlib
import hmac
import ipaddress
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from .addresses import check_test_address
from .wait import wait_for

RIP_PORT = 520
RIP_GROUP = "224.0.0.9"
RIP_GROUP_MAC = "01:00:5e:00:00:09"
BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"

CMD_REQUEST, CMD_RESPONSE = 1, 2
CMD_UPDATE_REQUEST, CMD_UPDATE_RESPONSE, CMD_UPDATE_ACK = 9, 10, 11  # RFC 2091
AFI_INET = 2
AFI_AUTH = 0xFFFF
INFINITY = 16

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800


# ---- building ----

def _addr(value):
    return socket.inet_aton(str(value))


def entry(prefix=None, metric=1, nexthop="0.0.0.0", tag=0, afi=AFI_INET, address=None,
          mask=None):
    """One 20-byte route entry. `prefix` "a.b.c.d/len" fills address and mask; `address` and
    `mask` ("a.b.c.d") override them, so that inconsistent combinations can be made."""
    if prefix is not None:
        iface = ipaddress.ip_interface(prefix)
        address = address if address is not None else str(iface.ip)
        mask = mask if mask is not None else str(iface.netmask)
    address = address or "0.0.0.0"
    mask = mask or "0.0.0.0"
    return struct.pack("!HH4s4s4sI", afi, tag, _addr(address), _addr(mask), _addr(nexthop),
                       metric)


def v1_entry(address, metric=1, afi=AFI_INET):
    """A RIPv1 entry: address and metric, the must-be-zero fields zero."""
    return entry(address=address, mask="0.0.0.0", metric=metric, afi=afi)


def auth_entry(password=b"secret", auth_type=2):
    """The authentication entry of RFC 2453 section 4.1 (AFI 0xFFFF, type 2, 16-byte password)."""
    return struct.pack("!HH16s", AFI_AUTH, auth_type, password.ljust(16, b"\0")[:16])


AUTH_CRYPTO, AUTH_TRAILER = 3, 1
APAD = bytes.fromhex("878FE1F3")
_HASHES = {"md5": hashlib.md5, "hmac-sha1": hashlib.sha1, "hmac-sha256": hashlib.sha256,
           "hmac-sha384": hashlib.sha384, "hmac-sha512": hashlib.sha512}


def signed(command, entries, secret, seq, key_id=1, algorithm="hmac-sha256", version=2):
    """An RFC 4822 authenticated message: the authentication entry (packet length, key id,
    digest length, sequence number `seq`), the entries, and the trailer with the digest —
    Keyed-MD5 (the digest field holding the zero-padded key while hashing) or HMAC (the field
    holding Apad, the key — no longer than the digest — zero-padded to its length)."""
    h = _HASHES[algorithm]
    length = h().digest_size
    key = secret.encode() if isinstance(secret, str) else secret
    body = b"".join(entries)
    trailer_at = 4 + 20 + len(body)
    auth = struct.pack("!HHHBBI8x", AFI_AUTH, AUTH_CRYPTO, trailer_at, key_id, length, seq)
    head = header(command, version) + auth + body + struct.pack("!HH", AFI_AUTH, AUTH_TRAILER)
    if algorithm == "md5":
        digest = h(head + key.ljust(16, b"\0")[:16]).digest()
    else:
        digest = hmac.new(key, head + APAD * (length // 4), h).digest()
    return head + digest


def whole_table_entry():
    """The one entry of a whole-table request: AFI 0, metric 16."""
    return entry(afi=0, metric=INFINITY)


def header(command=CMD_RESPONSE, version=2, zero=0):
    """The 4-byte RIP header; `zero` is the 16-bit field that must be zero."""
    return struct.pack("!BBH", command, version, zero)


def message(command, entries, version=2, zero=0):
    return header(command, version, zero) + b"".join(entries)


def response(entries, version=2, zero=0):
    return message(CMD_RESPONSE, entries, version, zero)


def request(entries, version=2):
    return message(CMD_REQUEST, entries, version)


def update_response(entries, seq, flush=0, version=2):
    """An RFC 2091 Update Response: the RIP header, the triggered-RIP header (version 1,
    `flush`, sequence `seq`), then the entries."""
    return header(CMD_UPDATE_RESPONSE, version) + struct.pack("!BBH", 1, flush, seq) + \
        b"".join(entries)


# ---- decoding ----

@dataclass
class Entry:
    afi: int
    tag: int
    address: str
    mask: str
    nexthop: str
    metric: int

    @property
    def prefix(self):
        if self.mask == "0.0.0.0" and self.address != "0.0.0.0":
            return self.address        # RIPv1: no mask on the wire
        return str(ipaddress.ip_network(f"{self.address}/{self.mask}", strict=False))


@dataclass
class Rip:
    """One RIP packet as seen on the wire."""
    time: float
    src: str
    dst: str
    sport: int
    dport: int
    ttl: int
    command: int
    version: int
    zero: int
    entries: list = field(default_factory=list)
    raw: bytes = b""
    outgoing: bool = False

    def routes(self):
        """{prefix: metric} of the AFI 2 entries."""
        return {e.prefix: e.metric for e in self.entries if e.afi == AFI_INET}


def parse_rip(payload):
    """(command, version, zero, [Entry]) of a RIP message; entries as far as whole ones go."""
    if len(payload) < 4:
        return None
    command, version, zero = struct.unpack("!BBH", payload[:4])
    entries = []
    for off in range(4, len(payload) - 19, 20):
        afi, tag, a, m, n, metric = struct.unpack("!HH4s4s4sI", payload[off:off + 20])
        entries.append(Entry(afi, tag, socket.inet_ntoa(a), socket.inet_ntoa(m),
                             socket.inet_ntoa(n), metric))
    return command, version, zero, entries


def parse_frame(frame, when, outgoing=False):
    """A Rip for an Ethernet frame carrying UDP to or from port 520, else None."""
    if len(frame) < 14 + 20 + 8 or struct.unpack("!H", frame[12:14])[0] != ETH_P_IP:
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] != socket.IPPROTO_UDP or len(ip) < ihl + 8:
        return None
    total = struct.unpack("!H", ip[2:4])[0]
    udp = ip[ihl:total]
    sport, dport, ulen = struct.unpack("!HHH", udp[:6])
    if RIP_PORT not in (sport, dport):
        return None
    payload = udp[8:ulen]
    parsed = parse_rip(payload)
    if parsed is None:
        return None
    command, version, zero, entries = parsed
    return Rip(time=when, src=socket.inet_ntoa(ip[12:16]), dst=socket.inet_ntoa(ip[16:20]),
               sport=sport, dport=dport, ttl=ip[8], command=command, version=version, zero=zero,
               entries=entries, raw=payload, outgoing=outgoing)


# ---- sending ----

def _packet_socket(ns, ifname, proto):
    """An AF_PACKET socket bound to `ifname` inside namespace `ns`."""
    with ns.entered():
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
        try:
            sock.bind((ifname, proto))
        except BaseException:
            sock.close()
            raise
    return sock


class Injector:
    """Sends hand-made frames on one link of a namespace."""

    def __init__(self, ns, ifname):
        self.ns = ns
        self.ifname = ifname
        self.mac = ns.link(ifname)["address"]
        self.sock = _packet_socket(ns, ifname, ETH_P_IP)

    def frame(self, payload, src, dst=RIP_GROUP, sport=RIP_PORT, dport=RIP_PORT, ttl=1,
              dst_mac=None):
        """The frame bytes: Ether / IP / UDP / payload with correct lengths and checksums."""
        for a in (src, dst):
            if a != "255.255.255.255":
                check_test_address(a)
        if dst_mac is None:
            if dst == RIP_GROUP:
                dst_mac = RIP_GROUP_MAC
            elif dst.endswith(".255") or dst == "255.255.255.255":
                dst_mac = BROADCAST_MAC
            else:
                raise ValueError("dst_mac is needed for a unicast destination")
        pkt = (Ether(src=self.mac, dst=dst_mac) / IP(src=src, dst=dst, ttl=ttl) /
               UDP(sport=sport, dport=dport) / payload)
        return bytes(pkt)

    def send(self, payload, src, dst=RIP_GROUP, **kw):
        self.sock.send(self.frame(payload, src, dst, **kw))

    def send_many(self, frames, pace=0):
        """Send prepared frames back to back (or `pace` seconds apart); returns how many went
        out (a full transmit queue is retried briefly)."""
        sent = 0
        for f in frames:
            for _ in range(200):
                try:
                    self.sock.send(f)
                    sent += 1
                    break
                except (BlockingIOError, OSError):
                    time.sleep(0.001)
            if pace:
                time.sleep(pace)
        return sent

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class UdpEndpoint:
    """A UDP socket inside a namespace bound to (address, port): requests out, answers in."""

    def __init__(self, ns, address, port=RIP_PORT):
        check_test_address(address)
        with ns.entered():
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind((address, port))
            # Multicast requests leave through the bound address's link, TTL 1.
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                                 socket.inet_aton(address))
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        self.address, self.port = self.sock.getsockname()

    def send(self, payload, dst, port=RIP_PORT):
        self.sock.sendto(payload, (dst, port))

    def receive(self, timeout=3.0, until=None):
        """Messages that arrive within `timeout` s as [(source (addr, port), command, version,
        entries)]; stops early once until(list) is true."""
        out = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                return out
            data, source = self.sock.recvfrom(65535)
            parsed = parse_rip(data)
            if parsed:
                out.append((source, *[parsed[0], parsed[1], parsed[3]]))
            if until is not None and until(out):
                return out

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- capturing ----

class Capture:
    """Collects the RIP packets seen on one link of a namespace (both directions) in a thread,
    from the moment it is created until close()."""

    PACKET_OUTGOING = 4

    def __init__(self, ns, ifname):
        self.ns = ns
        self.ifname = ifname
        self.packets = []
        self._lock = threading.Lock()
        self._stop = False
        self.sock = _packet_socket(ns, ifname, ETH_P_ALL)
        self.sock.settimeout(0.1)
        self._thread = threading.Thread(target=self._loop, name=f"capture {ifname}",
                                        daemon=True)
        self._thread.start()

    def _loop(self):
        while not self._stop:
            try:
                frame, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            pkt = parse_frame(frame, time.monotonic(), outgoing=addr[2] == self.PACKET_OUTGOING)
            if pkt is not None:
                with self._lock:
                    self.packets.append(pkt)

    def rip(self, src=None, dst=None, command=None, since=0.0):
        """The captured RIP packets matching the given fields (received after `since`)."""
        with self._lock:
            pkts = list(self.packets)
        return [p for p in pkts if (src is None or p.src == src) and
                (dst is None or p.dst == dst) and
                (command is None or p.command == command) and p.time >= since]

    def wait(self, until, timeout=10.0, what="RIP packets", **match):
        """Wait until until(matching packets) is true; returns the matching packets."""
        box = {}

        def probe():
            box["p"] = self.rip(**match)
            return until(box["p"])

        wait_for(probe, timeout, interval=0.05,
                 what=f"{what} on {self.ifname} ({len(self.rip())} RIP packets captured)")
        return box["p"]

    def close(self):
        self._stop = True
        self._thread.join(timeout=2)
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def latest_routes(packets):
    """{prefix: metric} as of the last response among `packets` that mentioned each prefix."""
    out = {}
    for p in packets:
        if p.command == CMD_RESPONSE:
            out.update(p.routes())
    return out


# ---- a router and a prober ----

class ProbeLab:
    """routprotd in namespace `router` with links to a namespace `probe` that speaks for fake
    neighbors with hand-made packets:

        router eth0 198.18.5.1/24 (RIPv2)    ─ veth ─  probe eth0 198.18.5.2/24, 198.18.5.3/24
        router eth1 198.18.7.1/24 (version 1) ─ veth ─  probe eth1 198.18.7.2/24
        router lan0 198.18.6.1/24 (RIP, a stub with carrier)

    The router accepts packets carrying its own source address (accept_local), so that the
    daemon, not the kernel, gets to refuse them, and does no reverse-path filtering.
    """

    R0, P0, P0B = "198.18.5.1", "198.18.5.2", "198.18.5.3"
    R1, P1 = "198.18.7.1", "198.18.7.2"
    LAN = "198.18.6.1"

    def __init__(self, topo, start_daemon, config_for, mtu=None):
        """config_for(lab) -> the routprotd configuration text."""
        self.r = topo.netns("router")
        self.p = topo.netns("probe")
        self.r.veth("eth0", "eth0", peer_ns=self.p)
        self.r.veth("eth1", "eth1", peer_ns=self.p)
        if mtu:
            for ns in (self.r, self.p):
                ns.ip("link", "set", "eth0", "mtu", mtu)
        for ns in (self.r, self.p):
            ns.link_up("eth0")
            ns.link_up("eth1")
        self.r.addr_add("eth0", f"{self.R0}/24")
        self.r.addr_add("eth1", f"{self.R1}/24")
        self.p.addr_add("eth0", f"{self.P0}/24")
        self.p.addr_add("eth0", f"{self.P0B}/24")
        self.p.addr_add("eth1", f"{self.P1}/24")
        self.r.stub("lan0")
        self.r.addr_add("lan0", f"{self.LAN}/24")
        for key in ("all", "default", "eth0", "eth1"):
            self.r.sysctl(f"net.ipv4.conf.{key}.rp_filter", 0)
            self.r.sysctl(f"net.ipv4.conf.{key}.accept_local", 1)
        self.r_mac = {i: self.r.link(i)["address"] for i in ("eth0", "eth1")}
        self.p.wait_carrier("eth0")
        self.p.wait_carrier("eth1")
        self.inj = {i: Injector(self.p, i) for i in ("eth0", "eth1")}
        self.d = start_daemon(self.r, config_for(self))

    def close(self):
        for inj in self.inj.values():
            inj.close()

    def send(self, payload, src=None, iface="eth0", dst=RIP_GROUP, unicast=False, **kw):
        """Send `payload` as a RIP datagram from the probe on `iface` (default source: the
        probe's first address there), to the group, or to the router's address with
        unicast=True."""
        src = src or (self.P0 if iface == "eth0" else self.P1)
        if unicast:
            dst = self.R0 if iface == "eth0" else self.R1
            kw.setdefault("dst_mac", self.r_mac[iface])
        self.inj[iface].send(payload, src, dst, **kw)

    def frame(self, payload, src=None, iface="eth0", dst=RIP_GROUP, **kw):
        return self.inj[iface].frame(payload, src or (self.P0 if iface == "eth0" else self.P1),
                                     dst, **kw)
