#!/usr/bin/env bash
# Device side of the GPU check, for a CUDA machine with python3 + torch (+ transformers, peft) but no JDK and no
# network: unpacks the bundle from docker/pack-gpu-check.sh and checks, step by step, what works:
#   python  HF transformers/PEFT logits vs ours on the tiny model, and the PEFT anchor (needs no JVM: runs first)
#   jni     whether DJL's prebuilt cu128 JNI (built for libtorch 2.7.1) resolves against this machine's torch
#   engine  pocmerge starting on the GPU with it; with --build-jni, if it does not, DJL's JNI compiled here
#           against this torch (g++ only: the CUDA-specific JNI calls are left out, CUDA ops still dispatch)
#   ensemble --device gpu vs --device cpu (lambda 0: no noise, so both must agree), tiny finetune on the GPU,
#           bench ensemble / bench lora
# Each step prints [worked] / [failed] / [missing] / [skipped] with the reason; the report (summary.txt and
# each step's output) goes to $OUT/gpu-check when $OUT is set (the device tool brings it back), else to
# target/gpu-check/report. The whole run stays under ~9 minutes (GPU_CHECK_BUDGET_S, default 540).
#
#   bash docker/gpu-check.sh [--build-jni] [--skip-anchor] [BUNDLE.tar.xz]
# Settings (environment): GPU_CHECK_TORCH_LIB (default: python3's torch/lib), GPU_CHECK_DEVICE (gpu), and
# GPU_CHECK_JNI_VERSION / GPU_CHECK_JNI_FLAVOR for the prebuilt JNI (2.7.1 / cu128). With
# GPU_CHECK_TORCH_LIB=<a libtorch CPU lib/> GPU_CHECK_JNI_FLAVOR=cpu GPU_CHECK_DEVICE=cpu the JVM steps run on a
# machine without a GPU, which is how this script is tested where no GPU is.
set -uo pipefail # no -e: a step that fails is reported and the next one runs

repo=$(cd "$(dirname "$0")/.." && pwd)
build_jni=0
skip_anchor=()
bundle_tar="$repo/target/gpu-check/pocmerge-gpu-check.tar.xz"
for arg in "$@"; do
    case "$arg" in
        --build-jni) build_jni=1 ;;
        --skip-anchor) skip_anchor=(--skip-anchor) ;;
        -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
        *) bundle_tar="$arg" ;;
    esac
done
report=${OUT:+$OUT/gpu-check}
report=${report:-$repo/target/gpu-check/report}
work=${GPU_CHECK_WORK:-${TMPDIR:-/tmp}/pocmerge-gpu-check}
budget=${GPU_CHECK_BUDGET_S:-540}
device=${GPU_CHECK_DEVICE:-gpu}
mkdir -p "$report"
: >"$report/summary.txt"
failures=0
start=$SECONDS

# record STATUS STEP DETAIL: one line on stdout and in summary.txt
record() {
    local line
    line=$(printf '[%s] %s: %s' "$1" "$2" "$3")
    echo "$line"
    echo "$line" >>"$report/summary.txt"
    if [ "$1" = failed ]; then
        failures=$((failures + 1))
    fi
}
# the seconds a step may take: its own limit, or what is left of the budget
limit() {
    local left=$((budget - (SECONDS - start)))
    if [ "$left" -lt "$1" ]; then echo "$left"; else echo "$1"; fi
}
# run_step NAME SECONDS CMD...: output to $report/NAME.{out,err}; returns the command's exit code (124: timeout)
run_step() {
    local name=$1 secs
    secs=$(limit "$2")
    shift 2
    if [ "$secs" -le 5 ]; then
        echo "out of time budget" >"$report/$name.err"
        return 124
    fi
    timeout --kill-after=10 "$secs" "$@" >"$report/$name.out" 2>"$report/$name.err"
}
# the line of a step's stderr that says why it failed
why() {
    local line
    local pattern line=""
    # the most specific first: a linker message beats pocmerge's summary line, which beats any exception
    for pattern in 'UnsatisfiedLinkError|undefined symbol|symbol lookup error|cannot open shared object' \
        '^error:' 'Exception|Error'; do
        line=$(grep -m 1 -E "$pattern" "$report/$1.err" 2>/dev/null) && break
    done
    if [ -z "$line" ]; then
        line=$(tail -n 1 "$report/$1.err" 2>/dev/null)
    fi
    echo "${line:0:300}"
}

