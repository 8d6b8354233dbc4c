#!/usr/bin/env bash
# PoC merge of the M members trained by finetune-array.sh into one PEFT adapter of rank M x RANK. Queued by
# submit.sh with --dependency=afterok on the whole array, so it starts only when every member succeeded:
#   sbatch --dependency=afterok:<array job id> docker/slurm/merge.sh
# No GPU: the merge concatenates and scales 8 x 56.1e6 float32 LoRA parameters (1.8 GB).
#SBATCH --job-name=pocmerge-merge
#SBATCH --cpus-per-task=2
#SBATCH --mem=16G
#SBATCH --time=01:00:00
#SBATCH --output=slurm-%x-%j.out
set -euo pipefail

# shellcheck source=docker/slurm/common.sh
source "${POCMERGE_SLURM_DIR:-docker/slurm}/common.sh"

mapfile -t adapters < <(member_adapters)
exec "${POCMERGE_CMD[@]}" merge --adapters "${adapters[@]}" --out "$RUN/merged"
