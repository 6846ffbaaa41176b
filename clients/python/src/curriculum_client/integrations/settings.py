"""Where a trainer integration finds its coordinator: a config mapping, else the environment.

| setting | config key | environment variable | default |
|---|---|---|---|
| broadcast URL | ``broadcast_url`` | ``CURRICULUM_BROADCAST`` | required |
| requests URL | ``requests_url`` | ``CURRICULUM_REQUESTS`` | required |
| dataset column with the category | ``category_column`` | ``CURRICULUM_CATEGORY_COLUMN`` | ``category`` |
| worker id | ``worker_id`` | ``CURRICULUM_WORKER_ID`` | ``trainer-HOST-PID`` |
| key file (coordinator ``--auth-keys``) | ``auth_key_file`` | ``CURRICULUM_AUTH_KEYS`` | unsigned |
| ``multinomial`` or ``systematic`` | ``allocation`` | ``CURRICULUM_ALLOCATION`` | ``multinomial`` |
| seconds to wait for the first policy | ``timeout`` | ``CURRICULUM_TIMEOUT`` | 60 |
| seed of the item choice and draws | ``seed`` | ``CURRICULUM_SEED`` | random |
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

from ..auth import HMACAuthenticator
from ..worker import Worker

__all__ = ["CurriculumSettings"]

_ENVIRONMENT = {
    "broadcast_url": "CURRICULUM_BROADCAST",
    "requests_url": "CURRICULUM_REQUESTS",
    "category_column": "CURRICULUM_CATEGORY_COLUMN",
    "worker_id": "CURRICULUM_WORKER_ID",
    "auth_key_file": "CURRICULUM_AUTH_KEYS",
    "allocation": "CURRICULUM_ALLOCATION",
    "timeout": "CURRICULUM_TIMEOUT",
    "seed": "CURRICULUM_SEED",
}


@dataclass(frozen=True)
class CurriculumSettings:
    broadcast_url: str
    requests_url: str
    category_column: str = "category"
    worker_id: str = ""
    auth_key_file: Optional[str] = None
    allocation: str = "multinomial"
    timeout: float = 60.0
    seed: Optional[int] = None

    @classmethod
    def resolve(cls, config: Optional[Mapping[str, Any]] = None) -> "CurriculumSettings":
        """Each setting from ``config`` (a dict or an OmegaConf node) if it has it, else
        from its environment variable, else its default."""
        given = dict(config or {})
        unknown = set(given) - set(_ENVIRONMENT)
        if unknown:
            raise ValueError(f"unknown curriculum settings {sorted(unknown)}; known: {sorted(_ENVIRONMENT)}")
        values = {}
        for name, variable in _ENVIRONMENT.items():
            value = given.get(name)
            if value is None:
                value = os.environ.get(variable)
            if value is not None:
                values[name] = value
        for name in ("broadcast_url", "requests_url"):
            if not values.get(name):
                raise ValueError(f"the curriculum's {name} is not set: give `{name}` in the curriculum "
                                 f"config or set ${_ENVIRONMENT[name]}")
        if values.get("allocation", "multinomial") not in ("multinomial", "systematic"):
            raise ValueError(f"curriculum allocation {values['allocation']!r} is neither multinomial nor systematic")
        if "timeout" in values:
            values["timeout"] = float(values["timeout"])
        if "seed" in values:
            values["seed"] = int(values["seed"])
        values.setdefault("worker_id", f"trainer-{socket.gethostname()}-{os.getpid()}")
        return cls(**values)

    def start_worker(self, categories: Iterable[str], step_share: float = 1.0) -> Worker:
        """A started :class:`Worker` for these settings (signed if ``auth_key_file`` is set)."""
        signer = HMACAuthenticator.from_file(self.auth_key_file) if self.auth_key_file else None
        return Worker(self.worker_id, self.broadcast_url, self.requests_url, step_share=step_share,
                      categories=sorted(set(categories)), seed=self.seed, allocation=self.allocation,
                      authenticator=signer, start=True)