# ---- the machine
if command -v nvidia-smi >/dev/null 2>&1; then
    record worked machine "$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 \
        | tr '\n' ';') $(nproc) CPUs"
else
    record missing machine "no nvidia-smi; $(nproc) CPUs"
fi

# ---- python's torch: where its libraries and headers are
torch_lib=${GPU_CHECK_TORCH_LIB:-}
torch_version="" torch_flavor="" torch_abi="" torch_includes=""
if info=$(python3 - 2>"$report/torch.err" <<'PY'
import os, torch
from torch.utils import cpp_extension
print("torch_version=" + torch.__version__.split("+")[0])
print("torch_flavor=" + ("cu" + torch.version.cuda.replace(".", "") if torch.version.cuda else "cpu"))
print("torch_cuda=" + str(torch.cuda.is_available()))
print("torch_lib=" + os.path.join(os.path.dirname(torch.__file__), "lib"))
print("torch_abi=" + str(int(torch._C._GLIBCXX_USE_CXX11_ABI)))
print("torch_includes=" + ":".join(cpp_extension.include_paths()))
PY
); then
    while IFS='=' read -r key value; do
        case "$key" in
            torch_version) torch_version=$value ;;
            torch_flavor) torch_flavor=$value ;;
            torch_lib) torch_lib=${GPU_CHECK_TORCH_LIB:-$value} ;;
            torch_abi) torch_abi=$value ;;
            torch_includes) torch_includes=$value ;;
            torch_cuda) torch_cuda=$value ;;
        esac
    done <<<"$info"
    record worked "python torch" "torch $torch_version ($torch_flavor, cuda available: ${torch_cuda:-?}), lib $torch_lib"
else
    record missing "python torch" "python3 cannot import torch: $(tail -n 1 "$report/torch.err")"
fi

# ---- the bundle
if [ ! -f "$bundle_tar" ]; then
    record missing bundle "$bundle_tar not found: run docker/pack-gpu-check.sh on a machine with a JDK and carry it"
    exit 1
fi
rm -rf "$work" && mkdir -p "$work"
if run_step unpack 60 tar -C "$work" -xJf "$bundle_tar"; then
    record worked bundle "$(tr '\n' ' ' <"$work/MANIFEST.txt")"
else
    record failed bundle "cannot unpack $bundle_tar: $(why unpack)"
    exit 1
fi

# ---- python part first: it needs no JVM, so it reports even if everything below fails
if run_step python 300 python3 "$repo/docker/gpu_check.py" --bundle "$work" --out "$report" "${skip_anchor[@]}"; then
    worked=$(grep -c '^\[worked\]' "$report/python.out")
    record "$([ "$worked" -gt 0 ] && echo worked || echo missing)" python \
        "$worked steps worked, $(grep -c -v '^\[worked\]' "$report/python.out") did not (lines below, python.out)"
else
    record failed python "exit $? (see python.out / python.err): $(grep -v '^\[worked\]' "$report/python.out" \
        | tr '\n' ' ' | cut -c1-300)"
fi
sed 's/^/    /' "$report/python.out"

# ---- the Java runtime
java=("$work/jre/bin/java" -Dai.djl.offline=true)
if run_step jre 30 "${java[@]}" -version; then
    record worked jre "$(head -n 1 "$report/jre.err")"
else
    record failed jre "the bundled JRE does not start: $(why jre)"
    exit 1
fi

# DJL counts GPUs through libcudart (JNA looks for libcudart.so, which pip's CUDA wheels ship only as .so.NN)
# (pip wheels: site-packages/nvidia/<package>/lib next to site-packages/torch/lib)
cudart=$(find "$torch_lib" "$torch_lib/../../nvidia" /usr/local/cuda/lib64 -maxdepth 4 -name 'libcudart.so*' \
    2>/dev/null | sort | tail -n 1)
mkdir -p "$work/cudart"
if [ -n "$cudart" ]; then
    ln -sf "$cudart" "$work/cudart/libcudart.so"
    record worked cudart "$cudart"
else
    record missing cudart "no libcudart.so* near $torch_lib: DJL will count 0 GPUs"
