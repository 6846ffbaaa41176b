#!/usr/bin/env python3
"""A real (small) learner on the curriculum: GRPO-style policy gradient in numpy on
multi-digit addition, with the coordinator choosing which difficulty to train on.

The task family: ``add/L`` for L = 1..6 asks for the last L digits of a + b, where a
and b are random L-digit numbers. The student answers digit by digit, least
significant first; for each digit it sees the column's context c = a_i + b_i + carry
(0..19) and samples the answer digit from ``softmax(W[c])``, one table shared by every
level. The reward is 1 only if all L digits are right, so at the start ``add/L`` is
solved with probability 10^-L: the hard levels give groups that all fail, zero
advantage and nothing to learn from, while ``add/1`` teaches the table that every level
needs. Each training step draws 32 prompts' levels from the coordinator
(``next_batch``), samples 8 answers per prompt, computes group-normalised advantages
(GRPO), takes a policy-gradient step, and reports every answer's advantage and reward
per level (``report``). SEC then moves the batch to where |advantage| is large.

The script runs the same learner twice, against a coordinator with ``--policy sec``
and one with ``--policy uniform`` (random levels), and prints how fast each learns.

    python clients/python/examples/arithmetic_curriculum.py            # starts its own coordinators
    python clients/python/examples/arithmetic_curriculum.py --steps 400 --seeds 3

It needs the ``curriculum`` binary: ``$CURRICULUM_BIN``, ``curriculum`` on PATH, or
one built in the repository (``swift build --product curriculum``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

from curriculum_client import Worker

LEVELS = 6
CONTEXTS = 20  # a_i + b_i + carry
DIGITS = 10


def find_binary() -> str:
    explicit = os.environ.get("CURRICULUM_BIN")
    if explicit:
        return explicit
    on_path = shutil.which("curriculum")
    if on_path:
        return on_path
    root = Path(__file__).resolve().parents[3]
    candidates = [root / ".build/release/curriculum", root / ".build/debug/curriculum"]
    candidates += sorted(root.glob(".build*/*/curriculum"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    sys.exit("no `curriculum` binary: run `swift build --product curriculum` or set CURRICULUM_BIN")


class Coordinator:
    """A `curriculum coordinator` child process on free loopback ports."""

    def __init__(self, binary: str, policy: str, tau: float, alpha: float) -> None:
        categories = ",".join(f"add/{level}" for level in range(1, LEVELS + 1))
        knobs = ["--tau", str(tau), "--alpha", str(alpha)] if policy == "sec" else []
        self.process = subprocess.Popen(
            [binary, "coordinator", "--broadcast", "tcp://127.0.0.1:0", "--requests", "tcp://127.0.0.1:0",
             "--status", "tcp://127.0.0.1:0", "--reports", "tcp://127.0.0.1:0",
             "--policy", policy, *knobs, "--categories", categories,
             "--publish-every", "1", "--log-level", "error"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("listening"):
            self.stop()
            sys.exit(f"the coordinator did not start (policy {policy}): {line!r}")
        fields = dict(part.split("=", 1) for part in line.split()[1:])
        self.broadcast_url, self.requests_url = fields["broadcast"], fields["requests"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class Student:
    """A softmax policy over answer digits given the column context, trained by GRPO."""

    learning_rate: float
    weights: np.ndarray = field(default_factory=lambda: np.zeros((CONTEXTS, DIGITS)))

    def probabilities(self, contexts: np.ndarray) -> np.ndarray:
        logits = self.weights[contexts]
        logits = logits - logits.max(axis=-1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=-1, keepdims=True)


def problems(level: int, count: int, rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    """``count`` problems of ``level`` digits: per digit column, the context and the right answer."""
    a = rng.integers(0, 10, size=(count, level))
    b = rng.integers(0, 10, size=(count, level))
    contexts = np.zeros((count, level), dtype=np.int64)
    carry = np.zeros(count, dtype=np.int64)
    for i in range(level):
        contexts[:, i] = a[:, i] + b[:, i] + carry
        carry = contexts[:, i] // 10
    return contexts, contexts % 10


def rollout_and_grads(student: Student, level: int, prompts: int, group: int, rng: np.random.Generator):
    """Samples ``group`` answers per prompt; returns (advantages, rewards, gradient)."""
    contexts, answers = problems(level, prompts, rng)
    contexts = np.repeat(contexts, group, axis=0)  # (prompts * group, level)
    answers = np.repeat(answers, group, axis=0)
    probs = student.probabilities(contexts)  # (n, level, 10)
    cumulative = probs.cumsum(axis=-1)
    draws = rng.random(contexts.shape + (1,))
    sampled = np.minimum((draws > cumulative).sum(axis=-1), DIGITS - 1)
    rewards = (sampled == answers).all(axis=1).astype(np.float64)
    grouped = rewards.reshape(prompts, group)
    std = grouped.std(axis=1, keepdims=True)
    advantages = np.where(std > 0, (grouped - grouped.mean(axis=1, keepdims=True)) / (std + 1e-6), 0.0).reshape(-1)
    # d log softmax(W[c])[y] / dW[c] = onehot(y) - probs, for every digit of every answer.
    score = -probs
    np.put_along_axis(score, sampled[..., None], np.take_along_axis(score, sampled[..., None], -1) + 1, -1)
    gradient = np.zeros_like(student.weights)
    np.add.at(gradient, contexts.reshape(-1), (score * advantages[:, None, None]).reshape(-1, DIGITS))
    return advantages, rewards, gradient


def success_by_level(student: Student, evaluation: Dict[int, Tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Exact probability of solving each level's evaluation problems, averaged."""
    out = []
    for level in range(1, LEVELS + 1):
        contexts, answers = evaluation[level]
        p = np.take_along_axis(student.probabilities(contexts), answers[..., None], -1)[..., 0]
        out.append(p.prod(axis=1).mean())
    return np.array(out)


