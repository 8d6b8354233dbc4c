#!/usr/bin/env bash
# Table 1: each member's adapter, their best and the PoC merge scored on the commonsense test sets, after
# merge.sh (submit.sh queues it with --dependency=afterok on the merge job).
#SBATCH --job-name=pocmerge-compare
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=8
#SBATCH --mem=40G
#SBATCH --time=12:00:00
#SBATCH --output=slurm-%x-%j.out
set -euo pipefail

# shellcheck source=docker/slurm/common.sh
source "${POCMERGE_SLURM_DIR:-docker/slurm}/common.sh"

mapfile -t adapters < <(member_adapters)
exec "${POCMERGE_CMD[@]}" compare --model "$MODEL" --adapters "${adapters[@]}" --merged "$RUN/merged" \
    --tasks all --data-dir "$TEST_DATA" --out "$RUN/compare" --device gpu
