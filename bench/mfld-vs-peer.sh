#!/usr/bin/env bash
# The issue-9 speed protocol: our batched MFLD step (`bench ensemble`, multi-index, M = 20, N = 500) against the
# PyTorch peer (`torch_mfld.py --manual`, 2 threads) in alternated runs on one machine, so that a load that drifts
# slows both alike. Several jars (e.g. builds of successive commits) are alternated too, to show each change's
# effect. Prints one line per run and the medians: of the steady rate (after bench's --warmup-steps) and, for builds
# that report it, of the cold rate (the first 100 steps in the JVM, before the JIT has compiled the step).
#
#   bench/mfld-vs-peer.sh [ROUNDS] [JAR ...]        (default: 3 rounds, target/pocmerge.jar)
#   PEER=../shared/bench/torch_mfld.py PYTHON=/usr/bin/python3   (the peer needs Debian's python3-torch)
set -euo pipefail
rounds=${1:-3}
shift || true
jars=("$@")
if [ ${#jars[@]} -eq 0 ]; then
    jars=(target/pocmerge.jar)
fi
peer=${PEER:-../shared/bench/torch_mfld.py}
py=${PYTHON:-/usr/bin/python3}
for f in "$peer" "${jars[@]}"; do
    [ -f "$f" ] || { echo "error: $f: not found" >&2; exit 2; }
done
"$py" -c 'import torch' 2>/dev/null || { echo "error: $py has no torch (apt-get install python3-torch libopenblas0-openmp)" >&2; exit 2; }

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((r = 1; r <= rounds; r++)); do
    rate=$("$py" "$peer" --task multiindex --M 20 --N 500 --steps 100 --manual --threads 2 --json \
        | sed -n 's/^RESULT //p' | "$py" -c 'import json,sys; print(json.load(sys.stdin)["steps_per_s"])')
    echo "round $r  peer      $rate steps/s"
    echo "peer $rate" >> "$results"
    for jar in "${jars[@]}"; do
        rates=$(java -jar "$jar" bench ensemble --task multiindex --M 20 --N 500 --steps 100 --autograd-steps 2 \
            --sequential-steps 2 --json 2>/dev/null \
            | "$py" -c 'import json,sys; o=json.load(sys.stdin); print(o["batched_steps_per_s"], o.get("batched_cold_steps_per_s", "-"))')
        read -r rate cold <<< "$rates"
        echo "round $r  $jar  $rate steps/s (cold, the JVM's first 100 steps: $cold)"
        echo "$jar $rate" >> "$results"
        if [ "$cold" != "-" ]; then
            echo "$jar(cold) $cold" >> "$results"
        fi
    done
done
"$py" - "$results" <<'PY'
import statistics, sys
rates = {}
for line in open(sys.argv[1]):
    name, rate = line.split()
    rates.setdefault(name, []).append(float(rate))
peer = statistics.median(rates.pop("peer"))
print("median  peer  %.2f steps/s" % peer)
for name, rs in rates.items():
    m = statistics.median(rs)
    print("median  %s  %.2f steps/s  = %.2fx the peer (runs %s)" % (name, m, m / peer, " ".join("%.1f" % x for x in rs)))
PY
