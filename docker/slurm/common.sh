# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables are used by the scripts that source this file
# Settings shared by the Slurm scripts (sourced, not run). Each can be overridden in the environment of sbatch or
# submit.sh: sbatch passes the submitting shell's environment to the job by default.
# Relative paths are relative to the job's working directory, the folder sbatch was run from (submit from the
# repository root, next to models/, datasets/ and runs/, or give absolute paths).

M=${M:-8}                      # members of the ensemble = array tasks 0..M-1
RANK=${RANK:-32}
MODEL=${MODEL:-models/llama-2-7b}
DATA=${DATA:-datasets/commonsense_170k.json}
TEST_DATA=${TEST_DATA:-datasets/commonsense}
RUN=${RUN:-runs/ft}            # member m trains into $RUN/member-m, the merge goes to $RUN/merged
SAVE_STEPS=${SAVE_STEPS:-200}  # checkpoint interval: the most steps a preempted task loses

# The Docker image's ENTRYPOINT, run from a checkout built with `mvn -Pcuda -DskipTests package` (then point DJL
# at libtorch 2.7.1+cu128: PYTORCH_LIBRARY_PATH, PYTORCH_VERSION=2.7.1, PYTORCH_FLAVOR=cu128), or the image
# itself through Apptainer: POCMERGE="apptainer run --nv pocmerge_cuda.sif" (words split on spaces).
POCMERGE_SLURM_DIR=${POCMERGE_SLURM_DIR:-docker/slurm}
POCMERGE_JAR=${POCMERGE_JAR:-$POCMERGE_SLURM_DIR/../../target/pocmerge.jar}
export POCMERGE=${POCMERGE:-java -Dai.djl.offline=true -jar $POCMERGE_JAR}
read -r -a POCMERGE_CMD <<< "$POCMERGE"
# --out on a member's first start, --resume once its folder holds the run (reads POCMERGE)
RESUME_OR_START="$POCMERGE_SLURM_DIR/../resume-or-start.sh"

# The same environment as the image (docker/Dockerfile ENV): no tracking probe, and glibc keeps freed memory
# mapped instead of page-faulting fresh arrays every step (README, Speed).
export OPT_OUT_TRACKING=true \
    MALLOC_MMAP_THRESHOLD_=33554432 \
    MALLOC_TRIM_THRESHOLD_=1073741824 \
    MALLOC_TOP_PAD_=67108864

# The adapters folders of all M members, one per line.
member_adapters() {
    local m
    for ((m = 0; m < M; m++)); do
        printf '%s/member-%d/adapters\n' "$RUN" "$m"
    done
}
