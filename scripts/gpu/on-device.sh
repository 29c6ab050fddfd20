#!/usr/bin/env bash
# Runs on the GPU machine over a copy of the repo with .gpu/ carried (scripts/gpu/pack.sh).
# Modes:
#   check    the WebGPU kernel tests (tests/gpu) on the GPU's adapter (check.txt)
#   bench    check, then issue #5's side-by-side table (tfjs webgpu with tfjs's stock kernels and
#            with this project's, host time per step, PyTorch fp32; bench.md), one profiled step
#            per model (GPU time per kernel; profile.txt) and the filter-gradient probe (conv-grad.jsonl)
#   hinton   the hinton-mnist preset on the GPU, in the foreground (hinton.jsonl)
#   all      check, the hinton-mnist preset started in the background (setsid: it outlives the
#            call while the machine stays warm), then bench; ~6 min
#   collect  waits for that background run (up to DISTILL_COLLECT_WAIT s) and returns hinton.jsonl
# One device session of 15 minutes: `all`, then `collect` at once (the preset needs 11–14 min by
# the host time per step measured on the build machine; DISTILL_BENCH_STOCK=0 shortens the bench).
# Everything lands in $OUT (with log.txt). DISTILL_DEVICE_LOCAL=1 tries it on this machine
# (system node, no unpacking into /); DISTILL_BENCH_STOCK=0 skips the stock-kernel column.
set -uo pipefail
mode=${1:-bench}
OUT=${OUT:-/tmp/distill-out}
mkdir -p "$OUT" /tmp/gpu
exec > >(tee -a "$OUT/log.txt") 2>&1
cd "$(dirname "$0")/../.."
if [ -z "${DISTILL_DEVICE_LOCAL:-}" ]; then
  # Once per machine: a warm machine may be running the background hinton run from these files.
  [ -x /tmp/gpu/node ] || { xz -dc .gpu/node.xz > /tmp/gpu/node.part && chmod +x /tmp/gpu/node.part && mv /tmp/gpu/node.part /tmp/gpu/node; }
  for f in .gpu/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  export VK_DRIVER_FILES=${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  node=/tmp/gpu/node
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
else
  node=$(command -v node)
fi
[ -f /tmp/gpu/app/distill.mjs ] || tar -xJf .gpu/app.tar.xz -C /tmp/gpu
export XDG_RUNTIME_DIR=/tmp DISTILL_RESOURCES="$PWD/resources"
app=/tmp/gpu/app/distill.mjs
steps=${DISTILL_BENCH_STEPS:-10}
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }' || echo –; }

check() {
  timeout 240 "$node" /tmp/gpu/app/webgpu.test.mjs > "$OUT/check.txt" 2>&1
  local rc=$?
  grep -E '^# (WebGPU|pass|fail)|not ok' "$OUT/check.txt"
  return $rc
}

