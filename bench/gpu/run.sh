#!/usr/bin/env bash
# Runs Tessera's OpenCL property suite and the GPU benchmarks (Tessera and PyTorch, two interleaved
# passes) on a machine without Java or Maven, from the folder bench/gpu/build.sh made (carried
# along). Finds NVIDIA's OpenCL driver and points the ICD loader at it alone; where there is none
# (a CPU machine with PoCL) the system's OpenCL vendors are used. Everything goes under $OUT
# (default bench/gpu/out): run.log, stages.txt, device.txt, tests.log and test-reports/,
# tessera.jsonl, torch.jsonl and one log per stage; bench/gpu/report.py turns them into RESULTS.md.
#
# Usage: bench/gpu/run.sh [--quick] [--skip-tests] [--passes N]
#   --quick: small sizes (PoCL); GPU_RUN_BUDGET_S (default 510) bounds the whole run: each stage is
#   time-boxed, a stage that fails or times out is recorded and the run goes on.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/bench/gpu/build"
out=${OUT:-$root/bench/gpu/out}
budget=${GPU_RUN_BUDGET_S:-510}
quick=""
tests=1
passes=2
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=--quick ;;
        --skip-tests) tests=0 ;;
        --passes) passes=$2; shift ;;
        *) echo "usage: bench/gpu/run.sh [--quick] [--skip-tests] [--passes N]" >&2; exit 2 ;;
    esac
    shift
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/{run.log,stages.txt,tessera.jsonl,torch.jsonl}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$SECONDS

log() { echo "[run.sh +$((SECONDS - start))s] $*" | tee -a "$out/run.log"; }
remaining() { echo $((budget - (SECONDS - start))); }

# stage NAME CAP_SECONDS COMMAND...: runs COMMAND for at most CAP_SECONDS (less when the budget is
# nearly spent), its output into NAME.log and on stdout; records "NAME ok|failed (rc)|timed out|not run".
failed_stages=()
stage() {
    local name=$1 cap=$2
    shift 2
    local limit rc
    limit=$(remaining)
    [ "$limit" -gt "$cap" ] && limit=$cap
    if [ "$limit" -lt 15 ]; then
        log "stage $name: not run (budget of ${budget}s spent)"
        echo "$name not run (budget spent)" >> "$out/stages.txt"
        failed_stages+=("$name")
        return
    fi
    local shown="$*"
    log "stage $name (at most ${limit}s): ${shown//"$cp"/\$CLASSPATH}"
    local began=$SECONDS
    timeout -k 10 "$limit" "$@" > >(tee "$out/$name.log") 2>&1
    rc=$?
    local took=$((SECONDS - began))
    if [ $rc -eq 0 ]; then
        echo "$name ok ${took}s" >> "$out/stages.txt"
    elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        echo "$name timed out after ${took}s" >> "$out/stages.txt"
        failed_stages+=("$name")
    else
        echo "$name failed (exit $rc) ${took}s" >> "$out/stages.txt"
        failed_stages+=("$name")
    fi
    log "stage $name: $(tail -1 "$out/stages.txt")"
}

echo "bench/gpu/run.sh $quick $([ $tests = 0 ] && echo --skip-tests) --passes $passes" | tr -s ' ' > "$out/command.txt"
echo "ran $(date -u +%Y-%m-%dT%H:%MZ)" >> "$out/command.txt"
cat "$build/commit.txt" >> "$out/command.txt" 2>/dev/null
if [ ! -x "$build/jdk/bin/java" ] || [ ! -s "$build/classpath.txt" ]; then
    log "no $build/jdk: run bench/gpu/build.sh first (and carry bench/gpu/build)"
    exit 1
fi

# ---- OpenCL: NVIDIA's ICD when there is one, else the system's vendors (PoCL here)
find_nvidia_opencl() {
    local icd lib dir
    for icd in /etc/OpenCL/vendors/nvidia.icd /usr/share/OpenCL/vendors/nvidia.icd; do
        if [ -f "$icd" ]; then
            lib=$(head -1 "$icd" | tr -d '[:space:]')
            if [ -f "$lib" ]; then echo "$lib"; return; fi
        fi
    done
    for dir in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib \
            /lib/x86_64-linux-gnu /lib64 /usr/lib/x86_64-linux-gnu/nvidia/current /usr/local/cuda/compat \
            /usr/local/cuda/lib64; do
        for lib in "$dir"/libnvidia-opencl.so.1 "$dir"/libnvidia-opencl.so.*; do
            if [ -f "$lib" ]; then echo "$lib"; return; fi
        done
    done
    lib=$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so/ && !found {print $NF; found = 1}')
    if [ -n "$lib" ] && [ -f "$lib" ]; then echo "$lib"; return; fi
    timeout 30 find / -xdev \( -path /proc -o -path /sys \) -prune -o -name 'libnvidia-opencl.so*' -print 2>/dev/null \
        | head -1
}
cp=""   # the class path, set below; stage() shortens it in the log
nvidia=$(find_nvidia_opencl)
if [ -n "$nvidia" ]; then
    found=$nvidia
    nvidia=$(readlink -f "$found")   # the loader is given the file itself, not a link to it
    mkdir -p "$work/vendors"
    echo "$nvidia" > "$work/vendors/nvidia.icd"
    export OCL_ICD_VENDORS="$work/vendors"   # ocl-icd's loader
    export OCL_ICD_FILENAMES="$nvidia"       # Khronos's loader
    export LD_LIBRARY_PATH="$(dirname "$nvidia")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    log "NVIDIA OpenCL driver: $found -> $nvidia (OCL_ICD_VENDORS=$OCL_ICD_VENDORS)"
