#!/usr/bin/env bash
# The soak (issue 18): for DURATION seconds (default 600), a signed fleet churns around a
# coordinator with --state; workers join and leave every second, ledger workers are SIGKILLed
# and restarted under the same id every 5 s, the coordinator is SIGKILLed and restarted every
# minute. Then every report is accounted for and a table prints the figures of README's
# reliability section. Tests/reliability/test_soak.py runs two minutes of it in CI.
#
#   scripts/soak.sh [DURATION_SECONDS] [extra flags of Tests/reliability/soak.py]
#
# Builds `curriculum` (debug) unless CURRICULUM_BIN names one; needs the Python client
# (python3 -m pip install ./clients/python). Exits non-zero if a report was lost or
# double-counted, the totals differ, or a bound was broken.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-600}"
shift || true
if ! python3 -c "import curriculum_client" 2>/dev/null; then
    echo "soak: the Python client is missing: python3 -m pip install ./clients/python" >&2
    exit 2
fi
if [ -z "${CURRICULUM_BIN:-}" ]; then
    swift build --product curriculum
    export CURRICULUM_BIN="$(swift build --show-bin-path)/curriculum"
fi
exec python3 Tests/reliability/soak.py --duration "$duration" "$@"