@dataclass
class Run:
    policy: str
    curve: List[float]  # mean success over levels after each evaluation
    final_levels: np.ndarray
    level_share: np.ndarray  # share of prompts per level over the run
    early_share: np.ndarray  # the same over the first quarter of the steps
    seconds: float
    reports: int


def train(binary: str, policy: str, args, seed: int) -> Run:
    coordinator = Coordinator(binary, policy, args.tau, args.alpha)
    rng = np.random.default_rng(seed)
    evaluation = {level: problems(level, 256, np.random.default_rng(1000 + level)) for level in range(1, LEVELS + 1)}
    student = Student(args.learning_rate)
    curve: List[float] = []
    prompts_per_level = np.zeros(LEVELS)
    early = np.zeros(LEVELS)
    started = time.monotonic()
    try:
        with Worker(f"learner-{policy}", coordinator.broadcast_url, coordinator.requests_url,
                    step_share=1.0, seed=seed, categories=[f"add/{l}" for l in range(1, LEVELS + 1)]) as worker:
            policy_version: Optional[int] = None
            for step in range(args.steps):
                if step % args.eval_every == 0:
                    curve.append(float(success_by_level(student, evaluation).mean()))
                # The distribution that already includes the previous step's report (SEC is on-policy).
                if policy_version is None:
                    worker.current_policy(timeout=30)
                else:
                    worker.next_policy(after=policy_version, timeout=30)
                batch = worker.next_batch(args.prompts)
                policy_version = batch.policy_version
                gradient = np.zeros_like(student.weights)
                advantages, rewards = {}, {}
                for category, count in batch.items():
                    level = int(category.split("/")[1])
                    prompts_per_level[level - 1] += count
                    if step < max(1, args.steps // 4):
                        early[level - 1] += count
                    adv, rew, grad = rollout_and_grads(student, level, count, args.group, rng)
                    advantages[category], rewards[category] = adv, rew
                    gradient += grad
                student.weights += args.learning_rate * gradient / (args.prompts * args.group)
                worker.report(batch, advantages, rewards)
            curve.append(float(success_by_level(student, evaluation).mean()))
            reports = worker.counters.reports_queued
    finally:
        coordinator.stop()
    return Run(policy, curve, success_by_level(student, evaluation), prompts_per_level / prompts_per_level.sum(),
               early / early.sum(), time.monotonic() - started, reports)


def first_step_reaching(curve: List[float], target: float, eval_every: int) -> Optional[int]:
    for index, value in enumerate(curve):
        if value >= target:
            return index * eval_every
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=300, help="training steps per run")
    parser.add_argument("--prompts", type=int, default=32, help="prompts per step (the batch B)")
    parser.add_argument("--group", type=int, default=8, help="answers sampled per prompt (GRPO group)")
    parser.add_argument("--learning-rate", type=float, default=2.0)
    parser.add_argument("--tau", type=float, default=0.1, help="SEC softmax temperature")
    parser.add_argument("--alpha", type=float, default=0.5, help="SEC learning rate of the Q-values")
    parser.add_argument("--eval-every", type=int, default=25)
    parser.add_argument("--seeds", type=int, default=3, help="runs per curriculum (different seeds)")
    args = parser.parse_args()
    binary = find_binary()

    runs: Dict[str, List[Run]] = {"sec": [], "uniform": []}
    for seed in range(args.seeds):
        for policy in runs:
            run = train(binary, policy, args, seed)
            runs[policy].append(run)
            print(f"  {policy:8s} seed {seed}: {run.reports} reports in {run.seconds:.1f} s, "
                  f"final mean success {run.curve[-1]:.3f}", flush=True)

    def mean_curve(policy: str) -> np.ndarray:
        return np.mean([r.curve for r in runs[policy]], axis=0)

    sec, uniform = mean_curve("sec"), mean_curve("uniform")
    print()
    print(f"Multi-digit addition, levels add/1..add/{LEVELS}: mean probability of solving a level "
          f"(average of {args.seeds} seeds, {args.prompts} prompts x {args.group} answers per step)")
    print()
    print(f"{'step':>6} | {'SEC curriculum':>14} | {'uniform (random)':>16}")
    print(f"{'-' * 6}-+-{'-' * 14}-+-{'-' * 16}")
    for index in range(len(sec)):
        step = min(index * args.eval_every, args.steps)
        print(f"{step:>6} | {sec[index]:>14.3f} | {uniform[index]:>16.3f}")
    print()
    print(f"Per level at the end: probability solved, and share of the prompts trained on "
          f"(first quarter of the run / whole run)")
    print()
    print(f"{'level':>6} | {'SEC: solved':>11} | {'SEC: share':>13} | {'uniform: solved':>15} | {'uniform: share':>14}")
    print(f"{'-' * 6}-+-{'-' * 11}-+-{'-' * 13}-+-{'-' * 15}-+-{'-' * 14}")
    for level in range(LEVELS):
        s_solved = np.mean([r.final_levels[level] for r in runs["sec"]])
        u_solved = np.mean([r.final_levels[level] for r in runs["uniform"]])
        s_share = np.mean([r.level_share[level] for r in runs["sec"]])
        s_early = np.mean([r.early_share[level] for r in runs["sec"]])
        u_share = np.mean([r.level_share[level] for r in runs["uniform"]])
        u_early = np.mean([r.early_share[level] for r in runs["uniform"]])
        print(f"{'add/' + str(level + 1):>6} | {s_solved:>11.3f} | {s_early:>5.2f} / {s_share:>5.2f} | "
              f"{u_solved:>15.3f} | {u_early:>5.2f} / {u_share:>5.2f}")
    print()
    for target in (0.5, 0.9):
        s = first_step_reaching(list(sec), target, args.eval_every)
        u = first_step_reaching(list(uniform), target, args.eval_every)
        fmt = lambda v: f"step {v}" if v is not None else f"not within {args.steps} steps"
        print(f"mean success >= {target}: SEC at {fmt(s)}, uniform at {fmt(u)}")
    area_sec, area_uniform = float(sec.mean()), float(uniform.mean())
    print(f"area under the learning curve: SEC {area_sec:.3f}, uniform {area_uniform:.3f} "
          f"({(area_sec / max(area_uniform, 1e-9) - 1) * 100:+.0f}%)")


if __name__ == "__main__":
    main()