else
    log "no NVIDIA OpenCL driver found: using the system's OpenCL vendors ($(ls /etc/OpenCL/vendors 2>/dev/null | tr '\n' ' '))"
fi
system_loader=$( (ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null) | awk '/libOpenCL\.so\.1 / && !found {print $NF; found = 1}')
for dir in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /usr/lib /usr/local/nvidia/lib64; do
    [ -z "$system_loader" ] && [ -f "$dir/libOpenCL.so.1" ] && system_loader="$dir/libOpenCL.so.1"
done
if [ -n "$system_loader" ]; then
    log "ICD loader: the system's ($system_loader)"
else
    export LD_LIBRARY_PATH="$build/native${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    log "ICD loader: the carried $build/native/libOpenCL.so.1 (the system has none)"
fi

export TESSERA_CACHE="$work/cache"
export CI=true   # the OpenCL tests fail, not skip, when no device works
java=("$build/jdk/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
      -Xmx${JAVA_XMX:-6g} -XX:+UseParallelGC -Dorg.lwjgl.system.SharedLibraryExtractPath="$work/lwjgl")
cp=$(sed "s|lib/|$build/lib/|g" "$build/classpath.txt")
log "CLASSPATH=$cp"

python=${PYTHON:-}
if [ -z "$python" ]; then
    for candidate in python3 /usr/bin/python3 python; do
        if "$candidate" -c 'import torch' 2>/dev/null; then python=$candidate; break; fi
    done
fi

{
    if command -v nvidia-smi > /dev/null; then
        nvidia-smi -L 2>&1
        nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv 2>&1
    else
        echo "nvidia-smi: not found"
    fi
    echo "NVIDIA OpenCL library: ${nvidia:-none}"
    echo "python: ${python:-none with torch} $([ -n "$python" ] && "$python" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA device")' 2>&1)"
} > "$out/device.txt" 2>&1
cat "$out/device.txt" | tee -a "$out/run.log"

stage probe 60 "${java[@]}" -cp "$cp" dev.tessera.bench.gpu.GpuBench --probe

# ---- the OpenCL property suite (jqwik's database goes to the scratch folder, not the work tree)
if [ $tests = 1 ]; then
    stage tests "${GPU_TESTS_CAP_S:-180}" "${java[@]}" -jar "$build/console/junit-platform-console-standalone.jar" execute \
        --class-path "$cp" $(sed 's/^/--select-class /' "$build/test-classes.txt") \
        --config "jqwik.database=$work/jqwik-database" \
        --disable-banner --details=summary --reports-dir "$out/test-reports"
fi

# ---- benchmarks: Tessera and PyTorch alternate, pass by pass, in the same window
tessera_cap=110
torch_cap=80
for pass in $(seq 1 "$passes"); do
    if [ "$pass" -gt 1 ] && [ "$(remaining)" -lt $((tessera_cap + torch_cap)) ]; then
        log "pass $pass: not run ($(remaining)s of the budget left, $((tessera_cap + torch_cap))s needed)"
        echo "pass-$pass not run (budget)" >> "$out/stages.txt"
        break
    fi
    stage "tessera-pass$pass" $tessera_cap "${java[@]}" -cp "$cp" dev.tessera.bench.gpu.GpuBench $quick \
        --pass "$pass" --out "$out/tessera.jsonl" --budget-s $((tessera_cap - 35))
    if [ -n "$python" ]; then
        stage "torch-pass$pass" $torch_cap "$python" "$root/bench/gpu/torch_peer.py" $quick \
            --pass "$pass" --out "$out/torch.jsonl" --budget-s $((torch_cap - 30))
    else
        log "torch-pass$pass: not run (no python with torch)"
        echo "torch-pass$pass not run (no python with torch)" >> "$out/stages.txt"
        failed_stages+=("torch-pass$pass")
    fi
done

log "stages:"
tee -a "$out/run.log" < "$out/stages.txt"
# The device tool brings back only a few files: everything travels in one archive, beside the
# summary files a reader opens first.
tar czf "$work/results.tar.gz" -C "$out" . && mv "$work/results.tar.gz" "$out/results.tar.gz"
if [ ${#failed_stages[@]} -gt 0 ]; then
    log "failed or not run: ${failed_stages[*]}"
    exit 1
fi
log "all stages ok"
