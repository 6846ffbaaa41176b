#!/usr/bin/env python3
"""A Python rollout worker that writes down every report before it sends it, and every
acknowledgement when it arrives.

The soak SIGKILLs workers, and a killed worker prints nothing: to account for its reports,
this one appends each report (sequence, and per category count, sum |A|, sum A^2, sum of
rewards) to ``--ledger`` before handing it to the client, one line per report, so the
line is in the kernel's hands before the frame can leave. Its acknowledgements reach only
it (protocol version 2 replies to each request): each one is appended too, as
``{"ack": contiguous_through, "selective": [...]}``, before the client acts on it, so a
worker killed a moment later has it on record. Advantages and rewards are multiples of 1/8,
so every sum is exact in any order. SIGTERM drains the worker; it then prints one JSON
summary line.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

import numpy as np

from curriculum_client import HMACAuthenticator, Worker


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--broadcast", required=True)
    parser.add_argument("--requests", required=True)
    parser.add_argument("--id", required=True)
    parser.add_argument("--incarnation", type=int, required=True)
    parser.add_argument("--categories", required=True, help="comma-separated: this worker's own categories")
    parser.add_argument("--ledger", required=True, help="file to append one JSON line per report to")
    parser.add_argument("--auth-keys", required=True)
    parser.add_argument("--share", type=float, default=0.1)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--step-delay-ms", type=int, default=100)
    args = parser.parse_args()

    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    mine = args.categories.split(",")
    rng = np.random.default_rng(args.incarnation % (1 << 63))
    ledger = open(args.ledger, "a", buffering=1)
    written = threading.Lock()  # report lines come from this thread, acknowledgements from the receiver's

    def write(line: dict) -> None:
        with written:
            ledger.write(json.dumps(line) + "\n")

    worker = Worker(args.id, args.broadcast, args.requests, step_share=args.share, categories=mine,
                    incarnation=args.incarnation, seed=args.incarnation % (1 << 63), retransmit_timeout=0.2,
                    max_retransmit_timeout=1.0, drain_timeout=60.0,
                    authenticator=HMACAuthenticator.from_file(args.auth_keys),
                    on_acknowledged=lambda through, selective: write({"ack": through, "selective": list(selective)}))
    sequence = 0
    with ledger, worker:
        while not stop.is_set():
            try:
                policy = worker.current_policy(timeout=0.2)
            except TimeoutError:
                continue
            if not set(mine) <= set(policy.categories):
                stop.wait(0.05)  # the policy that registers this worker's categories is on its way
                continue
            batch = worker.next_batch(args.batch, excluding=[c for c in policy.categories if c not in mine])
            advantages, rewards, entries = {}, {}, {}
            for category in batch.categories:
                entries[category] = [0, 0.0, 0.0, 0.0]
            for category, n in batch.items():
                a = rng.integers(-8, 9, size=n) / 8.0
                r = rng.integers(0, 9, size=n) / 8.0
                advantages[category], rewards[category] = a, r
                entries[category] = [n, float(np.abs(a).sum()), float((a * a).sum()), float(r.sum())]
            sequence += 1
            write({"seq": sequence, "categories": entries})
            sent = worker.report(batch, advantages, rewards)
            if sent != sequence:
                print(f"{args.id}: the client numbered report {sequence} as {sent}", file=sys.stderr)
                return 1
            stop.wait(args.step_delay_ms / 1000.0)
    counters = worker.counters
    print(json.dumps({"worker": args.id, "incarnation": args.incarnation, "reports": counters.reports_queued,
                      "acknowledged": counters.reports_acknowledged, "abandoned": counters.reports_abandoned}),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
