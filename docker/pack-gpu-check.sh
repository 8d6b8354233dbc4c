#!/usr/bin/env bash
# Host side of the GPU check: packs what docker/gpu-check.sh needs on a GPU machine that has python3 with torch,
# transformers and peft but no JDK and no network, into one .tar.xz that must stay under the 64 MiB that travel
# with a call (together with the repository's own files):
#   jre/              jlink'ed Java 17 runtime (the modules pocmerge uses, compressed, no debug info)
#   app/              the thin jar built with -Pcuda + its libraries, without pytorch-native-cpu, and with the
#                     tokenizers and pytorch-jni jars cut to their linux-x86_64 natives
#   tiny-llama/ ...   a tiny checkpoint, an adapter and our logits for gpu_check.py to compare with HF PEFT
#   reference/        our CPU results here (libtorch 2.7.1), to compare with the GPU machine's
#   djl-jni-src/      DJL's JNI sources + generated header, only if DJL_SRC or DJL_GIT is given (the fallback
#                     build of gpu-check.sh --build-jni)
#
#   docker/pack-gpu-check.sh                  # -> target/gpu-check/pocmerge-gpu-check.tar.xz
#   DJL_GIT=/path/to/djl/.git docker/pack-gpu-check.sh   # also bundle DJL's JNI sources (tag v$DJL_VERSION)
#   DJL_SRC=/path/to/djl-checkout docker/pack-gpu-check.sh
# Needs: JDK 17 (java, javac, jlink), mvn, python3 (to rewrite jars), tar, xz, unzip. Builds in a copy of pom.xml
# and src/ under target/gpu-check/, so the checkout's own target/ is left as it was.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work="$repo/target/gpu-check"
bundle="$work/bundle"
out="$work/pocmerge-gpu-check.tar.xz"
limit_mib=${GPU_CHECK_LIMIT_MIB:-60}   # 64 MiB per call, less the repository (~1-2 MiB) and some margin
modules=${GPU_CHECK_JRE_MODULES:-java.base,java.logging,java.management,java.naming,java.xml,jdk.unsupported}

say() { printf '[pack] %s\n' "$*"; }
die() { printf '[pack] error: %s\n' "$*" >&2; exit 1; }

for tool in java javac jlink mvn python3 tar xz unzip; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (see the header of this script)"
done
djl_version=$(sed -n 's:.*<djl.version>\(.*\)</djl.version>.*:\1:p' "$repo/pom.xml")
torch_version=$(sed -n 's:.*<pytorch.version>\(.*\)</pytorch.version>.*:\1:p' "$repo/pom.xml")
if [ -z "$djl_version" ] || [ -z "$torch_version" ]; then
    die "cannot read djl.version / pytorch.version from pom.xml"
fi

rm -rf "$work"
mkdir -p "$work/src" "$bundle/app" "$bundle/reference"
cp -r "$repo/pom.xml" "$repo/src" "$work/src/"

# 1. CPU build: the tool that writes the tiny checkpoint, adapter and logits here.
say "building (cpu profile) in $work/src"
(cd "$work/src" && mvn -B -q -DskipTests package)
cpu_jar=("java" "-Dai.djl.offline=true" "-jar" "$work/src/target/pocmerge.jar")
# `pocmerge <unknown> --help` prints the top-level usage and exits 0: look for the command's own usage line
has_command() {
    local usage
    usage=$("${cpu_jar[@]}" "$@" --help 2>/dev/null) || return 1
    [[ $usage == "Usage: pocmerge $*"* ]]
}

say "tiny checkpoint and our logits"
"${cpu_jar[@]}" tiny-llama --out "$bundle/tiny-llama" >/dev/null
prompt="Below is an instruction that describes a task. Write a response that appropriately completes the request."
"${cpu_jar[@]}" generate --model "$bundle/tiny-llama" --prompt "$prompt" --dump-logits "$bundle/logits-base.json" \
    --device cpu >/dev/null
python3 -c 'import json, sys; json.dump({"prompt": sys.argv[1]}, open(sys.argv[2], "w"))' \
    "$prompt" "$bundle/logits-base.meta.json"

