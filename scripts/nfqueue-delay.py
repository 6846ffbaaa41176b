#!/usr/bin/env python3
"""Delays packets like `tc netem delay D J`, for kernels built without sch_netem.

iptables sends the packets to delay to an NFQUEUE (`-j NFQUEUE --queue-num N`); this
process holds each one's verdict for a uniformly drawn D-J .. D+J milliseconds, then
accepts it. It speaks nfnetlink_queue over a raw netlink socket, so it needs nothing
beyond the Python standard library (no libnetfilter_queue, no PyPI package). Run it in
the network namespace whose iptables queue the packets: NFQUEUE is per namespace.

It prints `ready queue=N delay_ms=D jitter_ms=J` once bound, and on SIGTERM or SIGINT
releases everything it holds and prints one JSON line: how many packets it held and the
hold times it actually applied. NetworkFaultTests (Tests/IntegrationTests) run it.
"""

import argparse
import heapq
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NF_ACCEPT = 1

NLMSGHDR = struct.Struct("=IHHII")
NLATTR = struct.Struct("=HH")


def attribute(kind, payload):
    length = NLATTR.size + len(payload)
    return NLATTR.pack(length, kind) + payload + b"\0" * (-length % 4)


def message(kind, flags, sequence, queue, attributes):
    # nfgenmsg: family, version, then the queue number in network byte order.
    body = struct.pack("=BB", socket.AF_UNSPEC, 0) + struct.pack("!H", queue) + attributes
    header = NLMSGHDR.pack(NLMSGHDR.size + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, sequence, 0)
    return header + body


def split_messages(data):
    offset = 0
    while offset + NLMSGHDR.size <= len(data):
        length, kind, _flags, sequence, _pid = NLMSGHDR.unpack_from(data, offset)
        if length < NLMSGHDR.size:
            return
        yield kind, sequence, data[offset + NLMSGHDR.size:offset + length]
        offset += (length + 3) & ~3


def attributes(data):
    offset = 0
    while offset + NLATTR.size <= len(data):
        length, kind = NLATTR.unpack_from(data, offset)
        if length < NLATTR.size:
            return
        yield kind & 0x3FFF, data[offset + NLATTR.size:offset + length]
        offset += (length + 3) & ~3


def configure(sock, queue):
    """Binds the queue, asks for metadata only (the payload stays in the kernel) and
    raises the queue's length, waiting for the kernel to acknowledge each step."""
    requests = [
        attribute(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET)),
        attribute(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META)),
        attribute(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", 65536)),
    ]
    for sequence, request in enumerate(requests, start=1):
        sock.send(message(NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, sequence, queue, request))
        deadline = time.monotonic() + 5
        while True:
            if time.monotonic() > deadline:
                sys.exit(f"nfqueue-delay: no answer from the kernel configuring queue {queue}")
            data = sock.recv(65536)
            answers = [(kind, seq, body) for kind, seq, body in split_messages(data) if seq == sequence]
            if not answers:
                continue
            kind, _, body = answers[0]
            if kind == NLMSG_ERROR:
                (error,) = struct.unpack_from("=i", body)
                if error != 0:
                    sys.exit(f"nfqueue-delay: configuring queue {queue} failed: {os.strerror(-error)}")
            break


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queue", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, required=True)
    parser.add_argument("--jitter-ms", type=float, default=0)
    parser.add_argument("--seed", type=int, default=None)
    options = parser.parse_args()
    draw = random.Random(options.seed)

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    # A burst of packets must not overflow the socket: that would drop them, not delay them.
    sock.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE (root)
    sock.bind((0, 0))
    configure(sock, options.queue)
    print(f"ready queue={options.queue} delay_ms={options.delay_ms:g} jitter_ms={options.jitter_ms:g}", flush=True)

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    # A parent may hand down a mask blocking SIGTERM (a Swift test runner's children inherit
    # one), and then the handlers would never run.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

    held = []  # heap of (release time, arrival time, packet id)
    hold_times = []
    overruns = 0

    released_at_stop = 0

    def release(now, everything=False):
        nonlocal released_at_stop
        verdicts = []
        while held and (everything or held[0][0] <= now):
            due, arrival, packet_id = heapq.heappop(held)
            if due <= now:
                hold_times.append(now - arrival)
            else:
                released_at_stop += 1
            verdicts.append(message(NFQNL_MSG_VERDICT, NLM_F_REQUEST, 0, options.queue,
                                    attribute(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))))
        if verdicts:
            sock.send(b"".join(verdicts))

    while not stopping:
        now = time.monotonic()
        release(now)
        timeout = max(0.0, held[0][0] - now) if held else 0.2
        try:
            readable, _, _ = select.select([sock], [], [], timeout)
        except InterruptedError:
            continue
        if not readable:
            continue
        try:
            data = sock.recv(1 << 20)
        except OSError:
            # ENOBUFS: the kernel had to drop notifications; those packets are lost, as on a real link.
            overruns += 1
            continue
        arrival = time.monotonic()
        for kind, _, body in split_messages(data):
            if kind != (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                continue
            for attribute_kind, payload in attributes(body[4:]):
                if attribute_kind == NFQA_PACKET_HDR:
                    (packet_id,) = struct.unpack_from("!I", payload)
                    hold = draw.uniform(options.delay_ms - options.jitter_ms, options.delay_ms + options.jitter_ms)
                    heapq.heappush(held, (arrival + max(0.0, hold) / 1000, arrival, packet_id))

    release(time.monotonic(), everything=True)
    milliseconds = sorted(1000 * t for t in hold_times)
    print(json.dumps({
        "queue": options.queue,
        "held": len(milliseconds),
        "min_ms": round(milliseconds[0], 1) if milliseconds else None,
        "mean_ms": round(sum(milliseconds) / len(milliseconds), 1) if milliseconds else None,
        "max_ms": round(milliseconds[-1], 1) if milliseconds else None,
        "released_early_at_stop": released_at_stop,
        "overruns": overruns,
    }), flush=True)


if __name__ == "__main__":
    main()
