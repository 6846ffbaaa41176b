#!/bin/sh
# Runs the experiments behind docs/results.md and rewrites it: SEC against random (and
# DUMP, easy-to-hard), 1 synchronous worker against 64 asynchronous ones, staleness
# weighting with heterogeneous workers, staleness when rollout time grows with difficulty,
# and SEC against the newer curricula. Every run goes over nng like `curriculum demo`.
#
#   scripts/experiments.sh                 # 5 seeds, 200 steps, all five (about 8 minutes on 2 cores)
#   scripts/experiments.sh --seeds 10      # more seeds
#   scripts/experiments.sh staleness       # one experiment (docs/results.md then holds only it)
#   SCRATCH=.build-x scripts/experiments.sh  # build in another scratch directory
set -eu
cd "$(dirname "$0")/.."
swift build -c release ${SCRATCH:+--scratch-path "$SCRATCH"} --product curriculum
"$(swift build -c release ${SCRATCH:+--scratch-path "$SCRATCH"} --show-bin-path)/curriculum" experiment --seeds 5 --steps 200 --out docs/results.md "$@"