if has_command finetune; then
    say "tiny LoRA ensemble (finetune) for the PEFT comparison"
    # 200 rows in LLM-Adapters' format: enough for the default validation split (120) and a few steps
    python3 - "$bundle/tiny-data.json" <<'PY'
import json, sys
rows = [{"instruction": f"Which is larger, {a} or {b}?", "input": "", "output": f"the correct answer is {max(a, b)}"}
        for a, b in ((i % 17, (7 * i) % 23) for i in range(200))]
json.dump(rows, open(sys.argv[1], "w"), indent=0)
PY
    # a few steps at a high rate without warmup, so that B moves well away from its zero start and the adapter
    # changes the logits visibly (a near-zero delta would compare the base twice)
    if "${cpu_jar[@]}" finetune --model "$bundle/tiny-llama" --data "$bundle/tiny-data.json" --M 2 --rank 4 \
        --max-steps 6 --warmup-steps 1 --lr 1e-2 --cutoff-len 64 --val-set-size 8 \
        --out "$work/ft" --device cpu >"$work/finetune.log" 2>&1; then
        cp -r "$work/ft/adapters/adapter-0" "$bundle/adapter"
        if "${cpu_jar[@]}" generate --model "$bundle/tiny-llama" --adapter "$bundle/adapter" --prompt "$prompt" \
            --dump-logits "$bundle/logits-adapter.json" --device cpu >/dev/null 2>"$work/generate-adapter.log"; then
            say "adapter logits written"
        else
            say "SKIPPED adapter logits: generate --adapter failed ($(tail -n 1 "$work/generate-adapter.log"))"
        fi
    else
        say "SKIPPED tiny finetune: it failed ($(tail -n 1 "$work/finetune.log")); the bundle has no adapter"
    fi
else
    say "SKIPPED tiny finetune and adapter logits: this build has no 'finetune' command yet"
fi

say "CPU reference (libtorch $torch_version) for the GPU machine's ensemble runs"
# lambda 0: no Langevin noise, so CPU and GPU start from the same Java-drawn particles and must agree
"${cpu_jar[@]}" ensemble --lambda 0 --steps 50 --json --device cpu --out "$work/ens-ref" \
    >"$bundle/reference/ensemble-lambda0-cpu.json"

# 2. The -Pcuda build: same classes, a manifest without pytorch-native-cpu. The jar plugin keeps a jar that is
# newer than the classes, manifest and all: remove it, and lib/, so both are made for this profile.
say "building (cuda profile)"
rm -rf "$work/src/target/pocmerge.jar" "$work/src/target/lib"
(cd "$work/src" && mvn -B -q -Pcuda -DskipTests package)
cp "$work/src/target/pocmerge.jar" "$bundle/app/"
mkdir -p "$bundle/app/lib"
for jar in "$work/src/target/lib/"*.jar; do
    case "$(basename "$jar")" in
        pytorch-native-cpu-*) die "pytorch-native-cpu in a -Pcuda build's lib/: DJL would pick it on a GPU" ;;
        *) cp "$jar" "$bundle/app/lib/" ;;
    esac
done
# The manifest must not ask for the CPU natives (it would if the cuda profile were not active)
if unzip -p "$bundle/app/pocmerge.jar" META-INF/MANIFEST.MF | tr -d '\r\n ' | grep -q pytorch-native-cpu; then
    die "the -Pcuda jar's Class-Path names pytorch-native-cpu"
fi

