#!/bin/sh
# resume-or-start RUN_DIR COMMAND [OPTIONS...]: runs `pocmerge COMMAND OPTIONS --out RUN_DIR` the first time and
# `pocmerge COMMAND OPTIONS --resume RUN_DIR` once RUN_DIR holds a run (its config.json, written at the start).
# One command line for a first start and for a pod or array task restarted after preemption: finetune refuses
# --resume on a folder with no run yet, and --out on a folder that has one.
#   resume-or-start runs/ft/member-3 finetune --model models/llama-2-7b --data ... --members 3
# In the images this is /opt/pocmerge/bin/resume-or-start; POCMERGE overrides the command that runs pocmerge
# (default: the images' ENTRYPOINT).
set -eu
if [ "$#" -lt 2 ]; then
    echo "usage: resume-or-start RUN_DIR COMMAND [OPTIONS...]" >&2
    exit 2
fi
dir=$1
shift
if [ -f "$dir/config.json" ]; then
    set -- "$@" --resume "$dir"
else
    set -- "$@" --out "$dir"
fi
# shellcheck disable=SC2086  # POCMERGE is a command line: its words are meant to be split
exec ${POCMERGE:-java -Dai.djl.offline=true -jar /opt/pocmerge/pocmerge.jar} "$@"
