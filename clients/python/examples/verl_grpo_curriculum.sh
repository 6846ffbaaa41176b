#!/usr/bin/env bash
# GRPO with verl 0.9 on a dataset whose `category` column names each prompt's curriculum arm.
# It is `python3 -m verl.trainer.main_ppo` with the curriculum trainer: every verl override
# works as usual. tests/test_verl_integration.py composes verl's config with the overrides of
# this file that start with data.dataloader_num_workers or +data.curriculum.
set -euo pipefail
export CURRICULUM_BROADCAST=${CURRICULUM_BROADCAST:-tcp://head:7450}   # the coordinator's --broadcast
export CURRICULUM_REQUESTS=${CURRICULUM_REQUESTS:-tcp://head:7452}     # the coordinator's --requests
python3 -m curriculum_client.integrations.verl_main \
    algorithm.adv_estimator=grpo \
    data.train_files="$HOME/data/train.parquet" \
    data.val_files="$HOME/data/test.parquet" \
    data.train_batch_size=256 \
    actor_rollout_ref.rollout.n=8 \
    actor_rollout_ref.model.path=Qwen/Qwen2.5-0.5B-Instruct \
    data.dataloader_num_workers=0 \
    +data.curriculum.category_column=category \
    "$@"