fi
java+=("-Djna.library.path=$work/cudart")
export OPT_OUT_TRACKING=true MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 \
    MALLOC_TOP_PAD_=67108864 ENGINE_CACHE_DIR="$work/djl-cache" DJL_CACHE_DIR="$work/djl-cache"
export PYTORCH_LIBRARY_PATH="$torch_lib" LD_LIBRARY_PATH="$work/cudart:$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# a command, not a function, so that `timeout` can run it: the image's ENTRYPOINT with the bundled JRE
mkdir -p "$work/bin"
{
    echo '#!/usr/bin/env bash'
    printf 'exec'
    printf ' %q' "${java[@]}" -jar "$work/app/pocmerge.jar"
    printf ' "$@"\n'
} >"$work/bin/pocmerge"
chmod +x "$work/bin/pocmerge"
export PATH="$work/bin:$PATH"
has_command() {
    local usage
    usage=$(pocmerge "$@" --help 2>/dev/null) || return 1
    [[ $usage == "Usage: pocmerge $*"* ]]
}

# ---- 1. does the prebuilt JNI resolve against this torch? (ldd -r lists what the dynamic linker cannot bind)
jni_version=${GPU_CHECK_JNI_VERSION:-2.7.1}
jni_flavor=${GPU_CHECK_JNI_FLAVOR:-cu128}
jni_so="$work/jni-$jni_flavor/libdjl_torch.so"
python3 - "$work/app/lib" "$jni_flavor" "$jni_so" <<'PY' 2>"$report/jni-extract.err"
import glob, os, sys, zipfile
lib, flavor, out = sys.argv[1:]
jar = glob.glob(os.path.join(lib, "pytorch-jni-*.jar"))[0]
os.makedirs(os.path.dirname(out), exist_ok=True)
with zipfile.ZipFile(jar) as z, open(out, "wb") as f:
    f.write(z.read(f"jnilib/linux-x86_64/{flavor}/libdjl_torch.so"))
PY
if [ -f "$jni_so" ] && { run_step jni-symbols 60 ldd -r "$jni_so"; [ -s "$report/jni-symbols.out" ]; }; then
    missing_libs=$(grep -c 'not found' "$report/jni-symbols.out")
    undefined=$(grep -c 'undefined symbol' "$report/jni-symbols.err")
    if [ "$missing_libs" -eq 0 ] && [ "$undefined" -eq 0 ]; then
        record worked "jni symbols" "DJL's $jni_flavor JNI (libtorch $jni_version) binds every symbol against $torch_lib"
    else
        first=$( (grep 'not found' "$report/jni-symbols.out" | awk '{print $1}'
            grep -m 3 'undefined symbol' "$report/jni-symbols.err" | sed 's/.*undefined symbol: \([^ ]*\).*/\1/' \
                | { c++filt 2>/dev/null || cat; }) | tr '\n' ';')
        record failed "jni symbols" "DJL's $jni_flavor JNI (libtorch $jni_version) against $torch_lib: $missing_libs \
missing libraries, $undefined undefined symbols (jni-symbols.err), e.g. ${first:0:300}"
    fi
else
    record missing "jni symbols" "could not extract or ldd the $jni_flavor JNI: $(cat "$report/jni-extract.err" "$report/jni-symbols.err" 2>/dev/null | tail -n 1)"
fi

