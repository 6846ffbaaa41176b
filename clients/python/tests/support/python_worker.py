#!/usr/bin/env python3
"""A synthetic Python rollout worker process, the counterpart of `curriculum worker`.

It joins, then repeatedly draws a batch, makes up advantages (multiples of 1/8, so
every sum is exact in any order) for its own categories, reports them and sleeps
--step-delay-ms. SIGTERM/SIGINT (or the end of --steps) drains it; it prints one
JSON summary line when it stops.
"""

import argparse
import json
import signal
import sys
import threading
import time

import numpy as np

from curriculum_client import HMACAuthenticator, Worker


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--broadcast", required=True)
    parser.add_argument("--requests", required=True)
    parser.add_argument("--id", required=True)
    parser.add_argument("--share", type=float, default=0.125)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--step-delay-ms", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--categories", default="py/easy,py/medium,py/hard")
    parser.add_argument("--auth-keys", default=None, help="key file: sign every frame")
    parser.add_argument("--auth-key-id", default=None)
    args = parser.parse_args()
    signer = HMACAuthenticator.from_file(args.auth_keys, args.auth_key_id) if args.auth_keys else None

    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())

    mine = args.categories.split(",")
    rng = np.random.default_rng(args.seed)
    totals = {c: [0, 0.0, 0.0, 0.0] for c in mine}
    worker = Worker(args.id, args.broadcast, args.requests, step_share=args.share, categories=mine,
                    seed=args.seed, retransmit_timeout=0.1, max_retransmit_timeout=1.0, authenticator=signer)
    with worker:
        step = 0
        while not stop.is_set() and (args.steps is None or step < args.steps):
            try:
                policy = worker.current_policy(timeout=0.2)
            except TimeoutError:
                continue
            foreign = [c for c in policy.categories if c not in mine]
            batch = worker.next_batch(args.batch, excluding=foreign)
            advantages = {}
            rewards = {}
            for category, n in batch.items():
                a = rng.integers(-8, 9, size=n) / 8.0
                r = rng.integers(0, 9, size=n) / 8.0
                advantages[category], rewards[category] = a, r
                t = totals[category]
                t[0] += n
                t[1] += float(np.abs(a).sum())
                t[2] += float((a * a).sum())
                t[3] += float(r.sum())
            worker.report(batch, advantages, rewards)
            step += 1
            stop.wait(args.step_delay_ms / 1000.0)
    counters = worker.counters
    print(json.dumps({
        "worker": args.id,
        "incarnation": worker.incarnation,
        "reports": counters.reports_queued,
        "samples": counters.samples_queued,
        "acknowledged": counters.reports_acknowledged,
        "retransmissions": counters.retransmissions,
        "abandoned": counters.reports_abandoned,
        "policies": counters.policies_received,
        "joins": counters.joins,
        "totals": totals,
    }, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
