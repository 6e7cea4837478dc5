#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Write the fuzz targets' seed inputs into tests/fuzz/seeds/TARGET/ (run from anywhere).

The seeds are small valid inputs of every kind a target understands, so that the fuzzer
starts from the interesting shapes instead of discovering them byte by byte: RIP packets of
every command and version (with and without authentication), configuration files using every
section, an autostatic state file, and engine programs that exercise each operation of
fuzz_rip_engine.c, and control requests. Only addresses from 198.18.0.0/15 and TEST-NET are used.
"""

import hashlib
import ipaddress
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "seeds")
TOP = os.path.dirname(os.path.dirname(HERE))


def ip(text):
    return int(ipaddress.IPv4Address(text))


def rte(prefix, metric=1, nexthop="0.0.0.0", tag=0):
    net = ipaddress.IPv4Network(prefix)
    return struct.pack("!HHIIII", 2, tag, int(net.network_address), int(net.netmask),
                       ip(nexthop), metric)


def v1_rte(addr, metric=1):
    return struct.pack("!HHIIII", 2, 0, ip(addr), 0, 0, metric)


def rip(command, version, body):
    return struct.pack("!BBH", command, version, 0) + body


def whole_table_request(version=2):
    return rip(1, version, struct.pack("!HHIIII", 0, 0, 0, 0, 0, 16))


def trig_header(seq, flush=0):
    """RFC 2091 update header: version 1, flush flag, sequence number."""
    return struct.pack("!BBH", 1, flush, seq)


def md5_response(entries, secret=b"fuzz-secret", key_id=1, seq=1):
    """RFC 4822 Keyed-MD5 with a 16-byte digest (the engine target's eth1 key)."""
    body = b"".join(entries)
    packet_len = 4 + 20 + len(body)
    auth = struct.pack("!HHHBBIII", 0xFFFF, 3, packet_len, key_id, 16, seq, 0, 0)
    head = rip(2, 2, auth + body)
    trailer = struct.pack("!HH", 0xFFFF, 1)
    digest = hashlib.md5(head + trailer + secret.ljust(16, b"\0")).digest()
    return head + trailer + digest


def codec_seeds():
    two = [rte("198.19.1.0/24"), rte("198.19.2.0/24", 3, "198.18.0.9", 7)]
    return {
        "request_whole": whole_table_request(),
        "request_specific": rip(1, 2, rte("198.19.1.0/24", 16)),
        "response_v2": rip(2, 2, b"".join(two)),
        "response_v2_full": rip(2, 2, b"".join(rte(f"198.19.{i}.0/24") for i in range(25))),
        "response_v1": rip(2, 1, v1_rte("198.19.5.0") + v1_rte("198.18.0.0", 2)),
        "response_simple_auth": rip(2, 2, struct.pack("!HH", 0xFFFF, 2) +
                                    b"password".ljust(16, b"\0") + two[0]),
        "response_md5": md5_response(two),
        "update_request": rip(9, 2, trig_header(0) + struct.pack("!HHIIII", 0, 0, 0, 0, 0, 16)),
        "update_response": rip(10, 2, trig_header(5, 1) + b"".join(two)),
        "update_ack": rip(11, 2, trig_header(5)),
    }


CONF_MINIMAL = """rip = { interfaces = ( { name = "eth0"; } ); };
"""

CONF_EVERY_MODE = """router-id = "198.18.0.1";
state-dir = "/var/lib/routprotd";
control = { socket = "/run/routprotd/routprotd.sock"; };
log = { level = "debug"; };
fib = { table = 254; metric = 20; stale-time = 40; retain-on-stop = true; };
netlink = { receive-buffer = 4194304; };
rip = {
  update-interval = 10; timeout = 60; garbage = 40;
  redistribute = [ "connected", "static", "kernel", "autostatic" ];
  redistribute-metric = 2; ecmp = 8; receive-buffer = 65536;
  send-rate = 100; send-burst = 4; update-timeout = 5; update-quiet = 200;
  interfaces = (
    { name = "eth0"; split-horizon = "off"; cost = 15; version = 1; },
    { name = "eth1"; passive = true; version = "1-compatible"; neighbors = [ "198.18.1.7" ]; },
    { name = "dial0"; mode = "autostatic"; update-on-connect = true; },
    { name = "tun0"; mode = "demand"; neighbors = [ "198.18.6.2" ]; },
    { name = "eth4"; accept-only = [ "198.19.0.0/16" ]; accept-except = [ "198.19.99.0/24" ];
      announce-except = [ "198.18.200.0/24" ]; accept-host-routes = false;
      announce-default-route = false; accept-peers = [ "198.18.4.2" ]; ignore-peers = [ ]; }
  );
};
trace = { verbose = true; interfaces = ( { name = "eth0"; verbose = false; } ); };
"""

CONF_AUTH = """rip = {
  interfaces = (
    { name = "eth3"; authentication = "hmac-sha256";
      keys = ( { id = 1; secret = "change-me";
                 send-from = "2026-01-01T00:00:00Z"; send-until = "2027-01-01T00:00:00Z";
                 accept-from = "2026-01-01T00:00:00Z"; accept-until = "2027-01-02T00:00:00Z"; },
               { id = 2; secret = "next-one"; send-from = "2027-01-01T00:00:00Z"; } ); },
    { name = "eth5"; authentication = "md5"; md5-auth-length = 20;
      keys = ( { id = 3; secret = "sixteen-bytes!!!"; } ); },
    { name = "eth6"; authentication = "simple"; keys = ( { id = 0; secret = "plain"; } ); }
  );
};
"""

# What the reader refuses before libconfig parses: control characters in strings, an @include
# of something that is not a regular file, text after an @include, a comment never closed.
CONF_LEXICAL = """log = { level = "in\\x1bfo"; };
rip = { interfaces = ( { name = "eth\\n0"; }, { name = "eth1\tx"; } ); };
@include "."
@include "absent.conf" trailing
  @include "with \\"quote\\" and \\\\ backslash"
/* never closed
"""

CONF_ERRORS = """rip = {
  timeout = 5000000000;
  interfaces = ( { name = "eth0"; cost = 16; }, { name = "eth0"; }, { name = "bad/name"; } );
  unknown-key = 1;
};
"""


def conf_seeds():
    with open(os.path.join(TOP, "etc", "routprotd.conf.example"), "rb") as f:
        example = f.read()
    return {"example": example, "minimal": CONF_MINIMAL.encode(),
            "every_mode": CONF_EVERY_MODE.encode(), "auth": CONF_AUTH.encode(),
            "errors": CONF_ERRORS.encode(), "lexical": CONF_LEXICAL.encode()}


STATE = """{
  "format": "routprotd-autostatic",
  "version": 1,
  "written": "2026-11-21T19:53:55.061Z",
  "interfaces": [
    {
      "name": "as0",
      "updated": "2026-11-21T19:53:55.061Z",
      "routes": [
        { "prefix": "198.19.31.0/24", "nexthop": "198.18.3.2", "metric": 2, "tag": 0 },
        { "prefix": "198.19.32.0/24", "nexthop": "198.18.3.2", "metric": 15, "tag": 65535 }
      ]
    },
    { "name": "dial0", "updated": "2026-01-01T00:00:00.000Z", "routes": [ ] }
  ]
}
"""


def state_seeds():
    return {"two_interfaces": STATE.encode(),
            "empty": b'{"format":"routprotd-autostatic","version":1,"interfaces":[]}'}


def op(what, arg=0):
    return bytes([(arg << 4) | what])


def packet_op(iface, arg, data):
    return op(iface, arg) + struct.pack("!H", len(data)) + data


def engine_seeds():
    routes = [rte("198.19.1.0/24"), rte("198.19.200.0/24", 2), rte("198.19.7.7/32")]
    learn = packet_op(0, 0, rip(2, 2, b"".join(routes)))
    return {
        "learn_age_announce": learn + op(10) + op(5) + op(4, 15) + op(4, 15) + op(12) + op(10),
        "request_answered": learn + packet_op(0, 4, whole_table_request()) +
        packet_op(0, 0, rip(1, 2, rte("198.19.1.0/24", 16))),
        "authenticated": packet_op(1, 8, rip(2, 2, b"".join(routes))) +
        packet_op(1, 0, md5_response(routes)) + op(10),
        "ripv1": packet_op(0, 1, rip(2, 1, v1_rte("198.19.5.0") + v1_rte("198.18.0.0"))),
        "demand": packet_op(2, 0, rip(9, 2, trig_header(0) +
                                      struct.pack("!HHIIII", 0, 0, 0, 0, 0, 16))) +
        packet_op(2, 0, rip(10, 2, trig_header(1, 1) + b"".join(routes))) +
        packet_op(2, 0, rip(11, 2, trig_header(1))) + op(6) + op(6) + op(7, 2) + op(7, 6),
        "autostatic": op(8, 1) + packet_op(3, 4, rip(2, 2, b"".join(routes))) + op(9, 1) +
        op(8, 1) + op(9, 1),
        "interfaces_change": learn + op(11, 4) + op(7, 0) + op(7, 4) + op(11, 8) + op(5),
        "reload": learn + op(14, 0) + bytes([0x00]) + op(14, 3) + bytes([0x10]) + op(12) +
        op(14, 2) + bytes([0x02]) + op(8, 0) + op(14, 3) + bytes([0x01]) + op(5, 3),
        "redistribute": op(13, 0) + bytes([198, 19, 50, 0, 24]) + op(13, 1) +
        bytes([198, 19, 50, 0, 24]) + op(5, 1),
    }


def ctl_seeds():
    """Control requests (routprotctl(8)), alone and several on one connection."""
    lines = {
        "status": '{"command":"show status"}',
        "interfaces": '{"command":"show interfaces","args":[]}',
        "events": '{"command":"show events","args":["5"]}',
        "routes": '{"command":"show routes","args":["198.18.0.0/24"]}',
        "route_address": '{"command":"show routes","args":["198.18.0.1"]}',
        "neighbors": '{"command":"show neighbors"}',
        "autostatic": '{"command":"show autostatic"}',
        "update": '{"command":"update-routes","args":["eth0"],"timeout":5}',
        "clear": '{"command":"clear autostatic","args":["eth1"]}',
        "reload": '{"command":"reload"}',
        "unknown": '{"command":"show everything","args":[1,2,3]}',
        "bad_json": '{"command":',
    }
    seeds = {name: (line + "\n").encode() for name, line in lines.items()}
    seeds["pipelined"] = "".join(line + "\n" for line in lines.values()).encode()
    seeds["no_newline"] = lines["status"].encode()
    return seeds


def write(target, seeds):
    folder = os.path.join(SEEDS, target)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, data in seeds.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


def main():
    write("codec", codec_seeds())
    write("conf", conf_seeds())
    write("state", state_seeds())
    write("rip_engine", engine_seeds())
    write("ctl", ctl_seeds())


if __name__ == "__main__":
    main()
