#!/usr/bin/env bash
# LoRA ensemble as a Slurm job array: array task m trains member m of the M-member ensemble on one GPU, into
# its own run folder $RUN/member-m. Members are independent by construction (issue 8), so the array gives the
# ensemble one process would have trained. submit.sh also queues merge.sh and compare.sh after it.
#   sbatch docker/slurm/finetune-array.sh                 # from the repository root
#   M=4 sbatch --array=0-3 docker/slurm/finetune-array.sh # the command line wins over the directive below
# Preemption: --requeue puts a preempted task back in the queue; it reruns the same command, and
# docker/resume-or-start.sh turns it into --resume on the member's folder, which continues from the last
# checkpoint (the first start gets --out).
#SBATCH --job-name=pocmerge-finetune
#SBATCH --array=0-7
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=8
#SBATCH --mem=40G
#SBATCH --time=48:00:00
#SBATCH --requeue
#SBATCH --output=slurm-%x-%A_%a.out
# GPU memory for Llama-2-7B at one member per task: ~45 GB at micro-batch 16 (an 80 GB GPU), ~20 GB with
# --recompute; docker/k8s/10-finetune.yaml has the arithmetic. Ask for such GPUs with --gres=gpu:<type>:1 or
# --constraint as your cluster names them.
set -euo pipefail

# shellcheck source=docker/slurm/common.sh
source "${POCMERGE_SLURM_DIR:-docker/slurm}/common.sh"

member=${SLURM_ARRAY_TASK_ID:?"not an array task: submit with sbatch --array=0-$((M - 1)) (the array index is the member)"}
if ((member >= M)); then
    echo "error: array index $member is not a member of an M=$M ensemble: submit with --array=0-$((M - 1))" >&2
    exit 2
fi
out="$RUN/member-$member"

exec "$RESUME_OR_START" "$out" finetune \
    --model "$MODEL" --data "$DATA" --M "$M" --rank "$RANK" \
    --members "$member" --save-steps "$SAVE_STEPS" --device gpu