# Keep only linux-x86_64 natives in the two jars that carry four platforms (tokenizers: 18.7 MB -> ~6 MB)
say "cutting tokenizers and pytorch-jni to linux-x86_64"
python3 - "$bundle/app/lib/tokenizers-$djl_version.jar" "$bundle/app/lib/pytorch-jni-$torch_version-$djl_version.jar" <<'PY'
import os, sys, zipfile
for path in sys.argv[1:]:
    tmp = path + ".tmp"
    kept = dropped = 0
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            parts = info.filename.split("/")
            # native/lib/<platform>/... (tokenizers) and jnilib/<platform>/... (pytorch-jni)
            platform = parts[2] if parts[:2] == ["native", "lib"] and len(parts) > 3 else \
                parts[1] if parts[0] == "jnilib" and len(parts) > 2 else None
            if platform is not None and platform != "linux-x86_64":
                dropped += 1
                continue
            dst.writestr(info, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
            kept += 1
    os.replace(tmp, path)
    print(f"[pack]   {os.path.basename(path)}: kept {kept} entries, dropped {dropped}, now {os.path.getsize(path) / 1e6:.1f} MB")
PY

# 3. The Java runtime: only the modules pocmerge needs (add java.desktop with GPU_CHECK_JRE_MODULES for plots)
say "jlink ($modules)"
jlink --add-modules "$modules" --compress=2 --strip-debug --no-header-files --no-man-pages --output "$bundle/jre"
"$bundle/jre/bin/java" -cp "$bundle/app/pocmerge.jar" -version 2>/dev/null || die "the jlink'ed java does not start"

# 4. Optional: DJL's JNI sources for the fallback build on the GPU machine (its torch, its compiler)
jni="$bundle/djl-jni-src"
djl_tree=""
if [ -n "${DJL_SRC:-}" ]; then
    djl_tree="$DJL_SRC"
elif [ -n "${DJL_GIT:-}" ]; then
    djl_tree="$work/djl"
    mkdir -p "$djl_tree"
    git --git-dir "$DJL_GIT" archive "${DJL_REF:-v$djl_version}" engines/pytorch/pytorch-native/src/main/native \
        api/src/main/native engines/pytorch/pytorch-engine/src/main/java | tar -x -C "$djl_tree"
fi
if [ -n "$djl_tree" ]; then
    say "DJL JNI sources from $djl_tree"
    mkdir -p "$jni/src" "$jni/include/djl"
    cp "$djl_tree"/engines/pytorch/pytorch-native/src/main/native/*.cc \
        "$djl_tree"/engines/pytorch/pytorch-native/src/main/native/*.h "$jni/src/"
    cp "$djl_tree/api/src/main/native/djl/utils.h" "$jni/include/djl/"
    # the JNI header javac generates from PyTorchLibrary.java (the GPU machine has no javac)
    javac -nowarn -proc:none -cp "$work/src/target/lib/*" -d "$work/jni-classes" -h "$jni/include" \
        -sourcepath "$djl_tree/engines/pytorch/pytorch-engine/src/main/java" \
        "$djl_tree/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
    java_home=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
    cp "$java_home/include/jni.h" "$java_home/include/linux/jni_md.h" "$jni/include/"
    echo "$djl_version" >"$jni/DJL_VERSION"
else
    say "SKIPPED DJL JNI sources: set DJL_SRC (a checkout) or DJL_GIT (a git dir with tag v$djl_version);" \
        "gpu-check.sh --build-jni will say it has nothing to build"
fi

{
    echo "pocmerge GPU check bundle"
    echo "git: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "djl: $djl_version  jni built for libtorch: $torch_version (cpu, cu128)"
    echo "jre modules: $modules"
    echo "adapter: $([ -d "$bundle/adapter" ] && echo yes || echo no)  djl-jni-src: $([ -d "$jni" ] && echo yes || echo no)"
} >"$bundle/MANIFEST.txt"

say "compressing"
XZ_OPT="-6 -T0" tar -C "$bundle" -cJf "$out" .
size=$(stat -c %s "$out")
say "$out: $((size / 1024 / 1024)) MiB ($size bytes); parts before compression:"
du -sh "$bundle"/* | sed 's/^/[pack]   /'
if [ "$size" -ge $((limit_mib * 1024 * 1024)) ]; then
    die "the bundle is over $limit_mib MiB: leave out more (GPU_CHECK_JRE_MODULES, libraries)"
fi
say "ready: carry target/gpu-check/pocmerge-gpu-check.tar.xz and run: bash docker/gpu-check.sh"
