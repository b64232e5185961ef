#!/usr/bin/env bash
# Regenerates the PyTorch parity fixtures in test/fixtures/ (format mini-dino-oracle-v1, see
# test/fixtures/README.md) with the reference implementation tools/torch_dino.py,
# plus a small file written by its own safetensors writer with integer dtypes.
# Needs Debian's torch: apt-get install -y python3-torch python3-numpy (use /usr/bin/python3).
# Usage: tools/make-fixtures.sh   (env: PYTHON, TORCH_DINO to override the paths)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
REF=${TORCH_DINO:-tools/torch_dino.py}
OUT=test/fixtures
mkdir -p "$OUT"
# Shared by all three: a tiny ViT (depth 2, dim 16) and head (32 hidden, 16 bottleneck), so the
# whole parity test runs in seconds. --threads 1 for reproducible float64 reductions.
TINY=(--patch 4 --dim 16 --depth 2 --head-hidden 32 --head-bottleneck 16 --threads 1)

# (a) teacher = student, center = 0; 1 channel; 2 local crops of the global size (16 px), so all
# four crops run through the backbone as one group; no clipping.
"$PY" "$REF" dump "${TINY[@]}" --in-chans 1 --img 16 --heads 2 --out-dim 64 --batch 2 \
  --local-crops 2 --local-img 16 --seed 0 --pre-steps 0 --clip-grad 0 \
  --out "$OUT/initial-1ch.safetensors"

# (b) after one pre-step (teacher != student, center != 0); 3 channels; 4 heads of dim 4;
# local crops of 8 px (pos_embed grid 4x4 interpolated to 2x2); clip 1.0 clips about half the
# gradient tensors.
"$PY" "$REF" dump "${TINY[@]}" --in-chans 3 --img 16 --heads 4 --out-dim 96 --batch 3 \
  --local-crops 2 --local-img 8 --seed 1 --pre-steps 1 --clip-grad 1.0 \
  --out "$OUT/prestep-3ch-clip.safetensors"

# (c) multi-crop as in the recipe: 1 channel, global 28 px (grid 7x7) + 3 local crops of 12 px
# (grid 3x3: bicubic pos_embed interpolation), after a pre-step, official clip 3.0.
"$PY" "$REF" dump "${TINY[@]}" --in-chans 1 --img 28 --heads 2 --out-dim 64 --batch 2 \
  --local-crops 3 --local-img 12 --seed 2 --pre-steps 1 --clip-grad 3.0 \
  --teacher-temp 0.07 --out "$OUT/multicrop-1ch-interp.safetensors"

# A file from torch_dino.py's own writer with every dtype it writes (F64, F32, I64, I32), a
# scalar, an empty tensor, a non-ASCII name and metadata: read back by test/io/safetensors.test.ts.
"$PY" - "$REF" "$OUT/torch-writer-dtypes.safetensors" <<'PYEOF'
import importlib.util, sys, torch
spec = importlib.util.spec_from_file_location("torch_dino", sys.argv[1])
td = importlib.util.module_from_spec(spec); spec.loader.exec_module(td)
t = {
    "f64.matrix": torch.arange(6, dtype=torch.float64).reshape(2, 3) / 8 - 0.25,
    "f32.vector": torch.tensor([1.5, -2.25, 3.0e-8, 65504.0], dtype=torch.float32),
    "i64.ids": torch.tensor([-(2 ** 40), 0, 7], dtype=torch.int64),
    "i32.scalar": torch.tensor(42, dtype=torch.int32),
    "f32.empty": torch.zeros(0, 3, dtype=torch.float32),
    "näme.名前": torch.tensor([[-1.0]], dtype=torch.float64),
}
n = td.save_safetensors(sys.argv[2], t, {"format": "torch-writer-test", "note": "ünïcode ✓"})
print(f"wrote {sys.argv[2]}: {len(t)} tensors, {n} bytes")
PYEOF
ls -l "$OUT"/*.safetensors