# ---- 2. does the engine start with it? (a lazy binding may still work if no missing symbol is ever called)
engine_ok=0
probe_engine() { # NAME: run a 2-step ensemble on $device, worked if it reports that device
    # --debug: the stack trace names the library or symbol that did not load
    if run_step "$1" 120 pocmerge ensemble --device "$device" --M 2 --N 20 --steps 2 --json --debug \
        --out "$work/runs/$1" \
        && grep -q '"device"' "$report/$1.out"; then
        record worked "$1" "pocmerge runs on $(sed -n 's/.*"device":"\([^"]*\)".*/\1/p' "$report/$1.out") \
(PYTORCH_VERSION=$PYTORCH_VERSION PYTORCH_FLAVOR=$PYTORCH_FLAVOR)"
        engine_ok=1
    else
        record failed "$1" "$(why "$1")"
    fi
}
export PYTORCH_VERSION="$jni_version" PYTORCH_FLAVOR="$jni_flavor"
probe_engine "engine prebuilt-jni"

# ---- 3. fallback: DJL's JNI compiled against this torch (engines/pytorch/pytorch-native of DJL's source)
build_djl_jni() {
    local src="$work/djl-jni-src" obj="$work/jni-build" std f base
    if [ ! -d "$src" ]; then
        record missing "build jni" "the bundle has no djl-jni-src/ (pack with DJL_GIT=... or DJL_SRC=...)"
        return 1
    fi
    if ! command -v g++ >/dev/null 2>&1; then
        record missing "build jni" "no g++ on this machine"
        return 1
    fi
    if [ -z "$torch_includes" ]; then
        record missing "build jni" "no torch headers (torch.utils.cpp_extension.include_paths())"
        return 1
    fi
    mkdir -p "$obj"
    local -a inc=(-I"$src/include" -I"$src/src")
    IFS=':' read -r -a dirs <<<"$torch_includes"
    for f in "${dirs[@]}"; do inc+=(-I"$f"); done
    # No USE_CUDA: that would need CUDA's headers for two optional calls (emptyCache, a side stream);
    # CUDA tensors go through libtorch's dispatcher either way.
    local -a flags=(-O2 -fPIC -w -D_GLIBCXX_USE_CXX11_ABI="$torch_abi" "${inc[@]}")
    local -a files=("$src"/src/*.cc)
    std=""
    for try in c++17 c++20; do # newer torch may require C++20: find out on the first file
        if g++ -std="$try" "${flags[@]}" -c "${files[0]}" -o "$obj/first.o" 2>"$obj/first-$try.log"; then
            std=$try
            break
        fi
    done
    if [ -z "$std" ]; then
        cp "$obj/first-c++20.log" "$report/build-jni.err"
        record failed "build jni" "${files[0]##*/} does not compile against torch $torch_version: $(grep -m 1 'error' "$obj/first-c++20.log")"
        return 1
    fi
    for f in "${files[@]}"; do
        base=$(basename "$f" .cc)
        g++ -std="$std" "${flags[@]}" -c "$f" -o "$obj/$base.o" 2>"$obj/$base.log" &
        while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n; done
    done
    wait
    local failed_files=()
    for f in "${files[@]}"; do
        base=$(basename "$f" .cc)
        [ -f "$obj/$base.o" ] || failed_files+=("$base")
    done
    if [ "${#failed_files[@]}" -gt 0 ]; then
        cat "$obj/${failed_files[0]}.log" >"$report/build-jni.err"
        record failed "build jni" "${#failed_files[@]} files do not compile (${failed_files[*]}): \
$(grep -m 1 'error' "$obj/${failed_files[0]}.log")"
        return 1
    fi
    rm -f "$obj/first.o"
    # installed where DJL looks first for the JNI of PYTORCH_VERSION-PYTORCH_FLAVOR: its cache folder
    local djl_version dest
    djl_version=$(cat "$src/DJL_VERSION")
    dest="$ENGINE_CACHE_DIR/pytorch/$torch_version-$torch_flavor-linux-x86_64"
    mkdir -p "$dest"
    if ! g++ -shared -o "$dest/$djl_version-libdjl_torch.so" "$obj"/*.o -L"$torch_lib" -Wl,-rpath,"$torch_lib" \
        -ltorch -ltorch_cpu -lc10 2>"$report/build-jni.err"; then
        record failed "build jni" "link: $(grep -m 1 -i 'error\|undefined' "$report/build-jni.err")"
        return 1
    fi
    record worked "build jni" "DJL $djl_version JNI compiled against torch $torch_version ($std, ABI $torch_abi) -> $dest"
}
if [ "$engine_ok" -eq 0 ]; then
    if [ "$build_jni" -eq 1 ]; then
        if [ "$(limit 240)" -lt 240 ]; then
            record skipped "build jni" "less than 4 minutes of the budget left"
        elif build_djl_jni; then
            export PYTORCH_VERSION="$torch_version" PYTORCH_FLAVOR="$torch_flavor"
            probe_engine "engine built-jni"
        fi
    else
        record skipped "build jni" "the prebuilt JNI does not run here; rerun with --build-jni to compile DJL's JNI \
against this torch (needs g++ and the bundle's djl-jni-src/)"
    fi
fi

# ---- 4. the checks proper, with whatever engine works
compare_ensembles() { # A.json B.json TOL: prints the largest relative difference; fails above TOL
    python3 - "$@" <<'PY'
import json, sys
a, b, tol = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), float(sys.argv[3])
pairs = [(f"merged.{k}", a["merged"][k], b["merged"][k]) for k in a["merged"] if k in b["merged"]]
for i, (ma, mb) in enumerate(zip(a["members"], b["members"])):
    pairs += [(f"members[{i}].{k}", ma[k], mb[k]) for k in ma if k in mb]
worst = max(pairs, key=lambda p: abs(p[1] - p[2]) / max(abs(p[2]), 1e-12))
rel = abs(worst[1] - worst[2]) / max(abs(worst[2]), 1e-12)
print(f"{len(pairs)} numbers, largest relative difference {rel:.2e} at {worst[0]} ({worst[1]} vs {worst[2]})")
sys.exit(0 if rel <= tol else 1)
PY
}
if [ "$engine_ok" -eq 1 ]; then
    ens=(ensemble --lambda 0 --steps 50 --json --seed 0)
    if run_step ensemble-gpu 120 pocmerge "${ens[@]}" --device "$device" --out "$work/runs/ens-gpu" \
        && run_step ensemble-cpu 120 pocmerge "${ens[@]}" --device cpu --out "$work/runs/ens-cpu"; then
        if msg=$(compare_ensembles "$report/ensemble-gpu.out" "$report/ensemble-cpu.out" 1e-3); then
            record worked "ensemble $device vs cpu (lambda 0)" "$msg; tolerance 1e-3"
        else
            record failed "ensemble $device vs cpu (lambda 0)" "$msg; tolerance 1e-3"
        fi
        status=worked
        msg=$(compare_ensembles "$report/ensemble-cpu.out" "$work/reference/ensemble-lambda0-cpu.json" 1e-3) \
            || status=failed
        record "$status" "ensemble cpu here vs cpu at pack time (libtorch 2.7.1)" "$msg; tolerance 1e-3"
    else
        record failed "ensemble $device vs cpu (lambda 0)" "$(why ensemble-gpu) $(why ensemble-cpu)"
    fi
    if run_step ensemble-paper 120 pocmerge ensemble --device "$device" --json --out "$work/runs/ens-paper"; then
        record worked "ensemble $device (paper defaults, with noise)" "$(python3 - "$report/ensemble-paper.out" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
print(f"{o['seconds']:.2f} s for {o['steps']} steps of M={o['M']} x N={o['N']}, merged test_loss {o['merged']['test_loss']:.4f}")
PY
)"
    else
        record failed "ensemble $device (paper defaults, with noise)" "$(why ensemble-paper)"
    fi

    if has_command finetune && [ -f "$work/tiny-data.json" ]; then
        if run_step finetune-gpu 150 pocmerge finetune --model "$work/tiny-llama" --data "$work/tiny-data.json" \
            --M 2 --rank 4 --max-steps 20 --cutoff-len 64 --val-set-size 8 --device "$device" --json \
            --out "$work/runs/ft-gpu"; then
            record worked "finetune $device (tiny, M 2, r 4)" "$(tail -c 300 "$report/finetune-gpu.out")"
        else
            record failed "finetune $device (tiny, M 2, r 4)" "$(why finetune-gpu)"
        fi
    else
        record skipped "finetune $device (tiny)" "this jar has no finetune command, or the bundle no tiny-data.json"
    fi

    if run_step bench-ensemble 180 pocmerge bench ensemble --device "$device" --task multiindex --M 20 --N 500 --json; then
        record worked "bench ensemble" "$(tail -c 600 "$report/bench-ensemble.out")"
    else
        record failed "bench ensemble" "$(why bench-ensemble)"
    fi
    if has_command bench lora; then
        if run_step bench-lora 180 pocmerge bench lora --device "$device" --json; then
            record worked "bench lora" "$(tail -c 600 "$report/bench-lora.out")"
        else
            record failed "bench lora" "$(why bench-lora)"
        fi
    else
        record skipped "bench lora" "this jar has no 'bench lora' command yet"
    fi
else
    for step in "ensemble $device vs cpu" "finetune $device" "bench ensemble" "bench lora"; do
        record skipped "$step" "no JNI that runs with this torch (see the jni and engine steps above)"
    done
fi

echo
echo "gpu-check: $((SECONDS - start)) s, $failures failed; report in $report (summary.txt)"
[ "$failures" -eq 0 ]
