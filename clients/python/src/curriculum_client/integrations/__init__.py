"""Trainer integrations: :mod:`.verl` (verl's PPO/GRPO trainers) and :mod:`.trl` (TRL's
``GRPOTrainer``). Each imports its framework, so import the one you use; the shared
settings live in :mod:`.settings`."""
