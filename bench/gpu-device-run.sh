#!/usr/bin/env bash
# Everything this project measures on a real GPU, in one run of a few minutes (README, "Running on
# a GPU"): the gpu backend's tests in webgpu mode, kernel and step benchmarks, dispatch counts, our
# best cpu step on the same machine, and the PyTorch reference on CUDA. Each part has its own time
# limit and the others still run when one fails; results go to $OUT (default ./gpu-results), one
# file each, so they can be copied into bench/RESULTS.md.
#   GPU_STEPS   measured steps of bench step (default 10)
#   TORCH_DINO  path of the PyTorch reference torch_dino.py (default .device/torch_dino.py);
#               the PyTorch row is skipped when it is missing
# Usage on the machine: bash bench/gpu-device-run.sh   (from the project root, node_modules there)
# A GPU machine without Node or a registry gets them carried along: here, `npm ci`, stage Node, the
# Vulkan loader and node_modules into the git-ignored .device/ (with the staging script of the
# machine's environment), copy torch_dino.py into .device/, then run on the machine, with .device
# carried: bash .device/remote.sh 'bash bench/gpu-device-run.sh'  (about 10 minutes at most).
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-gpu-results}"
mkdir -p "$out"
steps="${GPU_STEPS:-10}"
export TORCH_DINO="${TORCH_DINO:-.device/torch_dino.py}"
status=0
part() { # part NAME SECONDS COMMAND...: runs COMMAND with a time limit, output to $out/NAME
  local name=$1 limit=$2
  shift 2
  echo "== $name ($*)"
  local t0=$SECONDS
  timeout "$limit" "$@" >"$out/$name" 2>&1
  local rc=$?
  tail -n 5 "$out/$name"
  echo "== $name: exit $rc after $((SECONDS - t0)) s"
  [ "$rc" = 0 ] || status=1
}

part info.json 60 npx tsx src/cli/main.ts info --backend gpu --json
part test-gpu.log 240 npm run test:gpu
part kernels.json 90 npx tsx bench/kernels.ts --backend both --mode webgpu --time 300 --json
part dispatches.json 120 npx tsx bench/dispatches.ts --configs recipe,small --steps 3 --json
part step-gpu-small.json 120 \
  npx tsx src/cli/main.ts bench step --config small --backend gpu --steps "$steps" --warmup 3 --json
part step-cpu-small.json 120 \
  npx tsx src/cli/main.ts bench step --config small --backend cpu --steps 3 --warmup 1 --json
if [ -f "$TORCH_DINO" ]; then
  part torch-cuda-small.json 120 python3 bench/torch_cuda_step.py --config small --steps 20
else
  echo "== torch-cuda-small.json: skipped, no $TORCH_DINO" | tee "$out/torch-cuda-small.json"
fi
exit $status
