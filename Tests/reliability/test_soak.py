"""Two minutes of the soak (``scripts/soak.sh`` runs ten): a signed fleet churning every second,
ledger workers SIGKILLed and restarted every 5 s, the coordinator SIGKILLed and restarted from
its state every 30 s; then every report accounted for, and the coordinator's memory, state
directory and membership held against the bounds in ``soak.py``, which also says how reports
are counted.
"""

from __future__ import annotations

from soak import Soak
from soak_result import report, verdict

DURATION = 120.0


def test_signed_fleet_with_churn_and_kills_loses_and_double_counts_nothing(curriculum_bin, tmp_path):
    result = Soak(curriculum_bin, tmp_path, DURATION, coordinator_period=30.0).run()
    print(report(result))
    assert verdict(result) is None, report(result)
    assert result.coordinator_kills >= 3 and result.worker_kills >= 20, report(result)
    assert result.joins >= 100 and result.leaves >= 100, report(result)
    assert result.reports_counted >= 5_000, report(result)