bench() {
  [ -n "${DISTILL_SKIP_CHECK:-}" ] || check || echo "the WebGPU kernel tests failed on this adapter: the figures below are suspect (check.txt)"
  "$node" "$app" bench --backend webgpu --model mlp-30x2 --steps 2 | head -1   # which adapter, and why
  echo "| model | tfjs webgpu, stock kernels | tfjs webgpu, Distill Studio kernels | host ms of step ms (ours) | compiled step | host ms (compiled) | PyTorch fp32 | ratio stock | ratio ours | ratio compiled |" > "$OUT/bench.md"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" >> "$OUT/bench.md"
  specs=${DISTILL_BENCH_SPECS:-mlp:mlp-1200x2:28x28x1:256 vgg11:vgg11:32x32x3:128 resnet18:resnet18:32x32x3:256}
  for spec in $specs; do
    IFS=: read -r torch_name name shape batch <<< "$spec"
    args=(bench --backend webgpu --model "$name" --shape "$shape" --batch-size "$batch" --steps "$steps" --json)
    stock=""
    [ "${DISTILL_BENCH_STOCK:-1}" = 0 ] || stock=$(timeout 150 "$node" "$app" "${args[@]}" --stock-kernels | grep -o '"imgPerSec":[0-9.]*' | cut -d: -f2)
    line=$(timeout 150 "$node" "$app" "${args[@]}" | grep '^{')
    ours=$(grep -o '"imgPerSec":[0-9.]*' <<< "$line" | cut -d: -f2)
    host=$(grep -o '"hostMsPerStep":[0-9.]*' <<< "$line" | cut -d: -f2)
    compiled_line=$(timeout 150 "$node" "$app" "${args[@]}" --compiled | grep '^{')
    compiled=$(grep -o '"imgPerSec":[0-9.]*' <<< "$compiled_line" | cut -d: -f2)
    compiled_host=$(grep -o '"hostMsPerStep":[0-9.]*' <<< "$compiled_line" | cut -d: -f2)
    step=$([ -n "$ours" ] && awk -v b="$batch" -v r="$ours" 'BEGIN { printf "%.1f", 1000 * b / r }')
    torch=""
    [ -f .gpu/torch_reference.py ] && torch=$(timeout 120 python3 .gpu/torch_reference.py --models "$torch_name" --batch "$batch" --steps 30 | grep '"pytorch-fp32"' | grep -o '"img_per_s": [0-9.]*' | cut -d' ' -f2)
    echo "| $name ($shape, batch $batch) | ${stock:-failed} | ${ours:-failed} | ${host:-–} of ${step:-–} | ${compiled:-failed} | ${compiled_host:-–} | ${torch:-–} | $(ratio "$stock" "$torch") | $(ratio "$ours" "$torch") | $(ratio "$compiled" "$torch") |" | tee -a "$OUT/bench.md"
  done
  for spec in $specs; do
    IFS=: read -r _ name shape batch <<< "$spec"
    timeout 120 "$node" "$app" bench --backend webgpu --model "$name" --shape "$shape" --batch-size "$batch" --profile | tail -n +2 | head -14 | tee -a "$OUT/profile.txt"
  done
  timeout 180 "$node" /tmp/gpu/app/bench-conv-grad.mjs --backend webgpu --repeats 5 | grep '^{' | tee "$OUT/conv-grad.jsonl"
}

hinton_dir=/tmp/gpu/hinton
hinton_args=(run --preset hinton-mnist --backend webgpu --out "$hinton_dir/run" --json)

case "$mode" in
  check) check ;;
  bench) bench ;;
  all)
    check || echo "the WebGPU kernel tests failed on this adapter: the figures below are suspect (check.txt)"
    if [ -d "$hinton_dir" ]; then echo "a hinton run is already under $hinton_dir"; else
      mkdir -p "$hinton_dir"
      # shellcheck disable=SC2086
      setsid bash -c '"$0" "$@" ${DISTILL_HINTON_ARGS:-} > "'"$hinton_dir"'/all.jsonl" 2> "'"$hinton_dir"'/stderr.txt"; echo $? > "'"$hinton_dir"'/rc"' "$node" "$app" "${hinton_args[@]}" < /dev/null > /dev/null 2>&1 &
      echo "hinton-mnist started in the background under $hinton_dir"
    fi
    DISTILL_SKIP_CHECK=1 bench
    echo "(measured while hinton-mnist, an MLP, trained in the background on the same GPU)" >> "$OUT/bench.md"
    tail -1 "$hinton_dir/all.jsonl" | cut -c1-300
    ;;
  collect)
    [ -d "$hinton_dir" ] || { echo "no hinton run on this machine (was it given back?)"; exit 1; }
    deadline=$((SECONDS + ${DISTILL_COLLECT_WAIT:-540}))
    while [ ! -f "$hinton_dir/rc" ] && [ $SECONDS -lt $deadline ]; do sleep 5; done
    grep -v '"type":"progress"' "$hinton_dir/all.jsonl" > "$OUT/hinton.jsonl"
    cp "$hinton_dir/stderr.txt" "$OUT/hinton-stderr.txt"
    if [ -f "$hinton_dir/rc" ]; then echo "hinton-mnist exited with $(cat "$hinton_dir/rc")"; else echo "hinton-mnist still running:"; fi
    tail -1 "$hinton_dir/all.jsonl" | cut -c1-600
    ;;
  hinton)
    # The preset's 100 teacher and 60 student epochs; DISTILL_HINTON_ARGS can shorten them to fit.
    # shellcheck disable=SC2086
    timeout "${DISTILL_HINTON_TIMEOUT:-540}" "$node" "$app" "${hinton_args[@]}" ${DISTILL_HINTON_ARGS:-} \
      | grep -v '"type":"progress"' | tee "$OUT/hinton.jsonl" | cut -c1-300
    ;;
  *) echo "usage: on-device.sh check|bench|hinton|all|collect"; exit 2 ;;
esac
