#!/usr/bin/env bash
# Queues the whole LoRA pipeline: the finetune array (tasks 0..M-1), the merge once ALL array tasks succeeded
# (afterok on the array's job id waits for every task), then the comparison once the merge succeeded.
#   docker/slurm/submit.sh                  # from the repository root: the jobs run there
#   M=4 RUN=runs/ft4 docker/slurm/submit.sh # settings: docker/slurm/common.sh
# Extra sbatch options for all three jobs (partition, account, QoS) go in SBATCH_* variables, which sbatch reads
# itself, e.g. SBATCH_PARTITION=gpu SBATCH_ACCOUNT=myproj.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export POCMERGE_SLURM_DIR="$here"
# shellcheck source=docker/slurm/common.sh
source "$here/common.sh"

# sbatch --parsable prints "jobid" or "jobid;cluster"
submit() {
    local id
    id=$(sbatch --parsable "$@")
    printf '%s' "${id%%;*}"
}

finetune=$(submit --array="0-$((M - 1))" "$here/finetune-array.sh")
merge=$(submit --dependency="afterok:$finetune" --kill-on-invalid-dep=yes "$here/merge.sh")
compare=$(submit --dependency="afterok:$merge" --kill-on-invalid-dep=yes "$here/compare.sh")
echo "finetune: job $finetune (array 0-$((M - 1)), one GPU per member)"
echo "merge:    job $merge (after every finetune task succeeded)"
echo "compare:  job $compare (after the merge succeeded)"
echo "watch: squeue -j $finetune,$merge,$compare   results: $RUN/compare"
